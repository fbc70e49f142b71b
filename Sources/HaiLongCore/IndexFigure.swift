import Foundation

/// The satisfaction figure of one agency (or officer, …) for one period and one single-question
/// scale, computed from level counts. Values are unrounded; round with `roundedHalfUp` on output only.
public struct IndexFigure: Sendable, Hashable {
    /// Valid (not excluded) answers.
    public var n: Int
    /// Valid answers at a satisfied level.
    public var satisfied: Int
    /// Answers left out by the methodology's excluding flags.
    public var excluded: Int
    /// 100 × satisfied ÷ n; `nil` when n = 0.
    public var index: Double?
    /// Wilson score 95% interval of the index, in percent; `nil` when n = 0.
    public var ci95: ClosedRange<Double>?
    /// Mean level of the valid answers; `nil` when n = 0.
    public var mean: Double?
    public var sufficient: Bool
    /// par_max × min(1, index ÷ full_at); `nil` when n = 0.
    public var parPoints: Double?
    public var parMax: Double

    /// Computes the figure from counts of valid answers by level, and the excluded count.
    public init(validByLevel: [Int: Int], excluded: Int, scale: Scale, methodology: Methodology) {
        let n = validByLevel.values.reduce(0, +)
        let satisfied = validByLevel.filter { scale.isSatisfied($0.key) }.values.reduce(0, +)
        self.n = n
        self.satisfied = satisfied
        self.excluded = excluded
        self.sufficient = n >= methodology.minN
        self.parMax = methodology.parMax
        guard n > 0 else { return }
        let index = 100 * Double(satisfied) / Double(n)
        self.index = index
        self.ci95 = Self.wilson(successes: satisfied, trials: n).map { (100 * $0.lowerBound)...(100 * $0.upperBound) }
        self.mean = Double(validByLevel.reduce(0) { $0 + $1.key * $1.value }) / Double(n)
        self.parPoints = methodology.parMax * min(1, index / methodology.fullAt)
    }

    /// The z value of a two-sided 95% interval.
    public static let z95 = 1.959963984540054

    /// The Wilson score interval of a proportion, as fractions in [0, 1].
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return max(0, centre - half)...min(1, centre + half)
    }
}

extension Double {
    /// Rounded half away from zero to `places` decimals, tolerant of binary representation error
    /// (2.675 → 2.68, where plain rounding of the binary double gives 2.67).
    public func roundedHalfUp(places: Int = 2) -> Double {
        let scale = pow(10, Double(places))
        let scaled = (self * scale * 1e9).rounded() / 1e9
        return scaled.rounded(.toNearestOrAwayFromZero) / scale
    }
}
