#!/usr/bin/env python3
"""The web survey with JavaScript switched off in Chromium: a dossier and officer from the query, answers given by
clicking the level labels, a Vietnamese comment, the thank-you page, and exactly that row in the database (channel
'web', the answers, the comment byte for byte). Then the 422 page of a form with no answers and a bad dossier code
(error summary, the field's error beside it, what was typed kept, nothing stored), a form sent sooner than the minimum
fill time (HAILONG_SURVEY_MIN_FILL_SECONDS=5 here, the default, set explicitly: "gửi hơi nhanh", answers still
checked, nothing stored; sent again after waiting: stored once), and a form whose honeypot field is filled (400,
nothing stored).

    python3 Tests/browser/survey_nojs.py --hailong .build/debug/hailong --database-url postgres://… [--screenshots docs/screenshots]

`survey_js.py` imports the browser and database helpers defined here.
"""

import importlib.util
import json
import time
from pathlib import Path

from kiosk_support import (
    AGENCY, CHROMEDRIVER, CHROMIUM, OFFICERS, OPEN_BROWSERS, Kiosk, expect, log, main, wait_for)
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

MIN_FILL_SECONDS = 5
CRITERIA = 19
# Diacritics of every tone, đ/Đ, and the characters a form encoding must get right (+ & = % and quotes).
COMMENT = ("Cán bộ Lê Thị Hồng hướng dẫn tận tình, chu đáo; phòng chờ hơi nóng — đề nghị lắp quạt. "
           "Đã nộp 2+3 bản = đủ, 100% ổn & \"cảm ơn\" ạ!")
ANSWERS = {"tiep_can.1": 5, "thu_tuc.3": 4, "cong_chuc.1": 5, "pakn.2": 2}


def axe_source():
    """axe-core's script when it is installed (`pip install axe-selenium-python` bundles axe.min.js), else None."""
    spec = importlib.util.find_spec("axe_selenium_python")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text() if path.exists() else None


AXE = axe_source()


