/// A mark set on a response at ingest. Flags never drop data; the methodology decides which ones
/// exclude a response from the figures (docs/METHODOLOGY.md).
public enum Flag: String, Sendable, CaseIterable, Codable, Comparable {
    /// The same kiosk was tapped again less than 5 s (by tap time) after its previous tap.
    case rapidRepeat = "rapid_repeat"
    /// The dossier was already rated on this channel.
    case duplicateDossier = "duplicate_dossier"
    /// A test submission.
    case test
    /// Tapped outside the agency's opening hours.
    case outsideHours = "outside_hours"
    /// Submitted more than 24 h before the server received it (an offline queue flushed late).
    case late
    /// No dossier code was given.
    case noDossier = "no_dossier"
    /// The officer badge is not an active officer of this agency (unknown, or marked as left); the rating is kept and
    /// credited to no officer.
    case unknownOfficer = "unknown_officer"
    /// Part of a suspicious run of identical ratings.
    case streak
    /// A web rating without a signed link that names a dossier or an officer: the citizen's claim, stored as typed but
    /// linked to neither.
    case unverified

    /// The bit of this flag in the `flag_mask` used by the count cube; must match `flag_mask()` (sql/0015_unverified_claims.sql).
    public var bit: Int {
        switch self {
        case .rapidRepeat: 1
        case .duplicateDossier: 2
        case .test: 4
        case .outsideHours: 8
        case .late: 16
        case .noDossier: 32
        case .unknownOfficer: 64
        case .streak: 128
        case .unverified: 256
        }
    }

    /// The mask of a set of flags.
    public static func mask(_ flags: some Sequence<Flag>) -> Int {
        flags.reduce(0) { $0 | $1.bit }
    }

    public static func < (lhs: Flag, rhs: Flag) -> Bool { lhs.rawValue < rhs.rawValue }
}
