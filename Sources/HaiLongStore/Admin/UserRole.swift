/// The roles of people who sign in to the administrators' pages (`users.role`).
public enum UserRole: String, Sendable, CaseIterable {
    /// The whole system.
    case admin
    /// An agency's subtree (a province admin is an agency admin at the province).
    case agencyAdmin = "agency_admin"
    /// Read-only, within an agency's subtree.
    case viewer
    /// The PAR office: the API only, no pages.
    case par
}
