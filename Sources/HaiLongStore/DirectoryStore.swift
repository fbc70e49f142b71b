import HaiLongCore
import PostgresNIO

/// The agency directory: agencies, counters, officers, kiosks and API tokens, and token look-up.
public protocol DirectoryStore: Sendable {
    func addAgency(code: String, name: String, parentCode: String?, kind: String) async throws -> Int64
    func addCounter(agencyCode: String, code: String, name: String) async throws -> Int64
    func addOfficer(agencyCode: String, badge: String, name: String, counterCode: String?, title: String?) async throws -> Int64
    /// Registers a kiosk; returns its id, its device token and a single-use pairing code valid for 24 h, neither of
    /// which is stored (only their hashes) nor can be shown again.
    func addKiosk(agencyCode: String, counterCode: String?, label: String) async throws -> (id: Int64, token: String, pairingCode: String)
    /// Exchanges a current pairing code for a fresh device token (the kiosk's older token stops working); `nil` when
    /// the code is unknown, used or expired.
    func pairKiosk(code: String) async throws -> (id: Int64, label: String, token: String)?
    /// What a paired kiosk shows: its agency, counter, the counter's officers and the one on duty.
    func kioskProfile(kioskID: Int64) async throws -> KioskProfile
    /// Sets (or clears, with `nil`) the officer on duty at the kiosk's counter; an unknown badge is a `StoreError.notFound`.
    func setOnDuty(kioskID: Int64, badge: String?) async throws
    /// An active officer of the agency by badge.
    func officer(agencyID: Int64, badge: String) async throws -> OfficerCard?
    /// An officer's photo and its media type, if the officer (of the agency) has one.
    func officerPhoto(agencyID: Int64, badge: String) async throws -> (bytes: [UInt8], type: String)?
    /// Creates an API token; returns its id and the token, which is not stored and cannot be shown again.
    func addToken(name: String, role: TokenRole, agencyCode: String?) async throws -> (id: Int64, token: String)
    /// The caller a bearer token stands for, or `nil` when it is unknown or revoked.
    func caller(forToken token: String) async throws -> Caller?
    /// The agency with this code.
    func agency(code: String) async throws -> Agency?
    /// The agency with this id.
    func agency(id: Int64) async throws -> Agency?
    /// The agencies without a parent (provinces), by code.
    func roots() async throws -> [Agency]
    /// Records a kiosk's heartbeat: seen now, with its offline queue length and app version.
    func recordHeartbeat(kioskID: Int64, queueLength: Int, appVersion: String?) async throws
    /// A secret shared by every replica (made at random on first use), e.g. the key that signs survey links.
    func serverSecret(named name: String) async throws -> [UInt8]
    /// Whether agency `id` is `ancestor` or below it.
    func isAgency(_ id: Int64, within ancestor: Int64) async throws -> Bool
}

/// A paired kiosk as its page shows it.
public struct KioskProfile: Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var agency: Agency
    /// The counter's code and name, when the kiosk stands at one.
    public var counterCode: String?
    public var counterName: String?
    /// The officers the kiosk may rate: the counter's (all the agency's when the kiosk has no counter), active only.
    public var officers: [OfficerCard]
    /// The badge of the officer on duty, if one is set.
    public var onDuty: String?

    public init(
        id: Int64, label: String, agency: Agency, counterCode: String?, counterName: String?, officers: [OfficerCard], onDuty: String?
    ) {
        self.id = id
        self.label = label
        self.agency = agency
        self.counterCode = counterCode
        self.counterName = counterName
        self.officers = officers
        self.onDuty = onDuty
    }
}

/// An officer as a kiosk shows them.
public struct OfficerCard: Sendable, Hashable {
    public var badge: String
    public var name: String
    public var title: String?
    public var hasPhoto: Bool

    public init(badge: String, name: String, title: String?, hasPhoto: Bool) {
        self.badge = badge
        self.name = name
        self.title = title
        self.hasPhoto = hasPhoto
    }
}

/// An agency row.
public struct Agency: Sendable, Hashable {
    public var id: Int64
    public var code: String
    public var name: String
    public var kind: String
    public var parentID: Int64?

    public init(id: Int64, code: String, name: String, kind: String, parentID: Int64?) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.parentID = parentID
    }
}

extension Agency {
    /// Agencies from rows of `id, code, name, kind, parent_id`.
    static func decode(_ rows: PostgresRowSequence) async throws -> [Agency] {
        var agencies: [Agency] = []
        for try await (id, code, name, kind, parentID) in rows.decode((Int64, String, String, String, Int64?).self) {
            agencies.append(Agency(id: id, code: code, name: name, kind: kind, parentID: parentID))
        }
        return agencies
    }
}
