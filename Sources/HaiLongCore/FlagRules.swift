import Foundation

/// What the store knows about a submission's surroundings, from which its flags follow.
public struct FlagFacts: Sendable, Hashable {
    /// Tap time of this kiosk's latest earlier tap, if any.
    public var previousKioskTap: Date?
    /// Whether the officer badge (when one was given) is known for the agency.
    public var officerKnown: Bool
    /// Whether the dossier (when one was given) was already rated on this channel.
    public var dossierAlreadyRated: Bool
    /// The agency's opening hours (its own, else its nearest ancestor's); `nil` when none are set.
    public var openingHours: OpeningHours?

    public init(
        previousKioskTap: Date? = nil, officerKnown: Bool = true, dossierAlreadyRated: Bool = false, openingHours: OpeningHours? = nil
    ) {
        self.previousKioskTap = previousKioskTap
        self.officerKnown = officerKnown
        self.dossierAlreadyRated = dossierAlreadyRated
        self.openingHours = openingHours
    }
}

/// The ingest-time flag rules of the default methodology (docs/METHODOLOGY.md). The store applies them in SQL, in the statement
/// that writes a batch (`BatchWriter.writeQuery`, with `opening_hours_open` of sql/0010); `flags(for:)` is their
/// plain statement, and the store's tests hold the two to the same answers.
public struct FlagRules: Sendable {
    /// A kiosk tap this soon after the previous one (by tap time) is `rapid_repeat`.
    public var rapidRepeatWindow: TimeInterval = 5
    /// A tap received more than this long after it was made is `late`.
    public var lateAfter: TimeInterval = 24 * 3600
    /// The zone opening hours are read in.
    public var timeZone: TimeZone

    public init(timeZone: TimeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!) {
        self.timeZone = timeZone
    }

    public func flags(for submission: Submission, receivedAt: Date, facts: FlagFacts) -> [Flag] {
        var flags: [Flag] = []
        if let previous = facts.previousKioskTap, submission.submittedAt.timeIntervalSince(previous) < rapidRepeatWindow {
            flags.append(.rapidRepeat)
        }
        if facts.dossierAlreadyRated { flags.append(.duplicateDossier) }
        if let hours = facts.openingHours, !hours.isOpen(at: submission.submittedAt, in: timeZone) { flags.append(.outsideHours) }
        if receivedAt.timeIntervalSince(submission.submittedAt) > lateAfter { flags.append(.late) }
        if submission.dossierCode == nil { flags.append(.noDossier) }
        if submission.officerBadge != nil && !facts.officerKnown { flags.append(.unknownOfficer) }
        return flags.sorted()
    }
}
