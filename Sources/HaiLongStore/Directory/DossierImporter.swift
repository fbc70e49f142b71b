import Foundation
import HaiLongCore
import Logging
import SwiftCSV

/// `hailong import dossiers FILE.csv`: served dossiers from the lists one-stop systems export (UTF-8, with or without a
/// byte-order mark). Columns: `code,agency,counter,officer,received_at,returned_at` (only `code` and `agency` are
/// required). Every row is validated; the good ones are recorded (an import can be re-run: a dossier is updated by its
/// code), and each bad one is reported with its line number, column and reason.
public struct DossierImporter: Sendable {
    let directory: PostgresDirectoryStore
    let dossiers: PostgresDossierStore

    public init(directory: PostgresDirectoryStore, dossiers: PostgresDossierStore) {
        self.directory = directory
        self.dossiers = dossiers
    }

    /// One refused row.
    public struct RowError: Sendable, Hashable, CustomStringConvertible {
        /// The line in the file (the header is line 1).
        public var line: Int
        public var column: String
        public var reason: String

        public var description: String { "line \(line), \(column): \(reason)" }
    }

    public struct Report: Sendable {
        public var created = 0
        public var updated = 0
        public var errors: [RowError] = []
    }

    static let columns = ["code", "agency", "counter", "officer", "received_at", "returned_at"]

    public func run(csv text: String) async throws -> Report {
        var report = Report()
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let csv: CSV<Named>
        do {
            csv = try CSV<Named>(string: body, delimiter: .comma, loadColumns: false)
        } catch {
            report.errors.append(RowError(line: 1, column: "file", reason: "not a CSV file: \(error)"))
            return report
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
        for required in ["code", "agency"] where !header.contains(required) {
            report.errors.append(RowError(line: 1, column: required, reason: "the header has no '\(required)' column"))
        }
        if let unknown = header.first(where: { !Self.columns.contains($0) }) {
            report.errors.append(
                RowError(line: 1, column: unknown, reason: "unknown column (expected \(Self.columns.joined(separator: ",")))"))
        }
        guard report.errors.isEmpty else { return report }
        var agencies: [String: Agency?] = [:]
        for (index, row) in csv.rows.enumerated() {
            let line = index + 2
            var fields: [String: JSONValue] = [:]
            for column in ["code", "counter", "officer", "received_at", "returned_at"] {
                if let value = row[column]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { fields[column] = .string(value) }
            }
            let agencyCode = row["agency"]?.trimmingCharacters(in: .whitespaces) ?? ""
            do {
                let dossier = try DossierValidator().validate(.object(fields))
                if agencies[agencyCode] == nil { agencies[agencyCode] = try await directory.agency(code: agencyCode) }
                guard let agency = agencies[agencyCode] ?? nil else {
                    report.errors.append(RowError(line: line, column: "agency", reason: "unknown agency '\(agencyCode)'"))
                    continue
                }
                let (_, created) = try await dossiers.record(dossier, agencyID: agency.id)
                if created { report.created += 1 } else { report.updated += 1 }
            } catch let error as ValidationError {
                report.errors.append(RowError(line: line, column: error.field, reason: error.reason))
            } catch StoreError.notFound(let field, let value) {
                report.errors.append(RowError(line: line, column: field, reason: "unknown \(field) '\(value)'"))
            }
        }
        return report
    }
}
