import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import PostgresNIO

/// The real router on a real database, driven through HummingbirdTesting.
struct AppHarness: Sendable {
    let fixture: Fixture
    let db: PostgresClient
    let parToken: String
    /// Users with bcrypt cost 4 (fast tests; the default policy's cost 12 is tested on its own).
    let users: PostgresUserStore

    static func run(
        survey: SurveySettings = SurveySettings(), secondFactorRequired: Bool = false,
        _ body: @escaping @Sendable (AppHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        // As the service runs: the runtime role, which owns nothing and is held by row-level security (scope 'all').
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let par = try await fixture.directory.addToken(name: "PAR office", role: .par, agencyCode: nil)
            let migrator = try Migrator(directory: try Migrator.locateDirectory())
            var policy = SessionPolicy()
            policy.bcryptCost = 4
            policy.secondFactorRequired = secondFactorRequired
            let users = PostgresUserStore(client: db, logger: TestDatabase.logger, policy: policy)
            var dependencies = AppDependencies(
                directory: fixture.directory, responses: fixture.responses,
                indices: PostgresIndexStore(client: db, logger: TestDatabase.logger),
                dossiers: PostgresDossierStore(client: db, logger: TestDatabase.logger),
                isReady: { try await migrator.isCurrent(client: db, logger: TestDatabase.logger) },
                backlog: { try await scalar(db, "SELECT count(*) FROM pending_aggregation") }, survey: survey, users: users,
                dashboard: PostgresDashboardStore(client: db, logger: TestDatabase.logger), secureCookies: false)
            dependencies.accountability = PostgresAccountabilityStore(client: db, logger: TestDatabase.logger)
            dependencies.emulation = PostgresEmulationStore(client: db, logger: TestDatabase.logger)
            let app = Application(router: buildRouter(dependencies), logger: TestDatabase.logger)
            let harness = AppHarness(fixture: fixture, db: db, parToken: par.token, users: users)
            try await app.test(.router) { client in try await body(harness, client) }
        }
    }

    func aggregate() async throws {
        try await Aggregator(client: db, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh").runUntilIdle()
    }

    func responseCount() async throws -> Int { try await scalar(db, "SELECT count(*) FROM responses") }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body parsed as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
}

/// An ISO 8601 time `seconds` from now, in Vietnamese local time.
func tapTime(_ seconds: Double = -60) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    return formatter.string(from: Date().addingTimeInterval(seconds))
}

extension String {
    /// Whether a page shows Swift's `nil` for an absent value: the word in its text, outside tags and their attributes
    /// (a form's random CSRF token held "k5niltA" once, and the page looked as if it printed one).
    var printsNil: Bool {
        replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
            .range(of: #"\bnil\b"#, options: .regularExpression) != nil
    }
}
