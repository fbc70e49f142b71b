import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The kiosk device API: pairing with a code, what the kiosk shows (config, officer photos), the officer on duty,
/// and heartbeats (last seen, offline queue length, app version; answered with the server's clock).
struct KioskController: Sendable {
    let directory: PostgresDirectoryStore
    let questionnaires: @Sendable () async throws -> [String: StoredQuestionnaire]
    /// Pairing codes are 8 digits: guessing is limited per client address (an IPv6 /64)…
    let pairingLimiter: RateLimiter
    /// …and wrong codes from all addresses together share one budget: past it, every pairing waits.
    let pairingFailures: RateLimiter
    let clientAddress: ClientAddress

    init(
        directory: PostgresDirectoryStore, questionnaires: @escaping @Sendable () async throws -> [String: StoredQuestionnaire],
        pairingLimiter: RateLimiter = RateLimiter(burst: 10, interval: .seconds(6)),
        pairingFailures: RateLimiter = RateLimiter(burst: 100, interval: .seconds(10)), clientAddress: ClientAddress
    ) {
        self.directory = directory
        self.questionnaires = questionnaires
        self.pairingLimiter = pairingLimiter
        self.pairingFailures = pairingFailures
        self.clientAddress = clientAddress
    }

    /// The key of the budget that every address's wrong pairing codes share.
    static let everyone = "*"

    /// Public: pairing with the one-time code that `hailong kiosk add` printed (rate-limited per address).
    func addPairingRoute(to group: RouterGroup<AppRequestContext>) {
        group.post("kiosk/pair", deadline: .seconds(5), use: pair)
    }

    /// The routes a paired kiosk calls with its device token.
    func addDeviceRoutes(to group: RouterGroup<DeviceRequestContext>) {
        group.post("kiosk/heartbeat", deadline: .seconds(5), use: heartbeat)
        group.get("kiosk/config", deadline: .seconds(5), use: config)
        group.put("kiosk/on-duty", deadline: .seconds(5), use: onDuty)
        group.get("kiosk/officers/{badge}/photo", deadline: .seconds(5), use: photo)
    }

