import Foundation

/// Turns a response body into a `Submission`, or the first `ValidationError` naming the field at fault.
///
/// The rules are the API contract's (docs/CONTRACT.md): known fields only, levels within the questionnaire's scale,
/// reasons from its checklist, a comment of at most `maxCommentLength` characters, and a tap time
/// (`submitted_at`, ISO 8601 with offset) within [received − `offlineLimit`, received + `clockSkew`].
public struct SubmissionValidator: Sendable {
    public var maxCommentLength = 1000
    public var maxCodeLength = 64
    public var offlineLimit: TimeInterval = 7 * 24 * 3600
    public var clockSkew: TimeInterval = 5 * 60

    public init() {}

    static let knownFields: Set<String> = ["questionnaire", "officer", "dossier", "answers", "comment", "submitted_at", "contact"]

    /// Validates `body` against the questionnaire that `lookup` returns for its `questionnaire` code.
    public func validate(
        _ body: JSONValue, receivedAt: Date, lookup: (String) -> Questionnaire?
    ) throws(ValidationError) -> (Submission, Questionnaire) {
        guard case .object(let fields) = body else {
            throw ValidationError(field: "body", reason: "must be a JSON object, not \(body.typeName)")
        }
        if let unknown = fields.keys.filter({ !Self.knownFields.contains($0) }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
        let code = try requiredString(fields, "questionnaire", maxLength: maxCodeLength)
        guard let questionnaire = lookup(code) else {
            throw ValidationError(field: "questionnaire", reason: "unknown questionnaire '\(code)'")
        }
        let officer = try optionalString(fields, "officer", maxLength: maxCodeLength)
        let dossier = try optionalString(fields, "dossier", maxLength: maxCodeLength)
        let comment = try optionalString(fields, "comment", maxLength: maxCommentLength, allowEmpty: true)
        let submittedAt = try timestamp(fields, receivedAt: receivedAt)
        let (levels, reasons) = try answers(fields["answers"], questionnaire: questionnaire)
        let submission = Submission(
            questionnaire: code, officerBadge: officer, dossierCode: dossier, levels: levels, reasons: reasons,
            comment: comment.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 },
            submittedAt: submittedAt,
            phone: try contactPhone(fields["contact"])
        )
        return (submission, questionnaire)
    }

    func requiredString(_ fields: [String: JSONValue], _ name: String, maxLength: Int) throws(ValidationError) -> String {
        guard let value = try optionalString(fields, name, maxLength: maxLength) else {
            throw ValidationError(field: name, reason: "is required")
        }
        return value
    }

