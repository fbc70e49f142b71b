import Foundation

/// Counts behind one figure of a questionnaire: valid answers by question and level, respondents, and exclusions.
public struct FigureCounts: Sendable, Hashable {
    /// Question code → level → valid answers.
    public var validByQuestion: [String: [Int: Int]]
    /// Valid (not excluded) responses.
    public var respondents: Int
    /// Responses left out by the methodology's excluding flags.
    public var excluded: Int
    /// Excluded responses by flag (a response with two excluding flags counts under both).
    public var excludedByFlag: [Flag: Int]
    /// Reason code → times given, among valid not-satisfied kiosk ratings.
    public var reasons: [String: Int]

    public init(
        validByQuestion: [String: [Int: Int]] = [:], respondents: Int = 0, excluded: Int = 0, excludedByFlag: [Flag: Int] = [:],
        reasons: [String: Int] = [:]
    ) {
        self.validByQuestion = validByQuestion
        self.respondents = respondents
        self.excluded = excluded
        self.excludedByFlag = excludedByFlag
        self.reasons = reasons
    }

    /// These counts without the entries that came to zero (a flag review's −1 under one mask and +1 under another,
    /// added to counts that held the first): equal to the counts read again from cells where they no longer exist.
    public var withoutZeros: FigureCounts {
        FigureCounts(
            validByQuestion: validByQuestion.compactMapValues { levels in
                let left = levels.filter { $0.value != 0 }
                return left.isEmpty ? nil : left
            },
            respondents: respondents, excluded: excluded, excludedByFlag: excludedByFlag.filter { $0.value != 0 },
            reasons: reasons.filter { $0.value != 0 })
    }

    public static func + (lhs: FigureCounts, rhs: FigureCounts) -> FigureCounts {
        FigureCounts(
            validByQuestion: lhs.validByQuestion.merging(rhs.validByQuestion) { $0.merging($1, uniquingKeysWith: +) },
            respondents: lhs.respondents + rhs.respondents, excluded: lhs.excluded + rhs.excluded,
            excludedByFlag: lhs.excludedByFlag.merging(rhs.excludedByFlag, uniquingKeysWith: +),
            reasons: lhs.reasons.merging(rhs.reasons, uniquingKeysWith: +))
    }
}

/// The satisfaction figure of a questionnaire (docs/METHODOLOGY.md): criterion index = 100 × satisfied ÷ valid
/// answers; element index = mean of its criterion indices; overall index = (weighted) mean of the element indices,
/// or, for a one-question questionnaire, that question's index. Values are unrounded.
public struct QuestionnaireFigure: Sendable, Hashable {
    /// Valid respondents (for a one-question questionnaire: valid answers).
    public var n: Int
    /// Satisfied answers, over every criterion.
    public var satisfied: Int
    /// Valid answers, over every criterion.
    public var answers: Int
    public var index: Double?
    /// Wilson 95% interval (percent). One question: on satisfied ÷ n. Several elements: on the overall index as a
    /// proportion of the n respondents (each respondent weighs once, however many criteria they answered).
    public var ci95: ClosedRange<Double>?
    /// Mean level of the valid answers.
    public var mean: Double?
    /// Element code → element index (elements with no valid answer are left out). Empty for one question.
    public var elements: [String: Double]
    /// Criterion code → criterion index. Empty for one question.
    public var criteria: [String: Double]
    public var excluded: Int
    public var sufficient: Bool
    public var parPoints: Double?
    public var parMax: Double
    /// Share (0–1) of valid answers below the satisfied levels ("neutral or low").
    public var lowShare: Double?

    public init(counts: FigureCounts, questionnaire: Questionnaire, methodology: Methodology) {
        let scale = questionnaire.scale
        let questions = questionnaire.questions
        var criterion: [String: (satisfied: Int, valid: Int)] = [:]
        var levelSum = 0
        for question in questions {
            let levels = counts.validByQuestion[question.code] ?? [:]
            let valid = levels.values.reduce(0, +)
            let satisfied = levels.filter { scale.isSatisfied($0.key) }.values.reduce(0, +)
            levelSum += levels.reduce(0) { $0 + $1.key * $1.value }
            if valid > 0 { criterion[question.code] = (satisfied, valid) }
        }
        answers = criterion.values.reduce(0) { $0 + $1.valid }
        satisfied = criterion.values.reduce(0) { $0 + $1.satisfied }
        excluded = counts.excluded
        parMax = methodology.parMax
        elements = [:]
        criteria = [:]
        let single = questions.count == 1
        n = single ? answers : counts.respondents
        sufficient = n >= methodology.minN
        guard answers > 0, n > 0 else { return }
        mean = Double(levelSum) / Double(answers)
        lowShare = Double(answers - satisfied) / Double(answers)
        let index: Double
        if single {
            index = 100 * Double(satisfied) / Double(answers)
            ci95 = IndexFigure.wilson(successes: satisfied, trials: answers).map { (100 * $0.lowerBound)...(100 * $0.upperBound) }
        } else {
            for (code, value) in criterion { criteria[code] = 100 * Double(value.satisfied) / Double(value.valid) }
            for section in questionnaire.sections {
                let indices = section.questions.compactMap { criteria[$0.code] }
                if !indices.isEmpty { elements[section.code] = indices.reduce(0, +) / Double(indices.count) }
            }
            let weights = elements.keys.map { (code: $0, weight: methodology.elementWeights?[$0] ?? 1) }
            let totalWeight = weights.reduce(0) { $0 + $1.weight }
            index = weights.reduce(0) { $0 + elements[$1.code]! * $1.weight } / totalWeight
            ci95 = Self.wilson(proportion: index / 100, trials: n).map { (100 * $0.lowerBound)...(100 * $0.upperBound) }
        }
        self.index = index
        parPoints = methodology.parMax * min(1, index / methodology.fullAt)
    }

    /// The Wilson score interval for an observed proportion `p` over `trials`.
    static func wilson(proportion p: Double, trials: Int, z: Double = IndexFigure.z95) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return max(0, centre - half)...min(1, centre + half)
    }
}

/// The change of an index against the previous period, with a two-proportion z-test at 95%.
public struct IndexChange: Sendable, Hashable {
    /// Current minus previous index, in points.
    public var change: Double
    public var z: Double
    /// |z| ≥ 1.96: the change is unlikely to be chance alone.
    public var significant: Bool

    /// `nil` when either side has no figure.
    public init?(current: Double?, currentN: Int, previous: Double?, previousN: Int) {
        guard let current, let previous, currentN > 0, previousN > 0 else { return nil }
        let (p1, p2) = (current / 100, previous / 100)
        let (n1, n2) = (Double(currentN), Double(previousN))
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let standardError = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        change = current - previous
        z = standardError > 0 ? (p1 - p2) / standardError : 0
        significant = abs(z) >= IndexFigure.z95
    }
}
