#!/usr/bin/env python3
"""The administrators' dashboard, without page scripts (the pages have none), as a province administrator and then
as a commune's: the sign-in page (a wrong password refused with 401, the right one 303 to /admin); the overview
listing exactly the province's own subtree (another province and its department, rated too, never appear); the
department's page from the overview's link (the heading, n and index with a decimal comma, the SVG charts, the
officers and kiosks tables; the English switch); the CSV export downloaded by Chromium (UTF-8 with a BOM, the
department's row) and the XLSX one; the flag review page, where a kiosk's second tap 2 s after the first is
`rapid_repeat`: cleared, its new state shown, exactly one `flag_reviews` and one `flag.clear` audit row, and the
department's figures counting it again; the complaints inbox: a not-satisfied rating with reasons and a comment set
to "resolved" with a note (one `complaint_updates` row); sign-out, after which /admin sends to the sign-in page. Then
a commune administrator sees only the commune; the department's pages, and the other province's, answer 404 (Problem
JSON, the same as for an agency that does not exist), and a review of the department's flag sent through the
commune's own page is refused. No chart's label is cut off at the chart's edge. axe-core, when installed, on the
sign-in page, the overview, the agency page, the flags page and the complaints page.

    python3 Tests/browser/admin_flow.py --hailong .build/debug/hailong --database-url postgres://… [--screenshots docs/screenshots]
"""

import csv
import io
import json
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk_support import CHROMEDRIVER, CHROMIUM, OPEN_BROWSERS, REPO, Failure, expect, log, main, wait_for
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import Select
from survey_nojs import Survey

try:
    import openpyxl
except ImportError:  # the XLSX download is then only checked to be a zip
    openpyxl = None

PROVINCE = {"code": "P", "name": "Tỉnh Hòa Phú"}
DEPARTMENT = {"code": "P.A", "name": "Sở Tư pháp"}
COMMUNE = {"code": "P.B", "name": "Xã Hòa Bình"}
OTHER_PROVINCE = {"code": "Q", "name": "Tỉnh Quảng Yên"}
OTHER_DEPARTMENT = {"code": "Q.X", "name": "Sở Nội vụ tỉnh Quảng Yên"}
COUNTER = {"code": "Q1", "name": "Quầy 1 — Hộ tịch"}
OFFICER = {"badge": "B-1", "name": "Nguyễn Văn An"}
KIOSK_LABEL = "Kiosk quầy 1"
PROVINCE_ADMIN = ("tinh.hoaphu", "mat-khau-tinh-2026")
COMMUNE_ADMIN = ("xa.hoabinh", "mat-khau-xa-2026!")
REASONS = ["xin_chao", "luon_lang_nghe"]
COMMENT = "Chờ lâu, cán bộ không chào hỏi."
NOTE = "Đã gọi lại cho công dân, nhắc nhở cán bộ; đóng phản ánh."
VIETNAM = timezone(timedelta(hours=7))
DESKTOP = (1280, 900)


