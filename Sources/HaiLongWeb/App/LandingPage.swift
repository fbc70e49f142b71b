import Hummingbird

/// The page at `/`: what this service is, in Vietnamese and English, and where its parts are.
enum LandingPage {
    /// `Sources/HaiLongWeb/Resources/landing.html` in the resource bundle, read once.
    static let html = WebResources.text("landing.html")

    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
