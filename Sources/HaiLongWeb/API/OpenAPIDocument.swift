import Hummingbird

/// `GET /openapi.yaml`: the OpenAPI 3.1 description of every `/api/v1` route and of the operational endpoints,
/// written in `Sources/HaiLongWeb/Resources/openapi.yaml` (shipped in the resource bundle).
/// `Tests/HaiLongWebTests/OpenAPIDriftTests.swift` checks that the routes the router registers and the `paths` of that
/// document agree, so a new route must be documented there.
///
/// Field names are the ones the code reads (the validators in HaiLongCore, the controllers) and writes (their
/// `Encodable` structs): change both together.
public enum OpenAPIDocument {
    /// Served as is (the file's bytes), with no authentication.
    public static func addRoutes(to router: Router<some RequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }

    /// The document, `Sources/HaiLongWeb/Resources/openapi.yaml` in the resource bundle, read once.
    public static let yaml = WebResources.text("openapi.yaml")
}
