import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// An agency's directory as its management page shows it.
public struct ManagedAgency: Sendable {
    public struct Counter: Sendable, Hashable {
        public var code: String
        public var name: String
        public var onDuty: String?
    }

    public struct Officer: Sendable, Hashable {
        public var badge: String
        public var name: String
        public var title: String?
        public var counter: String?
        public var hasPhoto: Bool
        public var active: Bool
    }

    public struct User: Sendable, Hashable {
        public var username: String
        public var role: String
        public var agencyCode: String?
        public var lockedUntil: Date?
        public var disabled: Bool
    }

    /// The agency's own opening hours (operator text), and the ones in force (its own or an ancestor's).
    public var ownHours: String?
    public var hoursInForce: String?
    public var counters: [Counter]
    public var officers: [Officer]
    public var users: [User]
}

/// Changes an agency's directory from its management page: opening hours, the officer on duty, officers' status and
/// photos, kiosks' revocation, and the directory imports. Each change runs in a transaction scoped to the agency
/// (row-level security), touches only rows of that agency, and is written to the audit log in the same transaction.
public struct PostgresManagementStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func agency(_ agency: Agency) async throws -> ManagedAgency {
        try await client.withScope(agency.id, logger: logger) { connection in
            var hours: (own: String?, inForce: String?) = (nil, nil)
            for try await (own, inForce) in try await connection.query(
                "SELECT opening_hours::text, agency_opening_hours(id)::text FROM agencies WHERE id = \(agency.id)", logger: logger
            ).decode((String?, String?).self) {
                hours = (own, inForce)
            }
            func text(_ json: String?) -> String? {
                json.flatMap { try? JSONDecoder().decode(OpeningHours.self, from: Data($0.utf8)).text }
            }
            var counters: [ManagedAgency.Counter] = []
            for try await (code, name, duty) in try await connection.query(
                """
                SELECT c.code, c.name, o.badge FROM counters c LEFT JOIN officers o ON o.id = c.on_duty_officer_id
                WHERE c.agency_id = \(agency.id) AND c.active ORDER BY c.code
                """, logger: logger
            ).decode((String, String, String?).self) {
                counters.append(.init(code: code, name: name, onDuty: duty))
            }
            var officers: [ManagedAgency.Officer] = []
            for try await (badge, name, title, counter, photo, active) in try await connection.query(
                """
                SELECT o.badge, o.name, o.title, c.code, o.photo IS NOT NULL, o.active
                FROM officers o LEFT JOIN counters c ON c.id = o.counter_id
                WHERE o.agency_id = \(agency.id) ORDER BY o.active DESC, o.badge
                """, logger: logger
            ).decode((String, String, String?, String?, Bool, Bool).self) {
                officers.append(.init(badge: badge, name: name, title: title, counter: counter, hasPhoto: photo, active: active))
            }
            var users: [ManagedAgency.User] = []
            for try await (username, role, code, locked, disabled) in try await connection.query(
                """
                SELECT u.username, u.role, a.code, u.locked_until, u.disabled_at IS NOT NULL FROM users u
                JOIN agency_subtree(\(agency.id)) s ON s.id = u.agency_id JOIN agencies a ON a.id = u.agency_id
                ORDER BY u.disabled_at IS NOT NULL, a.code, u.username
                """, logger: logger
            ).decode((String, String, String?, Date?, Bool).self) {
                users.append(.init(username: username, role: role, agencyCode: code, lockedUntil: locked, disabled: disabled))
            }
            return ManagedAgency(
                ownHours: text(hours.own), hoursInForce: text(hours.inForce), counters: counters, officers: officers, users: users)
        }
    }

    /// Runs `statement` (which must return the agency id of what it changed, one row per change) in a transaction
    /// scoped to `agency`, and audits it; `StoreError.notFound(field, value)` when it changed nothing.
    func change(
        _ agency: Int64, actor: String, action: String, subject: String, notFound: (field: String, value: String),
        _ statement: PostgresQuery
    ) async throws {
        let changed = try await client.withScope(agency, logger: logger) { connection in
            var changed = 0
            for try await _ in try await connection.query(statement, logger: logger) { changed += 1 }
            if changed > 0 {
                try await connection.query(
                    "INSERT INTO audit_log (actor, action, agency_id, subject) VALUES (\(actor), \(action), \(agency), \(subject))",
                    logger: logger)
            }
            return changed
        }
        guard changed > 0 else { throw StoreError.notFound(field: notFound.field, value: notFound.value) }
    }

    /// Sets the agency's own opening hours, or clears them (`nil`: the nearest ancestor's apply).
    public func setHours(_ agency: Agency, _ hours: OpeningHours?, by actor: String) async throws {
        let json = try hours.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await change(
            agency.id, actor: actor, action: "agency.hours", subject: "\(agency.code): \(hours?.text ?? "inherited")",
            notFound: ("agency", agency.code),
            "UPDATE agencies SET opening_hours = \(json)::jsonb WHERE id = \(agency.id) RETURNING id")
    }

    /// Sets (or clears) the officer on duty at one of the agency's counters.
    public func setOnDuty(_ agency: Agency, counter: String, badge: String?, by actor: String) async throws {
        if let badge {
            let officers = try await client.query(
                "SELECT count(*)::int FROM officers WHERE agency_id = \(agency.id) AND badge = \(badge) AND active", logger: logger)
            for try await count in officers.decode(Int.self) where count == 0 {
                throw StoreError.notFound(field: "badge", value: badge)
            }
        }
        try await change(
            agency.id, actor: actor, action: "counter.on_duty", subject: "\(agency.code)/\(counter): \(badge ?? "nobody")",
            notFound: ("counter", counter),
            """
            UPDATE counters SET on_duty_officer_id = (SELECT id FROM officers WHERE agency_id = \(agency.id) AND badge = \(badge))
            WHERE agency_id = \(agency.id) AND code = \(counter) RETURNING id
            """)
    }

    /// Takes an officer off the kiosks' lists (kept with their ratings), or back on.
    public func setOfficerActive(_ agency: Agency, badge: String, active: Bool, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: active ? "officer.activate" : "officer.deactivate", subject: "\(agency.code)/\(badge)",
            notFound: ("badge", badge),
            """
            UPDATE officers SET active = \(active) WHERE agency_id = \(agency.id) AND badge = \(badge) RETURNING id
            """)
    }

    /// Stores an officer's photo (the caller checked its size and type).
    public func setOfficerPhoto(_ agency: Agency, badge: String, bytes: [UInt8], type: String, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: "officer.photo", subject: "\(agency.code)/\(badge)", notFound: ("badge", badge),
            """
            UPDATE officers SET photo = \(ByteBuffer(bytes: bytes)), photo_type = \(type)
            WHERE agency_id = \(agency.id) AND badge = \(badge) RETURNING id
            """)
    }

    /// Revokes a kiosk of the agency's subtree: its token stops working at once.
    public func revokeKiosk(_ agency: Agency, id: Int64, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: "kiosk.revoke", subject: "kiosk \(id)", notFound: ("kiosk", String(id)),
            """
            UPDATE kiosks SET status = 'revoked', pairing_code_hash = NULL
            WHERE id = \(id) AND status = 'active' AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) RETURNING id
            """)
    }

    /// Renames a kiosk of the agency's subtree (the name staff know it by).
    public func renameKiosk(_ agency: Agency, id: Int64, label: String, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: "kiosk.label", subject: "kiosk \(id): \(label)", notFound: ("kiosk", String(id)),
            """
            UPDATE kiosks SET label = \(label)
            WHERE id = \(id) AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) RETURNING id
            """)
    }

    /// Changes the role of an account of the agency's subtree (never to or from the system role).
    public func setUserRole(_ agency: Agency, username: String, role: String, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: "user.role", subject: "\(username): \(role)", notFound: ("username", username),
            """
            UPDATE users SET role = \(role)
            WHERE username = \(username) AND role <> 'admin' AND \(role) <> 'admin' AND disabled_at IS NULL
              AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) RETURNING id
            """)
    }

    /// Disables an account of the agency's subtree for good and ends its sessions.
    public func disableUser(_ agency: Agency, username: String, by actor: String) async throws {
        try await change(
            agency.id, actor: actor, action: "user.disable", subject: username, notFound: ("username", username),
            """
            WITH disabled AS (
                UPDATE users SET disabled_at = now()
                WHERE username = \(username) AND role <> 'admin' AND disabled_at IS NULL
                  AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) RETURNING id
            ), ended AS (
                UPDATE sessions SET ended_at = now() WHERE user_id IN (SELECT id FROM disabled) AND ended_at IS NULL
            )
            SELECT id FROM disabled
            """)
    }
}
