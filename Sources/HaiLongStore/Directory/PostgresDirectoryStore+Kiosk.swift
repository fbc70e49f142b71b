import Foundation
import HaiLongCore
import PostgresNIO

/// Kiosk pairing and what a paired kiosk shows.
extension PostgresDirectoryStore {
    /// Exchanges a current pairing code for a fresh device token (the kiosk's older token stops working); `nil` when
    /// the code is unknown, used or expired.
    public func pairKiosk(code: String) async throws -> (id: Int64, label: String, token: String)? {
        let token = SecretToken.generate(prefix: "hlk_")
        // One statement: the code is consumed, the token replaced and the pairing audited together, so a code pairs
        // one device only and the log holds every pairing.
        let rows = try await client.query(
            """
            WITH paired AS (
                UPDATE kiosks SET token_hash = decode(\(SecretToken.hash(token)), 'hex'), pairing_code_hash = NULL,
                    pairing_expires_at = NULL
                WHERE pairing_code_hash = decode(\(SecretToken.hash(code)), 'hex') AND pairing_expires_at > now()
                    AND status = 'active'
                RETURNING id, label, agency_id
            ), audited AS (
                INSERT INTO audit_log (actor, action, agency_id, subject)
                SELECT 'kiosk ' || id, 'kiosk.pair', agency_id, 'kiosk ' || id || ' paired with its code' FROM paired
            )
            SELECT id, label FROM paired
            """, logger: logger)
        for try await (id, label) in rows.decode((Int64, String).self) { return (id, label, token) }
        return nil
    }

    /// What a paired kiosk shows: its agency, counter, the counter's officers and the one on duty.
    public func kioskProfile(kioskID: Int64) async throws -> KioskProfile {
        let rows = try await client.query(
            """
            SELECT k.label, a.id, a.code, a.name, a.kind, a.parent_id, c.id, c.code, c.name,
                (SELECT o.badge FROM officers o WHERE o.id = coalesce(c.on_duty_officer_id, k.on_duty_officer_id))
            FROM kiosks k JOIN agencies a ON a.id = k.agency_id LEFT JOIN counters c ON c.id = k.counter_id
            WHERE k.id = \(kioskID)
            """, logger: logger)
        for try await (label, agencyID, agencyCode, agencyName, kind, parentID, counterID, counterCode, counterName, onDuty)
            in rows.decode((String, Int64, String, String, String, Int64?, Int64?, String?, String?, String?).self)
        {
            let officers = try await client.query(
                """
                SELECT badge, name, title, photo IS NOT NULL FROM officers
                WHERE agency_id = \(agencyID) AND active AND (\(counterID)::bigint IS NULL OR counter_id = \(counterID))
                ORDER BY name, badge
                """, logger: logger)
            var cards: [OfficerCard] = []
            for try await (badge, name, title, hasPhoto) in officers.decode((String, String, String?, Bool).self) {
                cards.append(OfficerCard(badge: badge, name: name, title: title, hasPhoto: hasPhoto))
            }
            return KioskProfile(
                id: kioskID, label: label,
                agency: Agency(id: agencyID, code: agencyCode, name: agencyName, kind: kind, parentID: parentID),
                counterCode: counterCode, counterName: counterName, officers: cards, onDuty: onDuty)
        }
        throw StoreError.notFound(field: "kiosk", value: String(kioskID))
    }

