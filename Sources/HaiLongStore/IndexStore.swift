import Foundation
import HaiLongCore

/// How far below the requested agency the figures go.
public enum Depth: String, Sendable, CaseIterable {
    /// The agency only (its whole subtree pooled).
    case own = "0"
    /// The agency and each of its direct children, each pooled over its subtree.
    case children = "1"
    /// The agency and every agency below it, each pooled over its subtree.
    case all
}

/// What figures are broken down by, below each agency.
public enum Grouping: String, Sendable, CaseIterable {
    case none
    case officer
    case counter
    case channel
    /// By local day (for trend series).
    case day
    /// By local month, `YYYY-MM` (for the overview's sparklines).
    case month
}

/// One cell of a breakdown: the root agency, and the group value (officer or counter id, channel, day; "" for none).
public struct CountKey: Sendable, Hashable {
    public var agencyID: Int64
    public var group: String

    public init(agencyID: Int64, group: String = "") {
        self.agencyID = agencyID
        self.group = group
    }
}

/// An officer or counter named in a breakdown.
public struct GroupMember: Sendable, Hashable {
    public var id: Int64
    public var code: String
    public var name: String
    public var agencyCode: String

    public init(id: Int64, code: String, name: String, agencyCode: String) {
        self.id = id
        self.code = code
        self.name = name
        self.agencyCode = agencyCode
    }
}

/// A published snapshot of figures.
public struct Publication: Sendable, Hashable {
    public var id: Int64
    public var agencyCode: String
    public var period: String
    public var questionnaire: String
    public var version: Int
    public var methodologyCode: String
    public var methodologyVersion: Int
    public var asOf: Date?
    public var publishedAt: Date
    public var publishedBy: String
    /// The JSON document as it was served at publication, byte for byte.
    public var document: String
    /// SHA-256 (hex) of `document`.
    public var contentHash: String

    public init(
        id: Int64, agencyCode: String, period: String, questionnaire: String, version: Int, methodologyCode: String,
        methodologyVersion: Int, asOf: Date?, publishedAt: Date, publishedBy: String, document: String, contentHash: String
    ) {
        self.id = id
        self.agencyCode = agencyCode
        self.period = period
        self.questionnaire = questionnaire
        self.version = version
        self.methodologyCode = methodologyCode
        self.methodologyVersion = methodologyVersion
        self.asOf = asOf
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
        self.document = document
        self.contentHash = contentHash
    }
}

/// Reads the count cube that the aggregator maintains, and the publications made from it.
public protocol IndexStore: Sendable {
    /// The default methodology.
    func defaultMethodology() async throws -> Methodology
    /// A methodology by code, its newest version or the given one.
    func methodology(code: String, version: Int?) async throws -> Methodology?
    /// The newest version of a questionnaire, or `nil` when there is none with this code.
    func questionnaire(code: String) async throws -> Questionnaire?
    /// The agency and the agencies `depth` asks for, in display order (the agency first); agencies merged away
    /// before `period` starts are left out (their responses count for their successors).
    func agencies(under agency: Agency, depth: Depth, period: Period) async throws -> [Agency]
    /// Counts per agency (pooled over its subtree, and its predecessors merged before the period) and group.
    func figureCounts(
        for agencies: [Agency], period: Period, questionnaire: String, methodology: Methodology, grouping: Grouping
    ) async throws -> [CountKey: FigureCounts]
    /// Dossiers served (returned, else received) in the period, pooled like the figures.
    func dossiersServed(for agencies: [Agency], period: Period, timeZone: TimeZone) async throws -> [Int64: Int]
    /// Officers or counters by id.
    func named(_ grouping: Grouping, ids: [Int64]) async throws -> [Int64: GroupMember]
    /// When the aggregator last applied responses to the counts.
    func asOf() async throws -> Date?
    /// A number that changes whenever anything the live figures are computed from changes (sql/0007).
    func figuresVersion() async throws -> Int64
    /// Freezes a document as the next version for its agency, period and questionnaire; `document` is given the
    /// version number and returns the JSON to store.
    func publish(
        agencyID: Int64, period: String, questionnaire: String, methodology: Methodology, asOf: Date?, publishedBy: String,
        document: @Sendable (_ version: Int) throws -> String
    ) async throws -> Publication
    /// A publication: the given version, or the newest when `version` is nil.
    func publication(agencyID: Int64, period: String, questionnaire: String, version: Int?) async throws -> Publication?
}