class Dashboard(Survey):
    """Headless Chromium on the admin pages: a desktop, Vietnamese, downloads saved into `downloads` without asking."""

    def __init__(self, hailong, downloads):  # noqa: super().__init__ not used (it has no download preferences)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--force-device-scale-factor=1", "--hide-scrollbars", "--lang=vi-VN",
                         f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads), "download.prompt_for_download": False,
            "download.directory_upgrade": True, "safebrowsing.enabled": False})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        self.hailong = hailong
        self.console = []
        self.downloads = Path(downloads)
        # Faults of presentation, reported together at the end, so they do not hide the checks after them.
        self.problems = []
        OPEN_BROWSERS.append(self)
        self.resize(*DESKTOP, mobile=False)

    def wait_path(self, path, timeout=10):
        """Waits until the page shown is `path` (without the query) and has loaded."""
        self.wait(lambda: self.script("return document.readyState === 'complete' && location.pathname") == path,
                  f"the page {path} (at {self.path()})", timeout)

    def wait_reload(self, old, what, timeout=10):
        """Waits until the element `old` of the page shown before has gone (a form sent, the same page again)."""
        def gone():
            try:
                old.is_enabled()
                return False
            except Exception:  # StaleElementReferenceException: the old page has gone
                return self.script("return document.readyState") == "complete"
        self.wait(gone, what, timeout)

    def check_text(self, name):
        """No template placeholder ({name}, {{name}}) left in the text shown on the page."""
        left = self.script("return [...new Set(document.body.innerText.match(/\\{+[A-Za-z_.]+\\}+/g) || [])]")
        if left:
            self.problems.append(f"{name} ({self.path()}) shows unfilled placeholders {left}: "
                                 f"{[line for line in self.text('body').splitlines() if '{' in line][:3]}")

    def heading(self):
        return self.script("const h = document.querySelector('h1'); return h && h.textContent.trim()")

    def sign_in(self, username, password):
        self.open("/admin/sign-in")
        self.wait(lambda: self.elements("#username"), "the sign-in form")
        self.element("#username").clear()
        self.element("#username").send_keys(username)
        self.element("#password").send_keys(password)
        self.element('form.signin button[type="submit"]').click()

    def overview_rows(self):
        """The overview's lines: agency code (the small text beside the name), the link's name and address."""
        return self.script(
            "return [...document.querySelectorAll('table tbody tr')].map(tr => { const a = tr.querySelector('td a');"
            " return {code: (tr.querySelector('td small') || {textContent: ''}).textContent.trim(),"
            " name: a && a.textContent.trim(), href: a && a.getAttribute('href')}; })")

    def problem(self):
        """The page's body read as a Problem JSON document (Chromium shows application/problem+json as text)."""
        text = self.script("return document.body ? document.body.innerText : ''")
        try:
            return json.loads(text)
        except ValueError:
            raise Failure(f"not a Problem JSON body at {self.path()} ({self.script('return document.contentType')}): "
                          f"{text[:300]!r}") from None

    def expect_not_found(self, path):
        """`path` answers 404 with a Problem JSON body naming the agency code, like an agency that does not exist."""
        self.open(path)
        self.wait(lambda: self.script("return document.readyState") == "complete", f"{path} to load")
        expect(self.status() == 404, f"GET {path} as {self.user}: expected 404, got {self.status()} at {self.path()}")
        kind = self.script("return document.contentType")
        expect(kind == "application/problem+json", f"GET {path}: Content-Type {kind!r}, expected application/problem+json")
        problem = self.problem()
        expect(problem.get("status") == 404 and "was not found" in problem.get("detail", ""), f"GET {path}: {problem}")
        return problem

    def download(self, link_css, suffix, timeout=15):
        """Clicks a download link; the bytes of the one new file ending in `suffix`, once Chromium has finished it."""
        for old in self.downloads.iterdir():
            old.unlink()
        self.click(link_css)

        def finished():
            files = list(self.downloads.iterdir())
            done = [f for f in files if f.name.endswith(suffix)]
            return done if done and not any(f.name.endswith(".crdownload") for f in files) else None
        files = wait_for(finished, f"the {suffix} download from {link_css} in {self.downloads}", timeout=timeout, interval=0.1)
        expect(len(files) == 1, f"one {suffix} file expected, found {[f.name for f in files]}")
        return files[0].name, files[0].read_bytes()

    def full_page_screenshot(self, directory, name):
        """The whole page at desktop width (the viewport stretched to the page's height), then back to 1280 × 900."""
        if not directory:
            return
        height = self.script("return Math.ceil(document.documentElement.scrollHeight)")
        self.resize(DESKTOP[0], max(DESKTOP[1], min(height, 6000)), mobile=False)
        try:
            self.script("window.scrollTo(0, 0)")
            self.screenshot(directory, name)
        finally:
            self.resize(*DESKTOP, mobile=False)


