import Foundation
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Yams

/// The OpenAPI drift test: the routes `buildRouter` registers and the `paths` of the document served at
/// `/openapi.yaml` (`OpenAPIDocument.yaml`) must agree, so a route cannot be added, renamed or removed without the
/// document following. Also: every operation declares its errors as problem+json, every path parameter is declared,
/// every `$ref` resolves, and `GET /openapi.yaml` serves `Sources/HaiLongWeb/Resources/openapi.yaml` byte for byte.
///
/// The router is `buildRouter` with the same stores `AppHarness` uses, on a PostgreSQL client that is never run:
/// registering routes touches no database, so this needs none.
@Suite struct OpenAPIDriftTests {
    /// One operation: `GET /api/v1/indices`, with path parameters written `{name}` on both sides.
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    /// Documented outside `/api/v1` (the contract's operational endpoints); the HTML pages (`/`, `/kiosk`, `/s/{agency}`)
    /// are not part of the API document.
    static let operational: Set<Operation> = [
        Operation(method: "GET", path: "/healthz"), Operation(method: "GET", path: "/readyz"),
        Operation(method: "GET", path: "/metrics"), Operation(method: "GET", path: "/openapi.yaml"),
    ]

    static func router() -> Router<AppRequestContext> {
        let logger = TestDatabase.logger
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", username: "hailong", password: nil, database: "hailong", tls: .disable),
            backgroundLogger: logger)
        var dependencies = AppDependencies(
            directory: PostgresDirectoryStore(client: client, logger: logger),
            responses: PostgresResponseStore(client: client, logger: logger),
            indices: PostgresIndexStore(client: client, logger: logger),
            dossiers: PostgresDossierStore(client: client, logger: logger),
            isReady: { false })
        dependencies.accountability = PostgresAccountabilityStore(client: client, logger: logger)
        dependencies.emulation = PostgresEmulationStore(client: client, logger: logger)
        return buildRouter(dependencies)
    }

    static func registered() -> Set<Operation> {
        Set(router().routes.map { Operation(method: $0.method.rawValue, path: $0.path.description) })
    }

    /// The document, parsed.
    static func document(_ text: String = OpenAPIDocument.yaml) throws -> Node {
        guard let root = try Yams.compose(yaml: text) else { throw DocumentError("the document is empty") }
        return root
    }

    struct DocumentError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A mapping node's entries by their string keys (quoted or not); empty for anything else.
    static func entries(_ node: Node?) -> [(key: String, value: Node)] {
        guard let mapping = node?.mapping else { return [] }
        return mapping.compactMap { pair in pair.key.string.map { (key: $0, value: pair.value) } }
    }

    static func child(_ node: Node?, _ key: String) -> Node? {
        entries(node).first { $0.key == key }?.value
    }

    /// Follows `$ref: "#/…"` within the document (one level at a time, until a node without `$ref`).
    static func resolve(_ node: Node?, in root: Node) -> Node? {
        var node = node
        var hops = 0
        while let ref = child(node, "$ref")?.string, hops < 10 {
            node = lookup(ref, in: root)
            hops += 1
        }
        return node
    }

    static func lookup(_ ref: String, in root: Node) -> Node? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Node? = root
        for part in ref.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = child(node, key)
        }
        return node
    }

    /// Every operation of the document's `paths`, with its node.
    static func documented(_ root: Node) -> [Operation: Node] {
        var operations: [Operation: Node] = [:]
        for (path, item) in entries(child(root, "paths")) {
            for (method, operation) in entries(item) where methods.contains(method) {
                operations[Operation(method: method.uppercased(), path: path)] = operation
            }
        }
        return operations
    }

    @Test func everyRegisteredAPIRouteIsDocumentedAndNothingElse() throws {
        let registered = Self.registered()
        let documented = Set(Self.documented(try Self.document()).keys)
        let api = registered.filter { $0.path.hasPrefix("/api/v1/") }
        #expect(!api.isEmpty, "the router registered no /api/v1 route: is buildRouter still the app's router?")

        let undocumented = api.union(Self.operational).subtracting(documented).sorted()
        let unregistered = documented.subtracting(registered).sorted()
        let unregisteredOperational = Self.operational.subtracting(registered).sorted()
        #expect(
            undocumented.isEmpty,
            """
            registered by buildRouter but missing from OpenAPIDocument.yaml's paths (document them in \
            Sources/HaiLongWeb/Resources/openapi.yaml): \(undocumented.map(\.description).joined(separator: ", "))
            """)
        #expect(
            unregistered.isEmpty,
            """
            in OpenAPIDocument.yaml's paths but not registered by buildRouter (remove them, or fix the path/method): \
            \(unregistered.map(\.description).joined(separator: ", "))
            """)
        #expect(
            unregisteredOperational.isEmpty,
            "operational endpoints of the contract not registered: \(unregisteredOperational.map(\.description).joined(separator: ", "))")
    }

    @Test func everyOperationDeclaresItsErrorsAsProblems() throws {
        let root = try Self.document()
        var failures: [String] = []
        for (operation, node) in Self.documented(root).sorted(by: { $0.key < $1.key }) {
            let responses = Self.entries(Self.child(node, "responses"))
            if responses.isEmpty {
                failures.append("\(operation): no responses")
                continue
            }
            if Self.child(node, "security") == nil {
                failures.append("\(operation): no security (write `security: []` for a route without a token)")
            }
            var problem4xx = false
            for (status, response) in responses {
                guard let code = Int(status), code >= 400 else { continue }
                let resolved = Self.resolve(response, in: root)
                let media = Self.child(Self.child(resolved, "content"), "application/problem+json")
                let schema = Self.child(media, "schema")
                guard let ref = Self.child(schema, "$ref")?.string, ref == "#/components/schemas/Problem" else {
                    failures.append("\(operation): \(status) is not application/problem+json with the Problem schema")
                    continue
                }
                if code < 500 { problem4xx = true }
                if code == 429 || code == 503 {
                    if Self.child(Self.child(resolved, "headers"), "Retry-After") == nil {
                        failures.append("\(operation): \(status) without a Retry-After header")
                    }
                }
            }
            if operation.path.hasPrefix("/api/v1/") && !problem4xx {
                failures.append("\(operation): no 4xx problem+json response")
            }
            if operation.path.hasPrefix("/api/v1/") && !responses.contains(where: { $0.key == "503" }) {
                failures.append("\(operation): no 503 (every API route answers 503 + Retry-After when the database does not)")
            }
        }
        let problem = Self.lookup("#/components/schemas/Problem", in: root)
        let fields = Set(Self.entries(Self.child(problem, "properties")).map(\.key))
        if fields != ["type", "title", "status", "detail", "field", "instance"] {
            failures.append("the Problem schema's properties are \(fields.sorted()), not type, title, status, detail, field, instance")
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func everyPathParameterIsDeclared() throws {
        let root = try Self.document()
        var failures: [String] = []
        for (operation, node) in Self.documented(root).sorted(by: { $0.key < $1.key }) {
            let item = Self.child(Self.child(root, "paths"), operation.path)
            let templated = Set(
                operation.path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map {
                    String($0.dropFirst().dropLast())
                })
            var declared: Set<String> = []
            for list in [Self.child(item, "parameters"), Self.child(node, "parameters")] {
                for parameter in list?.array() ?? [] {
                    let resolved = Self.resolve(parameter, in: root)
                    guard let name = Self.child(resolved, "name")?.string, let place = Self.child(resolved, "in")?.string else {
                        failures.append("\(operation): a parameter without name or in")
                        continue
                    }
                    guard place == "path" else { continue }
                    if Self.child(resolved, "required")?.bool != true {
                        failures.append("\(operation): path parameter '\(name)' is not required: true")
                    }
                    declared.insert(name)
                }
            }
            for name in templated.subtracting(declared).sorted() {
                failures.append("\(operation): path parameter '{\(name)}' is not declared")
            }
            for name in declared.subtracting(templated).sorted() {
                failures.append("\(operation): declares path parameter '\(name)' that is not in the path")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func everyReferenceResolves() throws {
        let root = try Self.document()
        #expect(Self.child(root, "openapi")?.string == "3.1.0")
        var refs: Set<String> = []
        func collect(_ node: Node) {
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    if key.string == "$ref", let ref = value.string { refs.insert(ref) } else { collect(value) }
                }
            } else if let sequence = node.sequence {
                sequence.forEach(collect)
            }
        }
        collect(root)
        let broken = refs.filter { Self.lookup($0, in: root) == nil }.sorted()
        #expect(broken.isEmpty, "$refs that lead nowhere: \(broken.joined(separator: ", "))")

        let schemes = Set(Self.entries(Self.child(Self.child(root, "components"), "securitySchemes")).map(\.key))
        var unknown: Set<String> = []
        for (_, operation) in Self.documented(root) {
            for requirement in Self.child(operation, "security")?.array() ?? [] {
                unknown.formUnion(Self.entries(requirement).map(\.key).filter { !schemes.contains($0) })
            }
        }
        #expect(unknown.isEmpty, "security schemes used but not defined: \(unknown.sorted())")
    }

    @Test func theDocumentIsServedWithoutAToken() async throws {
        let app = Application(router: Self.router(), logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(text == OpenAPIDocument.yaml)
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/HaiLongWeb/Resources/openapi.yaml")
            #expect([UInt8](response.body.readableBytesView) == [UInt8](try Data(contentsOf: file)), "not the file's bytes")
            #expect(Self.child(try Self.document(text), "openapi")?.string == "3.1.0")
        }
    }

    /// The drift check itself fails when a route is missing from the document.
    @Test func aRemovedPathIsReported() throws {
        let yaml = OpenAPIDocument.yaml.replacingOccurrences(of: "  /api/v1/kiosk/heartbeat:\n", with: "  /api/v1/kiosk/heartbeat-gone:\n")
        #expect(yaml != OpenAPIDocument.yaml)
        let documented = Set(Self.documented(try Self.document(yaml)).keys)
        let missing = Self.registered().filter { $0.path.hasPrefix("/api/v1/") }.subtracting(documented)
        #expect(missing == [Operation(method: "POST", path: "/api/v1/kiosk/heartbeat")])
    }
}
