/// A signed-in administrator.
public struct AdminUser: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var role: UserRole
    /// The root of what the user may see; `nil` for system admins (everything).
    public var agencyID: Int64?
}
