import HaiLongCore
import PostgresNIO

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
