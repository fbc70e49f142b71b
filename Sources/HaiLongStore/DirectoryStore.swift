import HaiLongCore
import PostgresNIO

/// The agency directory: agencies, counters, officers, kiosks and API tokens, and token look-up.
public protocol DirectoryStore: Sendable {
    func addAgency(code: String, name: String, parentCode: String?, kind: String) async throws -> Int64
    func addCounter(agencyCode: String, code: String, name: String) async throws -> Int64
    func addOfficer(agencyCode: String, badge: String, name: String, counterCode: String?, title: String?) async throws -> Int64
    /// Pairs a kiosk; returns its id and the device token, which is not stored and cannot be shown again.
    func addKiosk(agencyCode: String, counterCode: String?, label: String) async throws -> (id: Int64, token: String)
    /// Creates an API token; returns its id and the token, which is not stored and cannot be shown again.
    func addToken(name: String, role: TokenRole, agencyCode: String?) async throws -> (id: Int64, token: String)
    /// The caller a bearer token stands for, or `nil` when it is unknown or revoked.
    func caller(forToken token: String) async throws -> Caller?
    /// The agency with this code.
    func agency(code: String) async throws -> Agency?
    /// The agency with this id.
    func agency(id: Int64) async throws -> Agency?
    /// Records a kiosk's heartbeat: seen now, with its offline queue length and app version.
    func recordHeartbeat(kioskID: Int64, queueLength: Int, appVersion: String?) async throws
    /// Whether agency `id` is `ancestor` or below it.
    func isAgency(_ id: Int64, within ancestor: Int64) async throws -> Bool
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
