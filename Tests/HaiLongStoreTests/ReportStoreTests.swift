import Foundation
import HaiLongCore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// The yearly reports' workflow (sql/0023) as the service runs it (the runtime role, held by row-level security):
/// draft → submitted (frozen, with its content's sha256) → returned (a new draft version) or accepted; every step in
/// the audit log; a submitted version cannot change, not even by a direct UPDATE; another subtree's report is out of
/// reach.
@Suite struct ReportStoreTests {
    static func content(_ agency: Agency, year: Int = 2026, results: String = "") -> ReportContent {
        let figure = ReportFigure(
            code: agency.code, name: agency.name, n: 6_252, index: 86.1, ci95: [85.2, 87.0], sufficient: true, parPoints: 9.57,
            parMax: 10, previousIndex: 84.85, change: 1.25, changeSignificant: true, responseRate: 41.5, excludedShare: 1.2, excluded: 76)
        return ReportContent(
            kind: .agency, year: year, agency: figure, superior: "UBND TỈNH THỬ NGHIỆM",
            snapshot: ReportSnapshot(
                agency: "P", period: String(year), questionnaire: "kiosk-3", version: 3, sha256: String(repeating: "ab", count: 32),
                publishedAt: "2026-11-01T08:00:00+07:00", publishedBy: "test", methodology: "default v1", publishedForReport: false),
            children: [], officers: ReportOfficers(rated: 3, sufficient: 2, bands: [1, 1, 0, 0], capped: 0, candidates: []),
            reasons: [], accountability: ReportAccountability(), narrative: ReportNarrative(results: results),
            preparedAt: "2026-11-02T08:00:00+07:00", place: "Thử nghiệm")
    }

    static func auditActions(_ client: PostgresClient, agency: Agency) async throws -> [String] {
        let rows = try await client.query(
            "SELECT action FROM audit_log WHERE agency_id = \(agency.id) AND action LIKE 'report.%' ORDER BY id",
            logger: TestDatabase.logger)
        return try await collect(rows.decode(String.self))
    }

