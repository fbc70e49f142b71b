import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO
import SwiftCSV

/// `hailong import responses FILE.csv`: surveys filled in on paper and typed in later. Columns (docs/CONTRACT.md):
/// `questionnaire,agency,officer,dossier,submitted_at,answers,comment`; `officer`, `dossier` and `comment` are optional.
/// UTF-8, with or without the byte-order mark Excel writes; comma- or (Excel in a Vietnamese locale) semicolon-separated.
///
/// Each row is validated as the API validates a response (same questionnaires, levels, reasons, comment length, tap
/// time with an offset no more than 5 minutes ahead), except that any past tap time is accepted; its agency is named
/// by code and must exist. The good rows are flagged as the API flags (`unknown_officer`, `duplicate_dossier` on the
/// `paper` channel, …) and stored with channel `paper` in one transaction — or not at all when any row was refused,
/// unless `partial` is set. Each refused row is reported with its row number, column and reason.
///
/// Importing a file again stores nothing twice: a row's id is a name-based UUID of its content (agency, questionnaire,
/// tap time, officer, dossier, answers, comment) and of its ordinal among identical rows of the file, so the id is the
/// same on every import and the store's `ON CONFLICT (id) DO NOTHING` skips it. Two identical forms in one file (the
/// same answers at the same minute) are two responses; the same form in two different files is one.
public struct PaperImporter: Sendable {
    let client: PostgresClient
    let logger: Logger
    let rules: FlagRules
    /// The API's rules without its 7-day offline window: a paper form may be typed in months later.
    let validator: SubmissionValidator = {
        var validator = SubmissionValidator()
        validator.offlineLimit = .greatestFiniteMagnitude
        return validator
    }()

    /// Rows per INSERT statement; all of them are still written in one transaction.
    static let chunkSize = 1000

    public init(client: PostgresClient, logger: Logger, rules: FlagRules = FlagRules()) {
        self.client = client
        self.logger = logger
        self.rules = rules
    }

    /// One refused row, or a problem with the header (row 1) or the whole file.
    public struct RowError: Sendable, Hashable, CustomStringConvertible {
        /// The row as a spreadsheet shows it: the header is row 1, the first form row 2. A quoted field spanning
        /// several lines is still one row.
        public var row: Int
        /// The CSV column at fault (`answers` also for a single answer inside it).
        public var column: String
        public var reason: String

        public init(row: Int, column: String, reason: String) {
            self.row = row
            self.column = column
            self.reason = reason
        }

        public var description: String { "row \(row), \(column): \(reason)" }
    }

    /// What an import did.
    public struct Report: Sendable {
        /// Rows that passed validation.
        public var accepted = 0
        /// Responses newly stored by this import.
        public var stored = 0
        /// Rows an earlier import of the same forms had already stored.
        public var alreadyStored = 0
        public var errors: [RowError] = []
        /// How many of the newly stored responses carry each flag.
        public var flags: [Flag: Int] = [:]
        /// The earliest and latest tap time of the accepted rows (a mistyped year stands out here).
        public var tapRange: ClosedRange<Date>?

        /// Whether good rows were left unstored because others were refused (without `partial`).
        public var heldBack: Bool { accepted > 0 && stored + alreadyStored == 0 && !errors.isEmpty }
    }

    static let columns = ["questionnaire", "agency", "officer", "dossier", "submitted_at", "answers", "comment"]
    static let requiredColumns = ["questionnaire", "agency", "submitted_at", "answers"]

