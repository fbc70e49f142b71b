import Foundation
import HaiLongCore
import Hummingbird

extension Request {
    /// The body as one JSON value, within the context's size limit; 400 naming `body` when it is not JSON.
    func jsonBody(context: some RequestContext) async throws -> JSONValue {
        let body = try await collectBody(upTo: context.maxUploadSize)
        guard let json = JSONValue.parse(Data(buffer: body)) else {
            throw Problem(.badRequest, field: "body", detail: "the body is not valid JSON")
        }
        if let field = InputText.fieldWithNUL(in: json) {
            throw Problem(.badRequest, field: field, detail: "\(field) holds a NUL character (\\u0000), which cannot be stored")
        }
        return json
    }
}

extension Request {
    /// How long a body may take to arrive: a client that sends it a few bytes at a time holds a connection and a
    /// task, so it gets 408 well before the route's deadline (which would answer 503, as if the database were down).
    static var bodyTimeLimit: Duration { .seconds(3) }

    /// The body, at most `limit` bytes (413 beyond), received within `bodyTimeLimit` (408 naming `body` otherwise).
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        let body = self.body
        return try await withDeadline(
            Self.bodyTimeLimit,
            expired: Problem(
                .requestTimeout, field: "body", detail: "the body did not arrive within \(Self.bodyTimeLimit.components.seconds) s",
                headers: [.connection: "close"])
        ) { try await body.collect(upTo: limit) }
    }

    /// The body's `application/x-www-form-urlencoded` fields, within `limit` bytes; a repeated name keeps its last value.
    func formFields(upTo limit: Int) async throws -> [String: String] {
        let fields = Self.formFields(try await collectBody(upTo: limit))
        if let name = fields.first(where: { $0.value.unicodeScalars.contains { $0.value == 0 } })?.key {
            throw Problem(.badRequest, field: name, detail: "\(name) holds a NUL character, which cannot be stored")
        }
        return fields
    }

    static func formFields(_ buffer: ByteBuffer) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = decode(parts.count == 2 ? parts[1] : "") else { continue }
            fields[name] = value
        }
        return fields
    }
}

extension Response {
    /// A JSON answer with sorted keys (so the same value always gives the same bytes), never cached.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    /// A JSON answer from a `JSONValue` (sorted keys, like `json(_:status:)`), never cached.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }
}
