import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import Hummingbird
import Mustache

/// The administrators' pages: Mustache templates (every `{{value}}` is HTML-escaped), Vietnamese first, English second,
/// with their security headers: a CSP without inline scripts, no framing, no sniffing, no referrer to other sites,
/// never cached, and HSTS when served over TLS.
enum AdminPages {
    static let library = MustacheLibrary.pages(
        [
            "layout": layout, "signin": signIn, "overview": overview, "agency": agencyTemplate, "flags": flagsTemplate,
            "complaints": complaintsTemplate, "manage": manageTemplate, "audit": auditTemplate,
            "overview_table": overviewTableTemplate, "agency_figures": agencyFiguresTemplate,
        ], of: "admin")

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
        let html = library.page(template, context)
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
            "code": item.agency, "path": CodeText.escaped(item.agency), "name": item.name, "n": item.n, "index": number(item.index),
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

    static let strings: [Language: [String: String]] = [
        .vi: [
            "app": "HaiLong — Sự hài lòng của người dân", "switch": "English", "signin_title": "Đăng nhập quản trị",
            "username_label": "Tên đăng nhập", "password": "Mật khẩu", "signin": "Đăng nhập",
            "refused": "Tên đăng nhập hoặc mật khẩu không đúng.",
            "missing": "Vui lòng nhập tên đăng nhập và mật khẩu.",
            "locked": "Tài khoản tạm khóa do đăng nhập sai nhiều lần; vui lòng thử lại sau {time}.",
            "overview_title": "Tổng quan", "signout": "Đăng xuất", "period": "Kỳ", "agency": "Cơ quan", "n": "Số phiếu",
            "index": "Chỉ số (%)", "ci": "Khoảng tin cậy 95%", "par": "Điểm CCHC", "change": "Thay đổi",
            "sufficient": "Đủ mẫu", "yes": "Có", "no": "Chưa", "empty_text": "Chưa có đánh giá nào trong kỳ này.",
            "note": "Xếp từ thấp đến cao; * thay đổi có ý nghĩa thống kê (95%).",
            "spark_month": "Chỉ số theo tháng", "spark_day": "Chỉ số theo ngày", "trend_col": "Diễn biến",
            "audit_title": "Nhật ký thao tác", "audit_link": "Nhật ký thao tác", "at_label": "Thời điểm",
            "actor_label": "Người thực hiện", "subject_label": "Đối tượng", "detail_label": "Chi tiết", "older_label": "Cũ hơn",
            "audit_empty": "Không có mục nào.", "filter": "Lọc",
            "officers_more": "Hiện {shown} cán bộ đầu bảng trong số {total}.",
            "kiosks_more": "Hiện {shown} trong số {total} thiết bị ({attention} cần chú ý, xếp trước).",
            "period_label": "Kỳ (năm, quý, tháng…)", "show": "Xem",
            "questionnaire_label": "Bộ câu hỏi",
            "q_kiosk-3": "Đánh giá tại quầy (kiosk-3)",
            "q_sipas-5": "Khảo sát SIPAS (sipas-5)", "flags_title": "Dữ liệu cần xem xét", "complaints_title": "Phản ánh",
            "export_csv": "Tải CSV", "export_xlsx": "Tải Excel (XLSX)", "print_hint": "In trang này: Ctrl+P",
            "trend_title": "Chỉ số theo thời gian (dải: khoảng tin cậy 95%)", "elements_title": "Chỉ số theo yếu tố, tiêu chí",
            "reasons_title": "\"4 xin, 4 luôn\": điều người dân thấy còn thiếu (% phiếu chưa hài lòng)",
            "heat_title": "Theo giờ trong ngày và thứ trong tuần", "heat_count": "Số phiếu theo giờ và thứ",
            "heat_low": "Tỷ lệ chưa hài lòng (%) theo giờ và thứ", "officers_title": "Cán bộ", "badge": "Số hiệu",
            "officer_name": "Họ tên", "rank": "Xếp hạng", "hidden_text": "ẩn (chưa đủ mẫu)", "kiosks_title": "Thiết bị đánh giá",
            "kiosk_label": "Thiết bị", "counter": "Quầy", "last_seen": "Lần cuối kết nối", "queue": "Hàng đợi", "version": "Phiên bản",
            "kiosk_ok": "Hoạt động", "kiosk_silent": "Mất kết nối", "kiosk_revoked": "Đã thu hồi", "status_label": "Trạng thái",
            "credibility_title": "Độ tin cậy", "response_rate": "Tỷ lệ phản hồi (phiếu/hồ sơ)", "low_share": "Tỷ lệ chưa hài lòng",
            "excluded_share": "Tỷ lệ phiếu bị loại", "gap": "Chênh lệch kiosk – web (điểm)", "no_dossiers": "chưa có dữ liệu hồ sơ",
            "excluded_by_flag": "Phiếu bị loại theo dấu hiệu", "mean_label": "Điểm trung bình", "excluded_label": "Phiếu bị loại",
            "flag_rapid_repeat": "Bấm liên tiếp", "flag_duplicate_dossier": "Hồ sơ đã đánh giá", "flag_test": "Thử nghiệm",
            "flag_outside_hours": "Ngoài giờ làm việc", "flag_late": "Gửi muộn", "flag_no_dossier": "Không có mã hồ sơ",
            "flag_unknown_officer": "Cán bộ không xác định", "flag_streak": "Chuỗi đánh giá giống nhau",
            "flag_state_open": "chưa xem xét", "flag_state_cleared": "đã gỡ — phiếu được tính",
            "flag_state_confirmed": "đã xác nhận", "clear": "Gỡ dấu hiệu", "restore": "Đặt lại", "confirm": "Xác nhận",
            "flags_note":
                "Phiếu có dấu hiệu bất thường, theo thiết bị và thời điểm bấm. Gỡ dấu hiệu khi nó sai (phiếu được tính lại); xác nhận khi nó đúng. Mọi thao tác đều được ghi nhật ký.",
            "flags_empty": "Không có phiếu nào cần xem xét trong kỳ này.", "tapped_label": "Thời điểm bấm",
            "received_label": "Máy chủ nhận", "flags_label": "Dấu hiệu",
            "limit_note_text": "Chỉ hiện 200 phiếu đầu; chọn kỳ ngắn hơn để xem tiếp.",
            "channel_kiosk": "Kiosk", "channel_web": "Khảo sát web", "channel_api": "Tích hợp (API)", "channel_paper": "Phiếu giấy",
            "status_new": "Mới", "status_following_up": "Đang xử lý", "status_resolved": "Đã giải quyết", "note_label": "Ghi chú",
            "save": "Lưu", "complaints_empty": "Không có phản ánh nào trong kỳ này.", "reasons_label": "Còn thiếu",
            "filter_counter_label": "Mã quầy", "filter_officer_label": "Số hiệu cán bộ", "all": "Tất cả",
            "complaints_note": "Phiếu chưa hài lòng có ý kiến, mới nhất trước.", "open_agency": "Xem chi tiết",
            "role_admin": "Quản trị hệ thống", "role_agency_admin": "Quản trị cơ quan", "role_viewer": "Xem", "role_par": "CCHC",
        ],
        .en: [
            "app": "HaiLong — Citizen satisfaction", "switch": "Tiếng Việt", "signin_title": "Administrator sign-in",
            "username_label": "Username", "password": "Password", "signin": "Sign in",
            "refused": "Wrong username or password.",
            "missing": "Please enter your username and password.",
            "locked": "The account is locked after too many failed sign-ins; please try again after {time}.",
            "overview_title": "Overview", "signout": "Sign out", "period": "Period", "agency": "Agency", "n": "Responses",
            "index": "Index (%)", "ci": "95% interval", "par": "PAR points", "change": "Change",
            "sufficient": "Sufficient", "yes": "Yes", "no": "Not yet", "empty_text": "No ratings in this period yet.",
            "note": "Lowest first; * a significant change (95%).",
            "spark_month": "Index by month", "spark_day": "Index by day", "trend_col": "Trend",
            "audit_title": "Audit log", "audit_link": "Audit log", "at_label": "When", "actor_label": "Who",
            "subject_label": "Subject", "detail_label": "Detail", "older_label": "Older", "audit_empty": "No entries.", "filter": "Filter",
            "officers_more": "Showing the first {shown} of {total} officers.",
            "kiosks_more": "Showing {shown} of {total} kiosks ({attention} needing attention, listed first).",
            "period_label": "Period (year, quarter, month…)",
            "show": "Show", "questionnaire_label": "Questionnaire",
            "q_kiosk-3": "Counter rating (kiosk-3)",
            "q_sipas-5": "SIPAS survey (sipas-5)", "flags_title": "Data to review", "complaints_title": "Complaints",
            "export_csv": "Download CSV", "export_xlsx": "Download Excel (XLSX)", "print_hint": "Print this page: Ctrl+P",
            "trend_title": "Index over time (band: 95% interval)", "elements_title": "Index by element and criterion",
            "reasons_title": "\"4 xin, 4 luôn\": what citizens found missing (% of not-satisfied ratings)",
            "heat_title": "By hour of day and weekday", "heat_count": "Ratings by hour and weekday",
            "heat_low": "Not satisfied (%) by hour and weekday", "officers_title": "Officers", "badge": "Badge",
            "officer_name": "Name", "rank": "Rank", "hidden_text": "hidden (too few ratings)", "kiosks_title": "Kiosks",
            "kiosk_label": "Kiosk", "counter": "Counter", "last_seen": "Last seen", "queue": "Queue", "version": "Version",
            "kiosk_ok": "Working", "kiosk_silent": "Not heard from", "kiosk_revoked": "Revoked", "status_label": "Status",
            "credibility_title": "Credibility", "response_rate": "Response rate (ratings per dossier)", "low_share": "Not satisfied",
            "excluded_share": "Excluded", "gap": "Kiosk – web gap (points)", "no_dossiers": "no dossier data yet",
            "excluded_by_flag": "Excluded ratings by flag", "mean_label": "Mean level", "excluded_label": "Excluded ratings",
            "flag_rapid_repeat": "Rapid repeat", "flag_duplicate_dossier": "Dossier already rated", "flag_test": "Test",
            "flag_outside_hours": "Outside opening hours", "flag_late": "Sent late", "flag_no_dossier": "No dossier code",
            "flag_unknown_officer": "Unknown officer", "flag_streak": "Streak of identical ratings",
            "flag_state_open": "not reviewed", "flag_state_cleared": "cleared — the rating counts",
            "flag_state_confirmed": "confirmed", "clear": "Clear flag", "restore": "Restore", "confirm": "Confirm",
            "flags_note":
                "Ratings with suspicious flags, by kiosk and tap time. Clear a flag that is wrong (the rating counts again); confirm one that is right. Every action is audited.",
            "flags_empty": "Nothing to review in this period.", "tapped_label": "Tapped",
            "received_label": "Received", "flags_label": "Flags",
            "limit_note_text": "Only the first 200 are shown; choose a shorter period to see more.",
            "channel_kiosk": "Kiosk", "channel_web": "Web survey", "channel_api": "Integration (API)", "channel_paper": "Paper",
            "status_new": "New", "status_following_up": "Following up", "status_resolved": "Resolved", "note_label": "Note",
            "save": "Save", "complaints_empty": "No complaints in this period.", "reasons_label": "Missing",
            "filter_counter_label": "Counter code", "filter_officer_label": "Officer badge", "all": "All",
            "complaints_note": "Not-satisfied ratings with a comment, newest first.", "open_agency": "Details",
            "role_admin": "System administrator", "role_agency_admin": "Agency administrator", "role_viewer": "Viewer",
            "role_par": "PAR office",
        ],
    ]

