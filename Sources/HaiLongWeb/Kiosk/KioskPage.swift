import Foundation
import HTTPTypes
import Hummingbird

/// `GET /kiosk`: the counter kiosk app (HTML, CSS, JS and a service worker, all served by this program from its
/// resource bundle, `Resources/public/kiosk/`: kiosks may be offline and must not depend on a CDN).
///
/// Every file is answered with an `ETag` and `Cache-Control: no-cache`, so a kiosk revalidates on each load (a
/// 304 costs a few bytes) and picks up a new version at once; the service worker keeps a copy for offline starts.
enum KioskPage {
    /// The page and its assets, by path.
    static let files: [String: KioskAssets.File] = [
        "/kiosk": KioskAssets.page,
        "/kiosk/app.css": KioskAssets.styles,
        "/kiosk/app.js": KioskAssets.script,
        "/kiosk/sw.js": KioskAssets.serviceWorker,
    ]

    /// Only our own scripts, styles and API; photos arrive as blob URLs (they need the device token).
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static func addRoutes(to router: Router<AppRequestContext>) {
        for path in files.keys {
            router.get(RouterPath(path)) { request, _ in response(for: request) }
        }
    }

    static func response(for request: Request) -> Response {
        guard let file = files[request.uri.path] else { return Response(status: .notFound) }
        var headers: HTTPFields = [
            .contentType: file.contentType, .cacheControl: "no-cache", .eTag: file.eTag, .xContentTypeOptions: "nosniff",
        ]
        if file.contentType.hasPrefix("text/html") {
            headers[.contentSecurityPolicy] = contentSecurityPolicy
        }
        if let scopeHeader = file.serviceWorkerAllowed {
            // The worker lives at /kiosk/sw.js but must control the page at /kiosk itself.
            headers[.serviceWorkerAllowed] = scopeHeader
        }
        let cachedTags = request.headers[.ifNoneMatch]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        if cachedTags.contains(file.eTag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }
}

extension HTTPField.Name {
    /// Lets a service worker control a scope above its own directory.
    static let serviceWorkerAllowed = Self("Service-Worker-Allowed")!
}
