/// What a violation's status is: reported and awaiting a decision, or decided.
public enum ViolationStatus: String, Sendable, Codable, CaseIterable {
    case reported, confirmed, dismissed
}

/// One officer's year as the evaluation sees it: their satisfaction figure and the violations recorded against them
/// that occurred in the year.
public struct OfficerStanding: Sendable, Equatable {
    public var badge: String
    public var name: String
    public var agency: String
    public var figure: QuestionnaireFigure?
    public var violations: [ViolationStatus]

    public init(badge: String, name: String, agency: String, figure: QuestionnaireFigure?, violations: [ViolationStatus]) {
        self.badge = badge
        self.name = name
        self.agency = agency
        self.figure = figure
        self.violations = violations
    }

    var sufficient: Bool { figure?.sufficient == true && figure?.ci95 != nil }
    /// The Wilson interval's lower bound: what ranks officers, so that a few perfect ratings cannot outrank many good
    /// ones.
    var lowerBound: Double? { sufficient ? figure?.ci95?.lowerBound : nil }
}

/// The evaluation support the provincial directives ask for, as pure rules (docs/METHODOLOGY.md, "Officers'
/// evaluation support"):
/// - **rank** among the officers with sufficient figures, by the lower bound of the 95 % Wilson interval, best first;
///   equal bounds share a rank (1, 1, 3); officers below the minimum n are unranked;
/// - **ceiling**: any confirmed violation in the year caps the officer's classification at "hoàn thành nhiệm vụ"
///   (the head of the agency classifies; this states the cap and why);
/// - **commendation candidate**: sufficient figures, a lower bound within the best `candidateShare` of the ranked
///   officers (10 % by default, at least one officer), and no violation confirmed or awaiting a decision.
public enum OfficerEvaluation {
    /// The classification a confirmed violation caps an officer at.
    public static let ceiling = "hoan_thanh_nhiem_vu"

    public enum Reason: Sendable, Equatable {
        /// A candidate: their lower bound is among the best `share` of the ranked officers.
        case topShare(lowerBound: Double, threshold: Double, share: Double)
        case belowTopShare(lowerBound: Double, threshold: Double, share: Double)
        case insufficient(n: Int)
        case violationPending
        case violationConfirmed
    }

    public struct Verdict: Sendable, Equatable {
        public var rank: Int?
        public var ceiling: String?
        public var candidate: Bool
        /// Why the officer is or is not a candidate (and capped), most important first.
        public var reasons: [Reason]
    }

    public static func evaluate(_ officers: [OfficerStanding], candidateShare: Double = 0.10) -> [Verdict] {
        let bounds = officers.compactMap(\.lowerBound).sorted(by: >)
        let topCount = bounds.isEmpty ? 0 : max(1, Int((Double(bounds.count) * candidateShare).rounded(.up)))
        let threshold = topCount > 0 ? bounds[topCount - 1] : nil
        // Each bound's rank (officers with the same bound share the best), looked up rather than searched for: a
        // province's 10,000 officers each searched the sorted list.
        var ranks: [Double: Int] = [:]
        for (position, bound) in bounds.enumerated() where ranks[bound] == nil { ranks[bound] = position + 1 }
        return officers.map { officer in
            let confirmed = officer.violations.contains(.confirmed)
            let pending = officer.violations.contains(.reported)
            var reasons: [Reason] = []
            if confirmed { reasons.append(.violationConfirmed) }
            if pending { reasons.append(.violationPending) }
            var rank: Int?
            var top = false
            if let lower = officer.lowerBound, let threshold {
                rank = ranks[lower]
                top = lower >= threshold
                reasons.append(
                    top
                        ? .topShare(lowerBound: lower, threshold: threshold, share: candidateShare)
                        : .belowTopShare(lowerBound: lower, threshold: threshold, share: candidateShare))
            } else {
                reasons.append(.insufficient(n: officer.figure?.n ?? 0))
            }
            return Verdict(rank: rank, ceiling: confirmed ? ceiling : nil, candidate: top && !confirmed && !pending, reasons: reasons)
        }
    }
}

extension OfficerEvaluation.Reason {
    /// The reason in words, Vietnamese or English, numbers in the language's notation (one decimal).
    public func text(vietnamese: Bool) -> String {
        // Two decimals, by integer arithmetic: String(format:) and a replacement for the Vietnamese comma took a sixth
        // of a province's evaluation (two reasons for each of 10,000 officers, in both languages).
        func number(_ value: Double) -> String {
            let hundredths = Int((abs(value) * 100).rounded())
            let fraction = hundredths % 100
            return
                "\(value < 0 && hundredths > 0 ? "-" : "")\(hundredths / 100)\(vietnamese ? "," : ".")\(fraction < 10 ? "0" : "")\(fraction)"
        }
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
        switch self {
        case .topShare(let lower, let threshold, let share):
            return vietnamese
                ? "cận dưới \(number(lower)) thuộc nhóm \(percent(share)) cao nhất (ngưỡng \(number(threshold)))"
                : "lower bound \(number(lower)) is in the top \(percent(share)) (threshold \(number(threshold)))"
        case .belowTopShare(let lower, let threshold, let share):
            return vietnamese
                ? "cận dưới \(number(lower)) dưới ngưỡng nhóm \(percent(share)) cao nhất (\(number(threshold)))"
                : "lower bound \(number(lower)) is below the top \(percent(share)) (threshold \(number(threshold)))"
        case .insufficient(let n):
            return vietnamese ? "chưa đủ mẫu (\(n) phiếu): không xếp hạng" : "too few ratings (\(n)): not ranked"
        case .violationPending:
            return vietnamese ? "có vi phạm đang chờ kết luận" : "a violation awaits a decision"
        case .violationConfirmed:
            return vietnamese
                ? "có vi phạm đã xác nhận trong năm: không quá \"Hoàn thành nhiệm vụ\""
                : "a confirmed violation this year: at most \"Hoàn thành nhiệm vụ\""
        }
    }
}
