import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import MultipartKit

/// An agency's management page: opening hours, counters and the officer on duty, officers (with photos), kiosks
/// (pair, revoke, health), accounts, and CSV imports of officers and agencies with a preview. Every change is a form
/// with the session's CSRF token, refused to viewers, scoped to the agency, and audited.
extension AdminController {
    func addManagementRoutes(to router: RouterGroup<PageRequestContext>) {
        router.get("admin/agencies/{code}/manage", deadline: Self.deadline, use: managePage)
        router.post("admin/agencies/{code}/manage/{action}", deadline: Self.deadline, use: manage)
    }

    var management: PostgresManagementStore { dashboard.management }
    var importer: DirectoryImporter { dashboard.importer }

    /// The largest photo accepted, and the largest CSV file.
    static var maxPhotoBytes: Int { 1024 * 1024 }
    static var maxImportBytes: Int { 2 * 1024 * 1024 }

    @Sendable func managePage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        // Only the known confirmations: the query string is not page text.
        let notice = request.uri.queryParameters["done"].flatMap { AdminPages.manageStrings[page.language]?["done_\($0)"] }
        return try await renderManage(page, notice: notice, error: nil, status: .ok)
    }

    func renderManage(
        _ page: AgencyPage, notice: String?, error: String?, status: HTTPResponse.Status, extra: [String: Any] = [:]
    ) async throws -> Response {
        let managed = try await management.agency(page.agency)
        let kiosks = try await dashboard.kiosks(under: page.agency.id).kiosks
        var values = page.context
        values.merge(
            ManageView(language: page.language, agency: page.agency, managed: managed, kiosks: kiosks, timeZone: report.timeZone).values
        ) { $1 }
        values["title"] = AdminPages.text("manage_title", page.language)
        values["form_action"] = "\(page.base)/manage"
        values["notice"] = notice
        values["error"] = error
        values["system_admin"] = page.user.role == .admin
        values.merge(extra) { $1 }
        return AdminPages.render("manage", values, status: status, secure: secure)
    }

    @Sendable func manage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        // Whatever the action did is committed when it returns: the agency pages' kiosk tables read afresh from then on.
        defer { kioskChanges.add() }
        let action = try context.parameters.require("action")
        let multipart = ["photo", "import"].contains(action)
        let fields =
            multipart
            ? try await multipartFields(request, page: page)
            // The import's confirmation carries the file back, URL-encoded (a Vietnamese letter takes up to 9 bytes).
            : (
                text: try await editorForm(request, page: page, upTo: action == "import-apply" ? 9 * Self.maxImportBytes : 16 * 1024),
                files: [:]
            )
        let actor = page.user.username
        func value(_ name: String) -> String { (fields.text[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func optional(_ name: String) -> String? { value(name).isEmpty ? nil : value(name) }
        do {
            switch action {
            case "hours":
                let hours = try optional("opening_hours").map { try OpeningHours(parsing: $0) }
                try await management.setHours(page.agency, hours, by: actor)
            case "counter":
                try Self.checkCode(value("code"), field: "code")
                try Self.checkName(value("name"), field: "name")
                _ = try await directory.addCounter(agencyCode: page.agency.code, code: value("code"), name: value("name"), by: actor)
            case "duty":
                try await management.setOnDuty(page.agency, counter: value("counter"), badge: optional("badge"), by: actor)
            case "officer":
                try Self.checkCode(value("badge"), field: "badge")
                try Self.checkName(value("name"), field: "name")
                _ = try await directory.addOfficer(
                    agencyCode: page.agency.code, badge: value("badge"), name: value("name"), counterCode: optional("counter"),
                    title: optional("title"), by: actor)
            case "officer-status":
                try await management.setOfficerActive(page.agency, badge: value("badge"), active: value("active") == "1", by: actor)
            case "photo":
                guard let photo = fields.files["photo"], !photo.isEmpty else {
                    throw ValidationError(field: "photo", reason: "choose a JPEG, PNG or WebP image")
                }
                guard photo.count <= Self.maxPhotoBytes else {
                    throw ValidationError(field: "photo", reason: "must be at most 1 MB (got \(photo.count / 1024) KB)")
                }
                guard let type = Self.imageType(photo) else {
                    throw ValidationError(field: "photo", reason: "must be a JPEG, PNG or WebP image")
                }
                try await management.setOfficerPhoto(page.agency, badge: value("badge"), bytes: photo, type: type, by: actor)
            case "kiosk":
                let label = value("label")
                guard !label.isEmpty, label.count <= 100 else { throw ValidationError(field: "label", reason: "must be 1–100 characters") }
                let kiosk = try await directory.addKiosk(
                    agencyCode: page.agency.code, counterCode: optional("counter"), label: label, by: actor)
                // The pairing code is shown this once: it is not stored, only its hash.
                return try await renderManage(
                    page, notice: AdminPages.text("done_kiosk", page.language), error: nil, status: .ok,
                    extra: ["pairing_code": kiosk.pairingCode, "pairing_label": label])
            case "kiosk-revoke":
                guard let id = Int64(value("kiosk")) else { throw ValidationError(field: "kiosk", reason: "must be a kiosk id") }
                try await management.revokeKiosk(page.agency, id: id, by: actor)
            case "kiosk-label":
                guard let id = Int64(value("kiosk")) else { throw ValidationError(field: "kiosk", reason: "must be a kiosk id") }
                let label = value("label")
                guard !label.isEmpty, label.count <= 100 else { throw ValidationError(field: "label", reason: "must be 1–100 characters") }
                try await management.renameKiosk(page.agency, id: id, label: label, by: actor)
            case "user-role":
                guard let role = UserRole(rawValue: value("role")), role != .admin else {
                    throw ValidationError(field: "role", reason: "must be agency_admin, viewer or par")
                }
                try await management.setUserRole(page.agency, username: value("username"), role: role.rawValue, by: actor)
            case "user-disable":
                guard value("username") != actor else {
                    throw ValidationError(field: "username", reason: "you cannot disable your own account")
                }
                try await management.disableUser(page.agency, username: value("username"), by: actor)
            case "user-reset":
                guard value("username") != actor else {
                    throw ValidationError(field: "username", reason: "change your own password on your account page")
                }
                let password = try await management.resetPassword(
                    page.agency, username: value("username"), by: actor, bcryptCost: users.policy.bcryptCost)
                // The new password is shown this once, to be passed on by hand; it must be changed at the first sign-in.
                return try await renderManage(
                    page, notice: nil, error: nil, status: .ok,
                    extra: ["reset_password_for": value("username"), "temporary_password": password])
            case "user":
                // Only a system admin (no agency) makes another: nobody scoped may create an account that is not.
                guard let role = UserRole(rawValue: value("role")),
                    role != .admin || (page.user.role == .admin && page.user.agencyID == nil)
                else {
                    throw ValidationError(field: "role", reason: "must be agency_admin, viewer or par")
                }
                let agency = optional("agency") ?? page.agency.code
                guard let target = try await directory.agency(code: agency),
                    try await directory.isAgency(target.id, within: page.agency.id)
                else {
                    throw ValidationError(field: "agency", reason: "'\(agency)' is not \(page.agency.code) or an agency below it")
                }
                _ = try await users.addUser(
                    username: value("username"), role: role, agencyCode: role == .admin ? nil : agency,
                    password: fields.text["password"] ?? "", by: actor)
            case "import":
                guard let kind = DirectoryImporter.Kind(rawValue: value("kind")) else {
                    throw ValidationError(field: "kind", reason: "must be officers or agencies")
                }
                guard let file = fields.files["file"], !file.isEmpty else {
                    throw ValidationError(field: "file", reason: "choose a CSV file")
                }
                guard let text = String(validating: file, as: UTF8.self) else {
                    throw ValidationError(field: "file", reason: "must be UTF-8 text (in Excel: Save As → CSV UTF-8)")
                }
                let plan = try await importer.plan(kind, text: text, into: page.agency)
                return try await renderManage(
                    page, notice: nil, error: nil, status: plan.errors.isEmpty ? .ok : .unprocessableContent,
                    extra: AdminPages.importPreview(plan, text: text, language: page.language))
            case "import-apply":
                guard let kind = DirectoryImporter.Kind(rawValue: value("kind")) else {
                    throw ValidationError(field: "kind", reason: "must be officers or agencies")
                }
                let text = fields.text["csv"] ?? ""
                let plan = try await importer.apply(kind, text: text, into: page.agency, by: actor)
                guard plan.canApply else {
                    return try await renderManage(
                        page, notice: nil, error: nil, status: .unprocessableContent,
                        extra: AdminPages.importPreview(plan, text: text, language: page.language))
                }
            default:
                throw Problem(.notFound, field: "action", detail: "no such management action '\(action)'")
            }
        } catch let error as ValidationError {
            return try await renderManage(page, notice: nil, error: "\(error.field): \(error.reason)", status: .unprocessableContent)
        } catch let error as StoreError {
            return try await renderManage(page, notice: nil, error: error.description, status: .unprocessableContent)
        }
        return redirect("\(page.base)/manage?lang=\(page.language.rawValue)&done=\(action)")
    }

    /// The text fields and files of a `multipart/form-data` form, with the same checks as `editorForm`.
    func multipartFields(_ request: Request, page: AgencyPage) async throws -> (text: [String: String], files: [String: [UInt8]]) {
        let form = try await multipartForm(request, page: page, upTo: Self.maxImportBytes + 64 * 1024)
        return (form.text, form.files.mapValues(\.bytes))
    }

    /// A multipart/form-data form of an editor's page (`Origin`, CSRF and role checked): its text fields, and its files
    /// with the names they were sent under; at most `limit` bytes in all.
    func multipartForm(_ request: Request, page: AgencyPage, upTo limit: Int) async throws -> (
        text: [String: String], files: [String: (name: String, bytes: [UInt8])]
    ) {
        try checkOrigin(request)
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = contentType.split(separator: "boundary=", maxSplits: 1).last.map({ String($0).trimmingCharacters(in: ["\""]) })
        else {
            throw Problem(.unsupportedMediaType, field: "Content-Type", detail: "this form is sent as multipart/form-data")
        }
        let body = try await request.body.collect(upTo: limit)
        var text: [String: String] = [:]
        var files: [String: (name: String, bytes: [UInt8])] = [:]
        do {
            let parser = MultipartParser(boundary: boundary)
            var parts: [MultipartPart] = []
            var current = MultipartPart(body: ByteBuffer())
            parser.onHeader = { name, value in current.headers.add(name: name, value: value) }
            parser.onBody = { chunk in current.body.writeBuffer(&chunk) }
            parser.onPartComplete = {
                parts.append(current)
                current = MultipartPart(body: ByteBuffer())
            }
            try parser.execute(body)
            for part in parts {
                guard let name = part.name else { continue }
                if let disposition = part.headers.first(name: "Content-Disposition"), disposition.contains("filename=") {
                    let fileName = disposition.firstMatch(of: /filename="([^"]*)"/)?.1 ?? ""
                    files[name] = (String(fileName), Array(part.body.readableBytesView))
                } else {
                    text[name] = String(buffer: part.body)
                }
            }
        } catch {
            throw Problem(.badRequest, field: "body", detail: "the form could not be read as multipart/form-data")
        }
        guard ConstantTime.equals(text["csrf"], page.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        guard page.user.role != .viewer else {
            throw Problem(.forbidden, field: "role", detail: "a viewer account cannot change anything")
        }
        return (text, files)
    }

    static func checkCode(_ code: String, field: String) throws {
        guard DirectoryImporter.isCode(code) else {
            throw ValidationError(field: field, reason: "must be 1–64 letters, digits or . _ - (no spaces)")
        }
    }

    static func checkName(_ name: String, field: String) throws {
        guard !name.isEmpty, name.count <= 200 else { throw ValidationError(field: field, reason: "must be 1–200 characters") }
    }

    /// The image type by its first bytes (never by the file name or the browser's word).
    static func imageType(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.count > 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}
