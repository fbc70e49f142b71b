import Foundation
import HaiLongStore

/// The published questionnaires, re-read from the database at most every `ttl`; they change only when a
/// new version is published, and reading them on every response would double the round trips.
actor QuestionnaireCache {
    let store: PostgresResponseStore
    let ttl: Duration
    var cached: (at: ContinuousClock.Instant, value: [String: StoredQuestionnaire])?

    init(store: PostgresResponseStore, ttl: Duration = .seconds(60)) {
        self.store = store
        self.ttl = ttl
    }

    func all() async throws -> [String: StoredQuestionnaire] {
        if let cached, cached.at.duration(to: .now) < ttl { return cached.value }
        let value = try await store.questionnaires()
        cached = (.now, value)
        return value
    }
}
