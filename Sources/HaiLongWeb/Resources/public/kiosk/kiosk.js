"use strict";
(() => {
  const APP_VERSION = "__HAILONG_KIOSK_VERSION__";
  const THANKS_MS = 4000;           // the thank-you screen resets itself after this
  const REASONS_IDLE_MS = 60000;    // a citizen who walks away from the checklist: send what is ticked
  const LANGUAGE_IDLE_MS = 90000;   // back to Vietnamese after this long untouched
  const DOSSIER_IDLE_MS = 600000;   // a scanned dossier code waits this long for its rating
  const HEARTBEAT_MS = 60000;
  const REQUEST_TIMEOUT_MS = 15000;
  const RETRY_BASE_MS = 1000;
  const RETRY_CAP_MS = 30000;
  const LONG_PRESS_MS = 800;
  const HINT_MS = 3500;
  const DEFAULT_LANGUAGE = "vi";
  const KEYS = {
    token: "hailong.kiosk.token",
    config: "hailong.kiosk.config",
    queue: "hailong.kiosk.queue",
    dropped: "hailong.kiosk.dropped",
    onDuty: "hailong.kiosk.onDuty",
  };

  const TEXT = {
    vi: {
      loading: "Đang tải…",
      waiting: "Đang chờ kết nối máy chủ…",
      pairTitle: "Kết nối kiosk",
      pairHelp: "Nhập mã ghép nối 8 chữ số do quản trị viên cấp, hoặc dán mã thiết bị (hlk_…).",
      pairLabel: "Mã ghép nối",
      pairPlaceholder: "8 chữ số",
      pairButton: "Kết nối",
      pairWorking: "Đang kết nối…",
      pairBadFormat: "Mã ghép nối gồm 8 chữ số; mã thiết bị bắt đầu bằng hlk_.",
      pairRejected: "Mã ghép nối không đúng, đã hết hạn hoặc đã được dùng. Hãy xin quản trị viên mã mới.",
      pairTokenRejected: "Mã thiết bị không đúng hoặc đã bị thu hồi.",
      pairOffline: "Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.",
      pairBusy: "Máy chủ đang bận hoặc đã thử quá nhiều lần. Vui lòng thử lại sau ít phút.",
      revoked: "Kiosk này đã bị thu hồi hoặc mã thiết bị không còn hiệu lực. Hãy nhập mã ghép nối mới.",
      revokedQueue: "{n} đánh giá chưa gửi vẫn được giữ lại và sẽ được gửi sau khi kết nối lại.",
      staffButton: "Cán bộ",
      staffHint: "Cán bộ: giữ nút 1 giây để chọn người đang làm việc.",
      servedBy: "Cán bộ phục vụ",
      servedAt: "Đánh giá cán bộ tại",
      counterOnly: "Bộ phận một cửa",
      badge: "Số hiệu",
      question: "Ông/Bà có hài lòng với cán bộ vừa phục vụ không?",
      dossierLabel: "Mã hồ sơ (nếu có)",
      dossierPlaceholder: "Quét mã vạch hoặc nhập",
      reasonsTitle: "Cán bộ chưa thực hiện điều nào?",
      reasonsHelp: "Chọn một hoặc nhiều ý (“4 xin, 4 luôn”).",
      commentLabel: "Góp ý thêm (không bắt buộc)",
      skip: "Bỏ qua",
      send: "Gửi đánh giá",
      thanksTitle: "Cảm ơn Ông/Bà đã đánh giá!",
      thanksText: "Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn.",
      staffTitle: "Cán bộ đang làm việc tại quầy",
      staffHelp: "Chọn tên của mình để người dân đánh giá đúng người phục vụ.",
      nobody: "Không có cán bộ (kết thúc ca)",
      onDuty: "Đang làm việc",
      noOfficers: "Quầy này chưa có cán bộ nào trong danh sách.",
      dutyRejected: "Máy chủ không nhận cán bộ này (danh sách đã thay đổi). Hãy chọn lại.",
      statusQueue: "Đang chờ gửi",
      statusDropped: "Bị từ chối",
      statusKiosk: "Kiosk",
      statusVersion: "Phiên bản",
      fullscreen: "Toàn màn hình",
      close: "Đóng",
      otherLanguage: "English",
      dotOnline: "Đã kết nối, không có đánh giá chờ gửi",
      dotQueued: "{n} đánh giá đang chờ gửi",
      dotOffline: "Mất kết nối máy chủ; {n} đánh giá đang chờ gửi",
    },
    en: {
      loading: "Loading…",
      waiting: "Waiting for the server…",
      pairTitle: "Connect this kiosk",
      pairHelp: "Enter the 8-digit pairing code from your administrator, or paste the device token (hlk_…).",
      pairLabel: "Pairing code",
      pairPlaceholder: "8 digits",
      pairButton: "Connect",
      pairWorking: "Connecting…",
      pairBadFormat: "A pairing code has 8 digits; a device token starts with hlk_.",
      pairRejected: "The pairing code is wrong, expired or already used. Ask your administrator for a new one.",
      pairTokenRejected: "The device token is wrong or has been revoked.",
      pairOffline: "Cannot reach the server. Check the network and try again.",
      pairBusy: "The server is busy or there were too many attempts. Please try again in a few minutes.",
      revoked: "This kiosk was revoked or its device token is no longer valid. Enter a new pairing code.",
      revokedQueue: "{n} unsent ratings are kept and will be sent once the kiosk is connected again.",
      staffButton: "Staff",
      staffHint: "Staff: hold this button for 1 second to choose who is on duty.",
      servedBy: "Served by",
      servedAt: "Rate the officers at",
      counterOnly: "One-stop counter",
      badge: "Badge",
      question: "Are you satisfied with the officer who served you?",
      dossierLabel: "Dossier code (optional)",
      dossierPlaceholder: "Scan the barcode or type",
      reasonsTitle: "What did the officer not do?",
      reasonsHelp: "Choose one or more (“4 please, 4 always”).",
      commentLabel: "Anything else? (optional)",
      skip: "Skip",
      send: "Send",
      thanksTitle: "Thank you for your rating!",
      thanksText: "Your opinion helps us serve you better.",
      staffTitle: "Officer on duty at this counter",
      staffHelp: "Choose your own name so that citizens rate the right officer.",
      nobody: "Nobody (end of shift)",
      onDuty: "On duty",
      noOfficers: "No officers are listed for this counter yet.",
      dutyRejected: "The server does not know this officer (the list has changed). Please choose again.",
      statusQueue: "Waiting to send",
      statusDropped: "Refused",
      statusKiosk: "Kiosk",
      statusVersion: "Version",
      fullscreen: "Full screen",
      close: "Close",
      otherLanguage: "Tiếng Việt",
      dotOnline: "Connected, nothing waiting",
      dotQueued: "{n} ratings waiting to be sent",
      dotOffline: "Server unreachable; {n} ratings waiting",
    },
  };

  // Used until the server's questionnaire arrives (the same wording as the built-in kiosk-3).
  const FALLBACK_QUESTIONNAIRE = {
    code: "kiosk-3",
    scale: {
      labels: [
        { vi: "Chưa hài lòng", en: "Not satisfied" },
        { vi: "Hài lòng", en: "Satisfied" },
        { vi: "Rất hài lòng", en: "Very satisfied" },
      ],
    },
    sections: [{ questions: [{ code: "overall", text: null }] }],
    reasons: [
      ["xin_chao", "Xin chào", "Greeting"], ["xin_loi", "Xin lỗi", "Apologising"],
      ["xin_cam_on", "Xin cảm ơn", "Thanking"], ["xin_phep", "Xin phép", "Asking permission"],
      ["luon_mim_cuoi", "Luôn mỉm cười", "Smiling"], ["luon_nhe_nhang", "Luôn nhẹ nhàng", "Being gentle"],
      ["luon_lang_nghe", "Luôn lắng nghe", "Listening"], ["luon_giup_do", "Luôn giúp đỡ", "Helping"],
      ["khac", "Khác", "Other"],
    ].map(([code, vi, en]) => ({ code, text: { vi, en } })),
  };

  const $ = (id) => document.getElementById(id);

  // Storage ---------------------------------------------------------------------------------------------

  const storage = {
    get(key) {
      try { return localStorage.getItem(key); } catch { return null; }
    },
    set(key, value) {
      try {
        if (value === null || value === undefined) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
      } catch (error) {
        console.error("hailong: cannot write local storage", key, error);
      }
    },
    getJSON(key, fallback) {
      try {
        const text = this.get(key);
        return text === null ? fallback : JSON.parse(text);
      } catch {
        return fallback;
      }
    },
    setJSON(key, value) { this.set(key, JSON.stringify(value)); },
  };

  // Ratings not yet acknowledged, oldest first: `{id, body}`; `id` is the Idempotency-Key.
  const queue = {
    items() { return storage.getJSON(KEYS.queue, []); },
    get length() { return this.items().length; },
    push(item) {
      const items = this.items();
      items.push(item);
      storage.setJSON(KEYS.queue, items);
      renderStatus();
    },
    remove(id) {
      storage.setJSON(KEYS.queue, this.items().filter((item) => item.id !== id));
      renderStatus();
    },
  };

  const storedDuty = storage.getJSON(KEYS.onDuty, null);
  const state = {
    token: storage.get(KEYS.token),
    config: storage.getJSON(KEYS.config, null),
    onDuty: storedDuty ? storedDuty.badge : null,
    // The staff chose an officer that the server has not confirmed yet.
    dutyPending: storedDuty ? storedDuty.pending === true : false,
    language: DEFAULT_LANGUAGE,
    online: true,
    skewMs: 0,
    // The "not satisfied" tap that waits for its checklist.
    pending: null,
    // The server refused the token: the pairing screen says so.
    revoked: false,
    photos: new Map(),
    reasonsSignature: "",
    lastInteraction: Date.now(),
  };

  function saveDuty() {
    storage.setJSON(KEYS.onDuty, { badge: state.onDuty, pending: state.dutyPending });
  }

  // Small helpers ---------------------------------------------------------------------------------------

  function text(key, count) {
    const value = TEXT[state.language][key] ?? TEXT.vi[key] ?? key;
    return count === undefined ? value : value.replace("{n}", String(count));
  }

  function localized(value) {
    if (!value) return "";
    if (typeof value === "string") return value;
    return value[state.language] || value.vi || value.en || "";
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // ISO 8601 with the local offset, e.g. 2026-11-23T08:15:00+07:00.
  function localISO(date) {
    const pad = (number) => String(Math.trunc(Math.abs(number))).padStart(2, "0");
    const offset = -date.getTimezoneOffset();
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
      `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `${offset >= 0 ? "+" : "-"}${pad(offset / 60)}:${pad(offset % 60)}`;
  }

  // The tap time, corrected by the server's clock when the kiosk's is off by more than a minute.
  function tapTime() { return new Date(Date.now() + state.skewMs); }

  function noteServerTime(serverTime) {
    const server = Date.parse(serverTime || "");
    if (Number.isNaN(server)) return;
    const skew = server - Date.now();
    state.skewMs = Math.abs(skew) > 60000 ? skew : 0;
  }

  function initials(name) {
    const words = String(name || "").trim().split(/\s+/).filter(Boolean);
    return words.length ? words[words.length - 1].charAt(0).toUpperCase() : "?";
  }

  function questionnaire() {
    const server = state.config && state.config.questionnaire;
    return server && server.scale && Array.isArray(server.reasons) ? server : FALLBACK_QUESTIONNAIRE;
  }

  function firstQuestion() {
    const sections = questionnaire().sections || [];
    return (sections[0] && sections[0].questions && sections[0].questions[0]) || { code: "overall" };
  }

  function officers() { return (state.config && state.config.officers) || []; }

  function currentOfficer() {
    if (!state.onDuty) return null;
    return officers().find((officer) => officer.badge === state.onDuty) ||
      { badge: state.onDuty, name: state.onDuty, title: null, photo_url: null };
  }

  // Server calls ----------------------------------------------------------------------------------------

  // fetch() with the device token and a time limit; throws when the network fails.
  async function api(method, path, body, headers = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const allHeaders = { Accept: "application/json", ...headers };
    if (state.token) allHeaders.Authorization = `Bearer ${state.token}`;
    if (body !== undefined) allHeaders["Content-Type"] = "application/json";
    try {
      return await fetch(path, {
        method, headers: allHeaders, cache: "no-store", signal: controller.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function setOnline(online) {
    const cameBack = online && !state.online;
    state.online = online;
    renderStatus();
    if (cameBack && queue.length > 0) flushNow();
  }

  // "ok", "unauthorized", "offline" or "error".
  async function refreshConfig() {
    if (!state.token) return "unauthorized";
    let response;
    try {
      response = await api("GET", "/api/v1/kiosk/config");
    } catch {
      setOnline(false);
      return "offline";
    }
    if (response.status === 401) return "unauthorized";
    if (!response.ok) {
      if (response.status >= 500) setOnline(false);
      return "error";
    }
    const config = await response.json().catch(() => null);
    if (!config || !config.agency) return "error";
    setOnline(true);
    noteServerTime(config.server_time);
    state.config = config;
    storage.setJSON(KEYS.config, config);
    if (!state.dutyPending) {
      state.onDuty = config.on_duty ?? null;
      saveDuty();
    }
    render();
    return "ok";
  }

  async function heartbeat() {
    if (!state.token) return;
    let response;
    try {
      response = await api("POST", "/api/v1/kiosk/heartbeat", { queue_length: queue.length, app_version: APP_VERSION });
    } catch {
      setOnline(false);
      return;
    }
    if (response.status === 401) return unpair();
    if (!response.ok) return;
    setOnline(true);
    const body = await response.json().catch(() => null);
    if (body) noteServerTime(body.server_time);
  }

  // Sends the staff's choice of officer; kept and retried with the next heartbeat when offline.
  async function syncDuty() {
    if (!state.dutyPending || !state.token) return;
    let response;
    try {
      response = await api("PUT", "/api/v1/kiosk/on-duty", { badge: state.onDuty });
    } catch {
      setOnline(false);
      return;
    }
    if (response.status === 401) return unpair();
    if (response.ok) {
      state.dutyPending = false;
      saveDuty();
      setOnline(true);
    } else if (response.status === 422) {
      state.dutyPending = false;
      saveDuty();
      await refreshConfig();
      openStaffPanel(text("dutyRejected"));
    }
  }

  async function tick() {
    if (!state.token) return;
    await syncDuty();
    const result = await refreshConfig();
    if (result === "unauthorized") return unpair();
    await heartbeat();
  }

  // The offline queue -----------------------------------------------------------------------------------

  let sending = false;
  let failures = 0;
  let retryTimer = null;

  function flushNow() {
    clearTimeout(retryTimer);
    retryTimer = null;
    flush();
  }

  // Sends queued ratings one by one, oldest first, until the queue is empty or the server cannot take them.
  async function flush() {
    if (sending || !state.token) return;
    sending = true;
    let sent = 0;
    try {
      for (;;) {
        const item = queue.items()[0];
        if (!item) break;
        const outcome = await send(item);
        if (outcome.kind === "acknowledged" || outcome.kind === "dropped") {
          queue.remove(item.id);
          failures = 0;
          sent += 1;
          continue;
        }
        if (outcome.kind === "unauthorized") {
          unpair();
          break;
        }
        failures += 1;
        const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, Math.max(backoff, outcome.retryAfterMs || 0));
        break;
      }
    } finally {
      sending = false;
    }
    if (sent > 0 && queue.length === 0) heartbeat();
  }

  async function send(item) {
    let response;
    try {
      response = await api("POST", "/api/v1/responses", item.body, { "Idempotency-Key": item.id });
    } catch {
      setOnline(false);
      return { kind: "retry" };
    }
    if (response.status === 201 || response.status === 200) {
      setOnline(true);
      return { kind: "acknowledged" };
    }
    if (response.status === 401) return { kind: "unauthorized" };
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      setOnline(response.status < 500);
      const seconds = Number(response.headers.get("Retry-After"));
      return { kind: "retry", retryAfterMs: Number.isFinite(seconds) ? Math.min(seconds, 300) * 1000 : 0 };
    }
    // Any other 4xx: this rating can never be accepted. Count it and let the queue move on.
    setOnline(true);
    const problem = await response.json().catch(() => null);
    const dropped = Number(storage.get(KEYS.dropped) || 0) + 1;
    storage.set(KEYS.dropped, String(dropped));
    console.error("hailong: the server refused a queued rating; dropped it", response.status, problem, item);
    renderStatus();
    return { kind: "dropped" };
  }

  // Rating ----------------------------------------------------------------------------------------------

  function newTap() {
    const dossier = $("dossier").value.trim();
    return {
      id: uuid(),
      submitted_at: localISO(tapTime()),
      officer: state.onDuty || null,
      dossier: dossier || null,
    };
  }

  function enqueue(tap, answers, comment) {
    const body = { questionnaire: questionnaire().code || "kiosk-3", answers, submitted_at: tap.submitted_at };
    if (tap.officer) body.officer = tap.officer;
    if (tap.dossier) body.dossier = tap.dossier.slice(0, 64);
    if (comment) body.comment = Array.from(comment).slice(0, 1000).join("");
    queue.push({ id: tap.id, body });
    flushNow();
  }

  function rate(level) {
    const tap = newTap();
    const overall = firstQuestion().code || "overall";
    if (level === 1 && questionnaire().reasons.length > 0) {
      state.pending = { tap, overall };
      openReasons();
      return;
    }
    enqueue(tap, { [overall]: level });
    showThanks();
  }

  function finishReasons(withDetails) {
    const pending = state.pending;
    if (!pending) return;
    state.pending = null;
    const answers = { [pending.overall]: 1 };
    let comment = "";
    if (withDetails) {
      const reasons = Array.from(document.querySelectorAll("#reasons input:checked"), (input) => input.value);
      if (reasons.length > 0) answers.reasons = reasons;
      comment = $("comment").value.trim();
    }
    enqueue(pending.tap, answers, comment);
    showThanks();
  }

  // Screens ---------------------------------------------------------------------------------------------

  let screenTimer = null;

  function show(name) {
    for (const screen of ["loading", "pair", "rate", "reasons", "thanks"]) {
      $(`screen-${screen}`).hidden = screen !== name;
    }
    document.body.dataset.screen = name;
    clearTimeout(screenTimer);
    screenTimer = null;
  }

  function showPairing(notice) {
    closeStaffPanel();
    show("pair");
    const box = $("pair-notice");
    const waiting = queue.length;
    box.textContent = notice ? notice + (waiting > 0 ? " " + text("revokedQueue", waiting) : "") : "";
    box.hidden = !notice;
    setPairError(null);
    $("pair-code").value = "";
    $("pair-code").focus();
  }

  function enterRating() {
    show("rate");
    render();
    if (!state.onDuty && officers().length > 0) openStaffPanel();
  }

  function openReasons() {
    for (const input of document.querySelectorAll("#reasons input")) {
      input.checked = false;
      input.closest(".reason").classList.remove("checked");
    }
    $("comment").value = "";
    show("reasons");
  }

  function showThanks() {
    show("thanks");
    screenTimer = setTimeout(resetForNextCitizen, THANKS_MS);
  }

  function resetForNextCitizen() {
    state.pending = null;
    $("dossier").value = "";
    $("dossier-ok").hidden = true;
    if (state.language !== DEFAULT_LANGUAGE) {
      state.language = DEFAULT_LANGUAGE;
      applyLanguage();
    }
    if (state.token) show("rate");
    else showPairing(state.revoked ? text("revoked") : null);
  }

  // The server refused the token (revoked, or replaced by a new pairing): back to pairing, queue kept.
  // A citizen on the checklist or the thank-you screen finishes first; the pairing screen follows.
  function unpair() {
    state.token = null;
    storage.set(KEYS.token, null);
    clearTimeout(retryTimer);
    retryTimer = null;
    state.revoked = true;
    if (state.pending) finishReasons(true);
    if (document.body.dataset.screen !== "thanks") resetForNextCitizen();
  }

  // Rendering -------------------------------------------------------------------------------------------

  function render() {
    const config = state.config;
    $("agency-name").textContent = config ? config.agency.name : "";
    $("counter-name").textContent = config && config.counter ? config.counter.name : "";
    $("counter-name").hidden = !(config && config.counter);
    renderOfficer();
    buildReasons();
    renderStatus();
    if (!$("staff-panel").hidden) renderOfficerList();
  }

  function renderOfficer() {
    const officer = currentOfficer();
    const card = $("officer-card");
    card.classList.toggle("anonymous", !officer);
    $("served-by").textContent = text(officer ? "servedBy" : "servedAt");
    const place = state.config && state.config.counter ? state.config.counter.name : text("counterOnly");
    $("officer-name").textContent = officer ? officer.name : place;
    $("officer-title").textContent = officer && officer.title ? officer.title : "";
    $("officer-title").hidden = !(officer && officer.title);
    $("officer-badge").textContent = officer ? `${text("badge")}: ${officer.badge}` : "";
    $("officer-badge").hidden = !officer;
    fillAvatar($("officer-photo"), $("officer-initials"), officer);
  }

  // Shows the officer's photo (fetched with the device token, shown through a blob URL) or their initial.
  function fillAvatar(image, initialsBox, officer) {
    const photo = officer && officer.photo_url ? officer.photo_url : "";
    if (photo && image.dataset.photo === photo && !image.hidden) return; // already showing it: no flicker
    initialsBox.textContent = officer ? initials(officer.name) : "";
    initialsBox.hidden = false;
    image.hidden = true;
    image.removeAttribute("src");
    image.dataset.photo = photo;
    if (!photo) return;
    loadPhoto(photo).then((blobURL) => {
      if (!blobURL || image.dataset.photo !== photo) return;
      image.src = blobURL;
      image.alt = officer.name;
      image.hidden = false;
      initialsBox.hidden = true;
    });
  }

  async function loadPhoto(url) {
    if (state.photos.has(url)) return state.photos.get(url);
    const photoCache = "caches" in window ? await caches.open("hailong-kiosk-photos").catch(() => null) : null;
    let response = null;
    try {
      response = await api("GET", url, undefined, { Accept: "image/*" });
      if (response.ok && photoCache) await photoCache.put(url, response.clone()).catch(() => {});
    } catch {
      response = null;
    }
    if ((!response || !response.ok) && photoCache) response = await photoCache.match(url).catch(() => null);
    if (!response || !response.ok) return null;
    const blobURL = URL.createObjectURL(await response.blob());
    state.photos.set(url, blobURL);
    return blobURL;
  }

  // Rebuilds the checklist when the questionnaire's reasons change (not while a citizen is ticking).
  function buildReasons() {
    const reasons = questionnaire().reasons;
    const signature = JSON.stringify(reasons);
    if (signature === state.reasonsSignature || document.body.dataset.screen === "reasons") return;
    state.reasonsSignature = signature;
    const box = $("reasons");
    box.replaceChildren();
    for (const reason of reasons) {
      const label = document.createElement("label");
      label.className = "reason";
      label.dataset.code = reason.code;
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "reason";
      input.value = reason.code;
      input.addEventListener("change", () => {
        label.classList.toggle("checked", input.checked);
        if (input.checked && reason.code === "khac") $("comment").focus(); // "other": say what
      });
      const mark = document.createElement("span");
      mark.className = "box";
      mark.setAttribute("aria-hidden", "true");
      const words = document.createElement("span");
      words.className = "reason-text";
      label.append(input, mark, words);
      box.append(label);
    }
    labelReasons();
  }

  function labelReasons() {
    const byCode = new Map(questionnaire().reasons.map((reason) => [reason.code, reason]));
    for (const label of document.querySelectorAll("#reasons .reason")) {
      const reason = byCode.get(label.dataset.code);
      label.querySelector(".reason-text").textContent = reason ? localized(reason.text) : label.dataset.code;
    }
  }

  function renderStatus() {
    const waiting = queue.length;
    const status = !state.online ? "offline" : waiting > 0 ? "queued" : "online";
    $("status-dot").dataset.state = status;
    $("status-text").textContent = text(status === "online" ? "dotOnline" : status === "queued" ? "dotQueued" : "dotOffline", waiting);
    $("queue-count").textContent = String(waiting);
    $("queue-count").hidden = waiting === 0;
    $("status-queue").textContent = String(waiting);
    $("status-dropped").textContent = storage.get(KEYS.dropped) || "0";
    $("status-kiosk").textContent = state.config ? state.config.kiosk.label || `#${state.config.kiosk.id}` : "";
    $("status-version").textContent = APP_VERSION;
  }

  function applyLanguage() {
    document.documentElement.lang = state.language;
    for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = text(element.dataset.i18n);
    for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
      element.placeholder = text(element.dataset.i18nPlaceholder);
    }
    for (const button of document.querySelectorAll('[data-action="language"]')) button.textContent = text("otherLanguage");
    const labels = questionnaire().scale.labels || FALLBACK_QUESTIONNAIRE.scale.labels;
    for (const element of document.querySelectorAll("[data-level-label]")) {
      element.textContent = localized(labels[Number(element.dataset.levelLabel) - 1]);
    }
    $("question").textContent = localized(firstQuestion().text) || text("question");
    labelReasons();
    renderOfficer();
    renderStatus();
    if (!$("staff-panel").hidden) renderOfficerList();
  }

  // The staff panel -------------------------------------------------------------------------------------

  function openStaffPanel(error) {
    renderOfficerList();
    renderStatus();
    $("staff-error").textContent = error || "";
    $("staff-error").hidden = !error;
    $("staff-panel").hidden = false;
  }

  function closeStaffPanel() { $("staff-panel").hidden = true; }

  function renderOfficerList() {
    const list = $("officer-list");
    list.replaceChildren();
    if (officers().length === 0) {
      const item = document.createElement("li");
      item.className = "help";
      item.textContent = text("noOfficers");
      list.append(item);
      return;
    }
    for (const officer of officers()) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "officer-choice";
      button.dataset.badge = officer.badge;
      const avatar = document.createElement("span");
      avatar.className = "avatar";
      const image = document.createElement("img");
      image.alt = "";
      const letter = document.createElement("span");
      letter.className = "initials";
      avatar.append(image, letter);
      fillAvatar(image, letter, officer);
      const words = document.createElement("span");
      words.className = "choice-text";
      const name = document.createElement("span");
      name.className = "choice-name";
      name.textContent = officer.name;
      const detail = document.createElement("span");
      detail.className = "choice-detail";
      detail.textContent = [officer.title, `${text("badge")}: ${officer.badge}`].filter(Boolean).join(" · ");
      words.append(name, detail);
      button.append(avatar, words);
      if (officer.badge === state.onDuty) {
        button.classList.add("current");
        button.setAttribute("aria-current", "true");
        const tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = text("onDuty");
        button.append(tag);
      }
      button.addEventListener("click", () => chooseOfficer(officer.badge));
      const item = document.createElement("li");
      item.append(button);
      list.append(item);
    }
    const nobody = document.createElement("button");
    nobody.type = "button";
    nobody.className = "officer-choice nobody";
    nobody.dataset.badge = "";
    nobody.textContent = text("nobody");
    nobody.addEventListener("click", () => chooseOfficer(null));
    const item = document.createElement("li");
    item.append(nobody);
    list.append(item);
  }

  function chooseOfficer(badge) {
    state.onDuty = badge;
    state.dutyPending = true;
    saveDuty();
    closeStaffPanel();
    renderOfficer();
    syncDuty();
  }

  // A long press opens the staff panel; a short tap only says how, so a citizen does not open it by chance.
  function setUpStaffButton() {
    const button = $("staff-button");
    let timer = null;
    let hintTimer = null;
    let opened = false;
    const cancel = () => {
      clearTimeout(timer);
      timer = null;
      button.classList.remove("pressing");
    };
    button.addEventListener("pointerdown", () => {
      opened = false;
      button.classList.add("pressing");
      clearTimeout(timer);
      timer = setTimeout(() => {
        opened = true;
        cancel();
        openStaffPanel();
      }, LONG_PRESS_MS);
    });
    for (const type of ["pointerup", "pointerleave", "pointercancel"]) button.addEventListener(type, cancel);
    button.addEventListener("contextmenu", (event) => event.preventDefault());
    button.addEventListener("click", (event) => {
      if (opened) {
        opened = false;
        return;
      }
      if (event.detail === 0) return openStaffPanel(); // a keyboard, not a finger
      const hint = $("staff-hint");
      hint.hidden = false;
      clearTimeout(hintTimer);
      hintTimer = setTimeout(() => { hint.hidden = true; }, HINT_MS);
    });
  }

  // Pairing ---------------------------------------------------------------------------------------------

  function setPairError(key) {
    $("pair-error").textContent = key ? text(key) : "";
    $("pair-error").hidden = !key;
  }

  function setPairBusy(busy) {
    $("pair-button").disabled = busy;
    $("pair-button").textContent = text(busy ? "pairWorking" : "pairButton");
  }

  async function submitPairing(event) {
    event.preventDefault();
    const typed = $("pair-code").value.trim();
    setPairError(null);
    if (/^hlk_[A-Za-z0-9_-]+$/.test(typed)) return adoptToken(typed, "pairTokenRejected");
    const code = typed.replace(/[\s-]/g, "");
    if (!/^\d{8}$/.test(code)) return setPairError("pairBadFormat");
    setPairBusy(true);
    try {
      let response;
      try {
        response = await api("POST", "/api/v1/kiosk/pair", { code });
      } catch {
        return setPairError("pairOffline");
      }
      if (response.ok) {
        const body = await response.json().catch(() => null);
        if (body && body.token) return await adoptToken(body.token, "pairTokenRejected");
        return setPairError("pairBusy");
      }
      setPairError(response.status === 422 || response.status === 400 ? "pairRejected" : "pairBusy");
    } finally {
      setPairBusy(false);
    }
  }

  async function adoptToken(token, rejectedKey) {
    state.token = token;
    setPairBusy(true);
    const result = await refreshConfig();
    setPairBusy(false);
    if (result === "unauthorized") {
      state.token = null;
      return setPairError(rejectedKey);
    }
    if (result !== "ok") {
      state.token = null;
      return setPairError(result === "offline" ? "pairOffline" : "pairBusy");
    }
    storage.set(KEYS.token, token);
    state.dutyPending = false;
    state.onDuty = state.config.on_duty ?? null;
    saveDuty();
    state.revoked = false;
    $("pair-notice").hidden = true;
    enterRating();
    failures = 0;
    flushNow();
    heartbeat();
  }

  // Start -----------------------------------------------------------------------------------------------

  function wire() {
    $("pair-form").addEventListener("submit", submitPairing);
    for (const button of document.querySelectorAll('[data-action="language"]')) {
      button.addEventListener("click", () => {
        state.language = state.language === "vi" ? "en" : "vi";
        applyLanguage();
      });
    }
    for (const button of document.querySelectorAll(".rate")) {
      button.addEventListener("click", () => rate(Number(button.dataset.level)));
    }
    $("send-button").addEventListener("click", () => finishReasons(true));
    $("skip-button").addEventListener("click", () => finishReasons(false));
    $("screen-thanks").addEventListener("click", resetForNextCitizen);
    $("staff-close").addEventListener("click", closeStaffPanel);
    $("staff-panel").addEventListener("click", (event) => {
      if (event.target === $("staff-panel")) closeStaffPanel();
    });
    $("fullscreen-button").addEventListener("click", () => {
      const root = document.documentElement;
      if (root.requestFullscreen) root.requestFullscreen().catch(() => {});
    });
    // A barcode scanner types the dossier code and presses Enter.
    $("dossier-form").addEventListener("submit", (event) => {
      event.preventDefault();
      $("dossier").blur();
      $("dossier-ok").hidden = $("dossier").value.trim() === "";
    });
    $("dossier").addEventListener("input", () => { $("dossier-ok").hidden = true; });
    document.addEventListener("keydown", (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (typing || document.body.dataset.screen !== "rate" || !$("staff-panel").hidden) return;
      if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
      event.preventDefault();
      $("dossier").focus();
      $("dossier").value += event.key;
      $("dossier-ok").hidden = true;
    });
    for (const type of ["pointerdown", "keydown", "input"]) {
      document.addEventListener(type, () => { state.lastInteraction = Date.now(); }, { capture: true, passive: true });
    }
    window.addEventListener("online", flushNow);
    window.addEventListener("offline", () => setOnline(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") keepAwake();
    });
    setUpStaffButton();
  }

  function watchIdle() {
    const idle = Date.now() - state.lastInteraction;
    const screen = document.body.dataset.screen;
    if (screen === "reasons" && idle > REASONS_IDLE_MS) finishReasons(true);
    else if (screen === "rate" && idle > LANGUAGE_IDLE_MS && state.language !== DEFAULT_LANGUAGE) {
      state.language = DEFAULT_LANGUAGE;
      applyLanguage();
    }
    if (screen === "rate" && idle > DOSSIER_IDLE_MS && $("dossier").value) {
      $("dossier").value = "";
      $("dossier-ok").hidden = true;
    }
  }

  function keepAwake() {
    if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(() => {});
  }

  async function start() {
    wire();
    applyLanguage();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/kiosk/sw.js", { scope: "/kiosk" })
        .catch((error) => console.warn("hailong: no offline start without a service worker", error));
    }
    keepAwake();
    setInterval(tick, HEARTBEAT_MS);
    setInterval(watchIdle, 5000);
    if (!state.token) return showPairing();
    if (state.config) {
      enterRating();
      applyLanguage();
    } else {
      show("loading");
    }
    let result = await refreshConfig();
    while (!state.config && result !== "unauthorized") {
      // Paired, but never reached the server since: nothing to show yet.
      $("screen-loading").querySelector("p").textContent = text("waiting");
      await new Promise((resolve) => setTimeout(resolve, 5000));
      result = await refreshConfig();
    }
    if (result === "unauthorized") return unpair();
    applyLanguage();
    if (document.body.dataset.screen === "loading") enterRating();
    flushNow();
    if (result === "ok") {
      await syncDuty();
      heartbeat();
    }
  }

  start();
})();