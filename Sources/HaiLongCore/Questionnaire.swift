/// Text in the two languages of the UI: Vietnamese first, English second.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var vi: String
    public var en: String

    public init(vi: String, en: String) {
        self.vi = vi
        self.en = en
    }
}

/// A rating scale: integer levels `min…max`, of which `satisfied` count as satisfied.
public struct Scale: Sendable, Hashable, Codable {
    public var min: Int
    public var max: Int
    public var satisfied: [Int]
    /// One label per level, from `min` to `max`.
    public var labels: [LocalizedText]

    public init(min: Int, max: Int, satisfied: [Int], labels: [LocalizedText]) {
        self.min = min
        self.max = max
        self.satisfied = satisfied
        self.labels = labels
    }

    public func contains(_ level: Int) -> Bool { (min...max).contains(level) }
    public func isSatisfied(_ level: Int) -> Bool { satisfied.contains(level) }
}

/// One question (criterion) of a questionnaire, answered with a level of the questionnaire's scale.
public struct Question: Sendable, Hashable, Codable {
    public var code: String
    public var text: LocalizedText
    /// Whether a response must answer it.
    public var required: Bool

    public init(code: String, text: LocalizedText, required: Bool) {
        self.code = code
        self.text = text
        self.required = required
    }
}

/// A section (SIPAS "element") grouping questions.
public struct Section: Sendable, Hashable, Codable {
    public var code: String
    public var title: LocalizedText
    public var questions: [Question]

    public init(code: String, title: LocalizedText, questions: [Question]) {
        self.code = code
        self.title = title
        self.questions = questions
    }
}

/// A choice in the "what was missing" checklist of a not-satisfied kiosk rating.
public struct ReasonOption: Sendable, Hashable, Codable {
    public var code: String
    public var text: LocalizedText

    public init(code: String, text: LocalizedText) {
        self.code = code
        self.text = text
    }
}

/// A questionnaire version as stored (as data) in the database. Immutable once published.
public struct Questionnaire: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case kiosk
        case web
    }

    public var code: String
    public var version: Int
    public var kind: Kind
    public var title: LocalizedText
    public var scale: Scale
    public var sections: [Section]
    /// The reason checklist offered when the rating is at most `reasonsAtMost` (kiosk only).
    public var reasons: [ReasonOption]
    public var reasonsAtMost: Int?

    public init(
        code: String, version: Int, kind: Kind, title: LocalizedText, scale: Scale, sections: [Section],
        reasons: [ReasonOption] = [], reasonsAtMost: Int? = nil
    ) {
        self.code = code
        self.version = version
        self.kind = kind
        self.title = title
        self.scale = scale
        self.sections = sections
        self.reasons = reasons
        self.reasonsAtMost = reasonsAtMost
    }

    enum CodingKeys: String, CodingKey {
        case code, version, kind, title, scale, sections, reasons
        case reasonsAtMost = "reasons_at_most"
    }

    /// Every question, in order.
    public var questions: [Question] { sections.flatMap(\.questions) }

    /// The question with this code, if any.
    public func question(_ code: String) -> Question? { questions.first { $0.code == code } }
}
