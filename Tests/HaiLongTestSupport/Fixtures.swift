import Foundation
import HaiLongCore
import HaiLongStore
import PostgresNIO

/// A small agency tree for tests: province P with department A (counter Q1, officer B-1, a kiosk) and
/// commune B (a kiosk).
public struct Fixture: Sendable {
    public var directory: PostgresDirectoryStore
    public var responses: PostgresResponseStore
    public var province: Agency
    public var agencyA: Agency
    public var agencyB: Agency
    public var kioskA: (id: Int64, token: String, pairingCode: String)
    public var kioskB: (id: Int64, token: String, pairingCode: String)
    public var questionnaireID: Int
    public var kiosk3: Questionnaire

    public static func make(_ client: PostgresClient) async throws -> Fixture {
        let logger = TestDatabase.logger
        let directory = PostgresDirectoryStore(client: client, logger: logger)
        let responses = PostgresResponseStore(client: client, logger: logger)
        _ = try await directory.addAgency(code: "P", name: "Tỉnh Thử nghiệm", parentCode: nil, kind: "province")
        _ = try await directory.addAgency(code: "P.A", name: "Sở Tư pháp", parentCode: "P", kind: "department")
        _ = try await directory.addAgency(code: "P.B", name: "Xã Hòa Bình", parentCode: "P", kind: "commune")
        _ = try await directory.addCounter(agencyCode: "P.A", code: "Q1", name: "Quầy 1")
        _ = try await directory.addOfficer(agencyCode: "P.A", badge: "B-1", name: "Nguyễn Văn An", counterCode: "Q1", title: nil)
        let kioskA = try await directory.addKiosk(agencyCode: "P.A", counterCode: "Q1", label: "A")
        let kioskB = try await directory.addKiosk(agencyCode: "P.B", counterCode: nil, label: "B")
        let questionnaires = try await responses.questionnaires()
        return Fixture(
            directory: directory, responses: responses, province: try await directory.agency(code: "P")!,
            agencyA: try await directory.agency(code: "P.A")!, agencyB: try await directory.agency(code: "P.B")!,
            kioskA: kioskA, kioskB: kioskB, questionnaireID: questionnaires["kiosk-3"]!.id,
            kiosk3: questionnaires["kiosk-3"]!.questionnaire)
    }

    public func sourceA() -> ResponseSource {
        ResponseSource(agencyID: agencyA.id, counterID: nil, kioskID: kioskA.id, channel: .kiosk)
    }

    public func sourceB() -> ResponseSource {
        ResponseSource(agencyID: agencyB.id, kioskID: kioskB.id, channel: .kiosk)
    }

    /// Stores a kiosk-3 rating directly through the store.
    @discardableResult
    public func rate(
        _ level: Int, at tap: Date, source: ResponseSource, reasons: [String] = [], officer: String? = nil,
        dossier: String? = nil, id: UUID = UUID(), receivedAt: Date? = nil
    ) async throws -> StoreOutcome {
        let submission = Submission(
            questionnaire: "kiosk-3", officerBadge: officer, dossierCode: dossier, levels: ["overall": level],
            reasons: reasons, comment: nil, submittedAt: tap)
        return try await responses.store(
            submission, id: id, questionnaireID: questionnaireID, source: source, receivedAt: receivedAt ?? tap,
            rules: FlagRules())
    }
}

/// Runs a query returning one integer.
public func scalar(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
    let rows = try await client.query(query)
    for try await value in rows.decode(Int.self) { return value }
    return 0
}

/// `2026-09-30T23:30:00+07:00` and the like.
public func time(_ text: String) -> Date {
    SubmissionValidator.parseTimestamp(text)!
}

/// Every element of a query's decoded rows, read to the end, so that an expectation about them fails when there are
/// none (an `#expect` inside a `for try await` loop passes on an empty result).
public func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Rows.Element] {
    var all: [Rows.Element] = []
    for try await row in rows { all.append(row) }
    return all
}
