import Foundation
import HaiLongCore
import HaiLongStore

/// The yearly reports as the pages, the API and `hailong report` use them: make a draft from the figures, change its
/// narrative, make its figures again from a newer snapshot, and render a version as DOCX, PDF or HTML.
public struct YearlyReports: Sendable {
    public let store: PostgresReportStore
    let builder: ReportBuilder
    let pdf: ReportPDF

    public init(
        indices: PostgresIndexStore, directory: PostgresDirectoryStore, accountability: PostgresAccountabilityStore,
        emulation: PostgresEmulationStore, reports: PostgresReportStore, timeZone: TimeZone, pdf: ReportPDF = ReportPDF()
    ) {
        self.store = reports
        self.pdf = pdf
        builder = ReportBuilder(
            indices: indices, directory: directory, reports: reports,
            evaluation: EvaluationReport(
                indices: indices, accountability: accountability, emulation: emulation,
                report: IndicesReport(indices: indices, timeZone: timeZone)))
    }

    public var timeZone: TimeZone { builder.timeZone }

    /// A consolidated report is the province's: an agency with no parent.
    static func checkKind(_ kind: ReportKind, agency: Agency) throws {
        switch kind {
        case .consolidated where agency.parentID != nil:
            throw ValidationError(field: "agency", reason: "\(agency.code) is not a province: only a province makes a consolidated report")
        case .agency where agency.parentID == nil:
            throw ValidationError(field: "agency", reason: "\(agency.code) is a province: its report is the consolidated one")
        default: break
        }
    }

    /// Makes version 1 as a draft, its figures from the year's snapshot (published now if the year has none).
    public func makeDraft(agency: Agency, year: Int, kind: ReportKind, by actor: String, within scope: Agency?) async throws
        -> StoredReport
    {
        try Self.checkKind(kind, agency: agency)
        if try await store.latest(agency: agency, year: year, kind: kind, within: scope) != nil {
            throw StoreError.duplicate(field: "year", value: "report \(year) of \(agency.code)")
        }
        let (content, publication) = try await builder.content(kind: kind, agency: agency, year: year, by: actor)
        return try await store.create(
            agency: agency, year: year, kind: kind, content: content, publicationID: publication.id, by: actor, within: scope)
    }

    /// Replaces the current draft's narrative sections.
    public func saveNarrative(
        _ narrative: ReportNarrative, agency: Agency, year: Int, kind: ReportKind, by actor: String, within scope: Agency?
    ) async throws -> StoredReport {
        let narrative = try narrative.validated()
        guard let current = try await store.latest(agency: agency, year: year, kind: kind, within: scope) else {
            throw StoreError.notFound(field: "report", value: "\(year) \(agency.code)")
        }
        var content = current.content
        content.narrative = narrative
        return try await store.saveDraft(
            agency: agency, year: year, kind: kind, content: content, publicationID: nil, by: actor, within: scope)
    }

    /// Takes the current draft's figures again from the newest snapshot (and, for the consolidated report, the agencies'
    /// statuses and blocks), keeping its narrative.
    public func refreshFigures(agency: Agency, year: Int, kind: ReportKind, by actor: String, within scope: Agency?) async throws
        -> StoredReport
    {
        guard let current = try await store.latest(agency: agency, year: year, kind: kind, within: scope) else {
            throw StoreError.notFound(field: "report", value: "\(year) \(agency.code)")
        }
        guard current.status == .draft else {
            throw ValidationError(field: "status", reason: "version \(current.version) is \(current.status.rawValue): it cannot change")
        }
        var (content, publication) = try await builder.content(kind: kind, agency: agency, year: year, by: actor)
        content.narrative = current.content.narrative
        return try await store.saveDraft(
            agency: agency, year: year, kind: kind, content: content, publicationID: publication.id, by: actor, within: scope)
    }

    /// The consolidated report's narrative composed afresh from the accepted agency reports.
    public func composedNarrative(province: Agency, year: Int) async throws -> ReportNarrative {
        try await builder.composedNarrative(province: province, year: year)
    }

    // MARK: output

    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case docx, pdf, html

        public var contentType: String {
            switch self {
            case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            case .pdf: "application/pdf"
            case .html: "text/html; charset=utf-8"
            }
        }
    }

    /// A version as a file: its bytes and its file name.
    public func render(_ report: StoredReport, format: Format) async throws -> (bytes: [UInt8], filename: String) {
        let layout = ReportLayout(report, timeZone: timeZone)
        let filename =
            "bao-cao-\(report.kind == .consolidated ? "tong-hop-" : "")\(report.agencyCode)-\(report.year)-v\(report.version).\(format.rawValue)"
        switch format {
        case .docx: return (try layout.docx(), filename)
        case .html: return (Array(layout.html(draftNotice: Self.notice(report)).utf8), filename)
        case .pdf: return (try await pdf.pdf(html: layout.html(draftNotice: nil)), filename)
        }
    }

    static func notice(_ report: StoredReport) -> String? {
        report.status == .draft ? "DỰ THẢO – phiên bản \(report.version), chưa gửi" : nil
    }
}
