import Foundation
import HaiLongCore
import HaiLongStore

/// The rows of the flag review page and of the complaints inbox. Up to 200 rows, each with a form, are written here in
/// Swift, escaped as the templates escape (`HTMLText`), and placed in their page's template as one `{{{…}}}` value:
/// rendered by Mustache they were most of those pages' time (72 % of the inbox's, measured with perf at 10M responses).
extension AdminPages {
    /// `dd/MM/yyyy HH:mm` in the province's time zone, from the zone's offset at that instant and the civil calendar's
    /// arithmetic (`LocalDate(dayNumber:)`): a `Calendar` for every date was a third of the review lists' rows.
    static func dateTime(_ date: Date, timeZone: TimeZone) -> String {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (dayNumber, secondOfDay) = second < 0 ? (days - 1, second + 86_400) : (days, second)
        let day = LocalDate(dayNumber: dayNumber)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let year = String(day.year)
        return two(day.day) + "/" + two(day.month) + "/" + String(repeating: "0", count: max(0, 4 - year.count)) + year + " "
            + two(secondOfDay / 3600) + ":" + two(secondOfDay % 3600 / 60)
    }

    /// The flag review page's sections: one per kiosk (or channel, for responses without one), its flagged taps in the
    /// order given, each flag with its state and, for an editor, its review buttons.
    static func flagSections(_ flagged: [FlaggedResponse], page: AdminController.AgencyPage, timeZone: TimeZone) -> String {
        let language = page.language
        func label(_ key: String) -> String { HTMLText.escape(text(key, language)) }
        let action = HTMLText.escape("\(page.base)/flags?\(page.query)")
        let csrf = HTMLText.escape(page.csrf)
        let head =
            "<table><thead><tr><th scope=\"col\">\(label("tapped_label"))</th><th scope=\"col\">\(label("received_label"))</th>"
            + "<th scope=\"col\">\(label("agency"))</th><th scope=\"col\">\(label("flags_label"))</th></tr></thead><tbody>\n"
        var html = ""
        html.reserveCapacity(flagged.count * 900)
        var section: String?
        for response in flagged {
            let kiosk = response.kiosk ?? text("channel_\(response.channel)", language)
            if kiosk != section {
                if section != nil { html += "</tbody></table></section>" }
                html += "<section class=\"panel\"><h2>\(HTMLText.escape(kiosk))</h2>\n" + head
                section = kiosk
            }
            let id = response.id.uuidString.lowercased()
            html += "<tr id=\"r-\(id)\"><td>\(dateTime(response.submittedAt, timeZone: timeZone))</td>"
            html += "<td>\(dateTime(response.receivedAt, timeZone: timeZone))</td><td>\(HTMLText.escape(response.agencyCode))</td><td>\n"
            for flag in response.flags where flag != .noDossier {
                let cleared = response.cleared.contains(flag)
                let confirmed = response.reviews[flag.rawValue] == "confirm" && !cleared
                let state = cleared ? "flag_state_cleared" : confirmed ? "flag_state_confirmed" : "flag_state_open"
                html += "<div class=\"flag\" data-flag=\"\(flag.rawValue)\"><span class=\"tag\">\(label("flag_\(flag.rawValue)"))</span>"
                html += " <span class=\"state\">\(label(state))</span>\n"
                if page.canEdit {
                    html +=
                        "<form class=\"inline\" method=\"post\" action=\"\(action)\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
                    html +=
                        "<input type=\"hidden\" name=\"response\" value=\"\(id)\"><input type=\"hidden\" name=\"flag\" value=\"\(flag.rawValue)\">"
                    if cleared {
                        html += "<button type=\"submit\" name=\"action\" value=\"restore\">\(label("restore"))</button>"
                    } else {
                        html += "<button type=\"submit\" name=\"action\" value=\"clear\">\(label("clear"))</button>"
                        if !confirmed { html += " <button type=\"submit\" name=\"action\" value=\"confirm\">\(label("confirm"))</button>" }
                    }
                    html += "</form>"
                }
                html += "</div>"
            }
            html += "\n</td></tr>\n"
        }
        if section != nil { html += "</tbody></table></section>" }
        return html
    }