class Survey(Kiosk):
    """Headless Chromium on the survey pages, with or without JavaScript; a phone (390 × 844) unless told."""

    def __init__(self, hailong, width=390, height=844, javascript=True, mobile=True):  # noqa: super().__init__ not used
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--force-device-scale-factor=1", "--hide-scrollbars", "--lang=vi-VN",
                         f"--window-size={width},{height}"):
            options.add_argument(argument)
        if not javascript:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        self.hailong = hailong
        self.console = []
        OPEN_BROWSERS.append(self)
        self.resize(width, height, mobile)

    def resize(self, width, height, mobile=True):
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def open(self, path):
        self.driver.get(f"{self.hailong.base}{path}")

    def status(self):
        """The HTTP status of the page shown (the browser's own record of the navigation; works without page scripts)."""
        return self.script("return performance.getEntriesByType('navigation')[0].responseStatus")

    def path(self):
        return self.script("return location.pathname + location.search")

    def elements(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @staticmethod
    def radio_id(code, level):
        return f"{code.replace('.', '-')}-{level}"

    def answer(self, code, level):
        """Clicks the level's label (the radio itself is visually hidden), as a person does."""
        self.click(f'label[for="{self.radio_id(code, level)}"]')
        expect(self.element(f"#{self.radio_id(code, level)}").is_selected(), f"{code} = {level} is not checked after the click")

    def checked(self):
        return {element.get_attribute("name"): int(element.get_attribute("value"))
                for element in self.elements('.scale input[type="radio"]') if element.is_selected()}

    def submit(self):
        self.click("button.send")

    def wait_title(self, text, timeout=10):
        # Read in one script: the old page's heading may go stale between finding it and reading it.
        self.wait(lambda: self.script("const h = document.querySelector('h1'); return h && h.textContent.trim()") == text,
                  f"the page titled {text!r}", timeout)

    def wait_fill_time(self, seconds):
        """Waits until the form on screen was served `seconds` ago, read from the server's own stamp (whole seconds)."""
        served = int(self.element('input[name="stamp"]').get_attribute("value").split(".")[0])
        remaining = served + seconds + 0.3 - time.time()
        if remaining > 0:
            log(f"waiting {remaining:.1f} s: the minimum fill time")
            time.sleep(remaining)

    def accessibility(self, name):
        """axe-core on the page shown, when installed: no serious or critical violation (milder ones are printed).
        axe runs asynchronously in the page, so only in a browser with JavaScript on (survey_js.py)."""
        if AXE is None:
            log(f"axe-core not installed (pip install axe-selenium-python): {name} not audited")
            return
        self.script(AXE)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(result => done(result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))).catch(error => done([{id: 'axe-error',"
            " impact: 'critical', help: String(error), targets: []}]))")
        for violation in violations:
            log(f"axe on {name}: {violation['impact']} {violation['id']}: {violation['help']} {violation['targets']}")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        expect(not bad, f"axe-core finds serious or critical problems on {name}: {bad}")
        log(f"axe-core on {name}: {len(violations)} violations, none serious or critical")

    def errors(self):
        """The error summary's items: (link target, message)."""
        return [(link.get_attribute("hash"), link.text.strip()) for link in self.elements(".error-summary li a")]


def web_rows(hailong, count=None):
    """Every stored response, oldest first: channel, questionnaire, dossier, officer badge, whether the badge was
    resolved to an officer, answers, the comment as UTF-8 hex, flags. With `count`, None until that many are stored."""
    rows = hailong.sql(
        "SELECT r.id, r.channel, q.code, coalesce(r.dossier_code, ''), coalesce(r.officer_badge, ''), "
        "r.officer_id IS NOT NULL, r.answers::text, encode(convert_to(coalesce(r.comment, ''), 'UTF8'), 'hex'), "
        "array_to_json(r.flags)::text, r.contact_enc IS NOT NULL "
        "FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id ORDER BY r.seq")
    if count is not None and len(rows) < count:
        return None
    return [
        {"id": row[0], "channel": row[1], "questionnaire": row[2], "dossier": row[3], "officer": row[4],
         "officer_known": row[5] == "t", "answers": json.loads(row[6]), "comment": bytes.fromhex(row[7]).decode("utf-8"),
         "comment_hex": row[7], "flags": json.loads(row[8]), "contact": row[9] == "t"}
        for row in rows
    ]


def expect_row(row, answers, comment="", dossier="", officer="", signed=False):
    expect(row["channel"] == "web" and row["questionnaire"] == "sipas-5", f"channel/questionnaire of {row}")
    expect(row["answers"] == answers, f"answers {row['answers']} (expected {answers})")
    expect(row["comment_hex"] == comment.encode("utf-8").hex(),
           f"comment not byte-exact: stored {row['comment']!r}, typed {comment!r}")
    expect(row["dossier"] == dossier, f"dossier {row['dossier']!r} (expected {dossier!r})")
    expect(row["officer"] == officer, f"officer {row['officer']!r} (expected {officer!r})")
    if signed:
        # A signed link binds its dossier and officer.
        expect(row["officer_known"] and "unverified" not in row["flags"], f"a signed link's officer is linked: {row}")
    elif officer or dossier:
        # Without a signed link the dossier and officer are the citizen's claim: kept as typed, credited to nobody.
        expect(not row["officer_known"] and "unverified" in row["flags"], f"an unsigned claim is linked to no officer: {row}")
    expect(not row["contact"], "no contact stored")


def check_form(page, dossier):
    """The form as served: the questionnaire's 19 criteria of five levels each, labelled; the dossier prefilled."""
    expect(page.script("return document.documentElement.lang") == "vi", "the page is Vietnamese")
    expect(page.text(".agency") == AGENCY["name"], f"agency {page.text('.agency')!r}")
    # One script rather than a hundred round trips: each criterion's legend, and for each level whether exactly one
    # label with text names its radio.
    criteria = page.script(
        "return [...document.querySelectorAll('fieldset.question')].map(f => ({id: f.id,"
        " legend: (f.querySelector('legend') || {textContent: ''}).textContent.trim(),"
        " labelled: [...f.querySelectorAll('input[type=radio]')].map(r => {"
        "   const labels = document.querySelectorAll('label[for=\"' + r.id + '\"]');"
        "   return labels.length === 1 && labels[0].textContent.trim() !== ''; })}))")
    expect(len(criteria) == CRITERIA, f"{len(criteria)} criteria shown")
    for criterion in criteria:
        expect(criterion["legend"], f"{criterion['id']} has no legend")
        expect(criterion["labelled"] == [True] * 5, f"{criterion['id']}: levels labelled {criterion['labelled']}")
    headings = [element.text for element in page.elements("section.element h2")]
    expect(len(headings) == 5 and "Công chức giải quyết công việc" in headings[2], f"element headings {headings}")
    expect(page.element("#dossier").get_attribute("value") == dossier, "the dossier field is prefilled")


def test(hailong, arguments):
    hailong.set_up_directory()
    hailong.environment["HAILONG_SURVEY_MIN_FILL_SECONDS"] = str(MIN_FILL_SECONDS)
    hailong.start()
    page = Survey(hailong, javascript=False)
    officer = OFFICERS[0]["badge"]

    log("without JavaScript: dossier and officer from the query, four answers and a comment")
    page.open(f"/s/{AGENCY['code']}?dossier=HS-1&officer={officer}")
    expect(page.status() == 200, f"GET the form: {page.status()}")
    check_form(page, "HS-1")
    # Citizens know the officer by name, not by badge number.
    expect("Lê Thị Hồng" in page.text(".field") and officer not in page.text(".field"),
           f"the officer is shown by name: {page.text('.field')!r}")
    for code, level in ANSWERS.items():
        page.answer(code, level)
    page.element("#comment").send_keys(COMMENT)
    expect(page.checked() == ANSWERS, f"checked {page.checked()}")
    expect(not page.visible(".progress") and page.text(".progress") == "", "page scripts are off: no progress line")
    page.wait_fill_time(MIN_FILL_SECONDS)
    page.submit()
    page.wait_title("Cảm ơn Ông/Bà!")
    expect(page.path() == f"/s/{AGENCY['code']}/cam-on?lang=vi", f"thank-you address {page.path()}")
    expect(page.status() == 200, "the thank-you page is a 200 after the 303")
    rows = wait_for(lambda: web_rows(hailong, count=1), "the survey reaches the database", timeout=10)
    expect(len(rows) == 1, f"exactly one row expected, found {rows}")
    expect_row(rows[0], ANSWERS, COMMENT, dossier="HS-1", officer=officer)

    log("no answers and a bad dossier code: 422, the summary, the field's error, what was typed kept")
    kept = "Không chọn câu nào — nhưng góp ý này phải còn nguyên."
    page.open(f"/s/{AGENCY['code']}")
    page.element("#dossier").send_keys("HS#1 ?")
    page.element("#comment").send_keys(kept)
    page.submit()
    page.wait(lambda: page.elements(".error-summary"), "the error summary")
    expect(page.status() == 422, f"a form with no answers: {page.status()}")
    expect(page.text(".error-summary h2") == "Vui lòng kiểm tra lại:", "the summary's heading")
    errors = page.errors()
    expect(("#el-tiep_can", "Vui lòng trả lời ít nhất một câu hỏi.") in errors, f"summary {errors}")
    expect(any(target == "#dossier" and "Mã hồ sơ" in message for target, message in errors), f"summary {errors}")
    for target, _ in errors:
        expect(page.elements(target), f"the summary links to {target}, which is not on the page")
    expect(page.visible("#dossier-error") and "Mã hồ sơ chỉ gồm" in page.text("#dossier-error"), "the dossier's own error")
    dossier = page.element("#dossier")
    expect(dossier.get_attribute("aria-invalid") == "true" and "dossier-error" in dossier.get_attribute("aria-describedby"),
           "the dossier field is marked invalid and described by its error")
    expect(dossier.get_attribute("value") == "HS#1 ?", f"the dossier kept: {dossier.get_attribute('value')!r}")
    expect(page.element("#comment").get_attribute("value") == kept, "the comment is kept")
    expect(page.checked() == {}, "nothing checked")
    page.script("window.scrollTo(0, 0)")
    page.screenshot(arguments.screenshots, "survey-errors.png")
    expect(len(web_rows(hailong)) == 1, "nothing stored for the refused form")

    log(f"sent at once (minimum fill time {MIN_FILL_SECONDS} s): 'gửi hơi nhanh', answers kept; sent again later: stored")
    quick = {"ket_qua.1": 3, "ket_qua.2": 1}
    page.open(f"/s/{AGENCY['code']}")
    for code, level in quick.items():
        page.answer(code, level)
    page.element("#comment").send_keys("Trả kết quả trễ hai ngày.")
    rid = page.element('input[name="rid"]').get_attribute("value")
    served = int(page.element('input[name="stamp"]').get_attribute("value").split(".")[0])
    expect(time.time() - served < MIN_FILL_SECONDS - 1, "the browser was too slow to send the form 'at once'")
    page.submit()
    page.wait(lambda: page.elements(".error-summary"), "the error summary")
    expect(page.status() == 422, f"a form sent at once: {page.status()}")
    messages = [message for _, message in page.errors()]
    expect(len(messages) == 1 and "gửi hơi nhanh" in messages[0], f"summary {messages}")
    expect(page.checked() == quick, f"answers kept: {page.checked()}")
    expect(page.element("#comment").get_attribute("value") == "Trả kết quả trễ hai ngày.", "comment kept")
    expect(page.element('input[name="rid"]').get_attribute("value") == rid, "the form keeps its response id")
    expect(len(web_rows(hailong)) == 1, "nothing stored for the hasty form")
    page.wait_fill_time(MIN_FILL_SECONDS)
    page.submit()
    page.wait_title("Cảm ơn Ông/Bà!")
    rows = wait_for(lambda: web_rows(hailong, count=2), "the second survey", timeout=10)
    expect(len(rows) == 2 and rows[1]["id"] == rid, f"the form's id is the row's: {rows}")
    expect_row(rows[1], quick, "Trả kết quả trễ hai ngày.")
    expect("no_dossier" in rows[1]["flags"], f"flags {rows[1]['flags']}")

    log("a filled honeypot (software, not a person): 400, nothing stored")
    page.open(f"/s/{AGENCY['code']}")
    page.answer("cong_chuc.2", 5)
    page.script("document.getElementById('website').value = 'http://spam.example'")
    page.submit()
    page.wait_title("Không thể ghi nhận")
    expect(page.status() == 400, f"honeypot: {page.status()}")
    expect(len(web_rows(hailong)) == 2, "nothing stored for the honeypot")
    page.expect_clean_console(allow=["status of 422", "status of 400", "favicon.ico"])
    page.quit()


if __name__ == "__main__":
    main(__doc__, test)