    /// Sets (or clears, with `nil`) the officer on duty at the kiosk's counter; an unknown badge is a `StoreError.notFound`.
    public func setOnDuty(kioskID: Int64, badge: String?) async throws {
        var officerID: Int64?
        if let badge {
            let rows = try await client.query(
                """
                SELECT o.id FROM officers o JOIN kiosks k ON k.agency_id = o.agency_id
                WHERE k.id = \(kioskID) AND o.badge = \(badge) AND o.active
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { officerID = id }
            guard officerID != nil else { throw StoreError.notFound(field: "badge", value: badge) }
        }
        // At a counter, the counter holds the officer on duty (every kiosk there shows them); else the kiosk does.
        try await client.query(
            """
            WITH counter AS (
                UPDATE counters SET on_duty_officer_id = \(officerID)
                WHERE id = (SELECT counter_id FROM kiosks WHERE id = \(kioskID))
            ), audited AS (
                -- Who is on duty decides whom the next taps credit: every change is audited, in the same statement.
                INSERT INTO audit_log (actor, action, agency_id, subject)
                SELECT 'kiosk ' || id, 'kiosk.on_duty', agency_id, coalesce(\(badge), 'nobody') FROM kiosks WHERE id = \(kioskID)
            )
            UPDATE kiosks SET on_duty_officer_id = \(officerID) WHERE id = \(kioskID) AND counter_id IS NULL
            """, logger: logger)
    }

    /// An active officer of the agency by badge.
    public func officer(agencyID: Int64, badge: String) async throws -> OfficerCard? {
        let rows = try await client.query(
            "SELECT badge, name, title, photo IS NOT NULL FROM officers WHERE agency_id = \(agencyID) AND badge = \(badge) AND active",
            logger: logger)
        for try await (badge, name, title, hasPhoto) in rows.decode((String, String, String?, Bool).self) {
            return OfficerCard(badge: badge, name: name, title: title, hasPhoto: hasPhoto)
        }
        return nil
    }

    /// An officer's photo and its media type, if the officer (of the agency) has one.
    public func officerPhoto(agencyID: Int64, badge: String) async throws -> (bytes: [UInt8], type: String)? {
        let rows = try await client.query(
            """
            SELECT photo, photo_type FROM officers
            WHERE agency_id = \(agencyID) AND badge = \(badge) AND photo IS NOT NULL AND photo_type IS NOT NULL
            """, logger: logger)
        for try await (photo, type) in rows.decode((ByteBuffer, String).self) {
            return (Array(photo.readableBytesView), type)
        }
        return nil
    }
}

extension PostgresDirectoryStore {
    /// A secret shared by every replica (made at random on first use), e.g. the key that signs survey links.
    public func serverSecret(named name: String) async throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // The first replica to ask makes it; everyone after reads the same one.
        let rows = try await client.query(
            """
            WITH made AS (
                INSERT INTO server_secrets (name, secret) VALUES (\(name), \(ByteBuffer(bytes: fresh)))
                ON CONFLICT (name) DO NOTHING RETURNING secret
            )
            SELECT secret FROM made UNION ALL SELECT secret FROM server_secrets WHERE name = \(name)
            """, logger: logger)
        for try await secret in rows.decode(ByteBuffer.self) { return Array(secret.readableBytesView) }
        throw StoreError.notFound(field: "secret", value: name)
    }
}

extension PostgresDirectoryStore {
    /// Sets (or, with `nil`, clears) an agency's opening hours; agencies below it without their own inherit them.
    public func setOpeningHours(agencyCode: String, hours: OpeningHours?) async throws {
        let agency = try await requireAgency(agencyCode)
        let json = try hours.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await execute(
            "UPDATE agencies SET opening_hours = \(json)::jsonb WHERE id = \(agency.id)",
            audited: AuditRecord(
                actor: "cli", action: "agency.hours", agencyID: agency.id, subject: "opening hours: \(hours?.text ?? "inherited")"))
    }
}

extension PostgresDirectoryStore {
    /// Records a merger: `code` ends on `lastDay` and its responses count for `into` in periods after that day.
    public func merge(code: String, into successorCode: String, lastDay: LocalDate) async throws {
        let agency = try await requireAgency(code)
        let successor = try await requireAgency(successorCode)
        // A successor may not be the merged agency itself or lie in its subtree (the figures would count in circles).
        if try await isAgency(successor.id, within: agency.id) {
            throw ValidationError(field: "into", reason: "'\(successorCode)' lies in \(code)'s own subtree")
        }
        try await execute(
            "UPDATE agencies SET merged_into = \(successor.id), valid_to = \(lastDay.description)::date WHERE id = \(agency.id)",
            audited: AuditRecord(
                actor: "cli", action: "agency.merge", agencyID: agency.id, subject: "\(code) merged into \(successorCode) after \(lastDay)")
        )
    }
}
