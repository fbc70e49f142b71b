import Logging
import ServiceLifecycle

/// Keeps personal data within its limits while `hailong serve` runs: every hour it deletes expired sessions and
/// pairing codes, and once a day it clears comments and contact data older than the retention period. It logs
/// failures and carries on; it stops at graceful shutdown. Replicas may all run it: each pass is idempotent.
public struct HousekeepingService: Service {
    let store: PersonalDataStore
    let retentionDays: Int
    let sessions: SessionPolicy
    let logger: Logger

    public init(store: PersonalDataStore, retentionDays: Int, sessions: SessionPolicy = SessionPolicy(), logger: Logger) {
        self.store = store
        self.retentionDays = retentionDays
        self.sessions = sessions
        self.logger = logger
    }

    public func run() async throws {
        var nextPurge = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let expired = try await store.deleteExpired(sessionIdle: sessions.idleTimeout, sessionAbsolute: sessions.absoluteTimeout)
                if expired.sessions + expired.pairingCodes > 0 {
                    logger.debug(
                        "expired deleted", metadata: ["sessions": "\(expired.sessions)", "pairing_codes": "\(expired.pairingCodes)"])
                }
                if ContinuousClock.now >= nextPurge {
                    let purged = try await store.purge(retentionDays: retentionDays, dryRun: false, by: "retention")
                    if purged.comments + purged.contacts > 0 {
                        logger.info(
                            "personal data past retention cleared",
                            metadata: ["comments": "\(purged.comments)", "contacts": "\(purged.contacts)", "days": "\(retentionDays)"])
                    }
                    nextPurge = ContinuousClock.now + .seconds(86_400)
                }
            } catch {
                logger.error("housekeeping failed; retrying in an hour", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3_600)) }
        }
    }
}
