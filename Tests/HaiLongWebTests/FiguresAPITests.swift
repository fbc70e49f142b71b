import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The figures beyond the walking skeleton: SIPAS elements, merged agencies, breakdowns, the previous period, trends,
/// publication and exports. Expected values are worked out by hand in each test (z = 1.959963984540054).
@Suite struct FiguresAPITests {
    func get(_ client: some TestClientProtocol, _ path: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    /// Stores one response of any questionnaire directly.
    func store(
        _ app: AppHarness, _ questionnaire: String, _ levels: [String: Int], at tap: String, source: ResponseSource,
        dossier: String? = nil, officer: String? = nil, reasons: [String] = []
    ) async throws {
        let known = try await app.fixture.responses.questionnaires()
        let submission = Submission(
            questionnaire: questionnaire, officerBadge: officer, dossierCode: dossier, levels: levels, reasons: reasons, comment: nil,
            submittedAt: time(tap))
        _ = try await app.fixture.responses.store(
            submission, id: UUID(), questionnaireID: known[questionnaire]!.id, source: source, receivedAt: time(tap),
            rules: FlagRules())
    }

    func item(_ response: TestResponse, _ agency: String) -> [String: Any]? {
        (response.json["items"] as? [[String: Any]])?.first { $0["agency"] as? String == agency }
    }

    /// P.A, 2026-Q3, sipas-5 on the web channel, three valid respondents and one excluded (duplicate dossier):
    /// - criteria: tiep_can.1 {5,3,4} → 2/3 = 66.67; tiep_can.2 {4} → 100; thu_tuc.1 {5} → 100; cong_chuc.1 {5,4,1} →
    ///   66.67; cong_chuc.2 {2} → 0; ket_qua.1 {3} → 0; pakn.1 {5} → 100.
    /// - elements: tiep_can = (66.67 + 100)/2 = 83.33; thu_tuc = 100; cong_chuc = (66.67 + 0)/2 = 33.33; ket_qua = 0;
    ///   pakn = 100. Overall = (83.333 + 100 + 33.333 + 0 + 100)/5 = 63.333… → 63.33.
    /// - n = 3 respondents, satisfied answers 7 of 11, mean level 41/11 = 3.727… → 3.73.
    /// - ci95 = Wilson(p = 0.63333, n = 3) = [18.97, 92.72]; PAR = 10 × 63.333/90 = 7.037… → 7.04; not sufficient.
    @Test func sipasElementsAndOverallIndexByHand() async throws {
        try await AppHarness.run { app, client in
            let web = ResponseSource(agencyID: app.fixture.agencyA.id, channel: .web)
            try await store(
                app, "sipas-5", ["tiep_can.1": 5, "tiep_can.2": 4, "cong_chuc.1": 5, "ket_qua.1": 3], at: "2026-08-03T09:00:00+07:00",
                source: web, dossier: "HS-1")
            try await store(
                app, "sipas-5", ["tiep_can.1": 3, "cong_chuc.1": 4, "cong_chuc.2": 2, "pakn.1": 5], at: "2026-08-04T09:00:00+07:00",
                source: web)
            try await store(
                app, "sipas-5", ["tiep_can.1": 4, "thu_tuc.1": 5, "cong_chuc.1": 1], at: "2026-08-05T09:00:00+07:00", source: web)
            // The same dossier again on the web: duplicate_dossier, excluded.
            try await store(app, "sipas-5", ["tiep_can.1": 1, "pakn.1": 1], at: "2026-08-06T09:00:00+07:00", source: web, dossier: "HS-1")
            try await app.aggregate()
            let response = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P.A&questionnaire=sipas-5", token: app.parToken)
            #expect(response.status == .ok, "\(response.text)")
            let a = try #require(item(response, "P.A"))
            #expect(a["n"] as? Int == 3)
            #expect(a["satisfied"] as? Int == 7)
            #expect(a["index"] as? Double == 63.33)
            #expect(a["mean"] as? Double == 3.73)
            #expect(a["ci95"] as? [Double] == [18.97, 92.72])
            #expect(a["par_points"] as? Double == 7.04)
            #expect(a["sufficient"] as? Bool == false)
            #expect(a["excluded"] as? Int == 1)
            #expect(
                a["elements"] as? [String: Double] == ["tiep_can": 83.33, "thu_tuc": 100, "cong_chuc": 33.33, "ket_qua": 0, "pakn": 100])
            let criteria = try #require(a["criteria"] as? [String: Double])
            #expect(criteria["tiep_can.1"] == 66.67 && criteria["cong_chuc.2"] == 0 && criteria.count == 7)
            let credibility = try #require(a["credibility"] as? [String: Any])
            #expect(credibility["excluded_share"] as? Double == 25)  // 1 of 4 responses
            #expect(credibility["excluded_by_flag"] as? [String: Int] == ["duplicate_dossier": 1])
            #expect(credibility["low_share"] as? Double == 36.36)  // 4 of 11 answers below 4
            #expect(credibility["response_rate"] is NSNull)  // no dossiers fed
        }
    }

