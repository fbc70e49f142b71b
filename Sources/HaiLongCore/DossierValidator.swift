import Foundation

/// A served dossier (hồ sơ) as the one-stop system reports it: the denominator of response rates, and what links a
/// rating to a real dossier (and to its officer when the kiosk did not say).
public struct Dossier: Sendable, Hashable {
    public var code: String
    public var counterCode: String?
    public var officerBadge: String?
    public var receivedAt: Date?
    public var returnedAt: Date?

    public init(code: String, counterCode: String? = nil, officerBadge: String? = nil, receivedAt: Date? = nil, returnedAt: Date? = nil) {
        self.code = code
        self.counterCode = counterCode
        self.officerBadge = officerBadge
        self.receivedAt = receivedAt
        self.returnedAt = returnedAt
    }
}

/// Validates a dossier feed body: `{"code", "counter", "officer", "received_at", "returned_at"}`, known fields only.
public struct DossierValidator: Sendable {
    public init() {}

    static let knownFields: Set<String> = ["code", "counter", "officer", "received_at", "returned_at"]

    public func validate(_ body: JSONValue) throws(ValidationError) -> Dossier {
        guard case .object(let fields) = body else {
            throw ValidationError(field: "body", reason: "must be a JSON object, not \(body.typeName)")
        }
        if let unknown = fields.keys.filter({ !Self.knownFields.contains($0) }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
        let strings = SubmissionValidator()
        let code = try strings.requiredString(fields, "code", maxLength: 64)
        let dossier = Dossier(
            code: code,
            counterCode: try strings.optionalString(fields, "counter", maxLength: 64),
            officerBadge: try strings.optionalString(fields, "officer", maxLength: 64),
            receivedAt: try time(fields, "received_at"),
            returnedAt: try time(fields, "returned_at"))
        if let received = dossier.receivedAt, let returned = dossier.returnedAt, returned < received {
            throw ValidationError(field: "returned_at", reason: "is before received_at")
        }
        return dossier
    }

    func time(_ fields: [String: JSONValue], _ name: String) throws(ValidationError) -> Date? {
        guard let text = try SubmissionValidator().optionalString(fields, name, maxLength: 40) else { return nil }
        guard let date = SubmissionValidator.parseTimestamp(text) else {
            throw ValidationError(field: name, reason: "must be an ISO 8601 time with an offset, like 2026-11-23T08:15:00+07:00")
        }
        return date
    }
}