def add_user(hailong, username, password, role, agency):
    """`hailong user add … --password-stdin`, the password on standard input as an operator would pipe it."""
    arguments = ["user", "add", "--username", username, "--role", role, "--agency", agency, "--password-stdin"]
    result = subprocess.run([hailong.binary, *arguments], cwd=REPO, env=hailong.environment, input=password + "\n",
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Failure(f"hailong {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    expect(f"user {username} (agency_admin) added" in result.stdout and password not in result.stdout,
           f"user add output: {result.stdout!r}")


def add_kiosk(hailong, agency, counter, label):
    """A kiosk's device token (printed once, on the first line)."""
    arguments = ["kiosk", "add", "--agency", agency, "--label", label] + (["--counter", counter] if counter else [])
    token = hailong.run(*arguments).splitlines()[0]
    expect(token.startswith("hlk_"), f"kiosk add printed {token!r}")
    return token


def set_up_directory(hailong):
    """Two provinces, built through the CLI: P with department P.A (counter, officer, kiosk) and commune P.B, and Q
    with Q.X (a kiosk of its own). The kiosks' device tokens."""
    hailong.run("migrate")
    for agency, parent, kind in [(PROVINCE, None, "province"), (DEPARTMENT, PROVINCE, "department"),
                                 (COMMUNE, PROVINCE, "commune"), (OTHER_PROVINCE, None, "province"),
                                 (OTHER_DEPARTMENT, OTHER_PROVINCE, "department")]:
        hailong.run("agency", "add", "--code", agency["code"], "--name", agency["name"], "--kind", kind,
                    *(["--parent", parent["code"]] if parent else []))
    hailong.run("counter", "add", "--agency", DEPARTMENT["code"], "--code", COUNTER["code"], "--name", COUNTER["name"])
    hailong.run("officer", "add", "--agency", DEPARTMENT["code"], "--badge", OFFICER["badge"], "--name", OFFICER["name"],
                "--counter", COUNTER["code"])
    add_user(hailong, *PROVINCE_ADMIN, "agency_admin", PROVINCE["code"])
    add_user(hailong, *COMMUNE_ADMIN, "agency_admin", COMMUNE["code"])
    return (add_kiosk(hailong, DEPARTMENT["code"], COUNTER["code"], KIOSK_LABEL),
            add_kiosk(hailong, OTHER_DEPARTMENT["code"], None, "Kiosk Q.X"))


def post_rating(hailong, token, level, at, reasons=(), comment=None, officer=OFFICER["badge"]):
    """One kiosk tap through the real API (`POST /api/v1/responses` with the device token): its 201 answer."""
    answers = {"overall": level}
    if reasons:
        answers["reasons"] = list(reasons)
    body = {"questionnaire": "kiosk-3", "answers": answers, "submitted_at": at.isoformat(timespec="seconds")}
    if officer:
        body["officer"] = officer
    if comment:
        body["comment"] = comment
    key = str(uuid.uuid4())
    request = urllib.request.Request(
        f"{hailong.base}/api/v1/responses", data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise Failure(f"POST /api/v1/responses {body}: {error.code} {error.read().decode(errors='replace')}") from None
    expect(status == 201 and answer["id"].lower() == key, f"POST /api/v1/responses: {status} {answer}")
    return answer


def seed_ratings(hailong, token, other_token):
    """Four taps at P.A (one a second after-tap 2 s later: rapid_repeat; one not satisfied with reasons and a comment)
    and one at Q.X, counted by the server's aggregator. The ids: first, repeat, complaint, last."""
    start = datetime.now(VIETNAM).replace(microsecond=0) - timedelta(minutes=10)
    first = post_rating(hailong, token, 3, start)
    repeat = post_rating(hailong, token, 2, start + timedelta(seconds=2))
    complaint = post_rating(hailong, token, 1, start + timedelta(minutes=4), REASONS, COMMENT)
    last = post_rating(hailong, token, 3, start + timedelta(minutes=7))
    post_rating(hailong, other_token, 3, start + timedelta(minutes=1), officer=None)
    expect("rapid_repeat" not in first["flags"], f"the first tap is flagged: {first['flags']}")
    expect("rapid_repeat" in repeat["flags"], f"a tap 2 s after the previous one is not rapid_repeat: {repeat['flags']}")
    expect("rapid_repeat" not in complaint["flags"] and "rapid_repeat" not in last["flags"], "later taps are not repeats")
    wait_for(lambda: hailong.sql("SELECT count(*) FROM pending_aggregation") == [["0"]],
             "the server's aggregator counts the five ratings", timeout=30)
    return first["id"].lower(), repeat["id"].lower(), complaint["id"].lower(), last["id"].lower()


def sign_in_page(page, arguments):
    """The sign-in page: Vietnamese, a wrong password refused (401, the name kept), the right one 303 to /admin."""
    log("the sign-in page: a wrong password is refused, the right one opens the overview")
    page.open("/admin")
    page.wait_path("/admin/sign-in")
    expect(page.status() == 200 and page.script("return document.documentElement.lang") == "vi", "the Vietnamese sign-in page")
    expect(page.heading() == "Đăng nhập quản trị", f"sign-in heading {page.heading()!r}")
    page.accessibility("the sign-in page")
    page.check_text("the sign-in page")
    username, password = PROVINCE_ADMIN
    page.sign_in(username, password + "x")
    page.wait(lambda: page.elements(".message[role=alert]"), "the refusal message")
    expect(page.status() == 401, f"a wrong password: {page.status()}")
    expect(page.text(".message") == "Tên đăng nhập hoặc mật khẩu không đúng.", f"message {page.text('.message')!r}")
    expect(page.element("#username").get_attribute("value") == username, "the username is kept")
    expect(page.element("#password").get_attribute("value") == "", "the password is not sent back")
    page.sign_in(username, password)
    page.wait_path("/admin")
    redirected = page.script("return performance.getEntriesByType('navigation')[0].redirectCount")
    expect(page.status() == 200 and redirected == 1, f"sign-in: a 303 to /admin expected (status {page.status()}, "
                                                     f"{redirected} redirects)")
    page.user = username


def overview(page, arguments, expected):
    """The overview lists exactly `expected` agencies (codes), each name a link to its page; never the other province."""
    page.wait(lambda: page.elements("table tbody tr"), "the overview table")
    rows = page.overview_rows()
    codes = [row["code"] for row in rows]
    expect(sorted(codes) == sorted(expected), f"overview of {page.user}: agencies {codes}, expected exactly {sorted(expected)}")
    for outsider in (OTHER_PROVINCE, OTHER_DEPARTMENT):
        expect(outsider["code"] not in codes and outsider["name"] not in page.text("main"),
               f"{outsider['code']} ({outsider['name']}) appears on {page.user}'s overview")
    names = {agency["code"]: agency["name"] for agency in (PROVINCE, DEPARTMENT, COMMUNE)}
    for row in rows:
        expect(row["name"] == names[row["code"]], f"overview line {row}")
        expect(row["href"].startswith(f"/admin/agencies/{row['code']}?period="), f"overview link {row}")
    expect(page.elements('form[action="/admin/sign-out"] button'), "a sign-out button on the overview")
    page.check_text(f"{page.user}'s overview")
    return rows


def agency_page(page, arguments):
    """P.A's page, reached from the overview's link: heading, summary, charts, tables, links, the English page."""
    log("the department's page from the overview's link: n, index, charts, officers, kiosks")
    page.click(f'table tbody a[href^="/admin/agencies/{DEPARTMENT["code"]}?"]')
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}")
    page.wait(lambda: page.elements("#summary-n"), "the summary")
    expect(page.status() == 200, f"the agency page: {page.status()}")
    expect(page.heading().startswith(DEPARTMENT["name"]) and DEPARTMENT["code"] in page.heading(),
           f"heading {page.heading()!r}")
    # Valid: 3, 1, 3 (the repeat tap is excluded): 2 satisfied of 3.
    expect(page.text("#summary-n") == "3", f"#summary-n {page.text('#summary-n')!r}, expected 3 (the repeat excluded)")
    expect(page.text("#summary-index") == "66,67", f"#summary-index {page.text('#summary-index')!r}, expected 66,67")
    charts = page.script(
        "return [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().height > 0).length")
    expect(charts >= 1, f"{charts} SVG charts shown")
    labelled = page.script("return [...document.querySelectorAll('svg.chart')].every(s => s.getAttribute('role') === 'img'"
                           " && (s.getAttribute('aria-label') || s.querySelector('title')))")
    expect(labelled, "every chart has role=img and a name (aria-label or <title>)")
    page.check_text("the agency page")
    if page.elements("#officers-more"):
        page.problems.append(f"one officer, yet {page.path()} says it shows only the first ones: "
                             f"#officers-more {page.text('#officers-more')!r}")
    # Checked at the end (the rest of the flow still runs): no chart's label is cut off at the chart's edges.
    clipped = page.script(
        "return [...document.querySelectorAll('svg.chart')].flatMap(s => { const r = s.getBoundingClientRect();"
        " return [...s.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()])"
        ".filter(([_, b]) => b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1)"
        ".map(([text, b]) => `${s.getAttribute('aria-label')}: '${text}' spans x ${Math.round(b.left - r.left)}–`"
        " + `${Math.round(b.right - r.left)} of ${Math.round(r.width)} px`); })")
    if clipped:
        page.problems.append(f"chart labels cut off at the chart's edge on {page.path()} at 1280 px: {clipped}")
    officers = page.text("#officers tbody")
    expect(OFFICER["name"] in officers and OFFICER["badge"] in officers, f"#officers: {officers!r}")
    kiosks = page.text("#kiosks tbody")
    expect(KIOSK_LABEL in kiosks and DEPARTMENT["code"] in kiosks, f"#kiosks: {kiosks!r}")
    for link, target in [("#flags-link", "/flags?"), ("#complaints-link", "/complaints?"), ("#export-csv", "format=csv"),
                         ("#export-xlsx", "format=xlsx")]:
        href = page.element(link).get_attribute("href")
        expect(f"/admin/agencies/{DEPARTMENT['code']}" in href and target in href, f"{link} → {href}")
    page.accessibility("the agency page")
    page.full_page_screenshot(arguments.screenshots, "admin-agency.png")

    log("the same page in English: a decimal point")
    page.click("header a[lang=en]")
    page.wait(lambda: page.script("return document.documentElement.lang") == "en", "the English page")
    expect(page.text("#summary-index") == "66.67" and page.text("#summary-n") == "3",
           f"English summary {page.text('#summary-index')!r} {page.text('#summary-n')!r}")
    page.check_text("the English agency page")
    page.click("header a[lang=vi]")
    page.wait(lambda: page.script("return document.documentElement.lang") == "vi", "back to Vietnamese")


def exports(page, hailong):
    """The CSV download: UTF-8 with a BOM, the department's row; the XLSX one opens (with openpyxl) and holds it too."""
    log("the CSV and XLSX exports, downloaded by Chromium")
    name, data = page.download("#export-csv", ".csv")
    expect(data.startswith(b"\xef\xbb\xbf"), f"{name} does not start with a UTF-8 BOM: {data[:8]!r}")
    try:
        text = data[3:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise Failure(f"{name} is not UTF-8: {error}") from None
    table = list(csv.reader(io.StringIO(text)))
    expect(table and table[0][:2] == ["Mã cơ quan", "Tên cơ quan"], f"{name} header {table[:1]}")
    row = next((line for line in table[1:] if line and line[0] == DEPARTMENT["code"]), None)
    expect(row is not None and row[1] == DEPARTMENT["name"], f"no {DEPARTMENT['code']} row in {name}: {table}")
    expect(not any(OTHER_DEPARTMENT["code"] == line[0] for line in table[1:] if line), f"{name} holds Q.X")
    expect(page.path().startswith(f"/admin/agencies/{DEPARTMENT['code']}?"), f"the download left the page: {page.path()}")
    name, data = page.download("#export-xlsx", ".xlsx")
    expect(data.startswith(b"PK\x03\x04"), f"{name} is not a zip (XLSX): {data[:8]!r}")
    if openpyxl is None:
        log("openpyxl not installed: the XLSX is only checked to be a zip")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        cells = [row[0] for row in sheet.iter_rows(values_only=True)]
        expect(DEPARTMENT["code"] in cells, f"no {DEPARTMENT['code']} row in {name}: first column {cells}")
    audited = hailong.sql("SELECT detail->>'format' FROM audit_log WHERE action = 'export' ORDER BY id")
    expect(audited == [["csv"], ["xlsx"]], f"each export audited once: {audited}")


def flags(page, arguments, hailong, repeat):
    """Clears the repeat tap's rapid_repeat flag: the new state, one review row, one audit row, counted again."""
    log("the flag review page: clear the rapid_repeat flag of the second tap")
    page.click("#flags-link")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}/flags")
    row = f"tr#r-{repeat}"
    flag = f'{row} div.flag[data-flag="rapid_repeat"]'
    page.wait(lambda: page.elements(flag), f"the flagged tap {row}")
    expect(page.status() == 200, f"the flags page: {page.status()}")
    expect(page.text(f"{flag} span.state") == "chưa xem xét", f"state before {page.text(f'{flag} span.state')!r}")
    expect(len(page.elements('div.flag[data-flag="rapid_repeat"]')) == 1, "exactly one rapid_repeat flag listed")
    expect(page.elements(f'{flag} button[name=action][value=confirm]'), "a confirm button beside clear")
    button = page.element(f'{flag} button[name=action][value=clear]')
    button.click()
    page.wait_reload(button, "the flags page after clearing")
    page.wait(lambda: page.elements(f"{flag} span.state"), "the flag again")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}/flags")
    expect(page.script("return location.hash") == f"#r-{repeat}", f"back at the row: {page.path()}")
    state = page.text(f"{flag} span.state")
    expect(state == "đã gỡ — phiếu được tính", f"state after clearing {state!r}")
    expect(page.elements(f'{flag} button[name=action][value=restore]') and
           not page.elements(f'{flag} button[name=action][value=clear]'), "a restore button instead of clear")
    page.full_page_screenshot(arguments.screenshots, "admin-flags.png")
    page.accessibility("the flags page")
    page.check_text("the flags page")
    reviews = hailong.sql("SELECT response_id, flag, action, reviewed_by FROM flag_reviews")
    expect(reviews == [[repeat, "rapid_repeat", "clear", PROVINCE_ADMIN[0]]], f"flag_reviews: {reviews}")
    audit = hailong.sql("SELECT actor, subject FROM audit_log WHERE action = 'flag.clear'")
    expect(len(audit) == 1 and audit[0][0] == PROVINCE_ADMIN[0] and repeat in audit[0][1].lower(), f"audit_log flag.clear: {audit}")
    expect(hailong.sql("SELECT count(*) FROM audit_log WHERE action LIKE 'flag.%'") == [["1"]], "one flag audit row in all")

    log("the cleared tap counts again: n 4, index 75,00")
    wait_for(lambda: hailong.sql("SELECT (SELECT count(*) FROM pending_corrections) + (SELECT count(*) FROM pending_aggregation)")
             == [["0"]], "the aggregator applies the correction", timeout=30)
    page.click("p.actions a:first-child")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}")
    page.wait(lambda: page.elements("#summary-n"), "the summary")
    expect((page.text("#summary-n"), page.text("#summary-index")) == ("4", "75,00"),
           f"after clearing: n {page.text('#summary-n')!r}, index {page.text('#summary-index')!r} (expected 4, 75,00)")


