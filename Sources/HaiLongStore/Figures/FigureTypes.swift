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
