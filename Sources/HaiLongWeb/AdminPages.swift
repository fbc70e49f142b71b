import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The administrators' pages: Mustache templates (every `{{value}}` is HTML-escaped), Vietnamese first, English second,
/// with their security headers: a CSP without inline scripts, no framing, no sniffing, no referrer to other sites,
/// never cached, and HSTS when served over TLS.
enum AdminPages {
    static let library = MustacheLibrary.pages(["layout": layout, "signin": signIn, "overview": overview], of: "admin")

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
        var context: [String: Any] = strings[language] ?? [:]
        context["lang"] = language.rawValue
        context["other_lang"] = language.other.rawValue
        return context
    }

    static func text(_ key: String, _ language: Language) -> String { strings[language]?[key] ?? key }

    /// `HH:mm` in the province's time zone.
    static func clock(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// One overview line, numbers in the page's language (Vietnamese: decimal comma).
    static func row(_ item: IndexItem, _ language: Language) -> [String: Any] {
        func number(_ value: Double?) -> String {
            guard let value else { return "–" }
            let text = String(format: "%.2f", value)
            return language == .vi ? text.replacingOccurrences(of: ".", with: ",") : text
        }
        var change = "–"
        if let previous = item.previous, let delta = previous.change {
            change = (delta > 0 ? "+" : "") + number(delta) + (previous.significant == true ? " *" : "")
        }
        return [
            "code": item.agency, "name": item.name, "n": item.n, "index": number(item.index),
            "ci": item.ci95.map { "\(number($0[0]))–\(number($0[1]))" } ?? "–",
            "sufficient": item.sufficient, "par": number(item.par_points), "change": change,
            "sort_index": item.sufficient ? (item.index ?? 101) : 200 + Double(item.n == 0 ? 1 : 0),
        ]
    }

    static func sortKey(_ row: [String: Any]) -> Double { row["sort_index"] as? Double ?? 300 }

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
        </style>
        </head>
        <body>
        <header><strong>{{app}}</strong><span class="spacer"></span><a href="?lang={{other_lang}}" lang="{{other_lang}}">{{switch}}</a></header>
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
        <span>{{user}} ({{role}})</span>
        <form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{signout}}</button></form>
        </div>
        <p>{{note}}</p>
        {{#empty}}<p>{{empty_text}}</p>{{/empty}}
        {{^empty}}
        <table>
        <thead><tr><th scope="col">{{agency}}</th><th scope="col">{{n}}</th><th scope="col">{{index}}</th><th scope="col">{{ci}}</th><th scope="col">{{sufficient}}</th><th scope="col">{{par}}</th><th scope="col">{{change}}</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{name}} <small>{{code}}</small></td><td class="num">{{n}}</td><td class="num">{{index}}</td><td class="num">{{ci}}</td><td>{{#sufficient}}{{yes}}{{/sufficient}}{{^sufficient}}{{no}}{{/sufficient}}</td><td class="num">{{par}}</td><td class="num">{{change}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{/empty}}
        """
}
