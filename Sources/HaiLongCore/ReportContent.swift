import Foundation

/// Which yearly report: an agency's report to Sở Nội vụ, or the province's consolidated report.
public enum ReportKind: String, Sendable, Codable, CaseIterable {
    case agency
    case consolidated
}

/// Where one version of a report stands. A returned version stays returned; the agency goes on in a new draft version.
public enum ReportStatus: String, Sendable, Codable, CaseIterable {
    case draft
    case submitted
    case returned
    case accepted

    /// The Vietnamese label.
    public var vietnamese: String {
        switch self {
        case .draft: "Dự thảo"
        case .submitted: "Đã gửi"
        case .returned: "Bị trả lại"
        case .accepted: "Đã tiếp nhận"
        }
    }
}

/// The sections the reporting agency writes itself.
public struct ReportNarrative: Sendable, Codable, Equatable {
    /// Kết quả đạt được.
    public var results: String
    /// Tồn tại, hạn chế và nguyên nhân.
    public var shortcomings: String
    /// Phương hướng, nhiệm vụ năm sau.
    public var plans: String
    /// Đề xuất, kiến nghị.
    public var proposals: String

    public init(results: String = "", shortcomings: String = "", plans: String = "", proposals: String = "") {
        self.results = results
        self.shortcomings = shortcomings
        self.plans = plans
        self.proposals = proposals
    }

    /// The sections by their form field name, in the document's order.
    public static let fields = ["results", "shortcomings", "plans", "proposals"]

    public subscript(field: String) -> String {
        get {
            switch field {
            case "results": results
            case "shortcomings": shortcomings
            case "plans": plans
            default: proposals
            }
        }
        set {
            switch field {
            case "results": results = newValue
            case "shortcomings": shortcomings = newValue
            case "plans": plans = newValue
            default: proposals = newValue
            }
        }
    }

    /// Each section is at most 20,000 characters.
    public func validated() throws -> ReportNarrative {
        for field in Self.fields where self[field].count > 20_000 {
            throw ValidationError(field: field, reason: "must be at most 20000 characters")
        }
        return self
    }
}

/// The published snapshot a report's figures come from.
public struct ReportSnapshot: Sendable, Codable, Equatable {
    /// The agency whose publication it is (the report's agency or one above it).
    public var agency: String
    public var period: String
    public var questionnaire: String
    public var version: Int
    public var sha256: String
    public var publishedAt: String
    public var publishedBy: String
    public var methodology: String
    /// Whether the report published it, there being no snapshot of the year yet.
    public var publishedForReport: Bool

    public init(
        agency: String, period: String, questionnaire: String, version: Int, sha256: String, publishedAt: String, publishedBy: String,
        methodology: String, publishedForReport: Bool
    ) {
        self.agency = agency
        self.period = period
        self.questionnaire = questionnaire
        self.version = version
        self.sha256 = sha256
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
        self.methodology = methodology
        self.publishedForReport = publishedForReport
    }
}

/// One agency's figures of the year, as the snapshot has them (rounded as published).
public struct ReportFigure: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var n: Int
    public var index: Double?
    public var ci95: [Double]?
    public var sufficient: Bool
    public var parPoints: Double?
    public var parMax: Double
    public var previousIndex: Double?
    public var change: Double?
    public var changeSignificant: Bool?
    public var responseRate: Double?
    public var excludedShare: Double?
    public var excluded: Int

    public init(
        code: String, name: String, n: Int, index: Double?, ci95: [Double]?, sufficient: Bool, parPoints: Double?, parMax: Double,
        previousIndex: Double?, change: Double?, changeSignificant: Bool?, responseRate: Double?, excludedShare: Double?, excluded: Int
    ) {
        self.code = code
        self.name = name
        self.n = n
        self.index = index
        self.ci95 = ci95
        self.sufficient = sufficient
        self.parPoints = parPoints
        self.parMax = parMax
        self.previousIndex = previousIndex
        self.change = change
        self.changeSignificant = changeSignificant
        self.responseRate = responseRate
        self.excludedShare = excludedShare
        self.excluded = excluded
    }
}

/// The officers of the subtree by band of their year's index: counts only (names are not a report's business), and
/// the commendation candidates, who are named.
public struct ReportOfficers: Sendable, Codable, Equatable {
    /// Officers with any rating in the year.
    public var rated: Int
    /// With enough ratings to be judged (the methodology's minimum).
    public var sufficient: Int
    /// Of the sufficient ones: index ≥ 90, 80–90, 70–80, < 70.
    public var bands: [Int]
    /// Capped at "hoàn thành nhiệm vụ" by a confirmed violation.
    public var capped: Int
    /// Commendation candidates: "badge – name (agency)".
    public var candidates: [String]

    public init(rated: Int, sufficient: Int, bands: [Int], capped: Int, candidates: [String]) {
        self.rated = rated
        self.sufficient = sufficient
        self.bands = bands
        self.capped = capped
        self.candidates = candidates
    }

