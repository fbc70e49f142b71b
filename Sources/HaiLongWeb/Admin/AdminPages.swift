import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import Hummingbird
import Mustache

/// The administrators' pages: the Mustache templates in `Resources/templates/admin` (every `{{value}}` is HTML-escaped)
/// and their text in `Resources/locales` (parts `admin` and `manage`), Vietnamese first, English second, with their
/// security headers: a CSP without inline scripts, no framing, no sniffing, no referrer to other sites, never cached,
/// and HSTS when served over TLS.
enum AdminPages {
    static let library = MustacheLibrary.pages("admin")

    /// The pages' style sheet, `Resources/public/admin/admin.css`, which the layout inlines as `{{{stylesheet}}}` (the
    /// CSP allows inline styles, not inline scripts).
    static let stylesheet = WebResources.text("public/admin/admin.css")

    /// The text of the overview, agency, flags, complaints and audit pages and of sign-in.
    static let strings: [Language: [String: String]] = [.vi: WebResources.strings("admin", .vi), .en: WebResources.strings("admin", .en)]

    static func headers(secure: Bool) -> HTTPFields {
        var headers: HTTPFields = [
            .contentSecurityPolicy:
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "same-origin", .cacheControl: "no-store",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
        if secure { headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return headers
    }

    static func render(
        _ template: String, _ context: [String: Any], status: HTTPResponse.Status, secure: Bool, headers extra: HTTPFields = [:]
    ) -> Response {
        let html = library.page(template, context.merging(["stylesheet": stylesheet]) { $1 })
        var headers = headers(secure: secure)
        for field in extra { headers[field.name] = field.value }
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func context(_ language: Language) -> [String: Any] {
        var context: [String: Any] = (strings[language] ?? [:]).merging(manageStrings[language] ?? [:]) { $1 }
        context["lang"] = language.rawValue
        context["other_lang"] = language.other.rawValue
        return context
    }

    static func text(_ key: String, _ language: Language) -> String { strings[language]?[key] ?? manageStrings[language]?[key] ?? key }

    /// `HH:mm` in the province's time zone.
    static func clock(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// One overview line, numbers in the page's language (Vietnamese: decimal comma).
    static func row(_ item: IndexItem, _ language: Language) -> [String: Any] {
        func number(_ value: Double?) -> String { AdminPages.number(value, language) }
        var change = "–"
        if let previous = item.previous, let delta = previous.change {
            change = (delta > 0 ? "+" : "") + number(delta) + (previous.significant == true ? " *" : "")
        }
        return [
            "code": item.agency, "path": CodeText.escaped(item.agency), "name": item.name, "n": whole(item.n, language),
            "index": number(item.index),
            "ci": item.ci95.map { "\(number($0[0]))–\(number($0[1]))" } ?? "–",
            "sufficient": item.sufficient, "par": number(item.par_points), "change": change,
            "sort_index": item.sufficient ? (item.index ?? 101) : 200 + Double(item.n == 0 ? 1 : 0),
            "sort_name": item.name, "sort_n": Double(item.n), "sort_change": item.previous?.change ?? -1_000,
            "sort_par": item.par_points ?? -1,
        ]
    }

    /// The overview's sortable columns: the query value, the label's key, and the order a first click gives.
    static let overviewColumns: [(sort: String, label: String, descending: Bool)] = [
        ("name", "agency", false), ("n", "n", true), ("index", "index", false), ("ci", "ci", false),
        ("sufficient", "sufficient", false), ("par", "par", true), ("change", "change", false),
    ]

    /// Sorts overview rows by `column` (the worst index first by default); names in Vietnamese order.
    static func sort(_ rows: inout [[String: Any]], by column: String, descending: Bool) {
        let vietnamese = Locale(identifier: "vi")
        func byName(_ a: [String: Any], _ b: [String: Any]) -> ComparisonResult {
            (a["sort_name"] as? String ?? "").compare(b["sort_name"] as? String ?? "", locale: vietnamese)
        }
        // Equal values keep a fixed order: by name (ascending whatever the direction).
        func compare(_ a: [String: Any], _ b: [String: Any]) -> ComparisonResult {
            guard column != "name" else { return byName(a, b) }
            let key = ["n": "sort_n", "change": "sort_change", "par": "sort_par"][column] ?? "sort_index"
            let (x, y) = (a[key] as? Double ?? 0, b[key] as? Double ?? 0)
            return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        }
        rows.sort { a, b in
            switch compare(a, b) {
            case .orderedAscending: !descending
            case .orderedDescending: descending
            case .orderedSame: byName(a, b) == .orderedAscending
            }
        }
    }

    /// The overview's table: a line per agency, sorted, with its sparkline.
    /// Rows of the overview on one page: a province's thousand agencies, each with its sparkline, weighed 660 KB on one.
    static let overviewPageSize = 100

    /// `?page=`: a page number from 1 (1 when absent).
    static func pageNumber(_ text: String?) throws -> Int {
        guard let text else { return 1 }
        guard let page = Int(text), page >= 1, page <= 100_000 else {
            throw Problem(.badRequest, field: "page", detail: "page must be a whole number from 1")
        }
        return page
    }

    /// Cuts `rows` to `page` of them (`overviewPageSize` rows; a page past the last shows the last) and says where it
    /// stands: the pager's text (`text`, with {page}, {pages} and {total}) and links to the pages before and after.
    static func paginate<Row>(_ rows: inout [Row], page: Int, base: String, text key: String, language: Language) -> [String: Any] {
        let total = rows.count
        let pages = max(1, (total + overviewPageSize - 1) / overviewPageSize)
        let shown = min(page, pages)
        rows = Array(rows.dropFirst((shown - 1) * overviewPageSize).prefix(overviewPageSize))
        return pager(
            text(key, language).replacingOccurrences(of: "{page}", with: whole(shown, language))
                .replacingOccurrences(of: "{pages}", with: whole(pages, language))
                .replacingOccurrences(of: "{total}", with: whole(total, language)),
            previous: shown > 1 ? "\(base)&page=\(shown - 1)" : nil, next: shown < pages ? "\(base)&page=\(shown + 1)" : nil,
            language: language)
    }

    /// The values of the `pager` partial: where the list stands (`text`) and the links before and after it, when there
    /// are any, labelled by the texts `previousLabel` and `nextLabel`.
    static func pager(
        _ text: String, previous: String?, next: String?, previousLabel: String = "pager_previous", nextLabel: String = "pager_next",
        language: Language
    ) -> [String: Any] {
        var pager: [String: Any] = [
            "pager_text": text, "paged": previous != nil || next != nil, "pager_label": self.text("pager_label", language),
            "pager_previous": self.text(previousLabel, language), "pager_next": self.text(nextLabel, language),
        ]
        if let previous { pager["previous_href"] = previous }
        if let next { pager["next_href"] = next }
        return pager
    }

    /// The overview's rows, sorted, `page` of them (`overviewPageSize` rows; a page past the last shows the last), and
    /// the pager's values.
    static func overviewRows(
        _ documents: [IndicesDocument], period: Period, sort: String, descending: Bool, page: Int = 1, language: Language
    ) -> (rows: [[String: Any]], pager: [String: Any]) {
        var rows: [[String: Any]] = documents.flatMap { document in document.items.map { AdminPages.row($0, language) } }
        AdminPages.sort(&rows, by: sort, descending: descending)
        let base = "/admin?period=\(period.label)&sort=\(sort)&dir=\(descending ? "desc" : "asc")&lang=\(language.rawValue)"
        let pager = paginate(&rows, page: page, base: base, text: "pager", language: language)
        return (rows, pager)
    }

    /// The overview's table: `overviewRows`' page with each row's sparkline (`sparklines` by agency code).
    static func overviewTable(
        _ page: (rows: [[String: Any]], pager: [String: Any]), sparklines: [String: [Double?]], period: Period, sort: String,
        descending: Bool, language: Language
    ) -> String {
        let trendTitle = text(period.dayCount > 62 ? "spark_month" : "spark_day", language)
        var rows = page.rows
        for index in rows.indices {
            let line = (rows[index]["code"] as? String).flatMap { sparklines[$0] } ?? []
            rows[index]["spark"] = SVGChart.sparkline(
                line, title: trendTitle + ": " + line.map { number($0?.roundedHalfUp(), language) }.joined(separator: "; "))
        }
        let columns = overviewColumns.map { candidate -> [String: Any] in
            let sortable = !["ci", "sufficient"].contains(candidate.sort)
            let current = candidate.sort == sort
            let next = current ? !descending : candidate.descending
            var column: [String: Any] = [
                "label": text(candidate.label, language), "aria": current ? (descending ? "descending" : "ascending") : "none",
            ]
            if current { column["arrow"] = descending ? "▼" : "▲" }
            if sortable {
                column["href"] =
                    "/admin?period=\(period.label)&sort=\(candidate.sort)&dir=\(next ? "desc" : "asc")&lang=\(language.rawValue)"
            }
            return column
        }
        let values = context(language).merging(["period": period.label, "rows": rows, "empty": rows.isEmpty, "columns": columns]) { $1 }
            .merging(page.pager) { $1 }
        return library.render(values, withTemplate: "overview_table") ?? ""
    }
}
