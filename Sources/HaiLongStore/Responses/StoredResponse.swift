import Foundation
import HaiLongCore

/// Where a response came in: the agency, counter and device come from the caller's token, never the body.
public struct ResponseSource: Sendable, Hashable {
    public var agencyID: Int64
    public var counterID: Int64?
    public var kioskID: Int64?
    public var apiTokenID: Int64?
    public var channel: Channel
    /// What vouches for the dossier and officer the response names.
    public var binding: Binding

    /// What vouches for the dossier and officer a response names.
    public enum Binding: String, Sendable, Hashable {
        /// A kiosk's device token or an integration token: the device or system that served the citizen.
        case token
        /// A signed survey link, made for one dossier (and officer): single use per dossier.
        case signedLink = "link"
        /// Nothing: what a citizen typed into the open web survey. Stored as typed, linked to no dossier or officer.
        case claim
    }

    public init(
        agencyID: Int64, counterID: Int64? = nil, kioskID: Int64? = nil, apiTokenID: Int64? = nil, channel: Channel,
        binding: Binding = .token
    ) {
        self.agencyID = agencyID
        self.counterID = counterID
        self.kioskID = kioskID
        self.apiTokenID = apiTokenID
        self.channel = channel
        self.binding = binding
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
    /// A signed survey link's dossier was already rated through a signed link: not stored.
    case dossierAlreadyRated
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
