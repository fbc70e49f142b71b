import HTTPTypes
import Hummingbird

#if canImport(Glibc)
    import Glibc
#endif

/// Who the client is, for rate limits: the socket's peer, or, when the peer is a configured trusted proxy, the
/// address that proxy put last in its forwarding header (a client can forge any earlier entry).
public struct ClientAddress: Sendable {
    /// Trusted proxies named by address.
    public var trustedProxies: Set<String>
    /// Trusted proxies named by range (`10.42.0.0/16`, `fd00::/8`): an ingress controller whose pods change address.
    public var trustedRanges: [AddressRange]
    public var header: HTTPField.Name

    public init(
        trustedProxies: Set<String> = [], trustedRanges: [AddressRange] = [], header: HTTPField.Name = .init("X-Forwarded-For")!
    ) {
        self.trustedProxies = trustedProxies
        self.trustedRanges = trustedRanges
        self.header = header
    }

    public func resolve(peer: String?, forwarded: String?) -> String {
        guard let peer else { return "unknown" }
        guard trusts(peer), let forwarded,
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        else { return peer }
        return last
    }

    func trusts(_ peer: String) -> Bool {
        if trustedProxies.contains(peer) { return true }
        guard !trustedRanges.isEmpty, let address = AddressRange.bytes(of: peer) else { return false }
        return trustedRanges.contains { $0.contains(address) }
    }

    func of(_ request: Request, context: AppRequestContext) -> String {
        resolve(peer: context.remoteAddress?.ipAddress, forwarded: request.headers[header])
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.42.0.0/16`); an address alone is its own /32 or /128.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// `nil` when `text` is neither an address nor address/prefix with a prefix the address's family allows.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = Self.bytes(of: String(parts[0])) else { return nil }
        let length: Int
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...network.count * 8).contains(given), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = given
        } else {
            length = network.count * 8
        }
        self.network = network
        self.prefixLength = length
        self.description = text
    }

    /// Whether `address` (4 or 16 bytes) is in the range; an IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) counts as
    /// the IPv4 address.
    func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if address.count == 16, network.count == 4, address.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            address = Array(address.suffix(4))
        }
        guard address.count == network.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network, address) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if mine & mask != theirs & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The address's bytes (4 for IPv4, 16 for IPv6), or `nil` when it is not an address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
