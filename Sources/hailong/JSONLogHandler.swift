import Foundation
import HaiLongCore
import Logging

/// `LOG_FORMAT=json`: one JSON object per line on standard error, for journald, Loki or Elasticsearch.
///
/// `{"time":"2026-12-06T01:15:00.123Z","level":"error","label":"hailong","message":"…","request_id":"…",
/// "metadata":{…},"source":"HaiLongWeb"}`: `request_id` is the id Hummingbird gives every request's logger
/// (`hb.request.id`), so each line a request causes can be found by it; `metadata` holds the rest, nested as logged.
/// Text is written as UTF-8, not `\u` escapes ("Sở Tư pháp" stays readable); only what JSON requires is escaped.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// The metadata key Hummingbird sets on every request's logger.
    static let requestIDKey = "hb.request.id"
    /// One line is one `write(2)`, under this lock, so lines of concurrent tasks never interleave.
    private static let lock = NSLock()

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(String(reflecting: error))" }
        let line = Self.line(
            time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged,
            source: event.source)
        let data = Data((line + "\n").utf8)
        Self.lock.withLock { FileHandle.standardError.write(data) }
    }

    /// The JSON line of one event (without the newline); keys in a fixed order, metadata keys sorted.
    static func line(
        time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, source: String
    ) -> String {
        var fields = metadata
        let requestID = fields.removeValue(forKey: requestIDKey)
        var out = "{\"time\":" + quoted(time.formatted(timeStyle))
        out += ",\"level\":" + quoted(level.rawValue)
        out += ",\"label\":" + quoted(label)
        out += ",\"message\":" + quoted(message)
        if let requestID { out += ",\"request_id\":" + quoted(requestID.description) }
        if !fields.isEmpty { out += ",\"metadata\":" + json(.dictionary(fields)) }
        out += ",\"source\":" + quoted(source) + "}"
        return out
    }

    /// UTC with milliseconds, like the API's own times.
    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string, escaped for a log line (`JSONValue.quoted`).
    static func quoted(_ text: String) -> String { JSONValue.quoted(text, forLogs: true) }
}
