import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import Hummingbird
import HummingbirdCore

/// `GET /api/v1/reports?year=Y&agency=C&format=docx|pdf|html`: a yearly report as a file, for integrations (par and
/// admin tokens, within their scope: another subtree's agency is answered like an unknown one). The newest version,
/// or `version=N`; `kind=consolidated` for the province's consolidated report (the default for a province).
struct ReportsController: Sendable {
    let reports: YearlyReports
    let directory: PostgresDirectoryStore
    /// The figures API's checks of the caller, the parameters and the agency.
    let figures: IndicesController

    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.get("reports", deadline: .seconds(60)) { request, context in try await report(request, context: context) }
    }

    func report(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try figures.reader(context)
        let parameters = request.uri.queryParameters
        try figures.checkParameters(parameters, allowed: ["year", "agency", "format", "kind", "version"])
        guard let yearText = parameters["year"] else { throw Problem(.badRequest, field: "year", detail: "year is required (YYYY)") }
        guard let year = Int(yearText), (2000...2100).contains(year) else {
            throw Problem(.badRequest, field: "year", detail: "year must be a year like 2026")
        }
        guard let format = YearlyReports.Format(rawValue: parameters["format"].map(String.init) ?? "docx") else {
            throw Problem(.badRequest, field: "format", detail: "format must be docx, pdf or html")
        }
        var version: Int?
        if let text = parameters["version"] {
            guard let number = Int(text), number >= 1 else {
                throw Problem(.badRequest, field: "version", detail: "version must be a whole number from 1")
            }
            version = number
        }
        let agency = try await figures.requestedAgency(parameters["agency"].map(String.init), scope: caller.scope)
        let kind: ReportKind
        if let text = parameters["kind"] {
            guard let chosen = ReportKind(rawValue: String(text)) else {
                throw Problem(.badRequest, field: "kind", detail: "kind must be agency or consolidated")
            }
            kind = chosen
        } else {
            kind = agency.parentID == nil ? .consolidated : .agency
        }
        let scope = try await caller.scope.asyncMap { try await directory.agency(id: $0) } ?? nil
        let versions = try await reports.store.versions(agency: agency, year: year, kind: kind, within: scope)
        guard let report = version.map({ wanted in versions.first { $0.version == wanted } }) ?? versions.first else {
            throw Problem(
                .notFound, field: version == nil ? "year" : "version",
                detail: "no \(kind == .agency ? "report" : "consolidated report") of \(year) for \(agency.code)"
                    + (version.map { " in version \($0)" } ?? ""))
        }
        let file: (bytes: [UInt8], filename: String)
        do {
            file = try await reports.render(report, format: format)
        } catch let error as ReportPDF.Unavailable {
            throw Problem(.serviceUnavailable, field: "format", detail: error.description)
        }
        var headers: HTTPFields = [
            .contentType: format.contentType, .cacheControl: "no-store",
            .contentDisposition: "attachment; filename=\"\(file.filename)\"",
        ]
        headers[HTTPField.Name("X-HaiLong-Report-Version")!] = String(report.version)
        headers[HTTPField.Name("X-HaiLong-Report-Status")!] = report.status.rawValue
        if let hash = report.snapshotSHA256 { headers[HTTPField.Name("X-HaiLong-Snapshot-SHA256")!] = hash }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
