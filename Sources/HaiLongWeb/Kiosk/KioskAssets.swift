import NIOCore

/// The kiosk app's files, kept in the binary as string literals: the page, its style sheet
/// (`KioskAssets+Styles.swift`), its script (`KioskAssets+Script.swift`) and the service worker that lets a kiosk
/// start without the network. No inline scripts or style attributes, so a `script-src 'self'` policy holds.
enum KioskAssets {
    /// Reported in heartbeats and part of the service worker's cache name: change it with every change of the app.
    static let version = "1.0.0"

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
    static let html = #"""
        <!doctype html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
        <meta name="theme-color" content="#9f1d20">
        <title>HaiLong — Đánh giá sự hài lòng</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/kiosk/app.css">
        <script src="/kiosk/app.js" defer></script>
        </head>
        <body>
        <main id="app">

        <section id="screen-loading" class="screen screen-center">
          <p class="loading" data-i18n="loading">Đang tải…</p>
        </section>

        <section id="screen-pair" class="screen screen-center" hidden>
          <form id="pair-form" class="card pair" novalidate>
            <h1 data-i18n="pairTitle">Kết nối kiosk</h1>
            <p class="help" data-i18n="pairHelp">Nhập mã ghép nối 8 chữ số do quản trị viên cấp, hoặc dán mã thiết bị (hlk_…).</p>
            <p id="pair-notice" class="notice" role="status" hidden></p>
            <label for="pair-code" data-i18n="pairLabel">Mã ghép nối</label>
            <input id="pair-code" name="code" autocomplete="off" autocapitalize="off" spellcheck="false"
                   inputmode="numeric" enterkeyhint="go" maxlength="200" data-i18n-placeholder="pairPlaceholder" placeholder="8 chữ số">
            <p id="pair-error" class="error" role="alert" hidden></p>
            <button id="pair-button" class="primary" type="submit" data-i18n="pairButton">Kết nối</button>
          </form>
          <button class="lang-button" type="button" data-action="language">English</button>
        </section>

        <section id="screen-rate" class="screen screen-rate" hidden>
          <header class="topbar">
            <div class="place">
              <div id="agency-name" class="agency"></div>
              <div id="counter-name" class="counter"></div>
            </div>
            <div class="tools">
              <button class="lang-button" type="button" data-action="language">English</button>
              <button id="staff-button" class="staff-button" type="button" aria-describedby="staff-hint">
                <span id="status-dot" class="dot" data-state="online"></span>
                <span id="queue-count" class="queue-count" hidden>0</span>
                <span data-i18n="staffButton">Cán bộ</span>
                <span id="status-text" class="visually-hidden"></span>
              </button>
            </div>
          </header>
          <p id="staff-hint" class="hint" role="status" hidden data-i18n="staffHint">Cán bộ: giữ nút 1 giây để chọn người đang làm việc.</p>

          <div id="officer-card" class="officer">
            <div class="avatar"><img id="officer-photo" alt="" hidden><span id="officer-initials" class="initials"></span></div>
            <div class="officer-text">
              <div id="served-by" class="served-by">Cán bộ phục vụ</div>
              <div id="officer-name" class="officer-name"></div>
              <div id="officer-title" class="officer-title"></div>
              <div id="officer-badge" class="officer-badge"></div>
            </div>
          </div>

          <h1 id="question" class="question">Ông/Bà có hài lòng với cán bộ vừa phục vụ không?</h1>

          <div class="scale">
            <button class="rate level-3" type="button" data-level="3">
              <svg class="face" viewBox="0 0 100 100" aria-hidden="true"><circle class="head" cx="50" cy="50" r="44"/><circle class="eye" cx="35" cy="40" r="6"/><circle class="eye" cx="65" cy="40" r="6"/><path class="mouth-open" d="M26 56 Q50 90 74 56 Z"/></svg>
              <span class="rate-label" data-level-label="3">Rất hài lòng</span>
            </button>
            <button class="rate level-2" type="button" data-level="2">
              <svg class="face" viewBox="0 0 100 100" aria-hidden="true"><circle class="head" cx="50" cy="50" r="44"/><circle class="eye" cx="35" cy="40" r="6"/><circle class="eye" cx="65" cy="40" r="6"/><path class="mouth" d="M30 62 Q50 78 70 62"/></svg>
              <span class="rate-label" data-level-label="2">Hài lòng</span>
            </button>
            <button class="rate level-1" type="button" data-level="1">
              <svg class="face" viewBox="0 0 100 100" aria-hidden="true"><circle class="head" cx="50" cy="50" r="44"/><circle class="eye" cx="35" cy="40" r="6"/><circle class="eye" cx="65" cy="40" r="6"/><path class="mouth" d="M30 72 Q50 56 70 72"/></svg>
              <span class="rate-label" data-level-label="1">Chưa hài lòng</span>
            </button>
          </div>

