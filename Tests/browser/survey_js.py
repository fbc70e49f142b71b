#!/usr/bin/env python3
"""The web survey with JavaScript on: the progress line counts the criteria answered ("Đã trả lời 3/19 câu"), the
button is disabled while sending (a second click or submit sends nothing more: one row), the back button gives a
usable form again; the English page; the error summary takes the focus; a signed link from `hailong survey link`
(the dossier fixed, one submission, then "Hồ sơ này đã được đánh giá"; a tampered link refused); a whole survey
answered and sent with the keyboard only (Tab into a group, arrow keys, Space, Enter); a 390 px phone without
sideways scrolling and with large enough targets. HAILONG_SURVEY_MIN_FILL_SECONDS=0 here (survey_nojs.py covers it).

    python3 Tests/browser/survey_js.py --hailong .build/debug/hailong --database-url postgres://… [--screenshots docs/screenshots]
"""

from kiosk_support import AGENCY, OFFICERS, expect, log, main, wait_for
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from survey_nojs import CRITERIA, Survey, check_form, expect_row, web_rows

PHONE = (390, 844)


def progress(page):
    return page.text(".progress") if page.visible(".progress") else None


def active_id(page):
    return page.script("return document.activeElement && document.activeElement.id")


def check_phone_layout(page):
    """No sideways scrolling at 390 px, level buttons and the send button at least 44 px high, readable text."""
    width = page.script("return document.documentElement.scrollWidth")
    expect(width <= PHONE[0], f"the page is {width} px wide on a {PHONE[0]} px phone (sideways scrolling)")
    small = page.script(
        "return [...document.querySelectorAll('.scale label')].filter(l => { const r = l.getBoundingClientRect();"
        " return r.height < 44 || r.width < 44; }).map(l => l.htmlFor)")
    expect(not small, f"level targets smaller than 44 × 44 px: {small[:5]}")
    button = page.element("button.send").size
    expect(button["height"] >= 44 and button["width"] >= 44, f"send button {button}")
    smallest = page.script(
        "return Math.min(...[...document.querySelectorAll('main *')].filter(e => e.offsetParent && e.childNodes.length"
        " && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
    expect(smallest >= 14, f"text as small as {smallest} px on the phone")


def metric(hailong, name):
    """One sample of /metrics (0 when not there yet)."""
    _, _, body = hailong.get("/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def send_twice_slowly(page):
    """Clicks Send on a slow network (1.5 s latency), then again 300 ms later, as an impatient person on a phone does;
    also sends the form's submit event a second time. The button is disabled with "Đang gửi…" at once, and the second
    click and submit are stopped (the server sees one POST: nothing replayed)."""
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions", {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        # One script, so that the state is read before the page goes (chromedriver waits for a navigation after a click).
        state = page.script(
            "const button = document.querySelector('button.send'), form = button.form;"
            "button.click();"
            "const again = new Event('submit', {cancelable: true}); form.dispatchEvent(again);"
            "setTimeout(() => button.click(), 300);"
            "return {disabled: button.disabled, text: button.textContent, secondSubmitStopped: again.defaultPrevented}")
        expect(state["disabled"] and state["text"] == "Đang gửi…", f"the button while sending: {state}")
        expect(state["secondSubmitStopped"], "a second submit while sending was not stopped")
        page.wait_title("Cảm ơn Ông/Bà!", timeout=15)
    finally:
        page.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def test(hailong, arguments):
    hailong.set_up_directory()
    hailong.environment["HAILONG_SURVEY_MIN_FILL_SECONDS"] = "0"
    hailong.start()
    agency = AGENCY["code"]
    officer = OFFICERS[1]["badge"]
    page = Survey(hailong, *PHONE)

    log("on a phone: the progress line counts answered criteria")
    page.open(f"/s/{agency}?officer={officer}")
    check_form(page, "")
    page.wait(lambda: progress(page) == f"Đã trả lời 0/{CRITERIA} câu", "the progress line")
    check_phone_layout(page)
    page.answer("tiep_can.1", 3)
    page.wait(lambda: progress(page) == f"Đã trả lời 1/{CRITERIA} câu", "1/19")
    page.script("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(arguments.screenshots, "survey-mobile.png")
    page.accessibility("the form on a phone")
    page.answer("thu_tuc.2", 3)
    page.answer("cong_chuc.5", 5)
    page.wait(lambda: progress(page) == f"Đã trả lời 3/{CRITERIA} câu", "3/19")
    page.answer("tiep_can.1", 5)  # a changed mind is not a fourth answer
    page.wait(lambda: progress(page) == f"Đã trả lời 3/{CRITERIA} câu", "still 3/19 after changing an answer")
    answers = {"tiep_can.1": 5, "thu_tuc.2": 3, "cong_chuc.5": 5}
    expect(page.checked() == answers, f"checked {page.checked()}")

    log("sending: the button is disabled, a second click sends nothing more")
    send_twice_slowly(page)
    rows = wait_for(lambda: web_rows(hailong, count=1), "the survey reaches the database", timeout=10)
    expect(len(rows) == 1, f"exactly one row expected, found {len(rows)}: {rows}")
    expect_row(rows[0], answers, officer=officer)
    accepted = metric(hailong, 'hailong_responses_accepted_total{channel="web"}')
    replayed = metric(hailong, "hailong_responses_replayed_total")
    expect(accepted == 1 and replayed == 0, f"one POST reached the server: accepted {accepted}, replayed {replayed}")
    page.screenshot(arguments.screenshots, "survey-thanks.png")
    page.accessibility("the thank-you page")
    page.driver.back()
    page.wait(lambda: page.elements("button.send"), "the form again after Back")
    page.wait(lambda: not page.script("return document.querySelector('button.send').disabled"), "an enabled button after Back")
    expect(page.text("button.send") == "Gửi đánh giá", "the button's own text after Back")

    log("the English page, and the error summary taking the focus")
    page.open(f"/s/{agency}?officer={officer}")
    page.click("a.lang")
    page.wait(lambda: page.script("return document.documentElement.lang") == "en", "lang=\"en\"")
    headings = [element.text for element in page.elements("section.element h2")]
    expect(any("The officer" in heading for heading in headings), f"English headings {headings}")
    expect(page.text("a.lang") == "Tiếng Việt" and page.text("button.send") == "Send", "English switch and button")
    page.wait(lambda: progress(page) == f"0 of {CRITERIA} answered", "the English progress line")
    expect(page.elements('input[name="officer"]')[0].get_attribute("value") == officer, "the officer survives the switch")
    page.submit()
    page.wait(lambda: page.elements(".error-summary"), "the error summary")
    expect(page.status() == 422, f"an empty English form: {page.status()}")
    expect(page.errors() == [("#el-tiep_can", "Please answer at least one question.")], f"summary {page.errors()}")
    expect(active_id(page) == "errors", f"the summary has the focus (a screen reader reads it): {active_id(page)!r}")
    page.accessibility("the English 422 page")
    expect(len(web_rows(hailong)) == 1, "nothing stored for the empty form")

    log("a wide screen")
    page.resize(1280, 900, mobile=False)
    page.open(f"/s/{agency}?dossier=HS-2026-000123&officer={OFFICERS[0]['badge']}")
    for code, level in {"tiep_can.1": 5, "tiep_can.2": 4, "tiep_can.3": 4}.items():
        page.answer(code, level)
    columns = page.script("return getComputedStyle(document.querySelector('.scale')).gridTemplateColumns.split(' ').length")
    expect(columns == 5, f"five levels side by side on a wide screen, not {columns}")
    page.script("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(arguments.screenshots, "survey-desktop.png")

    log("a signed link for dossier HS-9: fixed dossier, one submission, then 'already rated'")
    link = hailong.run("survey", "link", "--agency", agency, "--dossier", "HS-9", "--officer", OFFICERS[0]["badge"],
                       "--days", "7", "--base-url", hailong.base).strip()
    expect(link.startswith(f"{hailong.base}/s/{agency}?t="), f"link {link!r}")
    page.resize(*PHONE)
    page.driver.get(link)
    page.wait(lambda: page.elements("form[data-progress]"), "the linked form")
    expect(not page.elements("#dossier"), "a signed link's dossier cannot be edited")
    fixed = page.text(".field")
    expect("HS-9" in fixed and OFFICERS[0]["name"] in fixed, f"dossier and officer shown as text: {fixed!r}")
    page.answer("ket_qua.1", 5)
    page.answer("ket_qua.3", 4)
    page.element("#comment").send_keys("Nhận kết quả đúng hẹn.")
    page.submit()
    page.wait_title("Cảm ơn Ông/Bà!")
    rows = wait_for(lambda: web_rows(hailong, count=2), "the linked survey", timeout=10)
    expect_row(rows[1], {"ket_qua.1": 5, "ket_qua.3": 4}, "Nhận kết quả đúng hẹn.", dossier="HS-9", officer=OFFICERS[0]["badge"],
               signed=True)
    page.driver.get(link)
    page.wait_title("Hồ sơ này đã được đánh giá")
    expect(not page.elements("form"), "no form for a rated dossier")
    page.accessibility("the 'already rated' page")
    token = link.split("?t=")[1]
    page.driver.get(link[: -len(token)] + token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    page.wait_title("Liên kết không dùng được")
    expect(page.status() == 403, f"a tampered link: {page.status()}")
    page.click("a.button")
    page.wait(lambda: page.elements("form[data-progress]"), "the general survey from the refused link's button")

    log("keyboard only: Tab into a group, arrow keys, Space, Tab to Send, Enter")
    page.resize(1280, 900, mobile=False)
    page.open(f"/s/{agency}")
    page.wait(lambda: progress(page), "the progress line")
    keys = ActionChains(page.driver)
    page.script("document.activeElement.blur()")
    keys.send_keys(Keys.TAB).perform()
    expect(page.script("return document.activeElement.className") == "lang", f"first Tab: {active_id(page)!r}")
    keys.send_keys(Keys.TAB).perform()
    expect(active_id(page) == "dossier", f"second Tab: {active_id(page)!r}")
    ActionChains(page.driver).send_keys(Keys.TAB).perform()
    expect(active_id(page) == "tiep_can-1-1", f"Tab into the first group focuses its first level: {active_id(page)!r}")
    outline = page.script("return getComputedStyle(document.querySelector('label[for=\"tiep_can-1-1\"]')).outlineStyle")
    expect(outline == "solid", f"the focused level's label shows the focus ring (outline {outline!r})")
    ActionChains(page.driver).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).perform()
    expect(active_id(page) == "tiep_can-1-4" and page.checked() == {"tiep_can.1": 4}, f"arrows: {page.checked()}")
    ActionChains(page.driver).send_keys(Keys.TAB).perform()
    expect(active_id(page) == "tiep_can-2-1", f"Tab moves to the next group: {active_id(page)!r}")
    ActionChains(page.driver).send_keys(Keys.ARROW_LEFT).perform()  # wraps round to the last level
    expect(active_id(page) == "tiep_can-2-5", f"left arrow wraps to level 5: {active_id(page)!r}")
    ActionChains(page.driver).send_keys(Keys.TAB, Keys.SPACE).perform()
    expect(page.checked() == {"tiep_can.1": 4, "tiep_can.2": 5, "tiep_can.3": 1}, f"Space on a group: {page.checked()}")
    page.wait(lambda: progress(page) == f"Đã trả lời 3/{CRITERIA} câu", "the progress line after the keyboard answers")
    ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    expect(active_id(page) == "tiep_can-2-5", f"Shift+Tab returns to the group's checked level: {active_id(page)!r}")
    for _ in range(CRITERIA + 5):
        if page.script("return document.activeElement.classList.contains('send')"):
            break
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
    expect(page.script("return document.activeElement.classList.contains('send')"), "Tab reaches the Send button")
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    page.wait_title("Cảm ơn Ông/Bà!")
    rows = wait_for(lambda: web_rows(hailong, count=3), "the keyboard survey", timeout=10)
    expect(len(rows) == 3, f"three rows, found {len(rows)}")
    expect_row(rows[2], {"tiep_can.1": 4, "tiep_can.2": 5, "tiep_can.3": 1})

    page.expect_clean_console(allow=["status of 422", "status of 403", "favicon.ico"])
    page.quit()


if __name__ == "__main__":
    main(__doc__, test)
