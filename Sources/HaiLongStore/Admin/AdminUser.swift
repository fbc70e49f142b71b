/// A signed-in administrator.
public struct AdminUser: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var role: UserRole
    /// The root of what the user may see; `nil` for system admins (everything).
    public var agencyID: Int64?
    /// A password set by someone else (a reset): every page waits until the user has chosen their own.
    public var mustChangePassword = false
    /// Whether signing in asks for a code from an authenticator app.
    public var hasSecondFactor = false
}