    /// Validates every row of `text` and stores the good ones (all or none, unless `partial`), as received at `receivedAt`.
    public func run(csv text: String, partial: Bool = false, receivedAt: Date = Date()) async throws -> Report {
        var report = Report()
        let (lines, fileErrors) = Self.read(text)
        report.errors = fileErrors
        let receivedAt = Date(timeIntervalSince1970: (receivedAt.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let questionnaires = try await PostgresResponseStore(client: client, logger: logger).questionnaires()
        let directory = PostgresDirectoryStore(client: client, logger: logger)
        var agencies: [String: Int64?] = [:]
        var pending: [PendingResponse] = []
        var identical: [String: Int] = [:]  // a row's content → how many rows of the file had it so far
        for line in lines {
            var rowErrors: [RowError] = []
            let agencyCode = line.fields["agency"] ?? ""
            var agencyID: Int64?
            if agencyCode.isEmpty {
                rowErrors.append(RowError(row: line.row, column: "agency", reason: "is required (the agency's code)"))
            } else {
                if agencies[agencyCode] == nil { agencies[agencyCode] = try await directory.agency(code: agencyCode)?.id }
                agencyID = agencies[agencyCode] ?? nil
                if agencyID == nil {
                    rowErrors.append(RowError(row: line.row, column: "agency", reason: "unknown agency '\(agencyCode)'"))
                }
            }
            var body: [String: JSONValue] = [:]
            for column in ["questionnaire", "officer", "dossier", "submitted_at", "comment"] {
                if let value = line.fields[column], !value.isEmpty { body[column] = .string(value) }
            }
            var answersUnreadable = false
            if let answers = line.fields["answers"], !answers.isEmpty {
                if let json = JSONValue.parse(Data(answers.utf8)) {
                    body["answers"] = json
                } else {
                    answersUnreadable = true
                    rowErrors.append(
                        RowError(
                            row: line.row, column: "answers",
                            reason: #"is not a JSON object, like {"overall": 3} or {"tiep_can.1": 5, "tiep_can.2": 4}"#))
                }
            }
            var submission: Submission?
            do {
                submission = try validator.validate(.object(body), receivedAt: receivedAt) { questionnaires[$0]?.questionnaire }.0
            } catch let error {
                if !(answersUnreadable && error.field.hasPrefix("answers")) { rowErrors.append(Self.rowError(line.row, error)) }
            }
            guard rowErrors.isEmpty, let submission, let agencyID else {
                report.errors.append(contentsOf: rowErrors)
                continue
            }
            let content = "agency=\(agencyCode)\u{1F}" + submission.canonicalText
            let ordinal = (identical[content] ?? 0) + 1
            identical[content] = ordinal
            let source = ResponseSource(agencyID: agencyID, channel: .paper)
            pending.append(
                PendingResponse(
                    submission: submission, id: Self.nameBasedUUID("\(content)\u{1F}n=\(ordinal)"),
                    questionnaireID: questionnaires[submission.questionnaire]!.id, source: source, receivedAt: receivedAt,
                    rules: rules, requestHash: PostgresResponseStore.requestHash(submission, source: source),
                    answers: String(decoding: try JSONEncoder().encode(submission.answersJSON), as: UTF8.self), contact: nil))
            let tap = submission.submittedAt
            report.tapRange = report.tapRange.map { min($0.lowerBound, tap)...max($0.upperBound, tap) } ?? tap...tap
        }
        report.errors.sort { $0.row < $1.row }
        report.accepted = pending.count
        guard !pending.isEmpty, report.errors.isEmpty || partial else { return report }
        let (flags, inserted) = try await write(pending)
        report.stored = inserted.count
        report.alreadyStored = pending.count - inserted.count
        for (index, response) in pending.enumerated() where inserted.contains(response.id) {
            for flag in flags[index] { report.flags[flag, default: 0] += 1 }
        }
        return report
    }

    /// Flags and inserts `pending` in one transaction, a chunk per statement (a later chunk sees the earlier ones,
    /// so a dossier rated twice in the file is flagged as on the API). Returns each row's flags and the new ids.
    func write(_ pending: [PendingResponse]) async throws -> (flags: [[Flag]], inserted: Set<UUID>) {
        let writer = BatchWriter(client: client, logger: logger)
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var flags: [[Flag]] = []
                var inserted: Set<UUID> = []
                for start in stride(from: 0, to: pending.count, by: Self.chunkSize) {
                    let chunk = Array(pending[start..<min(start + Self.chunkSize, pending.count)])
                    let written = try await writer.flagAndInsert(chunk, on: connection)
                    flags += written.flags
                    inserted.formUnion(written.inserted)
                }
                return (flags, inserted)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// A form row as read: its spreadsheet row number and its trimmed, NFC-normalised fields by column.
    struct Line {
        var row: Int
        var fields: [String: String]
    }

    /// Parses the file; the errors are about the file or its header (row 1), or a row with more fields than the header.
    static func read(
        _ text: String, columns: [String] = PaperImporter.columns, required requiredColumns: [String] = PaperImporter.requiredColumns,
        aliases: [String: String] = [:]
    ) -> (lines: [Line], errors: [RowError]) {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let firstLine = body.prefix { !$0.isNewline }
        let delimiter: CSVDelimiter = !firstLine.contains(",") && firstLine.contains(";") ? .semicolon : .comma
        let csv: CSV<Enumerated>
        do {
            csv = try CSV<Enumerated>(string: body, delimiter: delimiter, loadColumns: false)
        } catch {
            let detail =
                switch error as? CSVParseError {
                case .quotation(let message)?, .generic(let message)?: message
                case nil: "\(error)"
                }
            return ([], [RowError(row: 1, column: "file", reason: "is not a CSV file (\(detail)): check the double quotes")])
        }
        let header = csv.header.map { name in
            let key = name.trimmingCharacters(in: .whitespaces).lowercased().precomposedStringWithCanonicalMapping
            return aliases[key] ?? key
        }
        var errors: [RowError] = []
        for column in requiredColumns where !header.contains(column) {
            errors.append(RowError(row: 1, column: column, reason: "the header has no '\(column)' column"))
        }
        for (index, column) in header.enumerated() {
            if !columns.contains(column) {
                errors.append(RowError(row: 1, column: column, reason: "unknown column (expected \(columns.joined(separator: ",")))"))
            } else if header[..<index].contains(column) {
                errors.append(RowError(row: 1, column: column, reason: "appears twice in the header"))
            }
        }
        guard errors.isEmpty else { return ([], errors) }
        var lines: [Line] = []
        for (index, values) in csv.rows.enumerated() {
            let row = index + 2
            guard values.contains(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else { continue }
            if values.count > header.count, values[header.count...].contains(where: { !$0.isEmpty }) {
                errors.append(
                    RowError(
                        row: row, column: "row",
                        reason: "has more fields than the header's \(header.count): put answers and comments containing "
                            + "\(delimiter.rawValue == ";" ? "semicolons" : "commas") in double quotes"))
                continue
            }
            var fields: [String: String] = [:]
            for (column, value) in zip(header, values) {
                fields[column] =
                    value.replacingOccurrences(of: "\r\n", with: "\n")
                    .trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
            }
            lines.append(Line(row: row, fields: fields))
        }
        return (lines, errors)
    }

    /// A validation error as a row error: `answers.tiep_can.1` is column `answers`, reason "tiep_can.1 must be …".
    static func rowError(_ row: Int, _ error: ValidationError) -> RowError {
        guard error.field.hasPrefix("answers.") else { return RowError(row: row, column: error.field, reason: error.reason) }
        return RowError(row: row, column: "answers", reason: "\(error.field.dropFirst("answers.".count)) \(error.reason)")
    }

    /// The namespace of paper rows' ids.
    static let namespace = UUID(uuidString: "b9ad02ab-ecae-44c3-ad47-0ae6bf85557f")!

    /// A name-based UUID (RFC 9562 version 5: SHA-1 of the namespace and the name): the same name, the same id.
    static func nameBasedUUID(_ name: String) -> UUID {
        var data = withUnsafeBytes(of: namespace.uuid) { Data($0) }
        data.append(contentsOf: name.utf8)
        var bytes = Array(Insecure.SHA1.hash(data: data).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