    func optionalString(
        _ fields: [String: JSONValue], _ name: String, maxLength: Int, allowEmpty: Bool = false
    ) throws(ValidationError) -> String? {
        switch fields[name] {
        case nil, .null?:
            return nil
        case .string(let text)?:
            // Stored as typed but in one form: composed Vietnamese (NFC) and LF line ends (browsers send CRLF).
            // Lengths count code points, as PostgreSQL's length() does.
            // ASCII text (codes, badges, times) is already both: skip the costly normalisation.
            let value =
                text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D })
                ? text : text.replacingOccurrences(of: "\r\n", with: "\n").precomposedStringWithCanonicalMapping
            if value.isEmpty && !allowEmpty { throw ValidationError(field: name, reason: "must not be empty") }
            if value.unicodeScalars.count > maxLength {
                throw ValidationError(
                    field: name, reason: "must be at most \(maxLength) characters, got \(value.unicodeScalars.count)")
            }
            if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
                throw ValidationError(field: name, reason: "must not contain control characters")
            }
            return value
        case let other?:
            throw ValidationError(field: name, reason: "must be a string, not \(other.typeName)")
        }
    }

    /// `{"phone": "0912 345 678", "consent": true}`: a Vietnamese phone number, only with explicit consent.
    func contactPhone(_ value: JSONValue?) throws(ValidationError) -> String? {
        guard let value, value != .null else { return nil }
        guard case .object(let contact) = value else {
            throw ValidationError(field: "contact", reason: "must be an object with phone and consent")
        }
        if let unknown = contact.keys.filter({ $0 != "phone" && $0 != "consent" }).sorted().first {
            throw ValidationError(field: "contact.\(unknown)", reason: "is not a known field")
        }
        guard case .string(let text)? = contact["phone"] else {
            throw ValidationError(field: "contact.phone", reason: "is required as a string when contact is given")
        }
        guard contact["consent"] == .bool(true) else {
            throw ValidationError(field: "contact.consent", reason: "must be true: a phone number is kept only with consent")
        }
        guard let phone = Self.normalisedPhone(text) else {
            throw ValidationError(field: "contact.phone", reason: "is not a Vietnamese phone number (10 digits, e.g. 0912 345 678)")
        }
        return phone
    }

    /// `+84 912-345-678`, `0912.345.678` → `0912345678`; `nil` unless ten digits starting with 0.
    public static func normalisedPhone(_ text: String) -> String? {
        var digits = text.filter { !" .-()".contains($0) }
        if digits.hasPrefix("+84") {
            digits = "0" + digits.dropFirst(3)
        } else if digits.hasPrefix("84") && digits.count == 11 {
            digits = "0" + digits.dropFirst(2)
        }
        guard digits.count == 10, digits.hasPrefix("0"), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }

    func timestamp(_ fields: [String: JSONValue], receivedAt: Date) throws(ValidationError) -> Date {
        let text = try requiredString(fields, "submitted_at", maxLength: 40)
        guard let date = Self.parseTimestamp(text) else {
            throw ValidationError(
                field: "submitted_at", reason: "must be an ISO 8601 time with an offset, like 2026-11-23T08:15:00+07:00")
        }
        if date > receivedAt.addingTimeInterval(clockSkew) {
            throw ValidationError(field: "submitted_at", reason: "is more than 5 minutes in the future")
        }
        if date < receivedAt.addingTimeInterval(-offlineLimit) {
            throw ValidationError(field: "submitted_at", reason: "is older than the offline limit of 7 days")
        }
        return date
    }

    /// Parses RFC 3339 (`2026-11-23T08:15:00+07:00`, `…T01:15:00.123Z`): a required offset, optional fractional
    /// seconds. By hand: a Foundation formatter per request was a fifth of the ingest path's CPU.
    public static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            let date = LocalDate(year: year, month: month, day: day), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, let digit = number(index, 1) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"), let hours = number(index + 1, 2),
                let minutes = number(index + 4, 2), hours <= 23, minutes <= 59
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    func answers(
        _ value: JSONValue?, questionnaire: Questionnaire
    ) throws(ValidationError) -> ([String: Int], [String]) {
        guard let value, value != .null else { throw ValidationError(field: "answers", reason: "is required") }
        guard case .object(let answers) = value else {
            throw ValidationError(field: "answers", reason: "must be an object, not \(value.typeName)")
        }
        var levels: [String: Int] = [:]
        for key in answers.keys.sorted() where key != "reasons" {
            guard questionnaire.question(key) != nil else {
                throw ValidationError(
                    field: "answers.\(key)", reason: "is not a question of \(questionnaire.code) v\(questionnaire.version)")
            }
            let scale = questionnaire.scale
            guard let level = answers[key]!.exactInteger, scale.contains(level) else {
                throw ValidationError(field: "answers.\(key)", reason: "must be an integer from \(scale.min) to \(scale.max)")
            }
            levels[key] = level
        }
        for question in questionnaire.questions where question.required && levels[question.code] == nil {
            throw ValidationError(field: "answers.\(question.code)", reason: "is required")
        }
        if levels.isEmpty { throw ValidationError(field: "answers", reason: "must answer at least one question") }
        let reasons = try reasonCodes(answers["reasons"], levels: levels, questionnaire: questionnaire)
        return (levels, reasons)
    }

    func reasonCodes(
        _ value: JSONValue?, levels: [String: Int], questionnaire: Questionnaire
    ) throws(ValidationError) -> [String] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else {
            throw ValidationError(field: "answers.reasons", reason: "must be an array of reason codes")
        }
        let allowed = Set(questionnaire.reasons.map(\.code))
        var codes = Set<String>()
        for (index, item) in items.enumerated() {
            guard case .string(let code) = item, allowed.contains(code) else {
                let list = questionnaire.reasons.map(\.code).joined(separator: ", ")
                throw ValidationError(field: "answers.reasons[\(index)]", reason: "must be one of: \(list)")
            }
            codes.insert(code)
        }
        if !codes.isEmpty {
            let lowest = levels.values.min() ?? Int.max
            guard let threshold = questionnaire.reasonsAtMost, lowest <= threshold else {
                throw ValidationError(field: "answers.reasons", reason: "is only asked when the citizen is not satisfied")
            }
        }
        return codes.sorted()
    }
}
