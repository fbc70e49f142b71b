"""Shared set-up for the kiosk browser tests.

Each test script gets the `hailong` binary and the URL of a fresh, empty database. It builds a small directory
through the command line (as an operator would), starts `hailong serve` on a free port, drives headless Chromium
through selenium and checks what reached the database with psql.
"""

import argparse
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("selenium is missing: pip install selenium (CI installs it; see Tests/browser/README.md)", file=sys.stderr)
    sys.exit(3)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HAILONG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HAILONG_CHROMEDRIVER", "/usr/bin/chromedriver")
SCRIPT_TIMEOUT_S = 240
OPEN_BROWSERS = []

# What the directory holds; the tests look for these names on the screen.
AGENCY = {"code": "H31.STP", "name": "Sở Tư pháp tỉnh Hòa Bình"}
PROVINCE = {"code": "H31", "name": "Tỉnh Hòa Bình"}
COUNTER = {"code": "Q1", "name": "Quầy số 1 — Hộ tịch, chứng thực"}
OFFICERS = [
    {"badge": "B-0042", "name": "Lê Thị Hồng", "title": "Chuyên viên"},
    {"badge": "B-0043", "name": "Nguyễn Văn Minh", "title": "Phó Trưởng phòng"},
]
# A plain portrait for B-0042, so the photo path (fetched with the device token, shown as a blob) is exercised.
PHOTO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">
<rect width="120" height="120" fill="#c9d6e8"/><circle cx="60" cy="46" r="24" fill="#5b6f8c"/>
<path d="M16 120c4-30 22-44 44-44s40 14 44 44z" fill="#5b6f8c"/></svg>"""


class Failure(Exception):
    """A check that did not hold."""


def expect(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--hailong", required=True, help="the built hailong binary")
    parser.add_argument("--database-url", required=True, help="a fresh, empty PostgreSQL database (as its owner)")
    parser.add_argument("--service-database-url", help="the same database as the login `hailong serve` runs as "
                        "(a member of hailong_runtime); without it the service runs as the owner (HAILONG_ALLOW_OWNER=1)")
    parser.add_argument("--screenshots", help="save screenshots into this directory (docs/screenshots to refresh them)")
    return parser.parse_args()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hailong:
    """The binary, its database and one `hailong serve` process at a time, always on the same port."""

    def __init__(self, binary, database_url, service_database_url=None):
        self.binary = str(Path(binary).resolve())
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.server_log = tempfile.NamedTemporaryFile(prefix="hailong-serve-", suffix=".log", delete=False)
        # The commands migrate and set up as the owner; the service runs as its own login, held by row-level security.
        if service_database_url:
            self.environment = dict(
                os.environ, DATABASE_URL=service_database_url, MIGRATION_DATABASE_URL=database_url, LOG_LEVEL="warning")
        else:
            self.environment = dict(os.environ, DATABASE_URL=database_url, HAILONG_ALLOW_OWNER="1", LOG_LEVEL="warning")

    def run(self, *arguments):
        """Runs one CLI command; its standard output."""
        result = subprocess.run(
            [self.binary, *arguments], cwd=REPO, env=self.environment, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Failure(f"hailong {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def sql(self, query):
        """Rows of a query, as lists of strings."""
        result = subprocess.run(
            ["psql", self.database_url, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
            capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise Failure(f"psql failed: {result.stderr.strip()}\n{query}")
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def add_kiosk(self, label):
        """A new kiosk at the counter: (device token, pairing code)."""
        lines = self.run("kiosk", "add", "--agency", AGENCY["code"], "--counter", COUNTER["code"], "--label", label).splitlines()
        expect(len(lines) >= 2 and lines[0].startswith("hlk_"), f"unexpected kiosk add output: {lines}")
        expect("pairing code:" in lines[1], f"no pairing code in: {lines}")
        code = lines[1].split("pairing code:")[1].split()[0]
        expect(len(code) == 8 and code.isdigit(), f"odd pairing code {code!r}")
        return lines[0], code

    def set_up_directory(self):
        """Province, agency, counter, two officers (one with a photo) and a kiosk: its pairing code."""
        self.run("migrate")
        self.run("agency", "add", "--code", PROVINCE["code"], "--name", PROVINCE["name"], "--kind", "province")
        self.run("agency", "add", "--code", AGENCY["code"], "--name", AGENCY["name"], "--parent", PROVINCE["code"])
        self.run("counter", "add", "--agency", AGENCY["code"], "--code", COUNTER["code"], "--name", COUNTER["name"])
        for officer in OFFICERS:
            self.run("officer", "add", "--agency", AGENCY["code"], "--badge", officer["badge"], "--name", officer["name"],
                     "--counter", COUNTER["code"], "--title", officer["title"])
        photo = PHOTO_SVG.encode().hex()
        self.sql(f"UPDATE officers SET photo = decode('{photo}', 'hex'), photo_type = 'image/svg+xml' WHERE badge = 'B-0042'")
        _, code = self.add_kiosk("Kiosk quầy 1")
        return code

    def start(self):
        expect(self.server is None, "the server is already running")
        self.server = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port)], cwd=REPO, env=self.environment,
            stdin=subprocess.DEVNULL, stdout=self.server_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            expect(self.server.poll() is None, f"hailong serve exited with {self.server.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        log(f"server up on port {self.port}")
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.2)
        raise Failure(f"hailong serve was not ready within 60 s:\n{self.log_tail()}")

    def stop(self):
        """SIGTERM, as an operator or systemd would stop it; the port is closed when this returns."""
        if self.server is None:
            return
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None
        log("server stopped")

    def log_tail(self, lines=40):
        self.server_log.flush()
        text = Path(self.server_log.name).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def close(self):
        self.stop()
        self.server_log.close()
        os.unlink(self.server_log.name)

    def get(self, path, headers=None):
        """(status, headers, body) of a plain GET."""
        request = urllib.request.Request(f"{self.base}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class CountingProxy:
    """A plain HTTP proxy on loopback between the browser and `hailong serve` that records every request the server
    answered: (method, path, Idempotency-Key, status). The browser talks to the proxy's port only; `stop` closes that
    port (the browser then sees a refused connection, as with the server itself down) and `start` opens it again on
    the same port, so the page's origin and its service worker stay the same. Each connection carries one request
    (HTTP/1.0 towards the browser), so no kept-alive socket outlives a `stop`."""

    HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                  "content-length"}

    def __init__(self, hailong):
        self.hailong = hailong
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.seen = []
        self.server = None
        self.thread = None

    def start(self):
        expect(self.server is None, "the proxy is already listening")
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {name: value for name, value in self.headers.items() if name.lower() not in proxy.HOP_BY_HOP}
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.hailong.port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                except OSError:
                    # The server is not there: no answer, as a refused connection would give none.
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                with proxy.lock:
                    proxy.seen.append((self.command, self.path.split("?")[0], self.headers.get("Idempotency-Key"),
                                       answer.status))
                self.send_response_only(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in proxy.HOP_BY_HOP:
                        self.send_header(name, value)
                if self.command != "HEAD" and answer.status not in (204, 304):
                    self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD" and answer.status not in (204, 304):
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = forward

            def log_message(self, *_):
                pass

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        self.server = None

    def requests(self, method=None, path=None):
        """What the server answered so far: (method, path, Idempotency-Key, status) in arrival order."""
        with self.lock:
            return [seen for seen in self.seen if (method is None or seen[0] == method) and (path is None or seen[1] == path)]


class Kiosk:
    """Headless Chromium showing the kiosk page, with the waits the tests need."""

    def __init__(self, hailong, width=768, height=1024, base=None):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--force-device-scale-factor=1", "--hide-scrollbars", "--lang=vi-VN",
                         f"--window-size={width},{height}"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Ho_Chi_Minh"})
        self.resize(width, height)
        self.hailong = hailong
        # Where the page is opened: the server itself, or a `CountingProxy` in front of it.
        self.base = base or hailong.base
        self.console = []
        OPEN_BROWSERS.append(self)

    def resize(self, width, height):
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def open(self):
        self.driver.get(f"{self.base}/kiosk")

    def wait(self, condition, message, timeout=10):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda _: condition())
        except TimeoutException:
            raise Failure(f"timed out after {timeout} s: {message}") from None

    def element(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def visible(self, css):
        elements = self.driver.find_elements(By.CSS_SELECTOR, css)
        return bool(elements) and elements[0].is_displayed()

    def wait_screen(self, name, timeout=10):
        self.wait(lambda: self.visible(f"#screen-{name}"), f"the {name} screen", timeout)

    def click(self, css, timeout=10):
        self.wait(lambda: self.visible(css), f"{css} to be visible", timeout)
        self.element(css).click()

    def text(self, css):
        return self.element(css).text.strip()

    def script(self, source, *arguments):
        return self.driver.execute_script(source, *arguments)

    def queued(self):
        """The ids in the page's offline queue."""
        return [item["id"] for item in json.loads(self.script("return localStorage.getItem('hailong.kiosk.queue') || '[]'"))]

    def pair(self, code):
        self.wait_screen("pair")
        field = self.element("#pair-code")
        field.clear()
        field.send_keys(code)
        self.click("#pair-button")

    def choose_officer(self, badge):
        self.wait(lambda: self.visible("#staff-panel"), "the officer pick-list")
        self.click(f'.officer-choice[data-badge="{badge}"]')
        self.wait(lambda: not self.visible("#staff-panel"), "the pick-list to close")

    def long_press(self, css):
        ActionChains(self.driver).click_and_hold(self.element(css)).pause(1.2).release().perform()

    def rate(self, level, reasons=(), comment=None):
        """Taps a level (3 very satisfied … 1 not satisfied); for 1 ticks the reasons and sends them."""
        self.wait_screen("rate")
        self.click(f'.rate[data-level="{level}"]')
        if level == 1:
            self.wait_screen("reasons")
            for code in reasons:
                self.click(f'.reason[data-code="{code}"]')
            if comment:
                self.element("#comment").send_keys(comment)
            self.click("#send-button")
        self.wait_screen("thanks")

    def skip_thanks(self):
        """A tap on the thank-you screen starts over at once (the tests need not wait the 4 s)."""
        self.click("#screen-thanks")
        self.wait_screen("rate")

    def dot(self):
        return self.element("#status-dot").get_attribute("data-state")

    def screenshot(self, directory, name):
        if not directory:
            return
        path = Path(directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        log(f"screenshot {path}")

    def collect_console(self):
        try:
            self.console.extend(self.driver.get_log("browser"))
        except Exception:  # the browser may be gone already
            pass
        return self.console

    def expect_clean_console(self, allow_network_errors=False, allow=()):
        """No CSP violation and no script error; refused connections only where the test stopped the server, and
        the expected refusals named in `allow`."""
        problems = []
        for entry in self.collect_console():
            message = entry.get("message", "")
            if entry.get("level") != "SEVERE":
                continue
            if allow_network_errors and ("ERR_CONNECTION_REFUSED" in message or "Failed to fetch" in message):
                continue
            if any(expected in message for expected in allow):
                continue
            problems.append(message)
        expect(not problems, "browser console errors:\n" + "\n".join(problems))

    def quit(self):
        if self in OPEN_BROWSERS:
            self.collect_console()
            OPEN_BROWSERS.remove(self)
            self.driver.quit()


def wait_for(condition, message, timeout=30, interval=0.25):
    """Polls `condition` (outside the browser, e.g. the database) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout} s: {message}")
        time.sleep(interval)


def responses(hailong, count=None):
    """Every stored response: dicts with id, answers, comment, officer, dossier, kiosk, submitted_at; with `count`,
    None until at least that many are stored (for `wait_for`)."""
    rows = hailong.sql(
        "SELECT id, answers::text, coalesce(comment, ''), coalesce(officer_badge, ''), coalesce(dossier_code, ''), "
        "kiosk_id, channel, to_char(submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI:SS') "
        "FROM responses ORDER BY seq")
    if count is not None and len(rows) < count:
        return None
    return [
        {"id": row[0], "answers": json.loads(row[1]), "comment": row[2], "officer": row[3], "dossier": row[4],
         "kiosk": int(row[5]), "channel": row[6], "submitted_at": row[7]}
        for row in rows
    ]


def main(description, body):
    """Runs one test script: `body(hailong, arguments)`; exit status 0 when every check held."""
    arguments = parse_arguments(description)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Failure(f"the script ran over {SCRIPT_TIMEOUT_S} s")))
    signal.alarm(SCRIPT_TIMEOUT_S)
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            print(f"{tool} is missing: apt-get install chromium chromium-driver (see Tests/browser/README.md)", file=sys.stderr)
            sys.exit(3)
    hailong = Hailong(arguments.hailong, arguments.database_url, arguments.service_database_url)
    started = time.monotonic()
    try:
        body(hailong, arguments)
    except Exception as error:  # report everything, then fail
        print(f"FAIL: {error}", file=sys.stderr)
        if not isinstance(error, Failure):
            traceback.print_exc()
        for browser in list(OPEN_BROWSERS):
            console = browser.collect_console()
            print("--- browser console ---", file=sys.stderr)
            for entry in console:
                print(f"{entry.get('level')}: {entry.get('message')}", file=sys.stderr)
            try:
                print(f"--- screen: {browser.script('return document.body.dataset.screen')} ---", file=sys.stderr)
            except Exception:
                pass
            browser.quit()
        print("--- hailong serve log (tail) ---", file=sys.stderr)
        print(hailong.log_tail(), file=sys.stderr)
        hailong.close()
        sys.exit(1)
    for browser in list(OPEN_BROWSERS):
        browser.quit()
    hailong.close()
    log(f"PASS in {time.monotonic() - started:.1f} s")
