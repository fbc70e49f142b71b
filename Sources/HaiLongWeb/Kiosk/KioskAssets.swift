import Foundation
import NIOCore

/// The kiosk app's files, read from the resource bundle (`Sources/HaiLongWeb/Resources/public/kiosk/`): the page
/// (`index.html`), its style sheet (`kiosk.css`), its script (`kiosk.js`) and the service worker that lets a kiosk start
/// without the network (`sw.js`). No inline scripts or style attributes, so a `script-src 'self'` policy holds.
enum KioskAssets {
    /// Reported in heartbeats and part of the service worker's cache name: change it with every change of the app.
    static let version = "1.0.0"

    /// Stands for `version` in `kiosk.js` and `sw.js`; replaced when the files are read.
    static let versionPlaceholder = "__HAILONG_KIOSK_VERSION__"

    /// One served file, its bytes and validator computed once.
    struct File: Sendable {
        let contentType: String
        let bytes: ByteBuffer
        /// A strong validator: FNV-1a over the bytes, enough to tell versions of our own files apart.
        let eTag: String
        /// The worker's scope when it must reach above its own directory.
        let serviceWorkerAllowed: String?

        init(contentType: String, body: String, serviceWorkerAllowed: String? = nil) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in body.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            self.contentType = contentType
            self.bytes = ByteBuffer(string: body)
            self.eTag = "\"\(String(hash, radix: 16))\""
            self.serviceWorkerAllowed = serviceWorkerAllowed
        }
    }

    static let page = File(contentType: "text/html; charset=utf-8", body: html)
    static let styles = File(contentType: "text/css; charset=utf-8", body: css)
    static let script = File(contentType: "text/javascript; charset=utf-8", body: javascript)
    static let serviceWorker = File(
        contentType: "text/javascript; charset=utf-8", body: serviceWorkerSource, serviceWorkerAllowed: "/kiosk")

    /// The screens (pairing, rating, reasons, thanks) and the staff panel; the script shows one at a time.
    /// Served as `/kiosk`.
    static let html = WebResources.text("public/kiosk/index.html")

    /// Full-screen, touch-first: text scales with the screen (768 px portrait tablets to 1920 px landscape
    /// screens), every control is at least 64 px, nothing depends on hover. Served as `/kiosk/app.css`.
    static let css = WebResources.text("public/kiosk/kiosk.css")

    /// The kiosk app: pairing, the two-tap rating, the offline queue (localStorage, one UUID per tap sent as
    /// `Idempotency-Key`, retried with capped exponential back-off until a 201), heartbeats and the staff panel.
    /// Served as `/kiosk/app.js`, with `version` as its `APP_VERSION`.
    static let javascript = versioned("public/kiosk/kiosk.js")

    /// Network first for the page and its assets, the cached copy when the network fails; the API is not touched.
    /// Served as `/kiosk/sw.js`, with `version` in its cache name.
    static let serviceWorkerSource = versioned("public/kiosk/sw.js")

    /// The text of the resource at `path` with its one `versionPlaceholder` replaced by `version`.
    static func versioned(_ path: String) -> String {
        let text = WebResources.text(path)
        guard text.components(separatedBy: versionPlaceholder).count == 2 else {
            fatalError("resource \(path) must hold \(versionPlaceholder) exactly once")
        }
        return text.replacingOccurrences(of: versionPlaceholder, with: version)
    }
}
