import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `POST /api/v1/dossiers`: the one-stop system reports a served dossier (integration token scoped to an agency).
/// 201 when new, 200 when the dossier with that code was updated.
struct DossiersController<Dossiers: DossierStore, Directory: DirectoryStore>: Sendable {
    let dossiers: Dossiers
    let auth: BearerAuth<Directory>
    let validator = DossierValidator()

    init(dossiers: Dossiers, directory: Directory) {
        self.dossiers = dossiers
        self.auth = BearerAuth(directory: directory)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("dossiers", deadline: .seconds(5), use: record)
    }

    struct Recorded: Encodable {
        var id: Int64
        var code: String
        var created: Bool
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .token(_, .integration, let agencyID?) = try await auth.caller(request) else {
            throw Problem(.forbidden, field: "Authorization", detail: "dossiers are accepted from agency-scoped integration tokens only")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard let json = JSONValue.parse(Data(buffer: body)) else {
            throw Problem(.badRequest, field: "body", detail: "the body is not valid JSON")
        }
        let dossier = try validator.validate(json)
        let (id, created) = try await dossiers.record(dossier, agencyID: agencyID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: created ? .created : .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(Recorded(id: id, code: dossier.code, created: created)))))
    }
}
