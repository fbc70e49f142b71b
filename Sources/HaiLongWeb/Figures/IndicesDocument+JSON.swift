import HaiLongCore

/// The indices answer's JSON written directly: the bytes `jsonText()` (JSONEncoder, keys sorted, slashes as they are)
/// writes for the same document, without its per-value boxing. A province's 10,000 officers are a 5.8 MB answer, and
/// JSONEncoder was a third of its first view. `IndicesJSONTests` compares the two on every kind of item. Publications
/// keep JSONEncoder's text (`jsonText()`), which is what they are checked against.
extension IndicesDocument {
    var json: String {
        var out = "{\"as_of\":" + JSONText.string(as_of)
        if let group { out += ",\"group\":" + JSONText.string(group) }
        out += ",\"items\":["
        out.reserveCapacity(items.count * 600)
        for (position, item) in items.enumerated() {
            if position > 0 { out += "," }
            item.writeJSON(to: &out)
        }
        out += "],\"methodology\":{\"code\":" + JSONText.string(methodology.code) + ",\"version\":\(methodology.version)}"
        out += ",\"period\":{\"from\":" + JSONText.string(period.from) + ",\"label\":" + JSONText.string(period.label)
        out += ",\"to\":" + JSONText.string(period.to) + "}"
        if let publication {
            out += ",\"publication\":{\"published_at\":" + JSONText.string(publication.published_at)
            out += ",\"published_by\":" + JSONText.string(publication.published_by) + ",\"version\":\(publication.version)}"
        }
        out += ",\"published\":\(published),\"questionnaire\":" + JSONText.string(questionnaire) + "}"
        return out
    }
}

extension IndexItem {
    /// The item's keys in sorted order, every one present (`null` when absent) but `group`'s `name` and `agency`, as `encode(to:)`.
    func writeJSON(to out: inout String) {
        out += "{\"agency\":" + JSONText.string(agency) + ",\"ci95\":" + JSONText.numbers(ci95)
        out += ",\"credibility\":"
        if let credibility {
            out += "{\"dossiers\":" + JSONText.integer(credibility.dossiers)
            out += ",\"excluded_by_flag\":" + JSONText.object(credibility.excluded_by_flag) { String($0) }
            out += ",\"excluded_share\":" + JSONText.number(credibility.excluded_share)
            out += ",\"kiosk_web_gap\":" + JSONText.number(credibility.kiosk_web_gap)
            out += ",\"low_share\":" + JSONText.number(credibility.low_share)
            out += ",\"response_rate\":" + JSONText.number(credibility.response_rate) + "}"
        } else {
            out += "null"
        }
        out += ",\"criteria\":" + (criteria.map { JSONText.object($0, JSONText.number) } ?? "null")
        out += ",\"elements\":" + JSONText.object(elements ?? [:], JSONText.number)
        out += ",\"excluded\":\(excluded),\"group\":"
        if let group {
            out += "{"
            if let agency = group.agency { out += "\"agency\":" + JSONText.string(agency) + "," }
            out += "\"code\":" + JSONText.string(group.code)
            if let name = group.name { out += ",\"name\":" + JSONText.string(name) }
            out += "}"
        } else {
            out += "null"
        }
        out += ",\"hidden\":\(hidden),\"index\":" + JSONText.number(index) + ",\"mean\":" + JSONText.number(mean)
        out += ",\"n\":\(n),\"name\":" + JSONText.string(name) + ",\"par_max\":" + JSONText.number(par_max)
        out += ",\"par_points\":" + JSONText.number(par_points) + ",\"parent\":" + JSONText.string(parent)
        out += ",\"previous\":"
        if let previous {
            out += "{\"change\":" + JSONText.number(previous.change) + ",\"index\":" + JSONText.number(previous.index)
            out += ",\"n\":\(previous.n),\"period\":" + JSONText.string(previous.period)
            out += ",\"significant\":" + (previous.significant.map { String($0) } ?? "null") + "}"
        } else {
            out += "null"
        }
        out += ",\"rank\":" + JSONText.integer(rank) + ",\"reasons\":" + (reasons.map { JSONText.object($0, JSONText.number) } ?? "null")
        out += ",\"satisfied\":\(satisfied),\"sufficient\":\(sufficient)}"
    }
}

/// JSON values as JSONEncoder writes them.
enum JSONText {
    static func string(_ value: String?) -> String { value.map { JSONValue.quoted($0) } ?? "null" }

    /// Appends `value` quoted (as `string` writes it) to `out`, without a quoted copy when it needs no escapes: a
    /// province's evaluation writes 100,000 strings, and their copies were a third of writing it.
    static func append(_ value: String?, to out: inout String) {
        guard let value else { return out += "null" }
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return out += JSONValue.quoted(value) }
        out += "\""
        out += value
        out += "\""
    }

    /// A Double by its description, less a trailing ".0".
    static func number(_ value: Double?) -> String {
        guard let value else { return "null" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func number(_ value: Double) -> String { number(Optional(value)) }

    static func integer(_ value: Int?) -> String { value.map { String($0) } ?? "null" }

    static func numbers(_ values: [Double]?) -> String {
        values.map { "[" + $0.map { number($0) }.joined(separator: ",") + "]" } ?? "null"
    }

    /// An object with its keys sorted.
    static func object<Value>(_ values: [String: Value], _ write: (Value) -> String) -> String {
        "{" + values.keys.sorted().map { JSONValue.quoted($0) + ":" + write(values[$0]!) }.joined(separator: ",") + "}"
    }
}
