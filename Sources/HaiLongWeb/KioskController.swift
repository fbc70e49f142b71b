import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `POST /api/v1/kiosk/heartbeat`: a paired kiosk says it is alive, how many ratings wait in its offline queue and
/// which app version it runs; the answer carries the server's clock so the kiosk can see its own skew.
struct KioskController<Directory: DirectoryStore>: Sendable {
    let directory: Directory
    let auth: BearerAuth<Directory>

    init(directory: Directory) {
        self.directory = directory
        self.auth = BearerAuth(directory: directory)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("kiosk/heartbeat", deadline: .seconds(5), use: heartbeat)
    }

    struct Beat: Encodable {
        var kiosk: Int64
        var server_time: String
    }

    @Sendable func heartbeat(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .kiosk(let kioskID, _, _) = try await auth.caller(request) else {
            throw Problem(.forbidden, field: "Authorization", detail: "heartbeats come from kiosk tokens")
        }
        guard case .object(let fields) = try await request.jsonBody(context: context) else {
            throw Problem(.badRequest, field: "body", detail: "the body must be a JSON object")
        }
        if let unknown = fields.keys.filter({ $0 != "queue_length" && $0 != "app_version" }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
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
