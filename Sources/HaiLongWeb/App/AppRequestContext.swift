import Hummingbird
import NIOCore

/// The request context of every HaiLong route. Bodies are small JSON documents: 16 KiB is the limit
/// (`maxUploadSize` applies to every decode and collect).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket's peer (a proxy's address when behind one; see `ClientAddress`).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 16 * 1024 }
}
