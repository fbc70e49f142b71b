import Crypto
import Foundation

/// A signed survey link for a receipt or an SMS: `/s/{agency}?t=…` binds the survey to an agency, optionally a
/// dossier and an officer, until an expiry. The token is `base64url(payload).base64url(HMAC-SHA256)`; nothing of it
/// is stored, so links are made by anyone holding the key (every replica, the CLI) and checked without a look-up.
public struct SurveyLink: Sendable, Hashable, Codable {
    public var agency: String
    public var dossier: String?
    public var officer: String?
    public var expires: Date

    enum CodingKeys: String, CodingKey {
        case agency = "a"
        case dossier = "d"
        case officer = "o"
        case expires = "e"
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed
        case badSignature
        case expired
    }

    public init(agency: String, dossier: String?, officer: String?, expires: Date) {
        self.agency = agency
        self.dossier = dossier
        self.officer = officer
        self.expires = Date(timeIntervalSince1970: expires.timeIntervalSince1970.rounded(.down))
    }

    public func token(key: SymmetricKey) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        let payload = Base64URL.encode(try! encoder.encode(self))
        return payload + "." + Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)))
    }

    /// Checks the signature first, then the expiry.
    public init(token: String, key: SymmetricKey, now: Date = Date()) throws(Failure) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.count <= 1024, parts.count == 2, let signature = Base64URL.decode(String(parts[1])),
            let payload = Base64URL.decode(String(parts[0]))
        else { throw .malformed }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(parts[0].utf8), using: key) else {
            throw .badSignature
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let link = try? decoder.decode(SurveyLink.self, from: payload) else { throw .malformed }
        guard link.expires > now else { throw .expired }
        self = link
    }
}

/// When a survey form was served, signed so that the minimum fill time cannot be faked by editing the form.
public struct FormStamp: Sendable {
    public var servedAt: Date

    public init(servedAt: Date) {
        self.servedAt = Date(timeIntervalSince1970: servedAt.timeIntervalSince1970.rounded(.down))
    }

    /// `seconds.signature`, bound to the form's response id.
    public func text(responseID: UUID, key: SymmetricKey) -> String {
        let seconds = String(Int64(servedAt.timeIntervalSince1970))
        return seconds + "." + Self.signature(seconds, responseID: responseID, key: key)
    }

    /// `nil` when the stamp was not made by this server for this response id.
    public init?(text: String, responseID: UUID, key: SymmetricKey) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let seconds = Int64(parts[0]),
            let given = Base64URL.decode(String(parts[1])),
            let expected = Base64URL.decode(Self.signature(String(parts[0]), responseID: responseID, key: key)),
            ConstantTime.equals(given, expected)
        else { return nil }
        self.servedAt = Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func signature(_ seconds: String, responseID: UUID, key: SymmetricKey) -> String {
        let message = Data("form-stamp|\(seconds)|\(responseID.uuidString.lowercased())".utf8)
        return Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).prefix(16))
    }
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5).
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// Signs and checks survey links and form stamps with the key every replica shares.
public struct SurveySigner: Sendable {
    /// Raw key bytes (swift-crypto's `SymmetricKey` is not `Sendable`).
    let secret: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secret) }

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    public func token(for link: SurveyLink) -> String { link.token(key: key) }

    public func link(from token: String, now: Date = Date()) throws(SurveyLink.Failure) -> SurveyLink {
        try SurveyLink(token: token, key: key, now: now)
    }

    public func stamp(responseID: UUID, servedAt: Date) -> String {
        FormStamp(servedAt: servedAt).text(responseID: responseID, key: key)
    }

    /// When the form carrying this stamp was served, or `nil` if the stamp is not genuine.
    public func servedAt(stamp: String, responseID: UUID) -> Date? {
        FormStamp(text: stamp, responseID: responseID, key: key)?.servedAt
    }
}
