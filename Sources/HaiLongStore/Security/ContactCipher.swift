import Crypto
import Foundation

/// Encrypts citizens' phone numbers (AES-GCM) and makes a keyed look-up hash (HMAC-SHA256) of them, with two keys
/// derived (HKDF) from `HAILONG_DATA_KEY`. The database never sees a phone number in clear.
public struct ContactCipher: Sendable {
    /// Raw key bytes (swift-crypto's `SymmetricKey` is not `Sendable`); a key is made from them per use.
    let encryptionKeyBytes: Data
    let lookupKeyBytes: Data

    var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionKeyBytes) }
    var lookupKey: SymmetricKey { SymmetricKey(data: lookupKeyBytes) }

    /// `base64` must decode to 32 random bytes (`openssl rand -base64 32`).
    public init(base64 key: String) throws(ConfigurationError) {
        guard let data = Data(base64Encoded: key), data.count == 32 else {
            throw ConfigurationError(variable: "HAILONG_DATA_KEY", reason: "must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        let master = SymmetricKey(data: data)
        func derive(_ purpose: String) -> Data {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data(purpose.utf8), outputByteCount: 32)
                .withUnsafeBytes { Data($0) }
        }
        encryptionKeyBytes = derive("hailong contact encryption")
        lookupKeyBytes = derive("hailong contact lookup")
    }

    /// Nonce, ciphertext and tag, as one blob.
    public func seal(_ phone: String) throws -> Data {
        try AES.GCM.seal(Data(phone.utf8), using: encryptionKey).combined!
    }

    public func open(_ sealed: Data) throws -> String {
        String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: encryptionKey), as: UTF8.self)
    }

    /// The same phone always gives the same value, so a request for erasure can find its rows.
    public func lookupHash(_ phone: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(phone.utf8), using: lookupKey))
    }
}

extension Data {
    var hex: String { Hex.encode(self) }
}
