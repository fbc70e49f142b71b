import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

/// A pairing code works for 15 minutes by default (8 digits for a day was long enough to be guessed), or for the time
/// asked for.
@Suite struct PairingValidityTests {
    @Test func aPairingCodeExpiresAfterFifteenMinutesUnlessAskedOtherwise() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let standard = try await fixture.directory.addKiosk(agencyCode: "P.A", counterCode: nil, label: "K1")
            let longer = try await fixture.directory.addKiosk(
                agencyCode: "P.A", counterCode: nil, label: "K2", pairingValidity: .seconds(2 * 3600))
            func minutesLeft(_ id: Int64) async throws -> Int {
                try await scalar(db, "SELECT round(extract(epoch FROM pairing_expires_at - now()) / 60)::int FROM kiosks WHERE id = \(id)")
            }
            #expect(try await minutesLeft(standard.id) == 15)
            #expect(try await minutesLeft(longer.id) == 120)
            // Sixteen minutes later the standard code no longer pairs.
            try await db.query(
                "UPDATE kiosks SET pairing_expires_at = pairing_expires_at - interval '16 minutes' WHERE id = \(standard.id)")
            #expect(try await fixture.directory.pairKiosk(code: standard.pairingCode) == nil)
            #expect(try await fixture.directory.pairKiosk(code: longer.pairingCode) != nil)
        }
    }
}
