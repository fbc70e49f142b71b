import HaiLongCore

/// The indices answer's JSON written directly (`JSONWriter`): the bytes `jsonText()` (JSONEncoder, keys sorted, slashes
/// as they are) writes for the same document, without its per-value boxing. A province's 10,000 officers are a 5.8 MB
/// answer, and JSONEncoder was a third of its first view. `IndicesJSONTests` compares the two on every kind of item. Publications
/// keep JSONEncoder's text (`jsonText()`), which is what they are checked against.
extension IndicesDocument {
    /// The answer's bytes.
    var jsonBytes: [UInt8] {
        var out = JSONWriter(capacity: 600 * items.count + 512)
        out.raw("{\"as_of\":")
        out.string(as_of)
        if let group {
            out.raw(",\"group\":")
            out.string(group)
        }
        out.raw(",\"items\":[")
        for (position, item) in items.enumerated() {
            if position > 0 { out.raw(",") }
            item.write(to: &out)
        }
        out.raw("],\"methodology\":")
        methodology.write(to: &out)
        out.raw(",\"period\":{\"from\":")
        out.string(period.from)
        out.raw(",\"label\":")
        out.string(period.label)
        out.raw(",\"to\":")
        out.string(period.to)
        out.raw("}")
        if let publication {
            out.raw(",\"publication\":{\"published_at\":")
            out.string(publication.published_at)
            out.raw(",\"published_by\":")
            out.string(publication.published_by)
            out.raw(",\"version\":")
            out.integer(publication.version)
            out.raw("}")
        }
        out.raw(",\"published\":")
        out.bool(published)
        out.raw(",\"questionnaire\":")
        out.string(questionnaire)
        out.raw("}")
        return out.bytes
    }

    var json: String { String(decoding: jsonBytes, as: UTF8.self) }
}

extension IndicesDocument.MethodologyInfo {
    /// `{"code":…,"version":…}`, as JSONEncoder writes it (the indices and the evaluation answers both carry it).
    func write(to out: inout JSONWriter) {
        out.raw("{\"code\":")
        out.string(code)
        out.raw(",\"version\":")
        out.integer(version)
        out.raw("}")
    }
}

extension IndexItem {
    /// The item's keys in sorted order, every one present (`null` when absent) but `group`'s `name` and `agency`, as `encode(to:)`.
    func write(to out: inout JSONWriter) {
        out.raw("{\"agency\":")
        out.string(agency)
        out.raw(",\"ci95\":")
        out.numbers(ci95)
        out.raw(",\"credibility\":")
        if let credibility {
            out.raw("{\"dossiers\":")
            out.integer(credibility.dossiers)
            out.raw(",\"excluded_by_flag\":")
            out.object(credibility.excluded_by_flag) { $0.integer($1) }
            out.raw(",\"excluded_share\":")
            out.number(credibility.excluded_share)
            out.raw(",\"kiosk_web_gap\":")
            out.number(credibility.kiosk_web_gap)
            out.raw(",\"low_share\":")
            out.number(credibility.low_share)
            out.raw(",\"response_rate\":")
            out.number(credibility.response_rate)
            out.raw("}")
        } else {
            out.raw("null")
        }
        out.raw(",\"criteria\":")
        out.object(criteria) { $0.number($1) }
        out.raw(",\"elements\":")
        out.object(elements ?? [:]) { $0.number($1) }
        out.raw(",\"excluded\":")
        out.integer(excluded)
        out.raw(",\"group\":")
        if let group {
            out.raw("{")
            if let agency = group.agency {
                out.raw("\"agency\":")
                out.string(agency)
                out.raw(",")
            }
            out.raw("\"code\":")
            out.string(group.code)
            if let name = group.name {
                out.raw(",\"name\":")
                out.string(name)
            }
            out.raw("}")
        } else {
            out.raw("null")
        }
        out.raw(",\"hidden\":")
        out.bool(hidden)
        out.raw(",\"index\":")
        out.number(index)
        out.raw(",\"mean\":")
        out.number(mean)
        out.raw(",\"n\":")
        out.integer(n)
        out.raw(",\"name\":")
        out.string(name)
        out.raw(",\"par_max\":")
        out.number(par_max)
        out.raw(",\"par_points\":")
        out.number(par_points)
        out.raw(",\"parent\":")
        out.string(parent)
        out.raw(",\"previous\":")
        if let previous {
            out.raw("{\"change\":")
            out.number(previous.change)
            out.raw(",\"index\":")
            out.number(previous.index)
            out.raw(",\"n\":")
            out.integer(previous.n)
            out.raw(",\"period\":")
            out.string(previous.period)
            out.raw(",\"significant\":")
            out.bool(previous.significant)
            out.raw("}")
        } else {
            out.raw("null")
        }
        out.raw(",\"rank\":")
        out.integer(rank)
        out.raw(",\"reasons\":")
        out.object(reasons) { $0.number($1) }
        out.raw(",\"satisfied\":")
        out.integer(satisfied)
        out.raw(",\"sufficient\":")
        out.bool(sufficient)
        out.raw("}")
    }
}

/// JSON written as bytes, each value as JSONEncoder writes it (the caller writes keys in sorted order; slashes as they
/// are; a Double by its description less a trailing ".0"), without a String per value: a province's 10,000 officers are
/// a 6 MB answer, and writing it by appending strings (a temporary for every quoted value, number and joined object) was a
/// third of its first view. `IndicesJSONTests` and `EvaluationJSONTests` compare it with JSONEncoder.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Text that is JSON already: punctuation and keys.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string quoted (`null` when absent); most text (names, codes) has nothing to escape and is copied as it is.
    mutating func string(_ value: String?) {
        guard var value else { return raw("null") }
        guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            return bytes.append(contentsOf: JSONValue.quoted(value).utf8)
        }
        bytes.append(0x22)
        value.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
    }

    mutating func number(_ value: Double?) {
        guard let value else { return raw("null") }
        var text = value.description
        text.withUTF8 { digits in
            let whole = digits.count > 2 && digits[digits.count - 2] == UInt8(ascii: ".") && digits.last == UInt8(ascii: "0")
            bytes.append(contentsOf: whole ? UnsafeBufferPointer(rebasing: digits.dropLast(2)) : digits)
        }
    }

    mutating func integer(_ value: Int?) {
        guard let value else { return raw("null") }
        var text = String(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool?) {
        guard let value else { return raw("null") }
        value ? raw("true") : raw("false")
    }

    mutating func numbers(_ values: [Double]?) {
        guard let values else { return raw("null") }
        raw("[")
        for (position, value) in values.enumerated() {
            if position > 0 { raw(",") }
            number(value)
        }
        raw("]")
    }

    /// An object with its keys sorted (`null` when absent).
    mutating func object<Value>(_ values: [String: Value]?, _ write: (inout JSONWriter, Value) -> Void) {
        guard let values else { return raw("null") }
        raw("{")
        for (position, key) in values.keys.sorted().enumerated() {
            if position > 0 { raw(",") }
            string(key)
            raw(":")
            write(&self, values[key]!)
        }
        raw("}")
    }
}
