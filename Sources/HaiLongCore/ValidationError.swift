/// A problem with input that a caller can fix, naming the offending field in dotted form
/// (`answers.overall`, `submitted_at`, `Idempotency-Key`).
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field, header or query parameter at fault.
    public var field: String
    /// What is wrong, in plain English, for the `detail` of a problem document.
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
