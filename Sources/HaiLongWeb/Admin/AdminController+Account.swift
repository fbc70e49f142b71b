import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `/admin/account`: every signed-in user changes their own password and turns two-step sign-in (an authenticator
/// app's codes) on or off. A user whose password was reset, or a system admin without a second factor where one is
/// required, is sent here from every page (`SessionAuthenticator`) until that is done.
extension AdminController {
    func addAccountRoutes(to group: RouterGroup<AccountRequestContext>) {
        group.get("admin/account", deadline: Self.deadline, use: account)
        group.post("admin/account/password", deadline: Self.deadline, use: changePassword)
        group.post("admin/account/second-factor", deadline: Self.deadline, use: secondFactor)
    }

    @Sendable func account(_ request: Request, context: AccountRequestContext) async throws -> Response {
        try await renderAccount(request, context: context, notice: nil, error: nil, status: .ok)
    }

    @Sendable func changePassword(_ request: Request, context: AccountRequestContext) async throws -> Response {
        let fields = try await accountForm(request, context: context)
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        do {
            try await users.changePassword(
                context.user, current: fields["current_password"] ?? "", new: fields["new_password"] ?? "",
                keepingSession: request.cookies[Self.sessionCookie]?.value ?? "")
        } catch let error as ValidationError {
            return try await renderAccount(
                request, context: context, notice: nil, error: "\(error.field): \(error.reason)", status: .unprocessableContent)
        }
        var user = context.user
        user.mustChangePassword = false
        return try await renderAccount(
            request, context: context, user: user, notice: AdminPages.text("password_changed", language), error: nil, status: .ok)
    }

    @Sendable func secondFactor(_ request: Request, context: AccountRequestContext) async throws -> Response {
        let fields = try await accountForm(request, context: context)
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        var user = context.user
        do {
            switch fields["action"] ?? "" {
            case "start":
                _ = try await users.startSecondFactor(context.user)
                return try await renderAccount(request, context: context, notice: nil, error: nil, status: .ok)
            case "confirm":
                try await users.confirmSecondFactor(context.user, code: fields["code"] ?? "")
                user.hasSecondFactor = true
                return try await renderAccount(
                    request, context: context, user: user, notice: AdminPages.text("second_factor_enabled", language), error: nil,
                    status: .ok)
            case "remove":
                guard !users.policy.secondFactorRequired || user.role != .admin else {
                    throw ValidationError(field: "action", reason: "system administrators must keep two-step sign-in here")
                }
                try await users.removeSecondFactor(context.user, password: fields["password"] ?? "", code: fields["code"] ?? "")
                user.hasSecondFactor = false
                return try await renderAccount(
                    request, context: context, user: user, notice: AdminPages.text("second_factor_disabled", language), error: nil,
                    status: .ok)
            default:
                throw Problem(.badRequest, field: "action", detail: "action must be start, confirm or remove")
            }
        } catch let error as ValidationError {
            return try await renderAccount(
                request, context: context, notice: nil, error: "\(error.field): \(error.reason)", status: .unprocessableContent)
        }
    }

    /// The form's fields after the `Origin` and CSRF checks every state-changing form passes.
    func accountForm(_ request: Request, context: AccountRequestContext) async throws -> [String: String] {
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: 16 * 1024)
        guard ConstantTime.equals(fields["csrf"], context.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        return fields
    }

    func renderAccount(
        _ request: Request, context: AccountRequestContext, user: AdminUser? = nil, notice: String?, error: String?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        let user = user ?? context.user
        let pending = user.hasSecondFactor ? nil : try await users.pendingSecondFactor(user)
        let needsSecondFactor = SessionAuthenticator.needsSecondFactor(user, policy: users.policy)
        let values = AdminPages.context(language).merging([
            "user": user.username, "role": AdminPages.text("role_\(user.role.rawValue)", language), "csrf": context.csrf,
            "must_change": user.mustChangePassword, "needs_second_factor": needsSecondFactor,
            "blocked": user.mustChangePassword || needsSecondFactor, "has_second_factor": user.hasSecondFactor,
            "pending_secret": pending?.secret as Any, "pending_url": pending?.url as Any, "notice": notice as Any, "error": error as Any,
        ]) { $1 }
        return AdminPages.render("account", values, status: status, secure: secure)
    }
}
