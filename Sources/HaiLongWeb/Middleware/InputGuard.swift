import Foundation
import HaiLongCore
import Hummingbird

/// Refuses, before any route sees them, query parameters and path segments that no HaiLong route can use and that
/// PostgreSQL cannot store: a percent-encoding that does not decode to UTF-8, a NUL, and in query values any other
/// control character too (a path segment with one is simply not found).
/// The answer is a 400 problem document naming the parameter (or `path`), never an error from the database.
///
/// Header fields are limited to `maxHeaderBytes` in all (431): HaiLong's clients send a token and a few short fields,
/// and the HTTP parser alone would take some 80 KB of them on every request.
struct InputGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    static var maxHeaderBytes: Int { 16 * 1024 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let headerBytes = request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        guard headerBytes <= Self.maxHeaderBytes else {
            throw Problem(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), field: "headers",
                detail: "the header fields are larger than \(Self.maxHeaderBytes) bytes in all")
        }
        if let problem = Self.problem(path: request.uri.path, query: request.uri.query) { throw problem }
        return try await next(request, context)
    }

    /// The problem with this path and raw query, or `nil` when both are usable.
    static func problem(path: String, query: String?) -> Problem? {
        for segment in path.split(separator: "/") {
            // Only what PostgreSQL cannot store: a path segment with another control character is merely not found.
            guard let text = String(segment).removingPercentEncoding, !text.unicodeScalars.contains(where: { $0.value == 0 }) else {
                return Problem(.badRequest, field: "path", detail: "the path holds a NUL or an invalid percent-encoding")
            }
        }
        guard let query, !query.isEmpty else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String? { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            let name = decoded(parts[0]) ?? String(parts[0])
            guard let value = parts.count == 2 ? decoded(parts[1]) : "", decoded(parts[0]) != nil,
                !InputText.hasControlCharacter(name), !InputText.hasControlCharacter(value)
            else {
                let field = InputText.hasControlCharacter(name) ? "query" : name
                return Problem(
                    .badRequest, field: field, detail: "\(field) holds an invalid percent-encoding or a control character")
            }
        }
        return nil
    }
}

/// Text from outside that is checked before it goes further.
enum InputText {
    /// Whether `text` holds a C0 control character (U+0000–U+001F) or DEL.
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The path (`answers.overall`, `reasons[2]`) of the first string or key in `value` holding a NUL, which
    /// PostgreSQL's text cannot store; `nil` when there is none.
    static func fieldWithNUL(in value: JSONValue, at path: String = "") -> String? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains { $0.value == 0 } ? (path.isEmpty ? "body" : path) : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = fieldWithNUL(in: item, at: "\(path.isEmpty ? "body" : path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if key.unicodeScalars.contains(where: { $0.value == 0 }) { return path.isEmpty ? "body" : path }
                if let found = fieldWithNUL(in: members[key]!, at: child) { return found }
            }
            return nil
        case .null, .bool, .number:
            return nil
        }
    }
}
