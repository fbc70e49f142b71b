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

/// Level counts of one agency's subtree for one question: valid answers by level, and the excluded count.
public struct LevelCounts: Sendable, Hashable {
    public var validByLevel: [Int: Int]
    public var excluded: Int

    public init(validByLevel: [Int: Int] = [:], excluded: Int = 0) {
        self.validByLevel = validByLevel
        self.excluded = excluded
    }
}

/// Reads the count cube that the aggregator maintains.
public protocol IndexStore: Sendable {
    /// The default methodology.
    func defaultMethodology() async throws -> Methodology
    /// The newest version of a questionnaire, or `nil` when there is none with this code.
    func questionnaire(code: String) async throws -> Questionnaire?
    /// The agency and the agencies `depth` asks for, in display order (the agency first).
    func agencies(under agency: Agency, depth: Depth) async throws -> [Agency]
    /// Pooled counts over each agency's subtree for `question` of every version of `questionnaire`.
    func counts(
        for agencies: [Agency], period: Period, questionnaire: String, question: String, excludedMask: Int
    ) async throws -> [Int64: LevelCounts]
    /// When the aggregator last applied responses to the counts.
    func asOf() async throws -> Date?
}