    /// The bands' Vietnamese labels, in `bands`' order.
    public static let bandLabels = ["Từ 90 % trở lên", "Từ 80 % đến dưới 90 %", "Từ 70 % đến dưới 80 %", "Dưới 70 %"]

    /// The band of an index: 0 for ≥ 90 … 3 for < 70.
    public static func band(of index: Double) -> Int {
        index >= 90 ? 0 : index >= 80 ? 1 : index >= 70 ? 2 : 3
    }
}

/// One "4 xin, 4 luôn" reason and the share of not-satisfied ratings that named it.
public struct ReportReason: Sendable, Codable, Equatable {
    public var code: String
    public var label: String
    public var share: Double

    public init(code: String, label: String, share: Double) {
        self.code = code
        self.label = label
        self.share = share
    }
}

/// Complaints, inspections and violations of the year at the agency and below.
public struct ReportAccountability: Sendable, Codable, Equatable {
    public var complaintsReceived: Int
    public var complaintsResolved: Int
    public var inspectionsPlanned: Int
    public var inspectionsUnannounced: Int
    public var violationsReported: Int
    public var violationsConfirmed: Int
    public var violationsDismissed: Int

    public init(
        complaintsReceived: Int = 0, complaintsResolved: Int = 0, inspectionsPlanned: Int = 0, inspectionsUnannounced: Int = 0,
        violationsReported: Int = 0, violationsConfirmed: Int = 0, violationsDismissed: Int = 0
    ) {
        self.complaintsReceived = complaintsReceived
        self.complaintsResolved = complaintsResolved
        self.inspectionsPlanned = inspectionsPlanned
        self.inspectionsUnannounced = inspectionsUnannounced
        self.violationsReported = violationsReported
        self.violationsConfirmed = violationsConfirmed
        self.violationsDismissed = violationsDismissed
    }

    /// Every violation recorded, whatever its decision (`violationsReported` counts those still awaiting one).
    public var violationsTotal: Int { violationsReported + violationsConfirmed + violationsDismissed }
}

/// One agency's line in the consolidated report: its figures and where its report stands.
public struct ReportAgencyLine: Sendable, Codable, Equatable {
    public var figure: ReportFigure
    /// `not_started`, or a `ReportStatus` raw value (`returned` for a draft that follows a returned version).
    public var status: String
    public var version: Int?

    public init(figure: ReportFigure, status: String, version: Int?) {
        self.figure = figure
        self.status = status
        self.version = version
    }
}

/// An emulation block's ranking in the consolidated report.
public struct ReportBlock: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var rank: Int?
        public var code: String
        public var name: String
        public var n: Int
        public var index: Double?

        public init(rank: Int?, code: String, name: String, n: Int, index: Double?) {
            self.rank = rank
            self.code = code
            self.name = name
            self.n = n
            self.index = index
        }
    }

    public var code: String
    public var name: String
    public var members: [Member]

    public init(code: String, name: String, members: [Member]) {
        self.code = code
        self.name = name
        self.members = members
    }
}

/// Everything a yearly report says: the figures taken from the published snapshot and the live accountability
/// records when the draft was made, and the narrative its authors write. Stored as JSON with each version.
public struct ReportContent: Sendable, Codable, Equatable {
    public var kind: ReportKind
    public var year: Int
    /// The reporting agency (the province for a consolidated report).
    public var agency: ReportFigure
    /// The body above the reporting agency (the heading's first line), e.g. "UBND TỈNH …"; nil at the top.
    public var superior: String?
    public var snapshot: ReportSnapshot
    public var children: [ReportFigure]
    public var officers: ReportOfficers
    public var reasons: [ReportReason]
    public var accountability: ReportAccountability
    public var narrative: ReportNarrative
    /// The consolidated report's table of every agency with its report's status.
    public var agencies: [ReportAgencyLine]
    public var blocks: [ReportBlock]
    /// When the figures were read (ISO 8601), and where the document will be signed ("Thái Nguyên").
    public var preparedAt: String
    public var place: String

    public init(
        kind: ReportKind, year: Int, agency: ReportFigure, superior: String?, snapshot: ReportSnapshot, children: [ReportFigure],
        officers: ReportOfficers, reasons: [ReportReason], accountability: ReportAccountability, narrative: ReportNarrative,
        agencies: [ReportAgencyLine] = [], blocks: [ReportBlock] = [], preparedAt: String, place: String
    ) {
        self.kind = kind
        self.year = year
        self.agency = agency
        self.superior = superior
        self.snapshot = snapshot
        self.children = children
        self.officers = officers
        self.reasons = reasons
        self.accountability = accountability
        self.narrative = narrative
        self.agencies = agencies
        self.blocks = blocks
        self.preparedAt = preparedAt
        self.place = place
    }

    /// The stored JSON: keys sorted, so the same content always gives the same bytes (and the same sha256).
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> ReportContent {
        try JSONDecoder().decode(ReportContent.self, from: Data(text.utf8))
    }
}
