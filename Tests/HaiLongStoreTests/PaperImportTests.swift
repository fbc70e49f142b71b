import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// `PaperImporter`: paper SIPAS forms typed into a CSV file and stored with channel `paper`.
@Suite struct PaperImportTests {
    /// When the forms are typed in: months after they were filled in.
    static let receivedAt = time("2026-11-23T10:00:00+07:00")

    static let header = "questionnaire,agency,officer,dossier,submitted_at,answers,comment"

    /// Three good forms: a SIPAS form for a known officer and dossier, a kiosk-3 slip with reasons, and a SIPAS form
    /// for an unknown badge on the same dossier.
    static let goodRows = """
        sipas-5,P.A,B-1,HS-0001,2026-03-15T09:30:00+07:00,"{""tiep_can.1"":5,""tiep_can.2"":4,""cong_chuc.1"":5,""ket_qua.1"":4}",Cán bộ nhiệt tình
        kiosk-3,P.B,,,2026-03-16T14:05:00+07:00,"{""overall"":1,""reasons"":[""xin_loi"",""luon_lang_nghe""]}",Chờ lâu quá
        sipas-5,P.A,B-999,HS-0001,2026-03-15T10:00:00+07:00,"{""thu_tuc.3"":2,""pakn.1"":3}",
        """

    func importer(_ client: PostgresClient) -> PaperImporter {
        PaperImporter(client: client, logger: TestDatabase.logger)
    }

    /// The stored paper responses, ordered by tap time: officer badge, officer id set, dossier linked, answers, flags, tap.
    func stored(_ client: PostgresClient) async throws -> [(String?, Bool, Bool, String, [String], Date, String?)] {
        let rows = try await client.query(
            """
            SELECT officer_badge, officer_id IS NOT NULL, dossier_id IS NOT NULL, answers::text, flags, submitted_at, comment
            FROM responses WHERE channel = 'paper' ORDER BY submitted_at
            """, logger: TestDatabase.logger)
        var result: [(String?, Bool, Bool, String, [String], Date, String?)] = []
        for try await row in rows.decode((String?, Bool, Bool, String, [String], Date, String?).self) { result.append(row) }
        return result
    }

