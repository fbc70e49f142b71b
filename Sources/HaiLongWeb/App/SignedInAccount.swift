import HaiLongStore

/// An administrator with a live session: who they are, and the session's CSRF token that every form must carry.
struct SignedInAccount: Sendable {
    var user: AdminUser
    var csrf: String
}
