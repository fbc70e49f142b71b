import HaiLongStore
import Hummingbird

/// Finds the administrator's session (the `hl_session` cookie) before a protected admin route runs: without a live
/// session the browser is sent to the sign-in page; with one, the account goes into the context for
/// `AccountRequestContext` or `PageRequestContext`.
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext

    let users: PostgresUserStore
    /// Whether the redirect carries HSTS (`HAILONG_SECURE_COOKIES`).
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let account = try await Self.account(request, users: users) else {
            return Response(status: .seeOther, headers: AdminPages.headers(secure: secure).merging([.location: "/admin/sign-in"]))
        }
        // A password someone else set, or a system admin without the second factor that is required, goes nowhere but
        // the account page (and sign-out) until that is put right.
        let path = request.uri.path
        if account.user.mustChangePassword || Self.needsSecondFactor(account.user, policy: users.policy),
            !path.hasPrefix("/admin/account"), path != "/admin/sign-out"
        {
            return Response(status: .seeOther, headers: AdminPages.headers(secure: secure).merging([.location: "/admin/account"]))
        }
        var context = context
        context.account = account
        return try await next(request, context)
    }

    /// Whether `user` must turn on a second factor before anything else (`HAILONG_ADMIN_SECOND_FACTOR=required`, for
    /// the system role).
    static func needsSecondFactor(_ user: AdminUser, policy: SessionPolicy) -> Bool {
        policy.secondFactorRequired && user.role == .admin && !user.hasSecondFactor
    }

    /// The account whose live session the request's cookie names, if any.
    static func account(_ request: Request, users: PostgresUserStore) async throws -> SignedInAccount? {
        guard let token = request.cookies[AdminController.sessionCookie]?.value, !token.isEmpty,
            let session = try await users.session(token)
        else { return nil }
        return SignedInAccount(user: session.user, csrf: session.csrfToken)
    }
}

extension Problem {
    /// 401 for an admin route reached without a session (the authenticator redirects before this can happen).
    static var noSession: Problem {
        Problem(.unauthorized, field: "session", detail: "sign in first")
    }
}
