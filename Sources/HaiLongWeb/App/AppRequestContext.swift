import HaiLongCore
import Hummingbird
import NIOCore

/// The request context of every HaiLong route. Bodies are small JSON documents: 16 KiB is the limit
/// (`maxUploadSize` applies to every decode and collect).
///
/// Protected routes run in a child context made from this one once an authenticator has filled it in:
/// `TokenRequestContext` and `DeviceRequestContext` behind `BearerAuthenticator`, `AccountRequestContext` and
/// `PageRequestContext` behind `SessionAuthenticator`.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket's peer (a proxy's address when behind one; see `ClientAddress`).
    public let remoteAddress: SocketAddress?
    /// Who the bearer token stands for, once `BearerAuthenticator` has resolved it.
    var caller: Caller?
    /// The signed-in administrator, once `SessionAuthenticator` has found the session.
    var account: SignedInAccount?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 16 * 1024 }
}
