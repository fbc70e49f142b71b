import Foundation
import HaiLongCore
import Mustache
import Testing

@testable import HaiLongStore
@testable import HaiLongWeb

/// The flag review page's sections and the complaints inbox's articles are written in Swift (`AdminPages+ReviewLists`):
/// their text must be escaped exactly as the templates escape, their dates written as a `Calendar` would, and each
/// row must carry what the reviewer acts on — the right state, the right buttons, and a form only for an editor.
@Suite struct ReviewListHTMLTests {
    @Test func textIsEscapedAsMustacheEscapesIt() throws {
        let template = try MustacheTemplate(string: "{{value}}")
        var samples = [
            "", "Chờ lâu, cán bộ không chào hỏi.", "<script>alert('x')</script>", "A & B \"quoted\" > less <", "'", "&amp;",
            "Nguyễn Thị Ánh — 👩🏻‍💼 ở quầy 3", "e\u{301} combining", "\u{0}\n\t",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aăâbờđ&<>\"' \n👍🏽e\u{301}")
        for _ in 0..<2_000 {
            samples.append(String((0..<Int.random(in: 0..<24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for sample in samples {
            #expect(HTMLText.escape(sample) == template.render(["value": sample]), "\(sample.debugDescription)")
        }
    }

    @Test func datesAreWrittenAsACalendarWritesThem() throws {
        let zones = try ["Asia/Ho_Chi_Minh", "UTC", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns"].map {
            try #require(TimeZone(identifier: $0))
        }
        var generator = SystemRandomNumberGenerator()
        // Around the epoch, DST changes of 2026 in New York, and random instants from 1950 to 2100 (with fractions).
        var instants: [Double] = [0, -1, -0.5, 59.999, 86_399.9, 1_772_953_199, 1_772_953_200, 1_793_512_799, 1_793_512_800]
        for _ in 0..<5_000 { instants.append(Double.random(in: -631_152_000...4_102_444_800, using: &generator)) }
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for instant in instants {
                let date = Date(timeIntervalSince1970: instant)
                let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                let expected = String(
                    format: "%02d/%02d/%04d %02d:%02d", p.day ?? 0, p.month ?? 0, p.year ?? 0, p.hour ?? 0, p.minute ?? 0)
                #expect(AdminPages.dateTime(date, timeZone: zone) == expected, "\(instant) in \(zone.identifier)")
            }
        }
    }

    static let hanoi = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    static func page(_ role: UserRole, language: Language = .vi) throws -> AdminController.AgencyPage {
        let questionnaire = Questionnaire(
            code: "kiosk-3", version: 1, kind: .kiosk, title: LocalizedText(vi: "Kiosk", en: "Kiosk"),
            scale: Scale(min: 1, max: 3, satisfied: [3], labels: []), sections: [],
            reasons: [ReasonOption(code: "wait", text: LocalizedText(vi: "Chờ <lâu>", en: "Long wait"))], reasonsAtMost: 1)
        return AdminController.AgencyPage(
            language: language, user: AdminUser(id: 1, username: "tuphap", role: role, agencyID: 1), csrf: "c\"s&rf",
            agency: Agency(id: 1, code: "P.A&B", name: "Sở Tư pháp", kind: "department", parentID: nil),
            period: try Period.parse("2026-03"), questionnaire: questionnaire)
    }

    static func complaint(status: ComplaintStatus, note: String?, reasons: [String]) -> Complaint {
        Complaint(
            id: UUID(), agencyCode: "P.A", agencyName: "Sở <Tư> pháp", counter: nil, officer: "B-1 Nguyễn Văn An",
            submittedAt: Date(timeIntervalSince1970: 1_773_000_000), comment: "<b>Chờ lâu</b> & \"không\" chào", reasons: reasons,
            status: status, note: note, updatedBy: note == nil ? nil : "tuphap")
    }

    @Test func aComplaintShowsItsNoteAndReasonsOnlyWhenItHasThem() throws {
        let bare = Self.complaint(status: .new, note: nil, reasons: [])
        let followed = Self.complaint(status: .followingUp, note: "Đã gọi <lại>", reasons: ["wait", "other"])
        let html = AdminPages.complaintArticles(
            [bare, followed], page: try Self.page(.agencyAdmin), listQuery: "period=2026-03&questionnaire=kiosk-3&lang=vi&status=new",
            timeZone: Self.hanoi, violationFrom: "/v?complaint=")
        let articles = html.components(separatedBy: "</article>").dropLast()
        #expect(articles.count == 2)
        let (first, second) = (articles[0], articles[1])
        #expect(first.contains("id=\"r-\(bare.id.uuidString.lowercased())\"") && first.contains("<strong>09/03/2026 03:00</strong>"))
        #expect(first.contains("&lt;b&gt;Chờ lâu&lt;/b&gt; &amp; &quot;không&quot; chào") && !first.contains("<b>"))
        #expect(first.contains("Sở &lt;Tư&gt; pháp · – · B-1 Nguyễn Văn An"))
        #expect(!first.contains("Còn thiếu") && !first.contains("<em>"), "no reasons or note line without them")
        #expect(first.contains("<option value=\"new\" selected>") && !first.contains("value=\"following_up\" selected"))
        #expect(second.contains("<p>Còn thiếu: Chờ &lt;lâu&gt;, other</p>"))
        #expect(second.contains("<p><em>Ghi chú: Đã gọi &lt;lại&gt;</em> — tuphap</p>"))
        #expect(second.contains("<option value=\"following_up\" selected>") && !second.contains("value=\"new\" selected"))
        #expect(second.contains(">Đã gọi &lt;lại&gt;</textarea>"))
        #expect(
            second.contains(
                "action=\"/admin/agencies/P.A%26B/complaints?period=2026-03&amp;questionnaire=kiosk-3&amp;lang=vi&amp;status=new\""))
        #expect(second.contains("name=\"csrf\" value=\"c&quot;s&amp;rf\""))
        #expect(second.contains("href=\"/v?complaint=\(followed.id.uuidString.lowercased())\""))
        let viewer = AdminPages.complaintArticles(
            [followed], page: try Self.page(.viewer), listQuery: "", timeZone: Self.hanoi, violationFrom: "/v?complaint=")
        #expect(viewer.contains("Đã gọi &lt;lại&gt;") && !viewer.contains("<form") && !viewer.contains("to-violation"))
        #expect(
            AdminPages.complaintArticles([], page: try Self.page(.agencyAdmin), listQuery: "", timeZone: Self.hanoi, violationFrom: "")
                .isEmpty)
    }

    static func flagged(kiosk: String?, flags: [Flag], cleared: [Flag] = [], reviews: [String: String] = [:]) -> FlaggedResponse {
        FlaggedResponse(
            id: UUID(), agencyCode: "P.A", kiosk: kiosk, channel: "web", submittedAt: Date(timeIntervalSince1970: 1_773_000_000),
            receivedAt: Date(timeIntervalSince1970: 1_773_000_061), flags: flags, cleared: cleared, reviews: reviews)
    }

    @Test func flaggedTapsAreGroupedByKioskWithTheirStatesAndButtons() throws {
        let open = Self.flagged(kiosk: "Quầy <1>", flags: [.rapidRepeat, .noDossier])
        let cleared = Self.flagged(kiosk: "Quầy <1>", flags: [.rapidRepeat], cleared: [.rapidRepeat], reviews: ["rapid_repeat": "clear"])
        let confirmed = Self.flagged(kiosk: "Quầy 2", flags: [.rapidRepeat], reviews: ["rapid_repeat": "confirm"])
        let web = Self.flagged(kiosk: nil, flags: [.rapidRepeat])
        let html = AdminPages.flagSections([open, cleared, confirmed, web], page: try Self.page(.agencyAdmin), timeZone: Self.hanoi)
        let sections = html.components(separatedBy: "<section class=\"panel\">").dropFirst()
        #expect(sections.map { $0.components(separatedBy: "</h2>")[0] } == ["<h2>Quầy &lt;1&gt;", "<h2>Quầy 2", "<h2>Khảo sát web"])
        #expect(sections.allSatisfy { $0.hasSuffix("</tbody></table></section>") && $0.contains("<th scope=\"col\">Thời điểm bấm</th>") })
        func row(_ response: FlaggedResponse) throws -> String {
            let id = response.id.uuidString.lowercased()
            let start = try #require(html.range(of: "<tr id=\"r-\(id)\">"))
            return String(html[start.lowerBound...]).components(separatedBy: "</tr>")[0]
        }
        let first = try row(open)
        #expect(first.contains("<td>09/03/2026 03:00</td><td>09/03/2026 03:01</td><td>P.A</td>"))
        #expect(first.contains("data-flag=\"rapid_repeat\"") && !first.contains("no_dossier") && first.contains("chưa xem xét"))
        #expect(first.contains("value=\"clear\"") && first.contains("value=\"confirm\"") && !first.contains("value=\"restore\""))
        let second = try row(cleared)
        #expect(second.contains("đã gỡ — phiếu được tính") && second.contains("value=\"restore\"") && !second.contains("value=\"clear\""))
        let third = try row(confirmed)
        #expect(third.contains("đã xác nhận") && third.contains("value=\"clear\"") && !third.contains("value=\"confirm\""))
        let kioskOne = try #require(sections.first)
        #expect(kioskOne.contains(first) && kioskOne.contains(second) && !kioskOne.contains(third))
        let viewer = AdminPages.flagSections([open], page: try Self.page(.viewer), timeZone: Self.hanoi)
        #expect(viewer.contains("chưa xem xét") && !viewer.contains("<form"))
        #expect(AdminPages.flagSections([], page: try Self.page(.agencyAdmin), timeZone: Self.hanoi).isEmpty)
    }
}
