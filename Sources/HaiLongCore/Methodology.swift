/// The parameters of an index methodology, versioned as data in the database.
public struct Methodology: Sendable, Hashable, Codable {
    public var code: String
    public var version: Int
    /// Flags that take a response out of the figures.
    public var excludedFlags: [Flag]
    /// Valid answers needed for a figure to be `sufficient`.
    public var minN: Int
    /// PAR points for a full score.
    public var parMax: Double
    /// The index at and above which the full PAR points are earned.
    public var fullAt: Double

    public init(code: String, version: Int, excludedFlags: [Flag], minN: Int, parMax: Double, fullAt: Double) {
        self.code = code
        self.version = version
        self.excludedFlags = excludedFlags
        self.minN = minN
        self.parMax = parMax
        self.fullAt = fullAt
    }

    /// DESIGN.md's default methodology.
    public static let standard = Methodology(
        code: "default", version: 1, excludedFlags: [.rapidRepeat, .duplicateDossier, .test], minN: 30, parMax: 10,
        fullAt: 90)

    public var excludedMask: Int { Flag.mask(excludedFlags) }

    enum CodingKeys: String, CodingKey {
        case code, version
        case excludedFlags = "excluded_flags"
        case minN = "min_n"
        case parMax = "par_max"
        case fullAt = "full_at"
    }
}
