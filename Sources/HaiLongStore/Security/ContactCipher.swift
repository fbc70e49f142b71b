import Crypto
import Foundation

/// Encrypts citizens' phone numbers (AES-GCM) and makes a keyed look-up hash (HMAC-SHA256) of them, with two keys
/// derived (HKDF) from `HAILONG_DATA_KEY`. The database never sees a phone number in clear.
///
/// A sealed contact is `0x01 ‖ key id (4 bytes) ‖ nonce ‖ ciphertext ‖ tag`: the key id says which data key sealed it,
/// so the key can be rotated (`hailong rotate-data-key`), and the response's id is the additional authenticated data,
/// so a sealed number copied onto another response does not open.
public struct ContactCipher: Sendable {
    /// Raw key bytes (swift-crypto's `SymmetricKey` is not `Sendable`); a key is made from them per use.
    let encryptionKeyBytes: Data
    let lookupKeyBytes: Data
    /// Four bytes derived from the key: names it in every sealed contact without revealing it.
    public let keyID: Data

    static let format: UInt8 = 1

    var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionKeyBytes) }
    var lookupKey: SymmetricKey { SymmetricKey(data: lookupKeyBytes) }

    /// `base64` must decode to 32 random bytes (`openssl rand -base64 32`).
    public init(base64 key: String, variable: String = "HAILONG_DATA_KEY") throws(ConfigurationError) {
        guard let data = Data(base64Encoded: key), data.count == 32 else {
            throw ConfigurationError(variable: variable, reason: "must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        let master = SymmetricKey(data: data)
        func derive(_ purpose: String, _ count: Int = 32) -> Data {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data(purpose.utf8), outputByteCount: count)
                .withUnsafeBytes { Data($0) }
        }
        encryptionKeyBytes = derive("hailong contact encryption")
        lookupKeyBytes = derive("hailong contact lookup")
        keyID = derive("hailong contact key id", 4)
    }

    /// What every contact sealed with this key starts with.
    public var prefix: Data { Data([Self.format]) + keyID }

    /// Seals `phone` for the response `responseID`.
    public func seal(_ phone: String, responseID: UUID) throws -> Data {
        prefix + (try AES.GCM.seal(Data(phone.utf8), using: encryptionKey, authenticating: responseID.bytes).combined!)
    }

    /// Opens a contact sealed with this key for `responseID`; throws for another key, another response or a forgery.
    public func open(_ sealed: Data, responseID: UUID) throws -> String {
        guard sealed.starts(with: prefix) else { throw ContactCipherError.otherKey }
        let box = try AES.GCM.SealedBox(combined: sealed.dropFirst(prefix.count))
        return String(decoding: try AES.GCM.open(box, using: encryptionKey, authenticating: responseID.bytes), as: UTF8.self)
    }

    /// The same phone always gives the same value, so a request for erasure can find its rows.
    public func lookupHash(_ phone: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(phone.utf8), using: lookupKey))
    }
}

public enum ContactCipherError: Error {
    /// The contact was sealed with another data key.
    case otherKey
}

extension UUID {
    /// The sixteen bytes of the UUID.
    var bytes: Data { withUnsafeBytes(of: uuid) { Data($0) } }
}

extension Data {
    var hex: String { Hex.encode(self) }
}
