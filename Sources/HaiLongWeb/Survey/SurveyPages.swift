import Hummingbird
import Mustache

/// The web survey's pages: the Mustache templates in `Resources/templates/survey` (every `{{value}}` is HTML-escaped),
/// their two languages in `Resources/locales` (part `survey`), and the small style sheet and script they share
/// (`Resources/public/survey`, served as `/assets/survey.css` and `/assets/survey.js`). The form works without the
/// script; the script only counts answers and stops a double submit.
enum SurveyPages {
    static let library = MustacheLibrary.pages("survey")

    /// Renders `template` inside the layout.
    static func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        let html = library.page(template, context)
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// UI strings; questionnaire wording comes from the questionnaire itself.
    static let strings: [Language: [String: String]] = [.vi: WebResources.strings("survey", .vi), .en: WebResources.strings("survey", .en)]

    static let css = WebResources.text("public/survey/survey.css")

    static let javascript = WebResources.text("public/survey/survey.js")
}