def complaints(page, hailong, complaint):
    """The not-satisfied rating with a comment, set to resolved with a note: one complaint_updates row."""
    log("the complaints inbox: resolved, with a note")
    page.click("#complaints-link")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}/complaints")
    article = f"article.complaint#r-{complaint}"
    page.wait(lambda: page.elements(article), f"the complaint {article}")
    expect(len(page.elements("article.complaint")) == 1, f"{len(page.elements('article.complaint'))} complaints listed")
    expect(page.text(f"{article} .comment") == COMMENT, f"comment {page.text(f'{article} .comment')!r}")
    text = page.text(article)
    expect("Xin chào" in text and "Luôn lắng nghe" in text, f"the reasons by name: {text!r}")
    expect(page.text(f"{article} .status") == "Mới", f"status before {page.text(f'{article} .status')!r}")
    page.accessibility("the complaints page")
    page.check_text("the complaints page")
    Select(page.element(f"{article} select[name=status]")).select_by_value("resolved")
    page.element(f"{article} textarea[name=note]").send_keys(NOTE)
    button = page.element(f'{article} button[type="submit"]')
    button.click()
    page.wait_reload(button, "the complaints page after saving")
    page.wait(lambda: page.elements(f"{article} .status"), "the complaint again")
    expect(page.text(f"{article} .status") == "Đã giải quyết" and page.elements(f"{article} .status-resolved"),
           f"status after {page.text(f'{article} .status')!r}")
    expect(NOTE in page.text(article) and PROVINCE_ADMIN[0] in page.text(article),
           f"the note and who wrote it: {page.text(article)!r}")
    expect(Select(page.element(f"{article} select[name=status]")).first_selected_option.get_attribute("value") == "resolved",
           "the select shows resolved")
    updates = hailong.sql("SELECT response_id, status, note, updated_by FROM complaint_updates")
    expect(updates == [[complaint, "resolved", NOTE, PROVINCE_ADMIN[0]]], f"complaint_updates: {updates}")


