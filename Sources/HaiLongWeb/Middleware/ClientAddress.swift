import HTTPTypes
import Hummingbird

/// Who the client is, for rate limits: the socket's peer, or, when the peer is a configured trusted proxy, the
/// address that proxy put last in its forwarding header (a client can forge any earlier entry).
public struct ClientAddress: Sendable {
    public var trustedProxies: Set<String>
    public var header: HTTPField.Name

    public init(trustedProxies: Set<String> = [], header: HTTPField.Name = .init("X-Forwarded-For")!) {
        self.trustedProxies = trustedProxies
        self.header = header
    }

    public func resolve(peer: String?, forwarded: String?) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer), let forwarded,
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        else { return peer }
        return last
    }

    func of(_ request: Request, context: AppRequestContext) -> String {
        resolve(peer: context.remoteAddress?.ipAddress, forwarded: request.headers[header])
    }
}
