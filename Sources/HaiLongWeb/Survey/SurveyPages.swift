import HTTPTypes
import Hummingbird
import Mustache

/// The web survey's pages: the Mustache templates in `Resources/templates/survey` (every `{{value}}` is HTML-escaped),
/// their two languages in `Resources/locales` (part `survey`), and the small style sheet and script they share
/// (`Resources/public/survey`, served as `/assets/survey.css` and `/assets/survey.js`). The form works without the
/// script; the script only counts answers and stops a double submit.
enum SurveyPages {
    static let library = MustacheLibrary.pages("survey")

    /// The pages' security headers: only this server's own style sheet and script (no inline ones exist), forms post
    /// only here, no framing (a survey inside another site's frame could be clickjacked), no type sniffing.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "same-origin", HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    /// Renders `template` inside the layout.
    static func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        let html = library.page(template, context)
        var headers = headers
        for field in securityHeaders { headers[field.name] = field.value }
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// UI strings; questionnaire wording comes from the questionnaire itself.
    static let strings: [Language: [String: String]] = [.vi: WebResources.strings("survey", .vi), .en: WebResources.strings("survey", .en)]

    static let css = WebResources.text("public/survey/survey.css")

    static let javascript = WebResources.text("public/survey/survey.js")
}
