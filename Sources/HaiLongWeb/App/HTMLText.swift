/// Text written into HTML by Swift rather than by a template: escaped exactly as Mustache's `{{value}}` escapes it.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by their entities; the text itself when it has none of them
    /// (most names, dates and comments), without copying it.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
