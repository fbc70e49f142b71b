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
    /// Weights of the elements in the overall index of a multi-element questionnaire; an element not named weighs 1.
    /// `nil`: all equal (SIPAS).
    public var elementWeights: [String: Double]?
    /// The share of an evaluation's ranked officers (best lower bounds first) that may be commendation candidates;
    /// `nil`: a tenth (`defaultCandidateShare`).
    public var candidateShare: Double?

    public static let defaultCandidateShare = 0.10

    public init(
        code: String, version: Int, excludedFlags: [Flag], minN: Int, parMax: Double, fullAt: Double,
        elementWeights: [String: Double]? = nil, candidateShare: Double? = nil
    ) {
        self.code = code
        self.version = version
        self.excludedFlags = excludedFlags
        self.minN = minN
        self.parMax = parMax
        self.fullAt = fullAt
        self.elementWeights = elementWeights
        self.candidateShare = candidateShare
    }

    /// Checks parameters a province wrote by hand; the error names the parameter.
    public func validate() throws(ValidationError) {
        guard code.range(of: #"^[a-z0-9][a-z0-9._-]{0,31}$"#, options: .regularExpression) != nil else {
            throw ValidationError(field: "code", reason: "must be 1–32 lower-case letters, digits and . _ -")
        }
        guard version >= 1 else { throw ValidationError(field: "version", reason: "must be at least 1") }
        guard minN >= 1 else { throw ValidationError(field: "min_n", reason: "must be at least 1") }
        guard parMax > 0, parMax <= 100 else { throw ValidationError(field: "par_max", reason: "must be above 0 and at most 100") }
        guard fullAt > 0, fullAt <= 100 else { throw ValidationError(field: "full_at", reason: "must be above 0 and at most 100") }
        if let weights = elementWeights, weights.values.contains(where: { !($0 > 0) || !$0.isFinite }) {
            throw ValidationError(field: "weights", reason: "every element weight must be a positive number")
        }
        if let share = candidateShare, !(share > 0 && share <= 1) {
            throw ValidationError(field: "candidate_share", reason: "must be above 0 and at most 1 (0.1 is the best tenth)")
        }
    }

    /// The default methodology (docs/METHODOLOGY.md).
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
        case elementWeights = "weights"
        case candidateShare = "candidate_share"
    }
}
