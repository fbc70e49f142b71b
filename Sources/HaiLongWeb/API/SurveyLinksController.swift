import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `POST /api/v1/survey-links`: the one-stop system asks for a signed survey link to print on a receipt or send by
/// SMS (integration or admin token; the agency must be within the token's scope).
/// Body `{"agency":"C","dossier":"HS-1","officer":"B-1","valid_days":30}`; all but `agency` optional, and `agency`
/// defaults to the token's own. Answer: `{"url","expires_at"}` (the path and query; the host is the caller's).
struct SurveyLinksController: Sendable {
    let directory: PostgresDirectoryStore
    let signer: Once<SurveySigner>

    init(directory: PostgresDirectoryStore, signer: Once<SurveySigner>) {
        self.directory = directory
        self.signer = signer
    }

    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.post("survey-links", deadline: .seconds(5), use: make)
    }

    struct Made: Encodable {
        var url: String
        var expires_at: String
    }

    @Sendable func make(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let scope: Int64?
        switch context.caller {
        case .token(_, .integration, let agencyID), .token(_, .admin, let agencyID): scope = agencyID
        default: throw Problem(.forbidden, field: "Authorization", detail: "survey links are made with integration or admin tokens")
        }
        guard case .object(let fields) = try await request.jsonBody(context: context) else {
            throw Problem(.badRequest, field: "body", detail: "the body must be a JSON object")
        }
        let known: Set = ["agency", "dossier", "officer", "valid_days"]
        if let unknown = fields.keys.filter({ !known.contains($0) }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
        func code(_ name: String) throws -> String? {
            switch fields[name] {
            case nil, .null?: return nil
            case .string(let text)? where CodeText.clean(text) == text: return text
            default: throw ValidationError(field: name, reason: "must be a code of letters, digits and . _ - / (1 to 64 characters)")
            }
        }
        var days = 30
        if let value = fields["valid_days"] {
            guard let number = value.exactInteger, (1...365).contains(number) else {
                throw ValidationError(field: "valid_days", reason: "must be an integer from 1 to 365")
            }
            days = number
        }
        let agency: Agency
        if let agencyCode = try code("agency") {
            // Outside the token's scope is answered exactly like unknown: the caller learns nothing of other agencies.
            guard let found = try await directory.agency(code: agencyCode),
                try await scope.asyncMap({ try await directory.isAgency(found.id, within: $0) }) ?? true
            else {
                throw ValidationError(field: "agency", reason: "unknown agency '\(agencyCode)'")
            }
            agency = found
        } else if let scope, let own = try await directory.agency(id: scope) {
            agency = own
        } else {
            throw ValidationError(field: "agency", reason: "is required for a token without an agency")
        }
        let link = SurveyLink(
            agency: agency.code, dossier: try code("dossier"), officer: try code("officer"),
            expires: Date().addingTimeInterval(Double(days) * 86_400))
        let signer = try await signer.value { SurveySigner(secret: try await directory.serverSecret(named: "survey_links")) }
        return try .json(
            Made(url: SurveyPath.make(link, signer: signer), expires_at: Timestamp.format(link.expires)), status: .created)
    }
}

/// The path and query of a signed survey link.
public enum SurveyPath {
    public static func make(_ link: SurveyLink, signer: SurveySigner) -> String {
        "/s/\(link.agency)?t=\(signer.token(for: link))"
    }
}
