import Foundation
import Testing

/// The shape a newcomer relies on: Swift files stay short, and what is not Swift (YAML, JavaScript, CSS, HTML,
/// Mustache, translation tables) lives in resource files, not in string literals. SQL is the exception by design:
/// statements stay beside the code that binds their parameters through PostgresNIO's interpolation.
@Suite struct SourceLayoutTests {
    static let sources = BrowserTests.packageRoot.appendingPathComponent("Sources")

    /// Every Swift file under `Sources/`, relative to it.
    static func swiftFiles() throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
    }

    /// The multi-line string literals of `text`: their lines, without the delimiters.
    static func literals(_ text: String) -> [[Substring]] {
        var literals: [[Substring]] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let delimiters = line.components(separatedBy: "\"\"\"").count - 1
            if delimiters % 2 == 1 {
                if let lines = current {
                    literals.append(lines)
                    current = nil
                } else {
                    current = []
                }
            } else if current != nil {
                current!.append(line)
            }
        }
        return literals
    }

    /// Whether a literal is an SQL statement (its first line starts with a statement's keyword).
    static func isSQL(_ lines: [Substring]) -> Bool {
        guard let first = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return true }
        let word = first.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter }.uppercased()
        return ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "GRANT", "DO", "SET", "LOCK"]
            .contains(word)
    }

    @Test func noSwiftFileIsOver500Lines() throws {
        for file in try Self.swiftFiles() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 500, "Sources/\(file) has \(lines) lines")
        }
    }

    @Test func noSwiftFileHoldsMoreThan40LinesOfAnotherLanguage() throws {
        var checked = 0
        for file in try Self.swiftFiles() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            let foreign = Self.literals(text).filter { !Self.isSQL($0) }.map(\.count).reduce(0, +)
            #expect(foreign <= 40, "Sources/\(file) holds \(foreign) lines of string literals that are not SQL")
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func theLiteralCounterSeesLiterals() {
        let swift = "let a = \"\"\"\n<p>one</p>\n<p>two</p>\n\"\"\"\nlet q: PostgresQuery = \"\"\"\nSELECT 1\n\"\"\"\n"
        let found = Self.literals(swift)
        #expect(found.map(\.count) == [2, 1])
        #expect(found.map(Self.isSQL) == [false, true])
    }
}