    @Test func aDraftIsSubmittedFrozenReturnedAsANewVersionThenAccepted() async throws {
        try await withTestDatabase(asRuntimeRole: true) { client in
            let fixture = try await Fixture.make(client)
            let store = PostgresReportStore(client: client, logger: TestDatabase.logger)
            let agency = fixture.agencyA
            let made = try await store.create(
                agency: agency, year: 2026, kind: .agency, content: Self.content(agency), publicationID: nil, by: "a-admin",
                within: agency)
            #expect(made.version == 1 && made.status == .draft && made.snapshotVersion == 3)
            #expect(made.snapshotSHA256 == String(repeating: "ab", count: 32))
            // A second report of the same year is refused.
            await #expect(throws: StoreError.self) {
                _ = try await store.create(
                    agency: agency, year: 2026, kind: .agency, content: Self.content(agency), publicationID: nil, by: "a-admin",
                    within: agency)
            }
            let saved = try await store.saveDraft(
                agency: agency, year: 2026, kind: .agency, content: Self.content(agency, results: "Đã triển khai “4 xin, 4 luôn”."),
                publicationID: nil, by: "a-admin", within: agency)
            #expect(saved.content.narrative.results == "Đã triển khai “4 xin, 4 luôn”.")

            let submitted = try await store.submit(agency: agency, year: 2026, kind: .agency, by: "a-admin", within: agency)
            #expect(submitted.status == .submitted && submitted.version == 1)
            // The sha256 of the stored content, as PostgreSQL computes it.
            let digest = try await collect(
                client.query(
                    "SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex') FROM reports WHERE id = \(submitted.id)",
                    logger: TestDatabase.logger
                ).decode(String.self))
            #expect(digest.count == 1 && submitted.contentSHA256 == digest.first)
            // Submitted: the store refuses a change…
            await #expect(throws: ValidationError.self) {
                _ = try await store.saveDraft(
                    agency: agency, year: 2026, kind: .agency, content: Self.content(agency, results: "sửa sau khi gửi"),
                    publicationID: nil, by: "a-admin", within: agency)
            }
            await #expect(throws: ValidationError.self) {
                _ = try await store.submit(agency: agency, year: 2026, kind: .agency, by: "a-admin", within: agency)
            }
            // …and so does the database, to the runtime role writing directly.
            await #expect(throws: PSQLError.self) {
                try await client.withScope(agency.id, logger: TestDatabase.logger) { connection in
                    try await connection.query(
                        "UPDATE reports SET content = '{}' WHERE id = \(submitted.id)", logger: TestDatabase.logger)
                }
            }
            await #expect(throws: PSQLError.self) {
                try await client.withScope(agency.id, logger: TestDatabase.logger) { connection in
                    try await connection.query("DELETE FROM reports WHERE id = \(submitted.id)", logger: TestDatabase.logger)
                }
            }
            // A return needs a reason.
            await #expect(throws: ValidationError.self) {
                _ = try await store.decide(
                    agency: agency, year: 2026, kind: .agency, status: .returned, comment: "  ", by: "snv", within: fixture.province)
            }
            let redraft = try await store.decide(
                agency: agency, year: 2026, kind: .agency, status: .returned, comment: "Bổ sung số liệu kiểm tra đột xuất.", by: "snv",
                within: fixture.province)
            #expect(redraft.version == 2 && redraft.status == .draft)
            #expect(redraft.content.narrative.results == "Đã triển khai “4 xin, 4 luôn”.", "the new draft starts from the returned one")
            let versions = try await store.versions(agency: agency, year: 2026, kind: .agency, within: agency)
            #expect(versions.map(\.version) == [2, 1])
            #expect(versions.map(\.status) == [.draft, .returned])
            #expect(versions[1].decisionComment == "Bổ sung số liệu kiểm tra đột xuất.")
            #expect(versions[1].content == submitted.content, "the returned version keeps what was submitted")
            let standings = try await store.standings(province: fixture.province, year: 2026, within: fixture.province)
            #expect(standings.first { $0.agency.code == "P.A" }?.state == "returned")
            #expect(standings.first { $0.agency.code == "P.B" }?.state == "not_started")

            _ = try await store.submit(agency: agency, year: 2026, kind: .agency, by: "a-admin", within: agency)
            let accepted = try await store.decide(
                agency: agency, year: 2026, kind: .agency, status: .accepted, comment: "", by: "snv", within: fixture.province)
            #expect(accepted.version == 2 && accepted.status == .accepted && accepted.decidedBy == "snv")
            // Accepted: nothing more happens to it.
            await #expect(throws: ValidationError.self) {
                _ = try await store.decide(
                    agency: agency, year: 2026, kind: .agency, status: .returned, comment: "muộn", by: "snv", within: fixture.province)
            }
            await #expect(throws: PSQLError.self) {
                try await client.withScope(agency.id, logger: TestDatabase.logger) { connection in
                    try await connection.query(
                        "UPDATE reports SET status = 'draft', submitted_at = NULL, decided_at = NULL WHERE id = \(accepted.id)",
                        logger: TestDatabase.logger)
                }
            }
            #expect(
                try await Self.auditActions(client, agency: agency) == [
                    "report.create", "report.save", "report.submit", "report.return", "report.redraft", "report.submit", "report.accept",
                ])
            let submitAudit = try await collect(
                client.query(
                    "SELECT detail ->> 'sha256' FROM audit_log WHERE action = 'report.submit' ORDER BY id LIMIT 1",
                    logger: TestDatabase.logger
                ).decode(String.self))
            #expect(submitAudit == [submitted.contentSHA256 ?? "-"])
        }
    }

    @Test func anotherSubtreesReportIsOutOfReach() async throws {
        try await withTestDatabase(asRuntimeRole: true) { client in
            let fixture = try await Fixture.make(client)
            let store = PostgresReportStore(client: client, logger: TestDatabase.logger)
            let (a, b) = (fixture.agencyA, fixture.agencyB)
            _ = try await store.create(
                agency: a, year: 2026, kind: .agency, content: Self.content(a), publicationID: nil, by: "a-admin", within: a)
            // B's admin neither reads, edits, submits nor creates A's report.
            #expect(try await store.versions(agency: a, year: 2026, kind: .agency, within: b).isEmpty)
            await #expect(throws: StoreError.notFound(field: "agency", value: "P.A")) {
                _ = try await store.submit(agency: a, year: 2026, kind: .agency, by: "b-admin", within: b)
            }
            await #expect(throws: StoreError.notFound(field: "agency", value: "P.A")) {
                _ = try await store.saveDraft(
                    agency: a, year: 2026, kind: .agency, content: Self.content(a, results: "x"), publicationID: nil, by: "b-admin",
                    within: b)
            }
            await #expect(throws: StoreError.notFound(field: "agency", value: "P.A")) {
                _ = try await store.create(
                    agency: a, year: 2025, kind: .agency, content: Self.content(a, year: 2025), publicationID: nil, by: "b-admin",
                    within: b)
            }
            // Row-level security, without the store's filter: scoped to B the table is empty, scoped to A it has the row.
            let seenFromB = try await client.withScope(b.id, logger: TestDatabase.logger) { connection in
                try await collect(connection.query("SELECT count(*)::int FROM reports", logger: TestDatabase.logger).decode(Int.self))
            }
            let seenFromA = try await client.withScope(a.id, logger: TestDatabase.logger) { connection in
                try await collect(connection.query("SELECT count(*)::int FROM reports", logger: TestDatabase.logger).decode(Int.self))
            }
            #expect(seenFromB == [0] && seenFromA == [1])
            await #expect(throws: PSQLError.self) {
                try await client.withScope(b.id, logger: TestDatabase.logger) { connection in
                    try await connection.query(
                        """
                        INSERT INTO reports (agency_id, year, kind, version, status, content, created_by, updated_by)
                        VALUES (\(a.id), 2024, 'agency', 1, 'draft', '{}', 'b', 'b')
                        """, logger: TestDatabase.logger)
                }
            }
        }
    }

    @Test func deadlinesDefaultTo15NovemberAnd15DecemberAndAreSetPerProvince() async throws {
        try await withTestDatabase(asRuntimeRole: true) { client in
            let fixture = try await Fixture.make(client)
            let store = PostgresReportStore(client: client, logger: TestDatabase.logger)
            let defaults = try await store.deadlines(province: fixture.province)
            #expect(defaults.due(.agency, year: 2026) == LocalDate(year: 2026, month: 11, day: 15))
            #expect(defaults.due(.consolidated, year: 2026) == LocalDate(year: 2026, month: 12, day: 15))
            try await store.setDeadlines(
                ReportDeadlines(agencyMonth: 11, agencyDay: 10, provinceMonth: 12, provinceDay: 5), province: fixture.province, by: "snv",
                within: fixture.province)
            let set = try await store.deadlines(province: fixture.province)
            #expect(set.due(.agency, year: 2026) == LocalDate(year: 2026, month: 11, day: 10))
            #expect(set.daysLeft(.agency, year: 2026, today: LocalDate(year: 2026, month: 11, day: 1)!) == 9)
            #expect(try await Self.auditActions(client, agency: fixture.province) == ["report.deadlines"])
        }
    }
}
