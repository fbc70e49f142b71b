/// Roles of API tokens (docs/CONTRACT.md).
public enum TokenRole: String, Sendable, CaseIterable, Codable {
    case admin
    case par
    case integration
}

/// Who is calling the API, established from a bearer token.
public enum Caller: Sendable, Hashable {
    /// A paired kiosk device; its agency and counter are where its ratings belong.
    case kiosk(id: Int64, agencyID: Int64, counterID: Int64?)
    /// An API token; `agencyID` limits it to that agency's subtree, `nil` means the whole province.
    case token(id: Int64, role: TokenRole, agencyID: Int64?)
}
