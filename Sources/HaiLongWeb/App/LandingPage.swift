import Hummingbird

/// The page at `/`: what this service is, in Vietnamese and English, and where its parts are.
enum LandingPage {
    static let html = """
        <!doctype html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>HaiLong — Đánh giá sự hài lòng</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;max-width:44rem;margin:3rem auto;
        padding:0 1rem;line-height:1.55;color:#1b1f24}
        h1{color:#a4161a;margin-bottom:.2rem} .en{color:#57606a} code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}
        </style>
        </head>
        <body>
        <h1>HaiLong · Hài lòng</h1>
        <p>Hệ thống đo lường sự hài lòng của người dân đối với cán bộ tại bộ phận một cửa.</p>
        <p class="en">Citizen satisfaction with the officers at Vietnam's one-stop counters.</p>
        <ul>
        <li><code>POST /api/v1/responses</code> — ghi nhận đánh giá từ kiosk · ratings from kiosks</li>
        <li><code>GET /api/v1/indices?period=2026-Q4&amp;agency=…</code> — chỉ số hài lòng · satisfaction indices</li>
        <li><code>GET /healthz</code>, <code>GET /readyz</code> — tình trạng dịch vụ · service health</li>
        </ul>
        </body>
        </html>
        """

    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