    @Test func aGoodFileIsStoredInOneGoWithChannelPaperAndTheAPIsFlags() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            _ = try await PostgresDossierStore(client: client, logger: TestDatabase.logger)
                .record(Dossier(code: "HS-0001", officerBadge: "B-1"), agencyID: fixture.agencyA.id)
            let report = try await importer(client).run(csv: Self.header + "\n" + Self.goodRows + "\n", receivedAt: Self.receivedAt)
            #expect(report.errors == [])
            #expect((report.accepted, report.stored, report.alreadyStored) == (3, 3, 0))
            #expect(report.tapRange == time("2026-03-15T09:30:00+07:00")...time("2026-03-16T14:05:00+07:00"))
            #expect(report.flags == [.late: 3, .noDossier: 1, .unknownOfficer: 1, .duplicateDossier: 1])
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 3)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 3)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE received_at = '2026-11-23T03:00:00Z'") == 3)
            let rows = try await stored(client)
            try #require(rows.count == 3)
            // The first form: officer and dossier known; informational `late` only (typed in months later).
            #expect(rows[0].0 == "B-1" && rows[0].1 && rows[0].2)
            #expect(rows[0].3 == #"{"ket_qua.1": 4, "tiep_can.1": 5, "tiep_can.2": 4, "cong_chuc.1": 5}"#)
            #expect(rows[0].4 == ["late"])
            #expect(rows[0].5 == time("2026-03-15T09:30:00+07:00"))
            #expect(rows[0].6 == "Cán bộ nhiệt tình")
            // The same dossier again on paper, by a badge the agency does not have: kept, flagged like the API.
            #expect(rows[1].0 == "B-999" && !rows[1].1 && rows[1].2)
            #expect(rows[1].4 == ["duplicate_dossier", "late", "unknown_officer"])
            #expect(rows[1].6 == nil)
            // The kiosk-3 slip: reasons kept, no dossier.
            #expect(rows[2].3 == #"{"overall": 1, "reasons": ["luon_lang_nghe", "xin_loi"]}"#)
            #expect(rows[2].4 == ["late", "no_dossier"])
            #expect(
                try await scalar(
                    client, "SELECT count(*) FROM responses r JOIN agencies a ON a.id = r.agency_id WHERE a.code = 'P.B'") == 1)
        }
    }

    @Test func oneBadRowStoresNothingUnlessPartial() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            let csv =
                Self.header + "\n" + Self.goodRows + "\n"
                + #"kiosk-3,P.A,B-1,,2026-03-17T08:00:00+07:00,"{""overall"":4}",Rất tốt"# + "\n"
            let strict = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt)
            #expect(strict.errors.map(\.description) == ["row 5, answers: overall must be an integer from 1 to 3"])
            #expect((strict.accepted, strict.stored, strict.alreadyStored) == (3, 0, 0))
            #expect(strict.heldBack)
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 0)

            let partial = try await importer(client).run(csv: csv, partial: true, receivedAt: Self.receivedAt)
            #expect(partial.errors.map(\.description) == ["row 5, answers: overall must be an integer from 1 to 3"])
            #expect((partial.accepted, partial.stored, partial.alreadyStored) == (3, 3, 0))
            #expect(!partial.heldBack)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE channel = 'paper'") == 3)

            // The bad row fixed, the whole file again: only that row is new.
            let fixed = csv.replacingOccurrences(of: #"""overall"":4"#, with: #"""overall"":3"#)
            let again = try await importer(client).run(csv: fixed, receivedAt: Self.receivedAt)
            #expect(again.errors == [])
            #expect((again.stored, again.alreadyStored) == (1, 3))
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 4)
        }
    }

    @Test func reimportingStoresNothingTwiceButIdenticalFormsInOneFileBothCount() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            // Two identical slips in one minute (plausible at a busy counter), written in different key order and spacing.
            let csv =
                Self.header + "\n" + Self.goodRows + "\n"
                + #"kiosk-3,P.B,,,2026-03-16T15:00:00+07:00,"{""overall"":3}","# + "\n"
                + #"kiosk-3 , P.B ,,,2026-03-16T08:00:00Z,"{ ""overall"" : 3 }","# + "\n"
            let first = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt)
            #expect(first.errors == [])
            #expect((first.stored, first.alreadyStored) == (5, 0))
            let second = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt.addingTimeInterval(3600))
            #expect((second.stored, second.alreadyStored) == (0, 5))
            #expect(second.flags == [:])
            // The same forms in another file, in another order, with a BOM and CRLF line ends: still nothing new.
            let lines = csv.split(separator: "\n").map(String.init)
            let reordered = "\u{FEFF}" + ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\r\n") + "\r\n"
            let third = try await importer(client).run(csv: reordered, receivedAt: Self.receivedAt.addingTimeInterval(7200))
            #expect(third.errors == [])
            #expect((third.stored, third.alreadyStored) == (0, 5))
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 5)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 5)
            #expect(
                try await scalar(client, "SELECT count(*) FROM responses WHERE submitted_at = '2026-03-16T08:00:00Z'") == 2)
        }
    }

    @Test func aByteOrderMarkAndAQuotedCommentWithACommaAndANewline() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            let csv =
                "\u{FEFF}" + Self.header + "\r\n"
                + "sipas-5,P.A,B-1,HS-0042,2026-03-15T09:30:00+07:00,\"{\"\"cong_chuc.2\"\":4}\","
                + "\"Hướng dẫn rõ ràng, nhanh chóng.\r\nĐề nghị thêm ghế chờ \"\"tầng 1\"\".\"\r\n"
            let report = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt)
            #expect(report.errors == [])
            #expect(report.stored == 1)
            let rows = try await stored(client)
            #expect(rows.first?.6 == "Hướng dẫn rõ ràng, nhanh chóng.\nĐề nghị thêm ghế chờ \"tầng 1\".")
            #expect(rows.first?.3 == #"{"cong_chuc.2": 4}"#)
            // An unknown dossier code is kept as given, unlinked (like the API).
            #expect(rows.first.map { !$0.2 } == true)
        }
    }

    @Test func eachBadRowIsReportedWithItsColumn() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            let long = String(repeating: "ý", count: 1001)
            let csv = """
                \(Self.header)
                sipas-5,NOPE,,,2026-03-15T09:30:00+07:00,"{""tiep_can.1"":5}",
                sipas-5,P.A,,,2026-03-15T09:30:00+07:00,"{""tiep_can.1"":6}",
                sipas-5,P.A,,,15/03/2026 09:30,"{""tiep_can.1"":5}",
                sipas-5,P.A,,,2026-03-15T09:30:00,"{""tiep_can.1"":5}",
                sipas-5,P.A,,,2026-11-23T10:10:00+07:00,"{""tiep_can.1"":5}",
                sipas-9,P.A,,,2026-03-15T09:30:00+07:00,"{""tiep_can.1"":5}",
                sipas-5,P.A,,,2026-03-15T09:30:00+07:00,{tiep_can.1: 5},
                sipas-5,P.A,,,2026-03-15T09:30:00+07:00,"{""tiep_can.9"":5}",
                kiosk-3,P.A,,,2026-03-15T09:30:00+07:00,"{""overall"":3,""reasons"":[""xin_loi""]}",
                kiosk-3,P.A,,,2026-03-15T09:30:00+07:00,"{""overall"":1,""reasons"":[""nhanh""]}",
                kiosk-3,P.A,,,2026-03-15T09:30:00+07:00,"{""overall"":2}",\(long)
                kiosk-3,,,,,,

                kiosk-3,P.A,,,2026-03-15T09:30:00+07:00,"{""overall"":2}",Tốt,thừa
                kiosk-3,NOPE,,,2026-03-15T09:30:00+07:00,"{""overall"":9}",
                kiosk-3,P.A,,,2026-03-15T09:30:00+07:00,"{""overall"":2}",Tốt
                """
            let report = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt)
            #expect(
                report.errors.map(\.description) == [
                    "row 2, agency: unknown agency 'NOPE'",
                    "row 3, answers: tiep_can.1 must be an integer from 1 to 5",
                    "row 4, submitted_at: must be an ISO 8601 time with an offset, like 2026-11-23T08:15:00+07:00",
                    "row 5, submitted_at: must be an ISO 8601 time with an offset, like 2026-11-23T08:15:00+07:00",
                    "row 6, submitted_at: is more than 5 minutes in the future",
                    "row 7, questionnaire: unknown questionnaire 'sipas-9'",
                    #"row 8, answers: is not a JSON object, like {"overall": 3} or {"tiep_can.1": 5, "tiep_can.2": 4}"#,
                    "row 9, answers: tiep_can.9 is not a question of sipas-5 v1",
                    "row 10, answers: reasons is only asked when the citizen is not satisfied",
                    "row 11, answers: reasons[0] must be one of: xin_chao, xin_loi, xin_cam_on, xin_phep, luon_mim_cuoi, "
                        + "luon_nhe_nhang, luon_lang_nghe, luon_giup_do, khac",
                    "row 12, comment: must be at most 1000 characters, got 1001",
                    "row 13, agency: is required (the agency's code)",
                    "row 13, submitted_at: is required",
                    "row 15, row: has more fields than the header's 7: put answers and comments containing commas in double quotes",
                    "row 16, agency: unknown agency 'NOPE'",
                    "row 16, answers: overall must be an integer from 1 to 3",
                ])
            #expect((report.accepted, report.stored) == (1, 0))
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 0)
        }
    }

    @Test func aBadHeaderIsReportedOnRowOne() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            let report = try await importer(client).run(
                csv: "questionnaire,agency,officer,submitted,answers,answers\nkiosk-3,P.A,,x,{},\n", receivedAt: Self.receivedAt)
            #expect(
                report.errors.map(\.description) == [
                    "row 1, submitted_at: the header has no 'submitted_at' column",
                    "row 1, submitted: unknown column (expected questionnaire,agency,officer,dossier,submitted_at,answers,comment)",
                    "row 1, answers: appears twice in the header",
                ])
            #expect(report.accepted == 0)
            let quotes = try await importer(client).run(csv: Self.header + "\nkiosk-3,\"P.A\"x,,\n", receivedAt: Self.receivedAt)
            #expect(quotes.errors.first?.row == 1 && quotes.errors.first?.column == "file")
        }
    }

    @Test func semicolonSeparatedFilesFromAVietnameseExcelAreRead() async throws {
        try await withTestDatabase { client in
            _ = try await Fixture.make(client)
            let csv = """
                \u{FEFF}questionnaire;agency;officer;dossier;submitted_at;answers;comment
                kiosk-3;P.A;B-1;;2026-03-15T09:30:00+07:00;"{""overall"":2,""reasons"":[]}";Được, cảm ơn
                """
            let report = try await importer(client).run(csv: csv, receivedAt: Self.receivedAt)
            #expect(report.errors == [])
            #expect(report.stored == 1)
            #expect(try await stored(client).first?.6 == "Được, cảm ơn")
        }
    }
}
