import Crypto
import Foundation

/// Bearer tokens for kiosks and API clients: 32 random bytes, shown once, stored only as a SHA-256.
public enum SecretToken {
    /// A new token with a readable prefix (`hlk_` kiosk, `hlt_` API token).
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Base64URL.encode(Data(bytes))
    }

    /// The hex SHA-256 under which a token is stored and looked up.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}

extension SecretToken {
    /// A single-use kiosk pairing code: 8 random digits, easy to type on a tablet.
    public static func pairingCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%08d", Int.random(in: 0..<100_000_000, using: &generator))
    }
}
