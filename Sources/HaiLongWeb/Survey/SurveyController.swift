import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The SIPAS-style web survey at `/s/{agency}`: a plain HTML form (no JavaScript needed), validated on the server
/// with errors next to their fields and the answers kept, stored through the same path as the API (channel `web`).
///
/// `?dossier=` and `?officer=` prefill it; a signed link (`?t=…`, see `SurveyLink`) binds it to a dossier and
/// officer and is single-use per dossier. Abuse guards: a honeypot field, a signed minimum fill time, and a
/// per-address rate limit.
struct SurveyController: Sendable {
    let responses: PostgresResponseStore
    let directory: PostgresDirectoryStore
    let questionnaires: QuestionnaireCache
    let rules: FlagRules
    let metrics: AppMetrics
    let settings: SurveySettings
    let limiter: RateLimiter
    let clientAddress: ClientAddress
    let validator = SubmissionValidator()
    /// The link key never changes once made: read it once.
    let signerCache: Once<SurveySigner>

    static var questionnaireCode: String { "sipas-5" }

    init(
        responses: PostgresResponseStore, directory: PostgresDirectoryStore, questionnaires: QuestionnaireCache, rules: FlagRules,
        metrics: AppMetrics, settings: SurveySettings, clientAddress: ClientAddress, signer: Once<SurveySigner>
    ) {
        self.signerCache = signer
        self.responses = responses
        self.directory = directory
        self.questionnaires = questionnaires
        self.rules = rules
        self.metrics = metrics
        self.settings = settings
        self.limiter = RateLimiter(burst: settings.burst, interval: settings.interval)
        self.clientAddress = clientAddress
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("s/{agency}", deadline: .seconds(5), use: show)
        router.post("s/{agency}", deadline: .seconds(5), use: submit)
        router.get("s/{agency}/cam-on", deadline: .seconds(5), use: thanks)
        router.get("assets/survey.css") { _, _ in Self.asset(SurveyPages.css, type: "text/css; charset=utf-8") }
        router.get("assets/survey.js") { _, _ in Self.asset(SurveyPages.javascript, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// What the form is about: from a signed link, or from the plain query.
    struct Binding {
        var dossier: String?
        var officer: String?
        /// The signed link's token, carried through the form.
        var token: String?
    }

    /// The state of a form being shown: what was answered and what is wrong.
    struct FormState {
        var responseID = UUID()
        var levels: [String: Int] = [:]
        var dossier: String?
        var comment = ""
        var phone = ""
        var consent = false
        /// Field → message; `_form` for the form as a whole.
        var errors: [(field: String, message: String)] = []
    }

    // MARK: Routes

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        guard let agency = try await agency(context, language: language) else { return notFound(language) }
        let query = request.uri.queryParameters
        var binding = Binding()
        if let token = query["t"].map(String.init) {
            guard let link = try? await signer().link(from: token), link.agency == agency.code else {
                return linkRefused(agency, language: language)
            }
            if let dossier = link.dossier,
                try await responses.isDossierRated(agencyID: agency.id, dossier: dossier, channel: .web)
            {
                return message(agency, language: language, kind: "done", status: .ok)
            }
            binding = Binding(dossier: link.dossier, officer: link.officer, token: token)
        } else {
            binding.dossier = query["dossier"].map(String.init).flatMap(CodeText.clean)
            binding.officer = query["officer"].map(String.init).flatMap(CodeText.clean)
        }
        var state = FormState()
        state.dossier = binding.dossier
        return try await form(agency, binding: binding, state: state, language: language, status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let receivedAt = Timestamp.truncated(Date())
        let fields = try await request.formFields(upTo: context.maxUploadSize)
        let language = Language(fields["lang"])
        if let wait = limiter.take(clientAddress.of(request, context: context)) {
            metrics.rejected(field: "rate_limit")
            let seconds = max(1, Int(wait.components.seconds) + 1)
            return message(
                nil, language: language, kind: "limit", status: .tooManyRequests, headers: [.retryAfter: String(seconds)],
                seconds: seconds)
        }
        guard let agency = try await agency(context, language: language) else { return notFound(language) }
        // A person never sees the trap field; software that fills every field does.
        if let trap = fields["website"], !trap.isEmpty {
            metrics.rejected(field: "website")
            context.logger.info("survey: honeypot filled; not stored", metadata: ["agency": "\(agency.code)"])
            return message(agency, language: language, kind: "refused", status: .badRequest)
        }
        var binding = Binding(officer: fields["officer"].flatMap(CodeText.clean))
        if let token = fields["t"], !token.isEmpty {
            guard let link = try? await signer().link(from: token), link.agency == agency.code else {
                return linkRefused(agency, language: language)
            }
            binding = Binding(dossier: link.dossier, officer: link.officer, token: token)
        }
        var state = try await read(fields, binding: binding, language: language, receivedAt: receivedAt)
        if !state.errors.isEmpty {
            metrics.rejected(field: state.errors[0].field)
            return try await form(agency, binding: binding, state: state, language: language, status: .unprocessableContent)
        }
        if binding.token != nil, let dossier = binding.dossier,
            try await responses.isDossierRated(agencyID: agency.id, dossier: dossier, channel: .web)
        {
            return message(agency, language: language, kind: "done", status: .conflict)
        }
        let body = Self.body(state, binding: binding, receivedAt: receivedAt)
        let known = try await questionnaires.all()
        do {
            let (submission, _) = try validator.validate(body, receivedAt: receivedAt) { known[$0]?.questionnaire }
            // A signed link binds only when it names a dossier: single use is per dossier, so a link naming just an
            // officer could be answered again and again, and is the citizen's claim like the open survey.
            let outcome = try await responses.store(
                submission, id: state.responseID, questionnaireID: known[Self.questionnaireCode]!.id,
                source: ResponseSource(
                    agencyID: agency.id, channel: .web, binding: binding.token != nil && binding.dossier != nil ? .signedLink : .claim),
                receivedAt: receivedAt, rules: rules)
            switch outcome {
            case .created: metrics.accepted(channel: Channel.web.rawValue)
            // Another form of the same signed link was stored first (the unique index decided, not the check above).
            case .dossierAlreadyRated: return message(agency, language: language, kind: "done", status: .conflict)
            // The same form sent again (its id is the form's): a double click, or a resend after going back; the
            // time differs, so it may not be byte-identical. The first answer stands.
            case .replayed, .keyReused: metrics.replayed.increment()
            }
        } catch let error as ValidationError {
            // What the form cannot prevent (a tampered field, no key for phone numbers): shown like any other error.
            metrics.rejected(field: error.field)
            state.errors.append(Self.formError(error, language: language))
            return try await form(agency, binding: binding, state: state, language: language, status: .unprocessableContent)
        }
        return Response(
            status: .seeOther,
            headers: [.location: "/s/\(CodeText.escaped(agency.code))/cam-on?lang=\(language.rawValue)", .cacheControl: "no-store"])
    }

    @Sendable func thanks(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        guard let agency = try await agency(context, language: language) else { return notFound(language) }
        return message(agency, language: language, kind: "thanks", status: .ok)
    }

    // MARK: Reading the form

    /// The form's answers and the problems with them, all at once (a person fixes them in one go).
    func read(_ fields: [String: String], binding: Binding, language: Language, receivedAt: Date) async throws -> FormState {
        let text = SurveyPages.strings[language]!
        var state = FormState()
        guard let questionnaire = try await questionnaires.all()[Self.questionnaireCode]?.questionnaire else {
            throw Problem.unavailable("the sipas-5 questionnaire is missing; run `hailong migrate`")
        }
        if let id = fields["rid"].flatMap(UUID.init(uuidString:)) { state.responseID = id }
        for question in questionnaire.sections.flatMap(\.questions) {
            guard let value = fields[question.code], !value.isEmpty else { continue }
            if let level = Int(value), questionnaire.scale.contains(level) {
                state.levels[question.code] = level
            } else {
                state.errors.append((question.code, text["err_level"]!))
            }
        }
        state.dossier = binding.token != nil ? binding.dossier : fields["dossier"].flatMap { $0.isEmpty ? nil : $0 }
        state.comment = fields["comment"] ?? ""
        state.phone = (fields["phone"] ?? "").trimmingCharacters(in: .whitespaces)
        state.consent = fields["consent"] == "yes"
        if state.levels.isEmpty && state.errors.isEmpty { state.errors.append(("answers", text["err_none"]!)) }
        if let dossier = state.dossier, CodeText.clean(dossier) == nil { state.errors.append(("dossier", text["err_dossier"]!)) }
        if state.comment.count > validator.maxCommentLength { state.errors.append(("comment", text["err_comment"]!)) }
        if !state.phone.isEmpty {
            if !settings.acceptsContact {
                state.errors.append(("phone", text["err_phone_off"]!))
            } else if SubmissionValidator.normalisedPhone(state.phone) == nil {
                state.errors.append(("phone", text["err_phone"]!))
            } else if !state.consent {
                state.errors.append(("consent", text["err_consent"]!))
            }
        }
        // The stamp is checked last: a person who was too quick gets their answers back to look over.
        let signer = try await signer()
        let servedAt = fields["stamp"].flatMap { signer.servedAt(stamp: $0, responseID: state.responseID) }
        if state.errors.isEmpty {
            if let servedAt {
                if receivedAt.timeIntervalSince(servedAt) < Double(settings.minimumFillTime.components.seconds) {
                    state.errors.append(("_form", text["err_fast"]!))
                }
            } else {
                state.errors.append(("_form", text["err_stale"]!))
            }
        }
        return state
    }

    /// The API's body for the form's answers: one validation path for every channel.
    static func body(_ state: FormState, binding: Binding, receivedAt: Date) -> JSONValue {
        var object: [String: JSONValue] = [
            "questionnaire": .string(questionnaireCode),
            "answers": .object(state.levels.mapValues { .number(Double($0)) }),
            "submitted_at": .string(Timestamp.format(receivedAt)),
        ]
        if let dossier = state.dossier { object["dossier"] = .string(dossier) }
        if let officer = binding.officer { object["officer"] = .string(officer) }
        if !state.comment.isEmpty { object["comment"] = .string(state.comment) }
        if !state.phone.isEmpty { object["contact"] = .object(["phone": .string(state.phone), "consent": .bool(state.consent)]) }
        return .object(object)
    }

    static func formError(_ error: ValidationError, language: Language) -> (field: String, message: String) {
        let text = SurveyPages.strings[language]!
        switch error.field {
        case "contact", "contact.phone": return ("phone", text["err_phone_off"]!)
        case "comment": return ("comment", text["err_comment"]!)
        case "dossier": return ("dossier", text["err_dossier"]!)
        case let field where field.hasPrefix("answers."): return (String(field.dropFirst("answers.".count)), text["err_level"]!)
        default: return ("_form", "\(error.field): \(error.reason)")
        }
    }

    // MARK: Pages

    func agency(_ context: AppRequestContext, language: Language) async throws -> Agency? {
        let code = try context.parameters.require("agency")
        guard CodeText.clean(code) == code else { return nil }
        return try await directory.agency(code: code)
    }

    func signer() async throws -> SurveySigner {
        try await signerCache.value { SurveySigner(secret: try await directory.serverSecret(named: "survey_links")) }
    }

    func form(_ agency: Agency, binding: Binding, state: FormState, language: Language, status: HTTPResponse.Status) async throws
        -> Response
    {
        let text = SurveyPages.strings[language]!
        guard let questionnaire = try await questionnaires.all()[Self.questionnaireCode]?.questionnaire else {
            throw Problem.unavailable("the sipas-5 questionnaire is missing; run `hailong migrate`")
        }
        func localized(_ value: LocalizedText) -> String { language == .vi ? value.vi : value.en }
        let errors = Dictionary(state.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        let sections: [[String: Any]] = questionnaire.sections.enumerated().map { index, section in
            [
                "code": section.code, "number": String(index + 1), "title": localized(section.title),
                "questions": section.questions.map { question -> [String: Any] in
                    let id = question.code.replacingOccurrences(of: ".", with: "-")
                    return [
                        "code": question.code, "id": id, "text": localized(question.text), "error": errors[question.code] ?? false,
                        "options": (questionnaire.scale.min...questionnaire.scale.max).map { level -> [String: Any] in
                            [
                                "value": String(level), "input_id": "\(id)-\(level)",
                                "label": localized(questionnaire.scale.labels[level - questionnaire.scale.min]),
                                "checked": state.levels[question.code] == level,
                            ]
                        },
                    ]
                },
            ]
        }
        let firstElement = questionnaire.sections.first?.code ?? ""
        let targets = ["answers": "el-" + firstElement, "_form": "main"]
        let signer = try await signer()
        // The officer by name and title, as citizens know them (a badge nobody knows is not shown).
        var officerName: String?
        if let badge = binding.officer, let officer = try await directory.officer(agencyID: agency.id, badge: badge) {
            officerName = officer.title.map { "\(officer.name) · \($0)" } ?? officer.name
        }
        var query = "lang=\(language.other.rawValue)"
        if let token = binding.token { query += "&t=\(token)" }
        if binding.token == nil, let dossier = state.dossier { query += "&dossier=\(CodeText.escaped(dossier))" }
        if binding.token == nil, let officer = binding.officer { query += "&officer=\(CodeText.escaped(officer))" }
        let context: [String: Any] = [
            "lang": language.rawValue, "s": text, "title": text["title"]!, "agency": agency.name,
            "switch_url": "/s/\(CodeText.escaped(agency.code))?\(query)", "switch_lang": language.other.rawValue,
            "questionnaire_title": localized(questionnaire.title), "action": "/s/\(CodeText.escaped(agency.code))",
            "rid": state.responseID.uuidString.lowercased(),
            "stamp": signer.stamp(responseID: state.responseID, servedAt: Date()),
            "t": binding.token ?? false, "officer": binding.officer ?? false, "officer_name": officerName ?? false,
            "dossier": state.dossier ?? "", "dossier_locked": binding.token != nil && binding.dossier != nil,
            "has_errors": !state.errors.isEmpty,
            "errors": state.errors.map { error -> [String: Any] in
                let target =
                    targets[error.field]
                    ?? (error.field.contains(".") ? "q-" + error.field.replacingOccurrences(of: ".", with: "-") : error.field)
                return ["target": target, "message": error.message]
            },
            "total": String(questionnaire.sections.reduce(0) { $0 + $1.questions.count }),
            "sections": sections, "comment": state.comment, "comment_error": errors["comment"] ?? false,
            "accepts_contact": settings.acceptsContact, "phone": state.phone, "phone_error": errors["phone"] ?? false,
            "consent": state.consent, "consent_error": errors["consent"] ?? false, "dossier_error": errors["dossier"] ?? false,
        ]
        return SurveyPages.render("form", context, status: status)
    }

    func message(
        _ agency: Agency?, language: Language, kind: String, status: HTTPResponse.Status, headers: HTTPFields = [:], seconds: Int = 0
    ) -> Response {
        let text = SurveyPages.strings[language]!
        var context: [String: Any] = [
            "lang": language.rawValue, "s": text, "title": text["title"]!, "kind": kind,
            "heading": text["\(kind)_title"]!, "text": text["\(kind)_body"]!.replacingOccurrences(of: "{seconds}", with: String(seconds)),
        ]
        if let agency {
            let path = "/s/\(CodeText.escaped(agency.code))"
            context["agency"] = agency.name
            context["switch_url"] = kind == "thanks" ? "\(path)/cam-on?lang=\(language.other.rawValue)" : false
            context["switch_lang"] = language.other.rawValue
            if kind == "link" || kind == "refused" {
                context["link_url"] = "\(path)?lang=\(language.rawValue)"
                context["link_text"] = text[kind == "link" ? "link_general" : "back"]!
            }
        }
        return SurveyPages.render("message", context, status: status, headers: headers)
    }

    func notFound(_ language: Language) -> Response {
        message(nil, language: language, kind: "missing", status: .notFound)
    }

    func linkRefused(_ agency: Agency, language: Language) -> Response {
        message(agency, language: language, kind: "link", status: .forbidden)
    }
}
