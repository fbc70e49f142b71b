import Foundation

/// Dossier, badge and agency codes as they arrive in URLs and forms.
enum CodeText {
    /// The code trimmed, when it has only letters, digits and . _ - / (1 to 64 characters); else `nil`.
    static func clean(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.count), trimmed.first!.isASCII, trimmed.first!.isLetter || trimmed.first!.isNumber,
            trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) })
        else { return nil }
        return trimmed
    }

    /// `text` percent-encoded for one path segment or query value.
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#&=+"))) ?? text
    }
}
