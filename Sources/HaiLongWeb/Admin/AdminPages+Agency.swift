import Foundation
import HaiLongCore
import HaiLongStore

/// The agency page's figures turned into what its template shows: formatted numbers, the charts, the tables.
struct AgencyView {
    var language: Language
    var questionnaire: Questionnaire
    var item: IndexItem?
    var officers: [IndexItem]
    var trend: [Trend.Point]
    var heat: [HeatCell]
    var timeZone: TimeZone

    static let officerRows = 100

    /// The reasons' shares, largest first; equal shares in the order the kiosk offers them, so that the chart reads the
    /// same on every reload (the shares come in a dictionary, whose order differs from one process to the next).
    static func reasonBars(_ shares: [String: Double], _ questionnaire: Questionnaire) -> [(key: String, value: Double)] {
        let position = Dictionary(questionnaire.reasons.enumerated().map { ($1.code, $0) }, uniquingKeysWith: min)
        return shares.sorted { ($0.value, position[$1.key] ?? .max, $1.key) > ($1.value, position[$0.key] ?? .max, $0.key) }
    }

    func number(_ value: Double?) -> String { AdminPages.number(value, language) }

    func text(_ localized: LocalizedText) -> String { language == .vi ? localized.vi : localized.en }

    var values: [String: Any] {
        var values: [String: Any] = [:]
        if let item {
            values["summary"] = AdminPages.row(item, language)
            values["has_summary"] = true
            values["mean"] = number(item.mean)
            values["excluded"] = item.excluded
        }
        let t = { (key: String) in AdminPages.text(key, language) }
        values["trend_svg"] = SVGChart.line(
            trend.map { SVGChart.Point(label: $0.label, value: $0.index, low: $0.ci95?[0], high: $0.ci95?[1]) },
            title: t("trend_title"))
        values["trend_rows"] = trend.filter { $0.n > 0 }.map {
            [
                "label": $0.label, "n": AdminPages.whole($0.n, language), "index": number($0.index),
                "ci": $0.ci95.map { "\(number($0[0]))–\(number($0[1]))" } ?? "–",
            ]
        }
        values["elements_svg"] = breakdown
        values["has_breakdown"] = breakdown != nil
        let reasons = Self.reasonBars(item?.reasons ?? [:], questionnaire).map { code, share in
            (label: questionnaire.reasons.first { $0.code == code }.map { text($0.text) } ?? code, value: share)
        }
        values["has_reasons"] = !reasons.isEmpty
        values["reasons_svg"] = SVGChart.bars(reasons, title: t("reasons_title"), decimalComma: language == .vi)
        // Ranked first, then the rest by name; a province has thousands of officers: the page shows the first 100.
        let ranked = officers.sorted { ($0.rank ?? Int.max, $0.group?.name ?? "") < ($1.rank ?? Int.max, $1.group?.name ?? "") }
        if ranked.count > Self.officerRows {
            values["officers_more_text"] = t("officers_more").replacingOccurrences(of: "{shown}", with: String(Self.officerRows))
                .replacingOccurrences(of: "{total}", with: String(ranked.count))
        }
        values["officers"] = ranked.prefix(Self.officerRows)
            .map { officer -> [String: Any] in
                [
                    "badge": officer.group?.code ?? "", "name": officer.group?.name ?? "", "n": AdminPages.whole(officer.n, language),
                    "rank": officer.rank.map(String.init) ?? "–", "hidden": officer.hidden, "index": number(officer.index),
                    "ci": officer.ci95.map { "\(number($0[0]))–\(number($0[1]))" } ?? "–",
                ]
            }
        values["has_officers"] = !officers.isEmpty
        let weekdays = (language == .vi ? ["T2", "T3", "T4", "T5", "T6", "T7", "CN"] : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        let busiest = Double(heat.map(\.n).max() ?? 0)
        let firstHour = min(heat.map(\.hour).min() ?? 7, 7)
        let lastHour = max(heat.map(\.hour).max() ?? 17, 17)
        values["heat_count_svg"] = SVGChart.heatmap(
            heat, value: { Double($0.n) }, maximum: busiest, title: t("heat_count"), weekdays: weekdays, hours: firstHour...lastHour)
        values["heat_low_svg"] = SVGChart.heatmap(
            heat, value: { $0.n > 0 ? 100 * Double($0.notSatisfied) / Double($0.n) : nil }, maximum: 100, title: t("heat_low"),
            weekdays: weekdays, hours: firstHour...lastHour)
        values["has_heat"] = !heat.isEmpty
        if let credibility = item?.credibility {
            values["has_credibility"] = true
            values["credibility"] =
                [
                    "response_rate": credibility.response_rate.map { number($0) + " %" } ?? t("no_dossiers"),
                    "low_share": credibility.low_share.map { number($0) + " %" } ?? "–",
                    "excluded_share": credibility.excluded_share.map { number($0) + " %" } ?? "–",
                    "gap": credibility.kiosk_web_gap.map { ($0 > 0 ? "+" : "") + number($0) } ?? "–",
                    "by_flag": credibility.excluded_by_flag.sorted { $0.key < $1.key }.map {
                        ["flag": t("flag_\($0.key)"), "n": $0.value]
                    },
                ] as [String: Any]
        }
        return values
    }

    /// Elements (SIPAS) or criteria as bars, when there is more than one to compare.
    var breakdown: String? {
        let title = AdminPages.text("elements_title", language)
        if let elements = item?.elements, elements.count > 1 {
            let bars = questionnaire.sections.compactMap { section in elements[section.code].map { (label: text(section.title), value: $0) }
            }
            return SVGChart.bars(bars, title: title, decimalComma: language == .vi)
        }
        if let criteria = item?.criteria, criteria.count > 1 {
            let bars = questionnaire.questions.compactMap { question in
                criteria[question.code].map { (label: text(question.text), value: $0) }
            }
            return SVGChart.bars(bars, title: title, decimalComma: language == .vi)
        }
        return nil
    }
}

extension AdminPages {
    /// The kiosk table of an agency page, at most five seconds old (`AdminController.kioskTable`): those needing
    /// attention first, as the store lists them. Its rows (up to 100) are written here and escaped by `HTMLText`, as the
    /// review lists' are: rendered through Mustache they were a fifth of a province page's time.
    static func kioskRows(_ listed: KioskTable, language: Language, timeZone: TimeZone) -> [String: Any] {
        var rows = ""
        rows.reserveCapacity(listed.kiosks.count * 160)
        for kiosk in listed.kiosks {
            let status = text(kiosk.active ? (kiosk.silent ? "kiosk_silent" : "kiosk_ok") : "kiosk_revoked", language)
            let cells = [
                kiosk.label.isEmpty ? "#\(kiosk.id)" : kiosk.label, kiosk.agencyCode, kiosk.counter ?? "–",
            ].map { "<td>\(HTMLText.escape($0))</td>" }
            rows += "<tr>" + cells.joined() + "<td\(kiosk.attention ? " class=\"warn\"" : "")>\(HTMLText.escape(status))</td>"
            rows += "<td>\(kiosk.lastSeenAt.map { dateTime($0, timeZone: timeZone) } ?? "–")</td>"
            rows += "<td class=\"num\">\(kiosk.queueLength.map(String.init) ?? "–")</td>"
            rows += "<td>\(HTMLText.escape(kiosk.appVersion ?? "–"))</td></tr>\n"
        }
        var values: [String: Any] = ["has_kiosks": !listed.kiosks.isEmpty, "kiosk_rows": rows]
        if listed.total > listed.kiosks.count {
            values["kiosks_more_text"] = text("kiosks_more", language).replacingOccurrences(
                of: "{shown}", with: String(listed.kiosks.count)
            )
            .replacingOccurrences(of: "{total}", with: String(listed.total))
            .replacingOccurrences(of: "{attention}", with: String(listed.attention))
        }
        return values
    }

    /// A figure in the page's language (Vietnamese: decimal comma), "–" when there is none.
    static func number(_ value: Double?, _ language: Language) -> String {
        guard let value else { return "–" }
        // Every figure a page shows is rounded to two decimals first: such a value is a whole number of cents, written
        // here without `String(format:)` (a tenth of the overview's time). Anything else is left to printf's rounding.
        let cents = (value * 100).rounded(.toNearestOrEven)
        guard abs(value * 100 - cents) < 1e-6, abs(cents) < 1e15, cents != 0 || value.sign == .plus else {
            let text = String(format: "%.2f", value)
            return language == .vi ? text.replacingOccurrences(of: ".", with: ",") : text
        }
        let magnitude = Int(cents).magnitude
        let fraction = magnitude % 100
        return (cents < 0 ? "-" : "") + String(magnitude / 100) + (language == .vi ? "," : ".") + (fraction < 10 ? "0" : "")
            + String(fraction)
    }

    /// A count in the page's language, its thousands grouped: 6.252 in Vietnamese, 6,252 in English.
    static func whole(_ value: Int, _ language: Language) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { grouped.append(language == .vi ? "." : ",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