def sign_out(page):
    log("sign-out: /admin then sends to the sign-in page")
    page.click('form[action="/admin/sign-out"] button')
    page.wait_path("/admin/sign-in")
    page.open("/admin")
    page.wait_path("/admin/sign-in")
    expect(page.elements("#username") and page.elements("#password"), "the sign-in form after signing out")
    page.open(f"/admin/agencies/{DEPARTMENT['code']}")
    page.wait_path("/admin/sign-in")


def commune_admin(page, hailong, repeat):
    """A commune's administrator: only P.B; P.A's pages and Q.X's are 404, as for an agency that does not exist."""
    log("a commune administrator: only the commune; the department and the other province are 404")
    page.sign_in(*COMMUNE_ADMIN)
    page.wait_path("/admin")
    page.user = COMMUNE_ADMIN[0]
    overview(page, None, [COMMUNE["code"]])
    page.open(f"/admin/agencies/{COMMUNE['code']}")
    page.wait(lambda: page.elements("#flags-link"), "the commune's own page")
    expect(page.status() == 200 and page.heading().startswith(COMMUNE["name"]), f"the commune's page: {page.status()}")
    unknown = page.expect_not_found("/admin/agencies/KHONG-CO")
    for path in [f"/admin/agencies/{DEPARTMENT['code']}", f"/admin/agencies/{OTHER_DEPARTMENT['code']}",
                 f"/admin/agencies/{PROVINCE['code']}", f"/admin/agencies/{DEPARTMENT['code']}/flags",
                 f"/admin/agencies/{DEPARTMENT['code']}/complaints",
                 f"/admin/agencies/{DEPARTMENT['code']}/export?format=csv"]:
        problem = page.expect_not_found(path)
        expect(set(problem) == set(unknown) and problem["title"] == unknown["title"],
               f"{path} answers unlike an agency that does not exist: {problem} vs {unknown}")
    # The department's flag, sent as a review from the commune's own page (its own session and CSRF token): refused.
    page.open(f"/admin/agencies/{COMMUNE['code']}/flags")
    page.wait(lambda: page.elements('form[action="/admin/sign-out"] input[name=csrf]'), "the commune's flags page")
    csrf = page.element('form[action="/admin/sign-out"] input[name=csrf]').get_attribute("value")
    statuses = page.driver.execute_async_script(
        "const [csrf, repeat, done] = arguments; const send = path => fetch(path, {method: 'POST', redirect: 'manual',"
        " body: new URLSearchParams({csrf, response: repeat, flag: 'rapid_repeat', action: 'restore'})}).then(r => r.status);"
        f"Promise.all([send('/admin/agencies/{COMMUNE['code']}/flags'), send('/admin/agencies/{DEPARTMENT['code']}/flags')])"
        ".then(done, e => done(String(e)))", csrf, repeat)
    expect(statuses == [404, 404], f"a review of P.A's flag from P.B's session: {statuses}, expected [404, 404]")
    expect(hailong.sql("SELECT count(*) FROM flag_reviews") == [["1"]], "nothing more in flag_reviews")