          <form id="dossier-form" class="dossier" novalidate>
            <label for="dossier" data-i18n="dossierLabel">Mã hồ sơ (nếu có)</label>
            <input id="dossier" name="dossier" autocomplete="off" autocapitalize="characters" spellcheck="false"
                   enterkeyhint="done" maxlength="64" data-i18n-placeholder="dossierPlaceholder" placeholder="Quét mã vạch hoặc nhập">
            <span id="dossier-ok" class="dossier-ok" hidden aria-hidden="true">✓</span>
          </form>
        </section>

        <section id="screen-reasons" class="screen screen-reasons" hidden>
          <h1 id="reasons-title" class="reasons-title" data-i18n="reasonsTitle">Cán bộ chưa thực hiện điều nào?</h1>
          <p class="help" data-i18n="reasonsHelp">Chọn một hoặc nhiều ý (“4 xin, 4 luôn”).</p>
          <div id="reasons" class="reasons" role="group" aria-labelledby="reasons-title"></div>
          <label class="comment-label" for="comment" data-i18n="commentLabel">Góp ý thêm (không bắt buộc)</label>
          <textarea id="comment" class="comment" maxlength="1000" rows="2"></textarea>
          <div class="actions">
            <button id="skip-button" class="secondary" type="button" data-i18n="skip">Bỏ qua</button>
            <button id="send-button" class="primary" type="button" data-i18n="send">Gửi đánh giá</button>
          </div>
        </section>

        <section id="screen-thanks" class="screen screen-center screen-thanks" hidden>
          <svg class="thanks-mark" viewBox="0 0 100 100" aria-hidden="true"><circle cx="50" cy="50" r="44"/><path d="M28 52 L44 67 L73 36"/></svg>
          <h1 data-i18n="thanksTitle">Cảm ơn Ông/Bà đã đánh giá!</h1>
          <p data-i18n="thanksText">Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn.</p>
        </section>

        </main>

        <div id="staff-panel" class="overlay" hidden>
          <div class="panel" role="dialog" aria-modal="true" aria-labelledby="staff-title">
            <h2 id="staff-title" data-i18n="staffTitle">Cán bộ đang làm việc tại quầy</h2>
            <p class="help" data-i18n="staffHelp">Chọn tên của mình để người dân đánh giá đúng người phục vụ.</p>
            <ul id="officer-list" class="officer-list"></ul>
            <p id="staff-error" class="error" role="alert" hidden></p>
            <dl class="kiosk-status">
              <div><dt data-i18n="statusQueue">Đang chờ gửi</dt><dd id="status-queue">0</dd></div>
              <div><dt data-i18n="statusDropped">Bị từ chối</dt><dd id="status-dropped">0</dd></div>
              <div><dt data-i18n="statusKiosk">Kiosk</dt><dd id="status-kiosk"></dd></div>
              <div><dt data-i18n="statusVersion">Phiên bản</dt><dd id="status-version"></dd></div>
            </dl>
            <div class="actions">
              <button id="fullscreen-button" class="secondary" type="button" data-i18n="fullscreen">Toàn màn hình</button>
              <button id="staff-close" class="primary" type="button" data-i18n="close">Đóng</button>
            </div>
          </div>
        </div>
        </body>
        </html>
        """#

    /// Network first for the page and its assets, the cached copy when the network fails; the API is not touched.
    static let serviceWorkerSource = #"""
        "use strict";
        const CACHE = "hailong-kiosk-\#(version)";
        const FILES = ["/kiosk", "/kiosk/app.css", "/kiosk/app.js"];
        const NETWORK_TIMEOUT_MS = 5000;

        self.addEventListener("install", (event) => {
          event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
        });

        self.addEventListener("activate", (event) => {
          event.waitUntil(
            caches.keys()
              .then((keys) => Promise.all(keys.filter((key) => key.startsWith("hailong-kiosk-") && key !== CACHE).map((key) => caches.delete(key))))
              .then(() => self.clients.claim()));
        });

        self.addEventListener("fetch", (event) => {
          const url = new URL(event.request.url);
          if (event.request.method !== "GET" || url.origin !== self.location.origin || !FILES.includes(url.pathname)) return;
          event.respondWith(networkFirst(event.request, url.pathname));
        });

        async function networkFirst(request, path) {
          const cache = await caches.open(CACHE);
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), NETWORK_TIMEOUT_MS);
          try {
            const response = await fetch(request, { signal: controller.signal });
            if (response.ok) await cache.put(path, response.clone());
            return response;
          } catch (error) {
            const cached = await cache.match(path);
            if (cached) return cached;
            throw error;
          } finally {
            clearTimeout(timer);
          }
        }
        """#
}
