import Foundation
import HaiLongStore
import Hummingbird

/// `/admin/audit`: the audit log (append-only, sql/0001) for administrators — a system admin sees every entry, an
/// agency admin the entries about their subtree; viewers and the par role do not see it.
extension AdminController {
    func addAuditRoutes(to router: RouterGroup<PageRequestContext>) {
        router.get("admin/audit", deadline: Self.deadline, use: auditPage)
    }

    @Sendable func auditPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        let (user, csrf) = (context.user, context.csrf)
        guard user.role == .admin || user.role == .agencyAdmin else {
            throw Problem(.forbidden, field: "role", detail: "the audit log is for administrators")
        }
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? {
            parameters[Substring(name)].map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var before: Int64?
        if let value = text("before") {
            guard let id = Int64(value), id > 0 else { throw Problem(.badRequest, field: "before", detail: "before must be an entry id") }
            before = id
        }
        let entries = try await dashboard.auditLog(under: user.agencyID, actor: text("actor"), action: text("action"), before: before)
        var filter = "lang=\(language.rawValue)"
        for name in ["actor", "action"] {
            if let value = text(name), let escaped = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                filter += "&\(name)=\(escaped)"
            }
        }
        return AdminPages.render(
            "audit",
            AdminPages.context(language).merging([
                "user": user.username, "csrf": csrf, "filter_actor": text("actor") ?? "", "filter_action": text("action") ?? "",
                "entries": entries.map { entry -> [String: Any] in
                    [
                        "id": entry.id, "at": AdminPages.dateTime(entry.at, timeZone: report.timeZone), "actor": entry.actor,
                        "action": entry.action, "agency": entry.agencyCode ?? "–", "subject": entry.subject ?? "",
                        "detail": entry.detail == "{}" ? "" : entry.detail,
                    ]
                },
                "empty": entries.isEmpty,
                "older": (entries.count == 100 ? "/admin/audit?\(filter)&before=\(entries.last!.id)" : nil) as Any,
                "switch_query": filter.replacingOccurrences(of: "lang=\(language.rawValue)", with: "lang=\(language.other.rawValue)"),
            ]) { $1 },
            status: .ok, secure: secure)
    }
}