def test(hailong, arguments):
    token, other_token = set_up_directory(hailong)
    hailong.environment["HAILONG_SECURE_COOKIES"] = "0"  # plain http here: a Secure cookie would never come back
    # The page must show the review's recount at once: on a busy CI machine a figure may take over 200 ms to compute,
    # and the default would then show the previous figures for a moment (HAILONG_STALE_ANSWERS_S, README).
    hailong.environment["HAILONG_STALE_ANSWERS_S"] = "0"
    hailong.start()
    _, repeat, complaint, _ = seed_ratings(hailong, token, other_token)
    downloads = Path(tempfile.mkdtemp(prefix="hailong-downloads-"))
    try:
        page = Dashboard(hailong, downloads)
        sign_in_page(page, arguments)

        log("the overview: exactly the province's subtree, never the other province")
        rows = overview(page, arguments, [PROVINCE["code"], DEPARTMENT["code"], COMMUNE["code"]])
        page.accessibility("the overview")
        page.screenshot(arguments.screenshots, "admin-overview.png")
        log(f"overview lists {[row['code'] for row in rows]}")

        agency_page(page, arguments)
        exports(page, hailong)
        flags(page, arguments, hailong, repeat)
        complaints(page, hailong, complaint)
        sign_out(page)
        commune_admin(page, hailong, repeat)
        page.expect_clean_console(allow=["status of 401", "status of 404", "favicon.ico"])
        expect(not page.problems, "the flow held, but the pages show faults:\n" + "\n".join(page.problems))
        page.quit()
    finally:
        shutil.rmtree(downloads, ignore_errors=True)


if __name__ == "__main__":
    main(__doc__, test)
