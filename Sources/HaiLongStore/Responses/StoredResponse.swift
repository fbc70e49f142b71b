import Foundation
import HaiLongCore

/// Where a response came in: the agency, counter and device come from the caller's token, never the body.
public struct ResponseSource: Sendable, Hashable {
    public var agencyID: Int64
    public var counterID: Int64?
    public var kioskID: Int64?
    public var apiTokenID: Int64?
    public var channel: Channel

    public init(agencyID: Int64, counterID: Int64? = nil, kioskID: Int64? = nil, apiTokenID: Int64? = nil, channel: Channel) {
        self.agencyID = agencyID
        self.counterID = counterID
        self.kioskID = kioskID
        self.apiTokenID = apiTokenID
        self.channel = channel
    }
}

/// What the client is told about a stored response (`{"id","received_at","flags"}`, docs/CONTRACT.md).
public struct StoredResponse: Sendable, Hashable {
    public var id: UUID
    public var receivedAt: Date
    public var flags: [Flag]

    public init(id: UUID, receivedAt: Date, flags: [Flag]) {
        self.id = id
        self.receivedAt = receivedAt
        self.flags = flags
    }
}

/// The result of storing a response under an idempotency key.
public enum StoreOutcome: Sendable, Hashable {
    /// Newly stored, and committed.
    case created(StoredResponse)
    /// The same key and the same request were stored before: the original answer.
    case replayed(StoredResponse)
    /// The key was used before for a different request.
    case keyReused
}

/// A published questionnaire version with its database id.
public struct StoredQuestionnaire: Sendable, Hashable {
    public var id: Int
    public var questionnaire: Questionnaire

    public init(id: Int, questionnaire: Questionnaire) {
        self.id = id
        self.questionnaire = questionnaire
    }
}