    /// The complaints inbox's articles: when, where, who served, the status, the comment, the reasons chosen, the
    /// follow-up note when there is one, and for an editor the follow-up form (sent to the inbox's page `listQuery`, to
    /// come back to it) and the link that turns the complaint into a violation (`violationFrom` followed by the
    /// complaint's id).
    static func complaintArticles(
        _ complaints: [Complaint], page: AdminController.AgencyPage, listQuery: String, timeZone: TimeZone, violationFrom: String
    ) -> String {
        let language = page.language
        func label(_ key: String) -> String { HTMLText.escape(text(key, language)) }
        let action = HTMLText.escape("\(page.base)/complaints?\(listQuery)")
        let csrf = HTMLText.escape(page.csrf)
        let statuses = ComplaintStatus.allCases.map { ($0, label("status_\($0.rawValue)")) }
        var html = ""
        html.reserveCapacity(complaints.count * 1_500)
        for complaint in complaints {
            let id = complaint.id.uuidString.lowercased()
            let reasons = complaint.reasons.map { code in
                page.questionnaire.reasons.first { $0.code == code }.map { language == .vi ? $0.text.vi : $0.text.en } ?? code
            }
            let note = HTMLText.escape(complaint.note ?? "")
            html +=
                "<article class=\"complaint\" id=\"r-\(id)\">\n<p><strong>\(dateTime(complaint.submittedAt, timeZone: timeZone))</strong>"
            html += " · \(HTMLText.escape(complaint.agencyName)) · \(HTMLText.escape(complaint.counter ?? "–"))"
            html += " · \(HTMLText.escape(complaint.officer ?? "–")) · <span class=\"status status-\(complaint.status.rawValue)\">"
            html += "\(label("status_\(complaint.status.rawValue)"))</span></p>\n"
            html += "<p class=\"comment\">\(HTMLText.escape(complaint.comment))</p>\n"
            if !reasons.isEmpty { html += "<p>\(label("reasons_label")): \(HTMLText.escape(reasons.joined(separator: ", ")))</p>\n" }
            if complaint.note != nil {
                html += "<p><em>\(label("note_label")): \(note)</em> — \(HTMLText.escape(complaint.updatedBy ?? ""))</p>\n"
            }
            if page.canEdit {
                html += "<form method=\"post\" action=\"\(action)\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
                html += "<input type=\"hidden\" name=\"response\" value=\"\(id)\">\n"
                html += "<label for=\"status-\(id)\">\(label("status_label"))</label>\n<select id=\"status-\(id)\" name=\"status\">"
                for (status, name) in statuses {
                    html += "<option value=\"\(status.rawValue)\"\(status == complaint.status ? " selected" : "")>\(name)</option>"
                }
                html += "</select>\n<label for=\"note-\(id)\">\(label("note_label"))</label>"
                html += "<textarea id=\"note-\(id)\" name=\"note\" maxlength=\"1000\" rows=\"2\">\(note)</textarea>\n"
                html += "<button type=\"submit\">\(label("save"))</button></form>\n"
                html += "<p><a class=\"to-violation\" href=\"\(HTMLText.escape(violationFrom + id))\">\(label("to_violation"))</a></p>\n"
            }
            html += "</article>\n"
        }
        return html
    }

    /// The inbox's pager: which complaints the page shows (numbered from `start`), a link back to the newest when the
    /// page is not the first, and one to the older complaints when there are more.
    static func complaintsPager(start: Int, shown: Int, newest: String?, older: String?, language: Language) -> [String: Any] {
        let range = text("complaints_pager", language).replacingOccurrences(of: "{first}", with: whole(start, language))
            .replacingOccurrences(of: "{last}", with: whole(start + shown - 1, language))
        return pager(
            shown > 0 ? range : "", previous: newest, next: older, previousLabel: "pager_newest", nextLabel: "pager_older",
            language: language)
    }
}
