import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// What a flag review does.
public enum ReviewAction: String, Sendable {
    /// The flag was wrong: the response counts as if it did not carry it.
    case clear
    /// Undo a clearing.
    case restore
    /// The flag was right: the review is recorded, the counts stay as they are.
    case confirm
}

extension PostgresResponseStore {
    /// Reviews one ingest flag of a response (`FlagReviewer.review`).
    @discardableResult
    public func review(
        responseID: UUID, flag: Flag, action: ReviewAction, note: String?, reviewedBy: String
    ) async throws -> [Flag] {
        try await FlagReviewer(client: client, logger: logger).review(
            responseID: responseID, flag: flag, action: action, note: note, reviewedBy: reviewedBy)
    }
}

/// Flag reviews, for the CLI and the review page alike.
public struct FlagReviewer: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Clears (or restores, or confirms) one ingest flag of a response. The response itself never changes; the review is kept,
    /// audited, and the counts are corrected: right away in the queue when the response is not counted yet, else by
    /// a correction the aggregator applies. Returns the response's effective flags.
    @discardableResult
    public func review(
        responseID: UUID, flag: Flag, action: ReviewAction, note: String?, reviewedBy: String, within scope: Int64? = nil
    ) async throws -> [Flag] {
        do {
            return try await reviewInTransaction(
                responseID: responseID, flag: flag, action: action, note: note, reviewedBy: reviewedBy, scope: scope)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    func reviewInTransaction(
        responseID: UUID, flag: Flag, action: ReviewAction, note: String?, reviewedBy: String, scope: Int64?
    ) async throws -> [Flag] {
        try await client.withTransaction(logger: logger) { connection in
            if let scope {
                // A reviewer's page: row-level security holds the transaction to the reviewer's subtree (sql/0012).
                try await connection.query("SELECT set_config('hailong.scope', \(String(scope)), true)", logger: logger)
            }
            // Take turns with the aggregator, so a response is never counted under a mask this review just changed.
            try await connection.query("SELECT pg_advisory_xact_lock(\(AggregationLock.key))", logger: logger)
            let rows = try await connection.query(
                """
                SELECT r.seq, r.agency_id, flag_mask(r.flags), coalesce(o.cleared_mask, 0),
                    EXISTS (SELECT 1 FROM pending_aggregation p WHERE p.seq = r.seq)
                FROM responses r LEFT JOIN response_flag_overrides o ON o.response_id = r.id WHERE r.id = \(responseID)
                """, logger: logger)
            var found: (seq: Int64, agency: Int64, mask: Int, cleared: Int, pending: Bool)?
            for try await row in rows.decode((Int64, Int64, Int, Int, Bool).self) { found = row }
            guard let found else { throw StoreError.notFound(field: "response", value: responseID.uuidString) }
            guard found.mask & flag.bit != 0 else {
                throw ValidationError(field: "flag", reason: "'\(flag.rawValue)' was not set on this response at ingest")
            }
            let cleared =
                switch action {
                case .clear: found.cleared | flag.bit
                case .restore: found.cleared & ~flag.bit
                case .confirm: found.cleared
                }
            try await connection.query(
                """
                INSERT INTO flag_reviews (response_id, flag, action, note, reviewed_by)
                VALUES (\(responseID), \(flag.rawValue), \(action.rawValue), \(note), \(reviewedBy))
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO audit_log (actor, action, agency_id, subject)
                VALUES (\(reviewedBy), \("flag." + action.rawValue), \(found.agency), \("response \(responseID.uuidString.lowercased()) \(flag.rawValue)"))
                """, logger: logger)
            if cleared != found.cleared {
                try await connection.query(
                    """
                    INSERT INTO response_flag_overrides (response_id, cleared_mask) VALUES (\(responseID), \(cleared))
                    ON CONFLICT (response_id) DO UPDATE SET cleared_mask = EXCLUDED.cleared_mask
                    """, logger: logger)
                if !found.pending {
                    try await connection.query(
                        """
                        INSERT INTO pending_corrections (seq, old_mask, new_mask)
                        VALUES (\(found.seq), \(found.mask & ~found.cleared), \(found.mask & ~cleared))
                        """, logger: logger)
                }
            }
            return Flag.allCases.filter { found.mask & ~cleared & $0.bit != 0 }.sorted()
        }
    }
}
