/// How the web survey guards itself; `SurveySettings()` is production's.
public struct SurveySettings: Sendable {
    /// A form sent sooner than this after it was served is shown again (a person cannot answer 19 questions faster).
    public var minimumFillTime: Duration = .seconds(5)
    /// Submissions per client address: `burst` at once, then one every `interval`.
    public var burst = 10
    public var interval: Duration = .seconds(30)
    /// Whether a phone number for a call-back may be left (only when `HAILONG_DATA_KEY` can encrypt it).
    public var acceptsContact = false

    public init() {}
}
