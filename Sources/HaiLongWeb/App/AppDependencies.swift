import HaiLongCore
import HaiLongStore

/// Everything the HTTP application needs, passed in (tests build it the same way).
public struct AppDependencies: Sendable {
    public var directory: PostgresDirectoryStore
    public var responses: PostgresResponseStore
    public var indices: PostgresIndexStore
    public var dossiers: PostgresDossierStore
    public var isReady: @Sendable () async throws -> Bool
    /// The aggregation backlog for `/metrics`.
    public var backlog: @Sendable () async throws -> Int
    public var metrics: AppMetrics
    /// The ingest flag rules (opening hours are read in their time zone).
    public var rules: FlagRules
    /// Which address a request comes from, for rate limits.
    public var clientAddress: ClientAddress
    /// The web survey's guards.
    public var survey: SurveySettings
    /// Administrators' sign-in and sessions; without it there are no `/admin` pages.
    public var users: PostgresUserStore?
    /// What the agency pages read beyond the figures (kiosks, heatmap, flags, complaints); with `users`.
    public var dashboard: PostgresDashboardStore?
    /// `Secure` cookies and HSTS on the administrators' pages (`HAILONG_SECURE_COOKIES`).
    public var secureCookies: Bool
    /// Whether slow figures are served from their previous version while recomputed (`nil`: always computed afresh).
    public var staleAnswers: StaleAnswers?
    /// When set, `/metrics` answers only requests that bear this token (`HAILONG_METRICS_TOKEN`).
    public var metricsToken: String?
    /// Inspections, violations and emulation blocks; without them there is no evaluation support.
    public var accountability: PostgresAccountabilityStore?
    public var emulation: PostgresEmulationStore?
    /// Where the figures are read (`DATABASE_READ_URL`); `nil`: the primary.
    public var reads: ReadRouting?

    public init(
        directory: PostgresDirectoryStore, responses: PostgresResponseStore, indices: PostgresIndexStore, dossiers: PostgresDossierStore,
        isReady: @escaping @Sendable () async throws -> Bool,
        backlog: @escaping @Sendable () async throws -> Int = { 0 }, metrics: AppMetrics = AppMetrics(),
        rules: FlagRules = FlagRules(), clientAddress: ClientAddress = ClientAddress(), survey: SurveySettings = SurveySettings(),
        users: PostgresUserStore? = nil, dashboard: PostgresDashboardStore? = nil, secureCookies: Bool = true,
        staleAnswers: StaleAnswers? = nil, metricsToken: String? = nil
    ) {
        self.staleAnswers = staleAnswers
        self.metricsToken = metricsToken
        self.dashboard = dashboard
        self.survey = survey
        self.users = users
        self.secureCookies = secureCookies
        self.backlog = backlog
        self.metrics = metrics
        self.rules = rules
        self.clientAddress = clientAddress
        self.directory = directory
        self.responses = responses
        self.indices = indices
        self.dossiers = dossiers
        self.isReady = isReady
    }
}

extension AppDependencies {
    /// The evaluation support and emulation rankings, when the stores for them are there.
    var evaluationReport: EvaluationReport? {
        guard let accountability, let emulation else { return nil }
        return EvaluationReport(
            indices: indices, accountability: accountability, emulation: emulation,
            report: IndicesReport(indices: indices, timeZone: rules.timeZone))
    }

    /// The yearly reports (on the accountability store's database), when the evaluation support is there.
    var yearlyReports: YearlyReports? {
        guard let accountability, let emulation else { return nil }
        return YearlyReports(
            indices: indices, directory: directory, accountability: accountability, emulation: emulation,
            reports: accountability.reports, timeZone: rules.timeZone)
    }
}
