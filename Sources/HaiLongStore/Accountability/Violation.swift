import Foundation
import HaiLongCore

/// A norm of public-service conduct a violation can break (`violation_norms`).
public struct ViolationNorm: Sendable, Equatable {
    public var code: String
    /// One of Decision 1847/QĐ-TTg's four groups: `tinh_than_thai_do`, `giao_tiep_ung_xu`, `dao_duc_loi_song`,
    /// `trang_phuc`.
    public var group: String
    public var nameVi: String
    public var nameEn: String

    public init(code: String, group: String, nameVi: String, nameEn: String) {
        self.code = code
        self.group = group
        self.nameVi = nameVi
        self.nameEn = nameEn
    }
}

/// Where a violation came to light.
public enum ViolationSource: String, Sendable, CaseIterable {
    case inspection, complaint, supervisor, camera, other
}

/// An inspection of public-service culture at an agency.
public struct Inspection: Sendable, Equatable {
    public var id: Int64
    public var agencyCode: String
    public var heldOn: LocalDate
    /// `planned` or `unannounced`.
    public var kind: String
    public var team: String
    public var findings: String?
    public var violations: Int
}

/// A violation as recorded, with its decision if there is one.
public struct Violation: Sendable, Equatable {
    public var id: Int64
    public var agencyCode: String
    public var officerID: Int64
    public var badge: String
    public var officerName: String
    public var occurredOn: LocalDate
    public var norm: String
    public var source: ViolationSource
    public var inspectionID: Int64?
    public var responseID: UUID?
    public var description: String
    public var reportedBy: String
    public var status: ViolationStatus
    public var reason: String?
    public var decidedBy: String?
    public var evidence: Int
}

/// What a new violation says: the officer (by badge, in `agency`), when, which norm, from where, and what happened.
public struct ViolationReport: Sendable {
    public var badge: String
    public var occurredOn: LocalDate
    public var norm: String
    public var source: ViolationSource
    public var inspectionID: Int64?
    public var responseID: UUID?
    public var description: String

    public init(
        badge: String, occurredOn: LocalDate, norm: String, source: ViolationSource, inspectionID: Int64? = nil,
        responseID: UUID? = nil, description: String
    ) {
        self.badge = badge
        self.occurredOn = occurredOn
        self.norm = norm
        self.source = source
        self.inspectionID = inspectionID
        self.responseID = responseID
        self.description = description
    }
}