    static let layout = """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{app}}</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f6f7f9; }
        header { background: #0b4f8a; color: #fff; padding: .75rem 1rem; display: flex; gap: 1rem; align-items: center; }
        header a, header button { color: #fff; }
        main { max-width: 72rem; margin: 1rem auto; padding: 0 1rem; }
        form.signin { max-width: 24rem; background: #fff; padding: 1.5rem; border-radius: .5rem; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input { font: inherit; width: 100%; padding: .5rem; box-sizing: border-box; }
        button { font: inherit; padding: .5rem 1rem; margin-top: 1rem; cursor: pointer; }
        .message { background: #fdecea; border-left: 4px solid #b3261e; padding: .5rem 1rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { padding: .4rem .6rem; border-bottom: 1px solid #dde1e6; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .spacer { flex: 1; }
        .head { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
        .crumbs { margin-top: .5rem; }
        a { color: #0b4f8a; }
        form.filters { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; background: #fff; padding: .75rem; border-radius: .5rem; }
        form.filters label { margin: 0; font-weight: 600; }
        form.filters input, form.filters select { width: auto; font: inherit; padding: .4rem; }
        form.filters button, form.inline button { margin-top: 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; margin: 1rem 0; }
        .card { background: #fff; border-radius: .5rem; padding: .75rem 1rem; }
        .card .value { display: block; font-size: 1.75rem; font-weight: 700; font-variant-numeric: tabular-nums; }
        section.panel { background: #fff; border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
        section.panel h2 { margin-top: 0; font-size: 1.2rem; }
        svg.chart { width: 100%; height: auto; max-width: 48rem; display: block; }
        svg.heat { max-width: 40rem; }
        svg .grid { stroke: #dde1e6; }
        svg .axis, svg .label { font: 12px system-ui, sans-serif; fill: #333; }
        svg .band { fill: #0b4f8a; fill-opacity: .15; }
        svg .line { fill: none; stroke: #0b4f8a; stroke-width: 2; }
        svg .dot { fill: #0b4f8a; }
        svg .bar { fill: #0b4f8a; }
        svg .cell { stroke: #dde1e6; }
        svg.spark { display: block; }
        svg.spark .line { stroke-width: 1.5; }
        .warn { color: #8a1c14; font-weight: 600; }
        .tag { display: inline-block; background: #fff4ce; border: 1px solid #8a6d00; border-radius: .25rem; padding: 0 .4rem; }
        .flag { margin: .25rem 0; }
        form.inline { display: inline; }
        form.inline button { padding: .25rem .6rem; }
        article.complaint { background: #fff; border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0; }
        article.complaint textarea { width: 100%; font: inherit; box-sizing: border-box; }
        .comment { font-size: 1.1rem; white-space: pre-wrap; }
        .status { border-radius: .25rem; padding: 0 .4rem; background: #e8eef5; }
        .status-new { background: #fdecea; }
        .status-resolved { background: #e6f4ea; }
        .notice { background: #e6f4ea; border-left: 4px solid #1e6b34; padding: .5rem 1rem; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        @media print { .noprint, form, header a { display: none !important; } body { background: #fff; } section.panel, .card { border: 1px solid #ccc; } }
        </style>
        </head>
        <body>
        <header><strong>{{app}}</strong><span class="spacer"></span><a class="noprint" href="?{{#switch_query}}{{switch_query}}{{/switch_query}}{{^switch_query}}lang={{other_lang}}{{/switch_query}}" lang="{{other_lang}}">{{switch}}</a></header>
        <main>
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let signIn = """
        <h1>{{signin_title}}</h1>
        {{#message}}<p class="message" role="alert">{{message}}</p>{{/message}}
        <form class="signin" method="post" action="/admin/sign-in?lang={{lang}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="username">{{username_label}}</label>
        <input id="username" name="username" autocomplete="username" required value="{{username}}">
        <label for="password">{{password}}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">{{signin}}</button>
        </form>
        """

    static let overview = """
        <div style="display:flex;gap:1rem;align-items:center">
        <h1>{{overview_title}} · {{period}}</h1><span class="spacer"></span>
        {{#can_audit}}<a id="audit-link" href="/admin/audit?lang={{lang}}">{{audit_link}}</a>{{/can_audit}}
        <span>{{user}} ({{role}})</span>
        <form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{signout}}</button></form>
        </div>
        {{{table}}}
        """

    /// The page head shared by an agency's pages: where it sits, who is signed in, the period and questionnaire.
    static let agencyHead = """
        <nav class="crumbs noprint" aria-label="breadcrumb"><a href="/admin?period={{period}}&amp;lang={{lang}}">{{overview_title}}</a> › \
        <a href="{{base}}?{{query}}">{{agency_name}}</a></nav>
        <div class="head"><h1>{{title}} <small>{{agency_code}}</small> · {{period}}</h1><span class="spacer"></span>
        <span>{{user}}</span>
        <form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{signout}}</button></form>
        </div>
        <form class="filters noprint" method="get" action="{{form_action}}">
        <label for="period-input">{{period_label}}</label><input id="period-input" name="period" value="{{period}}" size="22">
        <label for="questionnaire-input">{{questionnaire_label}}</label>
        <select id="questionnaire-input" name="questionnaire">{{#questionnaires}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/questionnaires}}</select>
        {{#complaint_filters}}<label for="counter-input">{{filter_counter_label}}</label><input id="counter-input" name="counter" value="{{filter_counter}}" size="8">
        <label for="officer-input">{{filter_officer_label}}</label><input id="officer-input" name="officer" value="{{filter_officer}}" size="8">
        <label for="status-input">{{status_label}}</label><select id="status-input" name="status"><option value="">{{all}}</option>\
        {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>{{/complaint_filters}}
        <input type="hidden" name="lang" value="{{lang}}"><button type="submit">{{show}}</button>
        </form>
        <p class="actions noprint"><a href="{{base}}?{{query}}">{{agency_name}}</a> · <a id="flags-link" href="{{base}}/flags?{{query}}">{{flags_title}}</a> · \
        <a id="complaints-link" href="{{base}}/complaints?{{query}}">{{complaints_title}}</a> · \
        <a id="export-csv" href="{{base}}/export?{{query}}&amp;format=csv">{{export_csv}}</a> · \
        <a id="export-xlsx" href="{{base}}/export?{{query}}&amp;format=xlsx">{{export_xlsx}}</a> · \
        <a id="manage-link" href="{{base}}/manage?{{query}}">{{manage_link}}</a> · <span>{{print_hint}}</span></p>
        """

    static let agencyTemplate =
        agencyHead + """
            {{{figures_html}}}
            {{#has_kiosks}}<section class="panel"><h2>{{kiosks_title}}</h2>
            <table id="kiosks"><thead><tr><th scope="col">{{kiosk_label}}</th><th scope="col">{{agency}}</th><th scope="col">{{counter}}</th><th scope="col">{{status_label}}</th><th scope="col">{{last_seen}}</th><th scope="col">{{queue}}</th><th scope="col">{{version}}</th></tr></thead><tbody>
            {{#kiosks}}<tr><td>{{label}}</td><td>{{agency}}</td><td>{{counter}}</td><td{{#warn}} class="warn"{{/warn}}>{{status}}</td><td>{{seen}}</td><td class="num">{{queue}}</td><td>{{version}}</td></tr>
            {{/kiosks}}</tbody></table>{{#kiosks_more_text}}<p id="kiosks-more">{{kiosks_more_text}}</p>{{/kiosks_more_text}}</section>{{/has_kiosks}}
            """

    static let flagsTemplate =
        agencyHead + """
            <p>{{flags_note}}</p>
            {{#empty}}<p id="flags-empty">{{flags_empty}}</p>{{/empty}}
            {{#limit_note}}<p class="warn">{{limit_note_text}}</p>{{/limit_note}}
            {{#groups}}<section class="panel"><h2>{{kiosk}}</h2>
            <table><thead><tr><th scope="col">{{tapped_label}}</th><th scope="col">{{received_label}}</th><th scope="col">{{agency}}</th><th scope="col">{{flags_label}}</th></tr></thead><tbody>
            {{#rows}}<tr id="r-{{id}}"><td>{{tapped}}</td><td>{{received}}</td><td>{{agency}}</td><td>
            {{#flags}}<div class="flag" data-flag="{{flag}}"><span class="tag">{{label}}</span> <span class="state">{{state}}</span>
            {{#can_edit}}<form class="inline" method="post" action="{{base}}/flags?{{query}}"><input type="hidden" name="csrf" value="{{csrf}}">\
            <input type="hidden" name="response" value="{{id}}"><input type="hidden" name="flag" value="{{flag}}">\
            {{#cleared}}<button type="submit" name="action" value="restore">{{restore}}</button>{{/cleared}}\
            {{^cleared}}<button type="submit" name="action" value="clear">{{clear}}</button>{{^confirmed}} <button type="submit" name="action" value="confirm">{{confirm}}</button>{{/confirmed}}{{/cleared}}\
            </form>{{/can_edit}}</div>{{/flags}}
            </td></tr>
            {{/rows}}</tbody></table></section>{{/groups}}
            """

    static let complaintsTemplate =
        agencyHead + """
            <p>{{complaints_note}}</p>
            {{#empty}}<p id="complaints-empty">{{complaints_empty}}</p>{{/empty}}
            {{#complaints}}<article class="complaint" id="r-{{id}}">
            <p><strong>{{when}}</strong> · {{agency}} · {{counter}} · {{officer}} · <span class="status status-{{status_code}}">{{status}}</span></p>
            <p class="comment">{{comment}}</p>
            {{#reasons}}<p>{{reasons_label}}: {{reasons}}</p>{{/reasons}}
            {{#note}}<p><em>{{note_label}}: {{note}}</em> — {{updated_by}}</p>{{/note}}
            {{#can_edit}}<form method="post" action="{{base}}/complaints?{{query}}"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="response" value="{{id}}">
            <label for="status-{{id}}">{{status_label}}</label>
            <select id="status-{{id}}" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>
            <label for="note-{{id}}">{{note_label}}</label><textarea id="note-{{id}}" name="note" maxlength="1000" rows="2">{{note}}</textarea>
            <button type="submit">{{save}}</button></form>{{/can_edit}}
            </article>
            {{/complaints}}
            """

    static let auditTemplate = """
        <nav class="crumbs noprint" aria-label="breadcrumb"><a href="/admin?lang={{lang}}">{{overview_title}}</a></nav>
        <div class="head"><h1>{{audit_title}}</h1><span class="spacer"></span><span>{{user}}</span>
        <form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{signout}}</button></form>
        </div>
        <form class="filters noprint" method="get" action="/admin/audit">
        <label for="audit-actor">{{actor_label}}</label><input id="audit-actor" name="actor" value="{{filter_actor}}" size="14">
        <label for="audit-action">{{action_label}}</label><input id="audit-action" name="action" value="{{filter_action}}" size="14">
        <input type="hidden" name="lang" value="{{lang}}"><button type="submit">{{filter}}</button>
        </form>
        {{#empty}}<p id="audit-empty">{{audit_empty}}</p>{{/empty}}
        {{^empty}}<table id="audit"><thead><tr><th scope="col">{{at_label}}</th><th scope="col">{{actor_label}}</th><th scope="col">{{action_label}}</th><th scope="col">{{agency}}</th><th scope="col">{{subject_label}}</th><th scope="col">{{detail_label}}</th></tr></thead><tbody>
        {{#entries}}<tr><td>{{at}}</td><td>{{actor}}</td><td><code>{{action}}</code></td><td>{{agency}}</td><td>{{subject}}</td><td><small>{{detail}}</small></td></tr>
        {{/entries}}</tbody></table>{{/empty}}
        {{#older}}<p><a id="audit-older" href="{{older}}">{{older_label}}</a></p>{{/older}}
        """

    /// The agency page's figures (all but the live kiosk table), rendered once per figures version and language.
    static let agencyFiguresTemplate = """
        {{#has_summary}}<section class="cards" aria-label="{{index}}">
        <div class="card"><span>{{index}}</span><span class="value" id="summary-index">{{summary.index}}</span><small>{{ci}}: {{summary.ci}}</small></div>
        <div class="card"><span>{{n}}</span><span class="value" id="summary-n">{{summary.n}}</span><small>{{sufficient}}: {{#summary.sufficient}}{{yes}}{{/summary.sufficient}}{{^summary.sufficient}}{{no}}{{/summary.sufficient}}</small></div>
        <div class="card"><span>{{par}}</span><span class="value">{{summary.par}}</span></div>
        <div class="card"><span>{{change}}</span><span class="value">{{summary.change}}</span><small>{{mean_label}}: {{mean}}</small></div>
        </section>{{/has_summary}}
        <section class="panel"><h2>{{trend_title}}</h2>{{{trend_svg}}}
        <details><summary>{{show}}</summary><table><thead><tr><th scope="col">{{period_label}}</th><th scope="col">{{n}}</th><th scope="col">{{index}}</th><th scope="col">{{ci}}</th></tr></thead><tbody>
        {{#trend_rows}}<tr><td>{{label}}</td><td class="num">{{n}}</td><td class="num">{{index}}</td><td class="num">{{ci}}</td></tr>{{/trend_rows}}
        </tbody></table></details></section>
        {{#has_breakdown}}<section class="panel"><h2>{{elements_title}}</h2>{{{elements_svg}}}</section>{{/has_breakdown}}
        {{#has_reasons}}<section class="panel"><h2>{{reasons_title}}</h2>{{{reasons_svg}}}</section>{{/has_reasons}}
        {{#has_heat}}<section class="panel"><h2>{{heat_title}}</h2><h3>{{heat_count}}</h3>{{{heat_count_svg}}}<h3>{{heat_low}}</h3>{{{heat_low_svg}}}</section>{{/has_heat}}
        {{#has_officers}}<section class="panel"><h2>{{officers_title}}</h2>
        <table id="officers"><thead><tr><th scope="col">{{rank}}</th><th scope="col">{{officer_name}}</th><th scope="col">{{badge}}</th><th scope="col">{{n}}</th><th scope="col">{{index}}</th><th scope="col">{{ci}}</th></tr></thead><tbody>
        {{#officers}}<tr><td class="num">{{rank}}</td><td>{{name}}</td><td>{{badge}}</td><td class="num">{{n}}</td><td class="num">{{#hidden}}{{hidden_text}}{{/hidden}}{{^hidden}}{{index}}{{/hidden}}</td><td class="num">{{^hidden}}{{ci}}{{/hidden}}</td></tr>
        {{/officers}}</tbody></table>{{#officers_more_text}}<p id="officers-more">{{officers_more_text}}</p>{{/officers_more_text}}</section>{{/has_officers}}
        {{#has_credibility}}<section class="panel"><h2>{{credibility_title}}</h2>
        <table><tbody>
        <tr><th scope="row">{{response_rate}}</th><td class="num">{{credibility.response_rate}}</td></tr>
        <tr><th scope="row">{{low_share}}</th><td class="num">{{credibility.low_share}}</td></tr>
        <tr><th scope="row">{{excluded_share}}</th><td class="num">{{credibility.excluded_share}}</td></tr>
        <tr><th scope="row">{{gap}}</th><td class="num">{{credibility.gap}}</td></tr>
        {{#credibility.by_flag}}<tr><th scope="row">{{excluded_by_flag}}: {{flag}}</th><td class="num">{{n}}</td></tr>{{/credibility.by_flag}}
        </tbody></table></section>{{/has_credibility}}
        """

    static let overviewTableTemplate = """
        <p>{{note}}</p>
        {{#empty}}<p>{{empty_text}}</p>{{/empty}}
        {{^empty}}
        <table>
        <thead><tr>{{#columns}}<th scope="col" aria-sort="{{aria}}">{{#href}}<a href="{{href}}">{{label}}{{#arrow}} {{arrow}}{{/arrow}}</a>{{/href}}{{^href}}{{label}}{{/href}}</th>{{/columns}}<th scope="col">{{trend_col}}</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="/admin/agencies/{{path}}?period={{period}}&amp;lang={{lang}}">{{name}}</a> <small>{{code}}</small></td><td class="num">{{n}}</td><td class="num">{{index}}</td><td class="num">{{ci}}</td><td>{{#sufficient}}{{yes}}{{/sufficient}}{{^sufficient}}{{no}}{{/sufficient}}</td><td class="num">{{par}}</td><td class="num">{{change}}</td><td>{{{spark}}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{/empty}}
        """

    /// The overview's table: a line per agency, sorted, with its sparkline.
    static func overviewTable(
        _ figures: AdminController.OverviewFigures, period: Period, sort: String, descending: Bool,
        language: Language
    ) -> String {
        let trendTitle = text(period.dayCount > 62 ? "spark_month" : "spark_day", language)
        var rows: [[String: Any]] = figures.documents.flatMap { document in
            document.items.map { item in
                var row = AdminPages.row(item, language)
                let line = figures.sparklines[item.agency] ?? []
                row["spark"] = SVGChart.sparkline(
                    line, title: trendTitle + ": " + line.map { number($0?.roundedHalfUp(), language) }.joined(separator: "; "))
                return row
            }
        }
        AdminPages.sort(&rows, by: sort, descending: descending)
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
        return library.render(values, withTemplate: "overview_table") ?? ""
    }
}
