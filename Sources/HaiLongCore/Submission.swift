import Foundation

/// Where a response came from.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case kiosk
    case web
    case api
    case paper
}

/// A response that passed validation, ready to be stored. Agency, counter and kiosk are not here:
/// they come from the caller's token, never from the body.
public struct Submission: Sendable, Hashable {
    public var questionnaire: String
    public var officerBadge: String?
    public var dossierCode: String?
    /// Question code → level.
    public var levels: [String: Int]
    /// Reason codes, sorted, without duplicates.
    public var reasons: [String]
    public var comment: String?
    public var submittedAt: Date
    /// A phone number for a call-back, normalised to `0xxxxxxxxx`, given with the citizen's explicit consent.
    /// Stored only encrypted; never logged.
    public var phone: String?

    public init(
        questionnaire: String, officerBadge: String?, dossierCode: String?, levels: [String: Int],
        reasons: [String], comment: String?, submittedAt: Date, phone: String? = nil
    ) {
        self.phone = phone
        self.questionnaire = questionnaire
        self.officerBadge = officerBadge
        self.dossierCode = dossierCode
        self.levels = levels
        self.reasons = reasons
        self.comment = comment
        self.submittedAt = submittedAt
    }

    /// The answers as stored: levels by question code, plus `reasons` when any.
    public var answersJSON: JSONValue {
        var object = levels.mapValues { JSONValue.number(Double($0)) }
        if !reasons.isEmpty { object["reasons"] = .array(reasons.map(JSONValue.string)) }
        return .object(object)
    }

    /// A canonical text of everything the client said, so that a replay with the same key can be
    /// recognised whatever the key order or whitespace of its JSON.
    public var canonicalText: String {
        let answers = levels.keys.sorted().map { "\($0)=\(levels[$0]!)" }.joined(separator: ",")
        let instant = String(format: "%.3f", submittedAt.timeIntervalSince1970)
        return [
            "q=\(questionnaire)", "o=\(officerBadge ?? "")", "d=\(dossierCode ?? "")", "a=\(answers)",
            "r=\(reasons.joined(separator: ","))", "c=\(comment ?? "")", "t=\(instant)", "p=\(phone ?? "")",
        ].joined(separator: "\u{1F}")
    }
}
