import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `POST /api/v1/responses`: ratings from kiosks and integrations (docs/CONTRACT.md).
struct ResponsesController: Sendable {
    let responses: PostgresResponseStore
    /// The ingest route's authenticator: a kiosk sends every tap with the same token, so known tokens are kept.
    let authenticator: BearerAuthenticator
    let questionnaires: QuestionnaireCache
    let validator = SubmissionValidator()
    let rules: FlagRules
    let metrics: AppMetrics
    /// Test only (`HAILONG_UNSAFE_ACK_BEFORE_COMMIT`): answer 201 before the store has committed.
    let unsafeAckBeforeCommit: Bool

    init(
        responses: PostgresResponseStore, directory: PostgresDirectoryStore, rules: FlagRules, metrics: AppMetrics,
        unsafeAckBeforeCommit: Bool = false
    ) {
        self.unsafeAckBeforeCommit = unsafeAckBeforeCommit
        self.rules = rules
        self.metrics = metrics
        self.responses = responses
        self.authenticator = BearerAuthenticator(directory: directory, cache: CallerCache())
        self.questionnaires = QuestionnaireCache(store: responses)
    }

    /// The route, behind `rejections` (so a refused token is counted too) and `authenticator`.
    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.post("responses", deadline: .seconds(5), use: store)
    }

    /// Counts each refused rating by the field at fault (`hailong_responses_rejected_total`).
    var rejections: RejectionCounter { RejectionCounter(metrics: metrics) }

    struct RejectionCounter: RouterMiddleware {
        typealias Context = AppRequestContext
        let metrics: AppMetrics

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            do {
                return try await next(request, context)
            } catch let error as Problem {
                metrics.rejected(field: error.field ?? "status_\(error.status.code)")
                throw error
            } catch let error as ValidationError {
                metrics.rejected(field: error.field)
                throw error
            }
        }
    }

    /// The JSON answer to a stored response; a replay gets byte-for-byte the same (keys sorted).
    struct Created: Encodable {
        var id: String
        var received_at: String
        var flags: [String]

        init(_ stored: StoredResponse) {
            self.id = stored.id.uuidString.lowercased()
            self.received_at = Timestamp.format(stored.receivedAt)
            self.flags = stored.flags.map(\.rawValue)
        }

        var json: JSONValue {
            .object(["id": .string(id), "received_at": .string(received_at), "flags": .array(flags.map(JSONValue.string))])
        }
    }

    @Sendable func store(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let receivedAt = Timestamp.truncated(Date())
        let source: ResponseSource =
            switch context.caller {
            case .kiosk(let id, let agencyID, let counterID):
                ResponseSource(agencyID: agencyID, counterID: counterID, kioskID: id, channel: .kiosk)
            case .token(let id, .integration, let agencyID?):
                ResponseSource(agencyID: agencyID, apiTokenID: id, channel: .api)
            case .token:
                throw Problem(
                    .forbidden, field: "Authorization",
                    detail: "responses are accepted from kiosk tokens and agency-scoped integration tokens only")
            }
        guard let key = request.headers[.idempotencyKey] else {
            throw Problem(.badRequest, field: "Idempotency-Key", detail: "Idempotency-Key header is required (a UUID)")
        }
        guard let id = UUID(uuidString: key) else {
            throw Problem(.badRequest, field: "Idempotency-Key", detail: "Idempotency-Key must be a UUID")
        }
        let json = try await request.jsonBody(context: context)
        let known = try await questionnaires.all()
        let (submission, _) = try validator.validate(json, receivedAt: receivedAt) { known[$0]?.questionnaire }
        let stored = known[submission.questionnaire]!
        if unsafeAckBeforeCommit {
            // TEST ONLY: the broken order the reliability bench must catch — acknowledge, then store in the background.
            let responses = self.responses
            let rules = self.rules
            Task {
                _ = try? await responses.store(
                    submission, id: id, questionnaireID: stored.id, source: source, receivedAt: receivedAt, rules: rules)
            }
            let created = Created(StoredResponse(id: id, receivedAt: receivedAt, flags: []))
            return .json(created.json, status: .created)
        }
        let started = ContinuousClock.now
        let outcome: StoreOutcome
        do {
            outcome = try await responses.store(
                submission, id: id, questionnaireID: stored.id, source: source, receivedAt: receivedAt, rules: rules)
        } catch StoreError.revoked {
            // The cached caller was revoked meanwhile: the write refused it; look the token up afresh next time.
            if let token = try? BearerAuthenticator.token(request) { authenticator.cache?.forget(token: token) }
            throw Problem.invalidToken
        }
        metrics.storeDuration.record(started.duration(to: .now))
        switch outcome {
        case .created: metrics.accepted(channel: source.channel.rawValue)
        case .replayed: metrics.replayed.increment()
        case .keyReused, .dossierAlreadyRated: break
        }
        switch outcome {
        case .created(let response), .replayed(let response):
            return .json(Created(response).json, status: .created)
        case .keyReused:
            throw Problem(
                .unprocessableContent, field: "Idempotency-Key",
                detail: "this Idempotency-Key was already used for a different response")
        case .dossierAlreadyRated:
            // Only signed survey links bind this way; a token's responses never get here.
            throw Problem(.conflict, field: "dossier", detail: "this dossier was already rated")
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}
