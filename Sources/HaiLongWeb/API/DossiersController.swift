import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `POST /api/v1/dossiers`: the one-stop system reports a served dossier (integration token scoped to an agency).
/// 201 when new, 200 when the dossier with that code was updated.
struct DossiersController: Sendable {
    let dossiers: PostgresDossierStore
    let validator = DossierValidator()

    init(dossiers: PostgresDossierStore) {
        self.dossiers = dossiers
    }

    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.post("dossiers", deadline: .seconds(5), use: record)
    }

    struct Recorded: Encodable {
        var id: Int64
        var code: String
        var created: Bool
    }

    @Sendable func record(_ request: Request, context: TokenRequestContext) async throws -> Response {
        guard case .token(_, .integration, let agencyID?) = context.caller else {
            throw Problem(.forbidden, field: "Authorization", detail: "dossiers are accepted from agency-scoped integration tokens only")
        }
        let dossier = try validator.validate(try await request.jsonBody(context: context))
        let (id, created) = try await dossiers.record(dossier, agencyID: agencyID)
        return try .json(Recorded(id: id, code: dossier.code, created: created), status: created ? .created : .ok)
    }
}