    /// OLD (a commune under P) merged into P.A at the end of June 2026 (valid_to 2026-06-30).
    /// - 2026-Q2 (before the merge): OLD keeps its own 3 × level 3 + 1 × level 1 → n 4, index 75; P.A has its own
    ///   2 × level 2 → n 2, index 100. P pools both: n 6, index 5/6 = 83.33.
    /// - 2026-Q3 (after): OLD's late-entered level-1 rating of 2 August rolls into P.A: P.A = 1 × level 3 + that →
    ///   n 2, index 50; OLD is no longer listed under P; P still counts each response once: n 2.
    @Test func aMergedAgencyRollsIntoItsSuccessorAfterTheMergeOnly() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.fixture.directory.addAgency(code: "OLD", name: "Xã Cũ", parentCode: "P", kind: "commune")
            let old = try await app.fixture.directory.addKiosk(agencyCode: "OLD", counterCode: nil, label: "old")
            let oldAgency = try #require(try await app.fixture.directory.agency(code: "OLD"))
            let oldSource = ResponseSource(agencyID: oldAgency.id, kioskID: old.id, channel: .kiosk)
            for (index, level) in [3, 3, 3, 1].enumerated() {
                try await app.fixture.rate(level, at: time("2026-05-1\(index)T09:00:00+07:00"), source: oldSource, dossier: "O-\(index)")
            }
            try await app.fixture.rate(2, at: time("2026-05-20T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "A-1")
            try await app.fixture.rate(2, at: time("2026-05-21T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "A-2")
            try await app.fixture.rate(3, at: time("2026-08-01T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "A-3")
            try await app.fixture.rate(1, at: time("2026-08-02T09:00:00+07:00"), source: oldSource, dossier: "O-9")
            try await app.db.query(
                "UPDATE agencies SET merged_into = \(app.fixture.agencyA.id), valid_to = '2026-06-30' WHERE code = 'OLD'",
                logger: TestDatabase.logger)
            try await app.aggregate()

            let q2 = try await get(client, "/api/v1/indices?period=2026-Q2&agency=P&depth=1", token: app.parToken)
            #expect(item(q2, "OLD")?["n"] as? Int == 4 && item(q2, "OLD")?["index"] as? Double == 75)
            #expect(item(q2, "P.A")?["n"] as? Int == 2 && item(q2, "P.A")?["index"] as? Double == 100)
            #expect(item(q2, "P")?["n"] as? Int == 6 && item(q2, "P")?["index"] as? Double == 83.33)

            let q3 = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&depth=1", token: app.parToken)
            #expect(item(q3, "OLD") == nil)
            #expect(item(q3, "P.A")?["n"] as? Int == 2 && item(q3, "P.A")?["index"] as? Double == 50)
            #expect(item(q3, "P")?["n"] as? Int == 2)
            // The previous period of P.A is its own Q2 (100 over 2), not OLD's.
            let previous = try #require(item(q3, "P.A")?["previous"] as? [String: Any])
            #expect(previous["period"] as? String == "2026-Q2" && previous["index"] as? Double == 100 && previous["n"] as? Int == 2)
            #expect(previous["change"] as? Double == -50 && previous["significant"] as? Bool == false)
        }
    }

    /// B-1 has 31 ratings (30 × level 3, 1 × level 1: index 96.77, sufficient); B-2 has 5 (hidden: below 30).
    @Test func officerFiguresBelowTheThresholdAreHiddenAndNotRanked() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.fixture.directory.addOfficer(
                agencyCode: "P.A", badge: "B-2", name: "Trần Thị Bình", counterCode: "Q1", title: nil)
            let start = time("2026-08-03T08:00:00+07:00")
            for index in 0..<31 {
                try await app.fixture.rate(
                    index == 0 ? 1 : 3, at: start.addingTimeInterval(Double(index) * 60), source: app.fixture.sourceA(),
                    reasons: index == 0 ? ["xin_chao", "luon_lang_nghe"] : [],
                    officer: "B-1", dossier: "D-\(index)")
            }
            for index in 0..<5 {
                try await app.fixture.rate(
                    2, at: start.addingTimeInterval(Double(3600 + index * 60)), source: app.fixture.sourceA(), officer: "B-2",
                    dossier: "E-\(index)")
            }
            try await app.aggregate()
            let response = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P.A&group=officer", token: app.parToken)
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.json["group"] as? String == "officer")
            let items = try #require(response.json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let first = items[0], second = items[1]
            #expect((first["group"] as? [String: Any])?["code"] as? String == "B-1")
            #expect((first["group"] as? [String: Any])?["name"] as? String == "Nguyễn Văn An")
            #expect(first["index"] as? Double == 96.77 && first["rank"] as? Int == 1 && first["hidden"] as? Bool == false)
            // One not-satisfied rating naming two reasons: each reason 100%, the others 0.
            let reasons = try #require(first["reasons"] as? [String: Double])
            #expect(reasons["xin_chao"] == 100 && reasons["luon_lang_nghe"] == 100 && reasons["xin_loi"] == 0)
            #expect((second["group"] as? [String: Any])?["code"] as? String == "B-2")
            #expect(second["n"] as? Int == 5 && second["hidden"] as? Bool == true)
            #expect(second["index"] is NSNull && second["rank"] is NSNull && second["ci95"] is NSNull)
        }
    }

    /// A badge repeats from one agency to the next: each officer's group names its own agency, and officers whose
    /// figures tie are listed by badge and then by agency, whatever order the counts come in.
    @Test func officersWithTheSameBadgeAreToldApartByTheirAgency() async throws {
        try await AppHarness.run { app, client in
            for agency in ["P.B", "P.A"] {
                _ = try await app.fixture.directory.addOfficer(
                    agencyCode: agency, badge: "B-7", name: "Cán bộ \(agency)", counterCode: nil, title: nil)
            }
            let start = time("2026-08-03T08:00:00+07:00")
            for index in 0..<4 {
                for (source, agency) in [(app.fixture.sourceB(), "B"), (app.fixture.sourceA(), "A")] {
                    try await app.fixture.rate(
                        2, at: start.addingTimeInterval(Double(index) * 60), source: source, officer: "B-7", dossier: "\(agency)-\(index)")
                }
            }
            try await app.aggregate()
            let response = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&group=officer", token: app.parToken)
            #expect(response.status == .ok, "\(response.text)")
            let groups = try #require(response.json["items"] as? [[String: Any]]).compactMap { $0["group"] as? [String: Any] }
            #expect(groups.map { "\($0["code"] ?? "")@\($0["agency"] ?? "")" } == ["B-7@P.A", "B-7@P.B"])
            let csv = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&group=officer&format=csv", token: app.parToken)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.contains(",group,group_code,group_name,group_agency") == true)
            #expect(
                lines.count == 3 && lines[1].contains(",officer,B-7,Cán bộ P.A,P.A") && lines[2].contains(",officer,B-7,Cán bộ P.B,P.B"))
            // Renamed by another server (straight in the database): the next answer has the new name, as the names are
            // kept only while the directory does not change (sql/0033).
            try await app.db.query("UPDATE officers SET name = 'Cán bộ mới' WHERE name = 'Cán bộ P.A'")
            let renamed = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&group=officer&format=csv", token: app.parToken)
            #expect(renamed.text.contains(",officer,B-7,Cán bộ mới,P.A"), "\(renamed.text)")
        }
    }