    /// A JSON object body whose keys are all in `known`.
    func fields(_ request: Request, context: some RequestContext, known: Set<String>) async throws -> [String: JSONValue] {
        guard case .object(let fields) = try await request.jsonBody(context: context) else {
            throw Problem(.badRequest, field: "body", detail: "the body must be a JSON object")
        }
        if let unknown = fields.keys.filter({ !known.contains($0) }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
        return fields
    }

    struct Paired: Encodable {
        struct Kiosk: Encodable {
            var id: Int64
            var label: String
        }
        var token: String
        var kiosk: Kiosk
    }

    @Sendable func pair(_ request: Request, context: AppRequestContext) async throws -> Response {
        try pairingLimiter.check(clientAddress.of(request, context: context))
        if let wait = pairingFailures.wait(Self.everyone) {
            let seconds = max(1, Int(wait.components.seconds) + 1)
            throw Problem(
                .tooManyRequests, detail: "too many wrong pairing codes; retry in \(seconds) s", headers: [.retryAfter: String(seconds)])
        }
        let fields = try await fields(request, context: context, known: ["code"])
        guard case .string(let typed)? = fields["code"] else {
            throw ValidationError(field: "code", reason: "is required: the 8-digit pairing code from `hailong kiosk add`")
        }
        let code = typed.filter { !$0.isWhitespace && $0 != "-" }
        guard code.count == 8, code.allSatisfy({ $0.isASCII && $0.isNumber }),
            let paired = try await directory.pairKiosk(code: code)
        else {
            _ = pairingFailures.take(Self.everyone)
            throw ValidationError(
                field: "code", reason: "is not a current pairing code (8 digits, single use, valid 15 minutes unless made longer)")
        }
        context.logger.info("kiosk paired", metadata: ["kiosk": "\(paired.id)"])
        return try .json(Paired(token: paired.token, kiosk: .init(id: paired.id, label: paired.label)))
    }

    struct Config: Encodable {
        struct Kiosk: Encodable {
            var id: Int64
            var label: String
        }
        struct Place: Encodable {
            var code: String
            var name: String
        }
        struct Officer: Encodable {
            var badge: String
            var name: String
            var title: String?
            var photo_url: String?

            enum CodingKeys: String, CodingKey { case badge, name, title, photo_url }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(badge, forKey: .badge)
                try container.encode(name, forKey: .name)
                try container.encode(title, forKey: .title)
                try container.encode(photo_url, forKey: .photo_url)
            }
        }
        var kiosk: Kiosk
        var agency: Place
        var counter: Place?
        var officers: [Officer]
        var on_duty: String?
        var questionnaire: Questionnaire
        var server_time: String

        enum CodingKeys: String, CodingKey {
            case kiosk, agency, counter, officers, on_duty, questionnaire, server_time
        }

        // A `nil` counter or officer on duty is written as JSON null, not left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kiosk, forKey: .kiosk)
            try container.encode(agency, forKey: .agency)
            try container.encode(counter, forKey: .counter)
            try container.encode(officers, forKey: .officers)
            try container.encode(on_duty, forKey: .on_duty)
            try container.encode(questionnaire, forKey: .questionnaire)
            try container.encode(server_time, forKey: .server_time)
        }
    }

    @Sendable func config(_ request: Request, context: DeviceRequestContext) async throws -> Response {
        let kioskID = context.kioskID
        let profile = try await directory.kioskProfile(kioskID: kioskID)
        guard let questionnaire = try await questionnaires()["kiosk-3"]?.questionnaire else {
            throw Problem.unavailable("the kiosk-3 questionnaire is missing; run `hailong migrate`")
        }
        let config = Config(
            kiosk: .init(id: profile.id, label: profile.label),
            agency: .init(code: profile.agency.code, name: profile.agency.name),
            counter: profile.counterCode.map { .init(code: $0, name: profile.counterName ?? $0) },
            officers: profile.officers.map {
                .init(
                    badge: $0.badge, name: $0.name, title: $0.title,
                    photo_url: $0.hasPhoto ? "/api/v1/kiosk/officers/\(CodeText.escaped($0.badge))/photo" : nil)
            },
            on_duty: profile.onDuty, questionnaire: questionnaire, server_time: Timestamp.format(Date()))
        return try .json(config)
    }

    struct OnDuty: Encodable {
        var on_duty: String?

        enum CodingKeys: String, CodingKey { case on_duty }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(on_duty, forKey: .on_duty)
        }
    }

    @Sendable func onDuty(_ request: Request, context: DeviceRequestContext) async throws -> Response {
        let kioskID = context.kioskID
        let fields = try await fields(request, context: context, known: ["badge"])
        var badge: String?
        switch fields["badge"] {
        case .string(let text) where (1...64).contains(text.count): badge = text
        case .null: badge = nil
        default: throw ValidationError(field: "badge", reason: "must be an officer's badge code, or null for nobody")
        }
        do {
            try await directory.setOnDuty(kioskID: kioskID, badge: badge)
        } catch StoreError.notFound {
            throw ValidationError(field: "badge", reason: "is not an active officer of this kiosk's agency")
        }
        return try .json(OnDuty(on_duty: badge))
    }

    @Sendable func photo(_ request: Request, context: DeviceRequestContext) async throws -> Response {
        let agencyID = context.agencyID
        let badge = try context.parameters.require("badge")
        guard let photo = try await directory.officerPhoto(agencyID: agencyID, badge: badge) else {
            throw Problem(.notFound, field: "badge", detail: "officer '\(badge)' has no photo")
        }
        return Response(
            status: .ok, headers: [.contentType: photo.type, .cacheControl: "private, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(bytes: photo.bytes)))
    }

    struct Beat: Encodable {
        var kiosk: Int64
        var server_time: String
    }

    @Sendable func heartbeat(_ request: Request, context: DeviceRequestContext) async throws -> Response {
        let kioskID = context.kioskID
        let fields = try await fields(request, context: context, known: ["queue_length", "app_version"])
        guard let queueLength = fields["queue_length"]?.exactInteger, (0...1_000_000).contains(queueLength) else {
            throw ValidationError(field: "queue_length", reason: "must be an integer from 0 to 1000000")
        }
        var appVersion: String?
        if let value = fields["app_version"] {
            guard case .string(let text) = value, (1...32).contains(text.count) else {
                throw ValidationError(field: "app_version", reason: "must be a string of 1 to 32 characters")
            }
            appVersion = text
        }
        try await directory.recordHeartbeat(kioskID: kioskID, queueLength: queueLength, appVersion: appVersion)
        return try .json(Beat(kiosk: kioskID, server_time: Timestamp.format(Date())))
    }
}
