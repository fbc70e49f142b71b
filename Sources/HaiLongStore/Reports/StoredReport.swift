import Foundation
import HaiLongCore

/// One version of a yearly report as stored (sql/0023).
public struct StoredReport: Sendable {
    public var id: Int64
    public var agencyID: Int64
    public var agencyCode: String
    public var year: Int
    public var kind: ReportKind
    public var version: Int
    public var status: ReportStatus
    public var content: ReportContent
    public var snapshotVersion: Int?
    public var snapshotSHA256: String?
    /// SHA-256 of the stored content, fixed when submitted.
    public var contentSHA256: String?
    public var createdBy: String
    public var updatedBy: String
    public var updatedAt: Date
    public var submittedBy: String?
    public var submittedAt: Date?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionComment: String?
}

/// Where an agency's report of the year stands, for the province's status page.
public struct ReportStanding: Sendable {
    public var agency: Agency
    /// The newest version, if any.
    public var latest: StoredReport?
    /// The comment of the version returned before the current draft, when there is one.
    public var returnedComment: String?

    /// `versions` newest first, as `PostgresReportStore.versions` reads them.
    init(agency: Agency, versions: [StoredReport]) {
        self.agency = agency
        latest = versions.first
        if versions.count > 1, versions[0].status == .draft, versions[1].status == .returned {
            returnedComment = versions[1].decisionComment
        }
    }

    /// `not_started`, `draft`, `submitted`, `returned` (a draft that follows a returned version) or `accepted`.
    public var state: String {
        guard let latest else { return "not_started" }
        if latest.status == .draft, returnedComment != nil { return "returned" }
        return latest.status.rawValue
    }

    /// The Vietnamese label of `state`.
    public var stateVietnamese: String { Self.vietnamese(state) }

    public static func vietnamese(_ state: String) -> String {
        switch state {
        case "not_started": "Chưa lập"
        case "returned": "Bị trả lại (đang sửa)"
        default: ReportStatus(rawValue: state)?.vietnamese ?? state
        }
    }
}