    /// 2026-08: two ratings of P.A on 3 August (levels 3, 1) and one on 17 August (level 2).
    /// by=week: W32 (3–9 Aug) n 2, index 50; W33 empty; W34 (17–23) n 1, index 100; …; by=month: one point, n 3, 66.67.
    @Test func trendSeriesByWeekAndMonth() async throws {
        try await AppHarness.run { app, client in
            try await app.fixture.rate(3, at: time("2026-08-03T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "T-1")
            try await app.fixture.rate(1, at: time("2026-08-03T09:10:00+07:00"), source: app.fixture.sourceA(), dossier: "T-2")
            try await app.fixture.rate(2, at: time("2026-08-17T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "T-3")
            try await app.aggregate()
            let weekly = try await get(client, "/api/v1/indices/trend?period=2026-08&agency=P.A&by=week", token: app.parToken)
            #expect(weekly.status == .ok, "\(weekly.text)")
            let series = try #require(weekly.json["series"] as? [[String: Any]])
            #expect(series.first?["label"] as? String == "2026-W31" && series.first?["from"] as? String == "2026-08-01")
            let byLabel = Dictionary(uniqueKeysWithValues: series.map { ($0["label"] as! String, $0) })
            #expect(byLabel["2026-W32"]?["n"] as? Int == 2 && byLabel["2026-W32"]?["index"] as? Double == 50)
            #expect(byLabel["2026-W33"]?["n"] as? Int == 0 && byLabel["2026-W33"]?["index"] is NSNull)
            #expect(byLabel["2026-W34"]?["index"] as? Double == 100)
            #expect(series.last?["to"] as? String == "2026-08-31")
            let monthly = try await get(client, "/api/v1/indices/trend?period=2026-08&agency=P.A&by=month", token: app.parToken)
            let months = try #require(monthly.json["series"] as? [[String: Any]])
            #expect(months.count == 1 && months[0]["n"] as? Int == 3 && months[0]["index"] as? Double == 66.67)
            #expect(
                try await get(client, "/api/v1/indices/trend?period=2026-08&agency=P.A&by=hour", token: app.parToken).status == .badRequest)
        }
    }

    @Test func aPublishedSnapshotNeverChangesAndPublishingAgainMakesANewVersion() async throws {
        try await AppHarness.run { app, client in
            let admin = try await app.fixture.directory.addToken(name: "Sở Nội vụ", role: .admin, agencyCode: "P")
            for index in 0..<4 {
                try await app.fixture.rate(
                    3, at: time("2026-08-0\(index + 1)T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "S-\(index)")
            }
            try await app.aggregate()
            func publish() async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/publications", method: .post, headers: [.authorization: "Bearer \(admin.token)"],
                    body: ByteBuffer(string: #"{"period":"2026-Q3","agency":"P"}"#))
            }
            let first = try await publish()
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["version"] as? Int == 1)
            let hash = try #require(first.json["content_hash"] as? String)
            let snapshot = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&published=latest", token: app.parToken)
            #expect(snapshot.status == .ok)
            #expect(sha256(snapshot.text) == hash)
            #expect(snapshot.json["published"] as? Bool == true)
            #expect((snapshot.json["publication"] as? [String: Any])?["version"] as? Int == 1)
            #expect(item(snapshot, "P")?["n"] as? Int == 4 && item(snapshot, "P.A")?["n"] as? Int == 4)

            // Later responses change the live figures, not the snapshot.
            try await app.fixture.rate(1, at: time("2026-08-20T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "S-9")
            try await app.aggregate()
            let live = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P", token: app.parToken)
            #expect(item(live, "P")?["n"] as? Int == 5)
            let again = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&published=1", token: app.parToken)
            #expect(again.text == snapshot.text)
            // Nobody can edit it, not even with SQL.
            await #expect(throws: (any Error).self) {
                try await app.db.query("UPDATE publications SET document = '{}'", logger: TestDatabase.logger)
            }
            await #expect(throws: (any Error).self) {
                try await app.db.query("DELETE FROM publications", logger: TestDatabase.logger)
            }
            let second = try await publish()
            #expect(second.json["version"] as? Int == 2 && second.json["content_hash"] as? String != hash)
            let latest = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&published=latest", token: app.parToken)
            #expect(item(latest, "P")?["n"] as? Int == 5)
            #expect(try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&published=1", token: app.parToken).text == snapshot.text)
            #expect(try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&published=3", token: app.parToken).status == .notFound)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'figures.publish'") == 2)
            // Only admin tokens publish.
            let refused = try await client.execute(
                uri: "/api/v1/publications", method: .post, headers: [.authorization: "Bearer \(app.parToken)"],
                body: ByteBuffer(string: #"{"period":"2026-Q3","agency":"P"}"#))
            #expect(refused.status == .forbidden)
        }
    }

    @Test func csvAndXlsxCarryTheSameFigures() async throws {
        try await AppHarness.run { app, client in
            for (index, level) in [3, 3, 2, 1].enumerated() {
                try await app.fixture.rate(
                    level, at: time("2026-08-0\(index + 1)T09:00:00+07:00"), source: app.fixture.sourceA(), dossier: "X-\(index)")
            }
            try await app.aggregate()
            let csv = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&depth=1&format=csv&headers=vi", token: app.parToken)
            #expect(csv.status == .ok)
            let lines = String(csv.text.dropFirst()).components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("Mã cơ quan,Tên cơ quan,"))
            let row = try #require(lines.first { $0.hasPrefix("P.A,") }).components(separatedBy: ",")
            #expect(row[2] == "4" && row[4] == "75.00")
            let xlsx = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&depth=1&format=xlsx", token: app.parToken)
            #expect(xlsx.status == .ok)
            #expect(xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-\(UUID()).xlsx")
            try Data(buffer: xlsx.body).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            guard ProcessInfo.processInfo.environment["HAILONG_SKIP_BROWSER"] != "1" else { return }
            let read = try Subprocess.run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    """
                    import openpyxl, sys
                    ws = openpyxl.load_workbook(sys.argv[1]).active
                    for row in ws.iter_rows(values_only=True):
                        if row[0] == 'P.A':
                            print(repr(row[1]), repr(row[2]), repr(row[4]))
                    """,
                    file.path,
                ])
            #expect(read.status == 0, "\(read.output)")
            #expect(read.output.contains("'Sở Tư pháp' 4 75"))
        }
    }

    @Test func theAgencyTreeAndAQuestionnaire() async throws {
        try await AppHarness.run { app, client in
            let tree = try await get(client, "/api/v1/agencies", token: app.parToken)
            #expect(tree.status == .ok)
            let roots = try #require(tree.json["agencies"] as? [[String: Any]])
            #expect(roots.map { $0["code"] as? String } == ["P"])
            let children = try #require(roots[0]["children"] as? [[String: Any]])
            #expect(Set(children.compactMap { $0["code"] as? String }) == ["P.A", "P.B"])
            let sipas = try await get(client, "/api/v1/questionnaires/sipas-5", token: app.parToken)
            #expect(sipas.status == .ok)
            #expect((sipas.json["sections"] as? [Any])?.count == 5)
            #expect(try await get(client, "/api/v1/questionnaires/nope", token: app.parToken).status == .notFound)
            let bad = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&methodology=nope", token: app.parToken)
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "methodology")
            let group = try await get(client, "/api/v1/indices?period=2026-Q3&agency=P&group=day", token: app.parToken)
            #expect(group.status == .badRequest && group.json["field"] as? String == "group")
        }
    }

    /// A live answer is kept under the figures version it was computed at and served again until an input changes:
    /// proven by changing the counts behind the server's back (no version bump: the kept answer still says n = 1),
    /// then by the changes that do bump it (an aggregator step, an agency renamed, a dossier fed).
    @Test func aKeptAnswerIsServedUntilAnInputOfTheFiguresChanges() async throws {
        try await AppHarness.run { app, client in
            let path = "/api/v1/indices?period=2026&agency=P.A"
            try await store(app, "kiosk-3", ["overall": 3], at: "2026-08-03T09:00:00+07:00", source: app.fixture.sourceA(), dossier: "HS-1")
            try await app.aggregate()
            let first = try await get(client, path, token: app.parToken)
            #expect(item(first, "P.A")?["n"] as? Int == 1)
            try await app.db.query("UPDATE fresh_counts SET n = n + 1")
            let kept = try await get(client, path, token: app.parToken)
            #expect(kept.text == first.text)
            // Another format or another scope is another answer, computed from the counts as they are now.
            let csv = try await get(client, path + "&format=csv", token: app.parToken)
            #expect(csv.text.contains("P.A,Sở Tư pháp,2,"))
            // An aggregator step that applied a response bumps the version: 2 (tampered) + 1.
            try await store(app, "kiosk-3", ["overall": 3], at: "2026-08-04T09:00:00+07:00", source: app.fixture.sourceA(), dossier: "HS-2")
            try await app.aggregate()
            #expect(item(try await get(client, path, token: app.parToken), "P.A")?["n"] as? Int == 3)
            // An idle aggregator step does not: the answer is kept.
            try await app.db.query("UPDATE fresh_counts SET n = n + 1")
            try await app.aggregate()
            #expect(item(try await get(client, path, token: app.parToken), "P.A")?["n"] as? Int == 3)
            // Directory changes bump it through their triggers.
            try await app.db.query("UPDATE agencies SET name = 'Sở Tư pháp tỉnh' WHERE code = 'P.A'")
            let renamed = try #require(item(try await get(client, path, token: app.parToken), "P.A"))
            #expect(renamed["name"] as? String == "Sở Tư pháp tỉnh" && renamed["n"] as? Int == 5)
            try await app.db.query(
                "INSERT INTO dossiers (code, agency_id, received_at) VALUES ('HS-9', \(app.fixture.agencyA.id), '2026-08-05T09:00:00+07')")
            let fed = try #require(item(try await get(client, path, token: app.parToken), "P.A"))
            #expect((fed["credibility"] as? [String: Any])?["dossiers"] as? Int == 1)
        }
    }
}

/// Hex SHA-256 of the text's UTF-8 bytes.
func sha256(_ text: String) -> String { SecretToken.hash(text) }
