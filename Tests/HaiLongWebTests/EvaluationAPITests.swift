import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Violations and the year's evaluation support through the store and the API: the ceiling applies exactly to a
/// confirmed violation of that year, candidates exclude open and confirmed violations and thin figures, blocks rank
/// only their members, and scoped callers see only their subtree.
@Suite struct EvaluationAPITests {
    let figures = FiguresAPITests()

    /// 2025: officer B-1 (P.A) 40 ratings, 38 satisfied; B-2 (P.A) 40, all satisfied; B-3 (P.A) 35, 30 satisfied;
    /// C-1 (P.B) 5 ratings. Taps five minutes apart, each with its own dossier, so none is excluded.
    func seed(_ app: AppHarness) async throws {
        let fixture = app.fixture
        let directory = fixture.directory
        _ = try await directory.addOfficer(agencyCode: "P.A", badge: "B-2", name: "Trần Thị Bình", counterCode: "Q1", title: nil)
        _ = try await directory.addOfficer(agencyCode: "P.A", badge: "B-3", name: "Lê Văn Cường", counterCode: "Q1", title: nil)
        _ = try await directory.addOfficer(agencyCode: "P.B", badge: "C-1", name: "Phạm Thị Dung", counterCode: nil, title: nil)
        var tap = time("2025-03-03T08:00:00+07:00")
        for (badge, satisfied, total, source) in [
            ("B-1", 38, 40, fixture.sourceA()), ("B-2", 40, 40, fixture.sourceA()), ("B-3", 30, 35, fixture.sourceA()),
            ("C-1", 5, 5, fixture.sourceB()),
        ] {
            for index in 0..<total {
                tap += 300
                try await fixture.rate(index < satisfied ? 3 : 1, at: tap, source: source, officer: badge, dossier: "\(badge)-\(index)")
            }
        }
        try await app.aggregate()
    }

