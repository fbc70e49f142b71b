import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

/// A kiosk may credit only an active officer of its agency: one marked as left gets no new ratings.
@Suite struct OfficerCreditTests {
    @Test func anOfficerWhoLeftIsCreditedNothing() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let tap = Date().addingTimeInterval(-60)
            _ = try await fixture.rate(3, at: tap, source: fixture.sourceA(), officer: "B-1", dossier: "HS-1")
            try await db.query("UPDATE officers SET active = false WHERE badge = 'B-1' AND agency_id = \(fixture.agencyA.id)")
            let outcome = try await fixture.rate(
                3, at: tap.addingTimeInterval(10), source: fixture.sourceA(), officer: "B-1", dossier: "HS-2")
            guard case .created(let stored) = outcome else {
                Issue.record("not stored: \(outcome)")
                return
            }
            #expect(stored.flags.contains(.unknownOfficer))
            #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE dossier_code = 'HS-1' AND officer_id IS NOT NULL") == 1)
            #expect(
                try await scalar(
                    db, "SELECT count(*) FROM responses WHERE dossier_code = 'HS-2' AND officer_id IS NULL AND officer_badge = 'B-1'") == 1)
        }
    }
}
