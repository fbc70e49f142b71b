import Foundation
import HaiLongCore
import HaiLongStore

/// The yearly reports on the overview, for the people who owe one: an agency's admin whose agency owes the province a
/// report of the current year sees its deadline, the days left (or overdue) and where it stands; an admin of a province
/// sees the consolidated report's the same way, and, like a system admin, how many of the province's agencies have
/// submitted (and how many were accepted) with a link to the status page. Viewers owe nothing and see nothing.
extension AdminController {
    /// The overview's notices: `owed`, the reports the caller's agency owes; `tallies`, one per province the caller
    /// speaks for.
    func overviewReportNotices(for user: AdminUser, language: Language) async throws -> (owed: [[String: Any]], tallies: [[String: Any]]) {
        guard user.role == .admin || user.role == .agencyAdmin else { return ([], []) }
        let today = LocalDate(Date(), in: report.timeZone)
        guard let scope = user.agencyID else {
            var tallies: [[String: Any]] = []
            for province in try await directory.roots() {
                tallies.append(try await reportTally(province, year: today.year, today: today, within: nil, language: language))
            }
            return ([], tallies)
        }
        guard let own = try await directory.agency(id: scope) else { return ([], []) }
        guard let parentID = own.parentID else {
            let owed = try await owedReport(own, kind: .consolidated, province: own, today: today, language: language)
            let tally = try await reportTally(own, year: today.year, today: today, within: own, language: language)
            return ([owed], [tally])
        }
        // Only the province's direct children owe it a report (`PostgresReportStore.standings`).
        guard let parent = try await directory.agency(id: parentID), parent.parentID == nil else { return ([], []) }
        return ([try await owedReport(own, kind: .agency, province: parent, today: today, language: language)], [])
    }

    /// The report `agency` owes for the current year: its deadline, the days left while it is not sent, its status.
    func owedReport(_ agency: Agency, kind: ReportKind, province: Agency, today: LocalDate, language: Language) async throws
        -> [String: Any]
    {
        let store = dashboard.accountability.reports
        let deadlines = try await store.deadlines(province: province)
        let standing = try await store.standing(agency: agency, year: today.year, kind: kind, within: agency)
        let sent = standing.latest?.submittedAt != nil
        let left = deadlines.daysLeft(kind, year: today.year, today: today)
        var values: [String: Any] = [
            "path": CodeText.escaped(agency.code), "year": today.year, "state": standing.state,
            "title": Self.filled(
                AdminPages.text(kind == .agency ? "yearly_owed" : "yearly_consolidated_owed", language), ["year": String(today.year)]),
            "due": Self.dayText(deadlines.due(kind, year: today.year)),
            "status": AdminPages.text("yearly_state_\(standing.state)", language), "late": !sent && left < 0,
        ]
        // Once sent, the days left no longer matter (and "overdue" would read as a reproach).
        if !sent { values["days_left"] = Self.daysLeftText(left, language) }
        return values
    }

    /// How many of `province`'s agencies have submitted their report of `year`, with the agencies' deadline.
    func reportTally(_ province: Agency, year: Int, today: LocalDate, within scope: Agency?, language: Language) async throws
        -> [String: Any]
    {
        let store = dashboard.accountability.reports
        let tally = try await store.tally(province: province, year: year, within: scope)
        let deadlines = try await store.deadlines(province: province)
        return [
            "code": province.code, "name": province.name, "year": year,
            "title": Self.filled(AdminPages.text("yearly_status_link", language), ["year": String(year)]),
            "counts": Self.filled(
                AdminPages.text("yearly_tally", language),
                ["submitted": String(tally.submitted), "total": String(tally.total), "accepted": String(tally.accepted)]),
            "submitted": tally.submitted, "accepted": tally.accepted, "total": tally.total,
            "due": Self.dayText(deadlines.due(.agency, year: year)),
            "days_left": Self.daysLeftText(deadlines.daysLeft(.agency, year: year, today: today), language),
        ]
    }

    /// "còn 12 ngày" / "12 days left", "hạn hôm nay" / "due today", "quá hạn 3 ngày" / "3 days overdue".
    static func daysLeftText(_ days: Int, _ language: Language) -> String {
        let key =
            switch days {
            case 1: "yearly_day_left"
            case 2...: "yearly_days_left"
            case 0: "yearly_due_today"
            case -1: "yearly_day_overdue"
            default: "yearly_days_overdue"
            }
        return filled(AdminPages.text(key, language), ["days": String(abs(days))])
    }

    /// `text` with each `{name}` replaced by its value, in one pass (a value is never read as a placeholder).
    static func filled(_ text: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += values[String(rest[rest.index(after: open)..<close])] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