    @Test func theCeilingFollowsConfirmedViolationsOfTheYearOnly() async throws {
        try await AppHarness.run { app, client in
            try await seed(app)
            let store = PostgresAccountabilityStore(client: app.db, logger: TestDatabase.logger)
            let agencyA = app.fixture.agencyA
            func report(_ badge: String, _ day: String) async throws -> Int64 {
                try await store.report(
                    ViolationReport(
                        badge: badge, occurredOn: LocalDate(day)!, norm: "giao_tiep_ung_xu", source: .supervisor,
                        description: "Không chào hỏi"),
                    agency: agencyA, by: "test", within: nil)
            }
            // B-2: confirmed this year (capped); B-1: reported (not capped, not a candidate); B-3: dismissed this year and
            // confirmed last year (neither caps 2025).
            try await store.decide(
                try await report("B-2", "2025-05-01"), status: .confirmed, reason: "Đã xác minh", by: "test", within: nil)
            _ = try await report("B-1", "2025-06-01")
            try await store.decide(try await report("B-3", "2025-07-01"), status: .dismissed, reason: "Không đúng", by: "test", within: nil)
            try await store.decide(try await report("B-3", "2024-12-31"), status: .confirmed, reason: "Năm trước", by: "test", within: nil)
            let response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P", token: app.parToken)
            #expect(response.status == .ok)
            let items = try #require(response.json["items"] as? [[String: Any]])
            let byBadge = Dictionary(uniqueKeysWithValues: items.map { ($0["badge"] as! String, $0) })
            #expect(byBadge["B-2"]?["ceiling"] as? String == "hoan_thanh_nhiem_vu")
            #expect(byBadge["B-1"]?["ceiling"] is NSNull && byBadge["B-3"]?["ceiling"] is NSNull && byBadge["C-1"]?["ceiling"] is NSNull)
            // Ranked by the lower bound: B-2 40/40 (91.24) first, B-1 38/40 (83.50) second, B-3 30/35 (70.62) third; C-1 unranked.
            #expect(items.map { $0["badge"] as! String } == ["B-2", "B-1", "B-3", "C-1", "B-4"].filter { byBadge[$0] != nil })
            #expect(byBadge["B-2"]?["rank"] as? Int == 1 && byBadge["B-1"]?["rank"] as? Int == 2 && byBadge["B-3"]?["rank"] as? Int == 3)
            #expect(byBadge["C-1"]?["rank"] is NSNull && byBadge["C-1"]?["index"] is NSNull && byBadge["C-1"]?["n"] as? Int == 5)
            let ci = try #require(byBadge["B-1"]?["ci95"] as? [Double])
            #expect(abs(ci[0] - 83.50) < 0.01)
            // The top 10 % of three ranked officers is one: B-2, who is capped, so nobody is a candidate.
            #expect(items.allSatisfy { $0["candidate"] as? Bool == false })
            #expect((byBadge["B-2"]?["violations"] as? [[String: Any]])?.first?["status"] as? String == "confirmed")
            #expect((byBadge["B-3"]?["violations"] as? [[String: Any]])?.count == 1)
            // CSV in Vietnamese: BOM, the cap spelled out.
            let csv = try await figures.get(
                client, "/api/v1/evaluation/officers?year=2025&agency=P&format=csv&headers=vi", token: app.parToken)
            #expect(csv.text.hasPrefix("\u{FEFF}Cơ quan,Số hiệu") && csv.text.contains("Hoàn thành nhiệm vụ"))
            // A violation can be decided once; every step is in the audit log.
            let once = try await report("B-1", "2025-08-01")
            try await store.decide(once, status: .dismissed, reason: "Không có căn cứ", by: "test", within: nil)
            await #expect(throws: ValidationError.self) {
                try await store.decide(once, status: .confirmed, reason: "Đổi ý", by: "test", within: nil)
            }
            let audited = try await scalar(
                app.db, "SELECT count(*) FROM audit_log WHERE action IN ('violation.report', 'violation.confirm', 'violation.dismiss')")
            #expect(audited == 5 + 4)
        }
    }

    /// The subtree's officers are kept per directory version: an officer added or renamed straight in the database (as
    /// another server or an import would) is in the next evaluation.
    @Test func anOfficerAddedOrRenamedIsInTheNextEvaluation() async throws {
        try await AppHarness.run { app, client in
            try await seed(app)
            func badges() async throws -> [String: String] {
                let response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P", token: app.parToken)
                #expect(response.status == .ok)
                let items = try #require(response.json["items"] as? [[String: Any]])
                return Dictionary(uniqueKeysWithValues: items.map { ($0["badge"] as! String, $0["name"] as! String) })
            }
            #expect(try await badges()["B-2"] == "Trần Thị Bình")
            try await app.db.query(
                """
                INSERT INTO officers (agency_id, badge, name) VALUES (\(app.fixture.agencyB.id), 'C-9', 'Đỗ Văn Mới');
                """)
            try await app.db.query("UPDATE officers SET name = 'Trần Thị Bình An' WHERE badge = 'B-2'")
            let after = try await badges()
            #expect(after["C-9"] == "Đỗ Văn Mới")
            #expect(after["B-2"] == "Trần Thị Bình An")
        }
    }

    @Test func aProvincesMethodologySetsTheShareOfCandidates() async throws {
        try await AppHarness.run { app, client in
            try await seed(app)
            // The default methodology: the best tenth of three ranked officers is one (B-2).
            var response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P.A", token: app.parToken)
            #expect(response.json["candidate_share"] as? Double == 0.1)
            // A methodology version of the province's own, made the default: the best 70 % (three of three).
            var wider = Methodology.standard
            wider.code = "tinh-2025"
            wider.candidateShare = 0.7
            try wider.validate()
            try await PostgresIndexStore(client: app.db, logger: TestDatabase.logger).addMethodology(wider, makeDefault: true)
            response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P.A", token: app.parToken)
            #expect(response.json["candidate_share"] as? Double == 0.7)
            #expect((response.json["methodology"] as? [String: Any])?["code"] as? String == "tinh-2025")
            let items = try #require(response.json["items"] as? [[String: Any]])
            #expect(items.filter { $0["candidate"] as? Bool == true }.map { $0["badge"] as! String } == ["B-2", "B-1", "B-3"])
            #expect((items.first?["why"] as? String)?.contains("top 70 %") == true)
            // A share outside (0, 1] is refused by name.
            for bad in [0, -0.1, 1.5, .nan] {
                wider.candidateShare = bad
                #expect(throws: ValidationError(field: "candidate_share", reason: "must be above 0 and at most 1 (0.1 is the best tenth)"))
                {
                    try wider.validate()
                }
            }
        }
    }

    @Test func aCleanTopOfficerIsACandidateAndAPendingViolationTakesThatAway() async throws {
        try await AppHarness.run { app, client in
            try await seed(app)
            var response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P.A", token: app.parToken)
            var items = try #require(response.json["items"] as? [[String: Any]])
            #expect(items.filter { $0["candidate"] as? Bool == true }.map { $0["badge"] as! String } == ["B-2"])
            #expect((items.first?["why"] as? String)?.contains("top 10 %") == true)
            let store = PostgresAccountabilityStore(client: app.db, logger: TestDatabase.logger)
            _ = try await store.report(
                ViolationReport(
                    badge: "B-2", occurredOn: LocalDate("2025-09-09")!, norm: "trang_phuc", source: .camera, description: "Không đeo thẻ"),
                agency: app.fixture.agencyA, by: "test", within: nil)
            response = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P.A", token: app.parToken)
            items = try #require(response.json["items"] as? [[String: Any]])
            #expect(items.allSatisfy { $0["candidate"] as? Bool == false })
            #expect((items.first?["why"] as? String)?.contains("awaits a decision") == true)
            // Bad input names its field; other agencies are unknown to a scoped token.
            let scoped = try await app.fixture.directory.addToken(name: "xã", role: .par, agencyCode: "P.B")
            #expect(
                try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P.A", token: scoped.token).status == .notFound)
            let own = try await figures.get(client, "/api/v1/evaluation/officers?year=2025", token: scoped.token)
            #expect((own.json["items"] as? [[String: Any]])?.map { $0["badge"] as! String } == ["C-1"])
            for (query, field) in [
                ("year=25&agency=P", "year"), ("agency=P", "year"), ("year=2025&agency=P&format=pdf", "format"), ("year=2025&x=1", "x"),
            ] {
                let bad = try await figures.get(client, "/api/v1/evaluation/officers?\(query)", token: app.parToken)
                #expect(bad.status == .badRequest && bad.json["field"] as? String == field, "\(query)")
            }
            let kiosk = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P", token: app.fixture.kioskA.token)
            #expect(kiosk.status == .forbidden)
        }
    }

    @Test func aBlockRanksOnlyItsMembers() async throws {
        try await AppHarness.run { app, client in
            try await seed(app)
            let blocks = PostgresEmulationStore(client: app.db, logger: TestDatabase.logger)
            try await blocks.addBlock(code: "K1", name: "Khối các sở", year: 2025, members: ["P.A", "P.B"], by: "test")
            await #expect(throws: ValidationError.self) {
                try await blocks.addBlock(code: "K2", name: "Khối khác", year: 2025, members: ["P.A"], by: "test")
            }
            let response = try await figures.get(client, "/api/v1/emulation?year=2025&block=K1", token: app.parToken)
            #expect(response.status == .ok)
            let items = try #require(response.json["items"] as? [[String: Any]])
            #expect(items.map { $0["agency"] as! String } == ["P.A", "P.B"])
            // P.A: 108 of 115 satisfied, ranked; P.B: 5 ratings, listed unranked with the reason.
            #expect(items[0]["rank"] as? Int == 1 && items[0]["n"] as? Int == 115)
            #expect(items[1]["rank"] is NSNull && (items[1]["why"] as? String)?.contains("too few ratings") == true)
            #expect(try await figures.get(client, "/api/v1/emulation?year=2024&block=K1", token: app.parToken).status == .notFound)
            let scoped = try await app.fixture.directory.addToken(name: "xã", role: .par, agencyCode: "P.B")
            #expect(try await figures.get(client, "/api/v1/emulation?year=2025&block=K1", token: scoped.token).status == .notFound)
            let xlsx = try await figures.get(client, "/api/v1/emulation?year=2025&block=K1&format=xlsx", token: app.parToken)
            #expect(xlsx.status == .ok && xlsx.body.readableBytesView.starts(with: Array("PK".utf8)))
        }
    }

    @Test func evidenceIsCheckedByItsBytesAndScopedCallersStayInTheirSubtree() async throws {
        try await AppHarness.run { app, _ in
            try await seed(app)
            let store = PostgresAccountabilityStore(client: app.db, logger: TestDatabase.logger)
            let id = try await store.report(
                ViolationReport(
                    badge: "B-1", occurredOn: LocalDate("2025-05-05")!, norm: "dao_duc_loi_song", source: .other, description: "x"),
                agency: app.fixture.agencyA, by: "test", within: nil)
            let pdf = Array("%PDF-1.4\n%âãÏÓ\n".utf8)
            _ = try await store.addEvidence(id, fileName: "bien-ban.pdf", bytes: pdf, by: "test", within: app.fixture.agencyA)
            for bytes in [Array("<html>%PDF-".utf8), Array("GIF89a".utf8), [UInt8](), [UInt8](repeating: 0xFF, count: 3) + [0xD9]] {
                await #expect(throws: ValidationError.self) {
                    _ = try await store.addEvidence(id, fileName: "bien-ban.pdf", bytes: bytes, by: "test", within: nil)
                }
            }
            // From the commune, the department's violation does not exist: no decision, no evidence, not listed.
            let commune = app.fixture.agencyB
            await #expect(throws: StoreError.self) {
                try await store.decide(id, status: .confirmed, reason: "x", by: "xa", within: commune)
            }
            #expect(try await store.violations(under: app.fixture.province, year: 2025, within: commune).isEmpty)
            #expect(try await store.violations(under: app.fixture.province, year: 2025, within: app.fixture.province).count == 1)
            #expect(try await scalar(app.db, "SELECT count(*) FROM violation_evidence") == 1)
        }
    }
}
