import HaiLongCore
import Logging
import PostgresNIO

/// Served dossiers from the one-stop system: one upsert per dossier. A counter code must exist in the agency; an officer badge
/// is kept as sent and linked when known (the feed may be ahead of the officer list).
public struct PostgresDossierStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Records a dossier of `agencyID` (updating the one with the same code); returns its id and whether it was new.
    public func record(_ dossier: Dossier, agencyID: Int64) async throws -> (id: Int64, created: Bool) {
        var counterID: Int64?
        if let code = dossier.counterCode {
            let rows = try await client.query("SELECT id FROM counters WHERE agency_id = \(agencyID) AND code = \(code)", logger: logger)
            for try await id in rows.decode(Int64.self) { counterID = id }
            guard counterID != nil else { throw StoreError.notFound(field: "counter", value: code) }
        }
        let rows = try await client.query(
            """
            INSERT INTO dossiers (code, agency_id, counter_id, officer_id, officer_badge, received_at, returned_at)
            VALUES (\(dossier.code), \(agencyID), \(counterID),
                    (SELECT id FROM officers WHERE agency_id = \(agencyID) AND badge = \(dossier.officerBadge)),
                    \(dossier.officerBadge), \(dossier.receivedAt), \(dossier.returnedAt))
            ON CONFLICT (agency_id, code) DO UPDATE SET
                counter_id = coalesce(EXCLUDED.counter_id, dossiers.counter_id),
                officer_id = coalesce(EXCLUDED.officer_id, dossiers.officer_id),
                officer_badge = coalesce(EXCLUDED.officer_badge, dossiers.officer_badge),
                received_at = coalesce(EXCLUDED.received_at, dossiers.received_at),
                returned_at = coalesce(EXCLUDED.returned_at, dossiers.returned_at)
            RETURNING id, (xmax = 0)
            """, logger: logger)
        for try await (id, created) in rows.decode((Int64, Bool).self) { return (id, created) }
        throw StoreError.notFound(field: "code", value: dossier.code)
    }
}
