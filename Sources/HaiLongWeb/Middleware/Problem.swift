import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem document (`application/problem+json`) naming the field at fault.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// The body field, header or query parameter at fault, when there is one.
    public var field: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, field: String? = nil, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.field = field
        self.headers = headers
    }

    struct Document: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var field: String?
        var instance: String?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let document = Document(
            title: title, status: status.code, detail: detail, field: field, instance: request.uri.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(document))))
    }

    /// 503 with `Retry-After`, for when the database cannot be reached.
    public static func unavailable(_ detail: String = "the database is unavailable; retry shortly") -> Problem {
        Problem(.serviceUnavailable, detail: detail, headers: [.retryAfter: "5"])
    }
}
