import Foundation

/// A JSON document as plain values, so that validation can name the exact field that is wrong
/// instead of surfacing a `DecodingError`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses UTF-8 JSON bytes; `nil` when the bytes are not one JSON value.
    public static func parse(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The JSON type name used in error messages ("string", "number", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value as an integer, when it is a number with no fractional part.
    public var exactInteger: Int? {
        guard case .number(let value) = self, value == value.rounded(), abs(value) < 1e15 else { return nil }
        return Int(value)
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Each failed attempt throws, and throwing is what costs: the kinds a submission is made of come first
        // (strings, then numbers, then objects), so a typical body throws a third as often as in alphabetical order.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .bool(try container.decode(Bool.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if let integer = exactInteger { try container.encode(integer) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Compact JSON text with the object keys sorted, so the same value always gives the same bytes; written by
    /// hand because `JSONEncoder` was a measurable share of the ingest path (docs/BENCHMARKS.md).
    public var serialized: String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let value):
            if let integer = exactInteger { text += String(integer) } else { text += value.isFinite ? "\(value)" : "null" }
        case .string(let value): text += Self.quoted(value)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                if index > 0 { text += "," }
                value.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                text += Self.quoted(key)
                text += ":"
                members[key]!.write(to: &text)
            }
            text += "}"
        }
    }

    /// `value` as a JSON string: quotes, backslashes and control characters escaped, everything else kept as it is.
    /// `forLogs` escapes DEL and the line and paragraph separators too, which some log viewers take for line breaks.
    /// Most text (names, badges, codes) has nothing to escape: it is then quoted as it is, without a scalar-by-scalar
    /// copy (which was two thirds of writing a province's 10,000 officers as JSON).
    public static func quoted(_ value: String, forLogs: Bool = false) -> String {
        let plain = !value.utf8.contains { byte in
            byte < 0x20 || byte == 0x22 || byte == 0x5C || (forLogs && (byte == 0x7F || byte == 0xE2))
        }
        if plain { return "\"" + value + "\"" }
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || (forLogs && (scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value))):
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
