#!/usr/bin/env python3
"""Pair a kiosk with its code, see agency, counter and officer, rate "Chưa hài lòng" with two reasons and a comment,
see the thank-you screen reset by itself, and find exactly that row in the database. Then: the English switch, the
staff's long press to change the officer (and to say nobody is on duty), a dossier code typed by a barcode scanner,
and the served files' headers.

    python3 Tests/browser/kiosk_rate.py --hailong .build/debug/hailong --database-url postgres://… [--screenshots docs/screenshots]
"""

import time

from kiosk_support import AGENCY, COUNTER, OFFICERS, Kiosk, expect, log, main, responses, wait_for

REASONS = ["xin_chao", "luon_lang_nghe"]
COMMENT = "Chờ hơi lâu, cán bộ chưa hướng dẫn rõ."


def check_served_files(hailong):
    for path, kind in [("/kiosk", "text/html"), ("/kiosk/app.js", "text/javascript"), ("/kiosk/app.css", "text/css"),
                       ("/kiosk/sw.js", "text/javascript")]:
        status, headers, _ = hailong.get(path)
        expect(status == 200, f"GET {path}: {status}")
        expect(headers["Content-Type"] == f"{kind}; charset=utf-8", f"{path} Content-Type {headers['Content-Type']}")
        expect(headers["Cache-Control"] == "no-cache" and headers["ETag"], f"{path} caching headers")
    _, headers, _ = hailong.get("/kiosk")
    expect("script-src 'self'" in headers["Content-Security-Policy"], "the page has a strict CSP")
    status, _, body = hailong.get("/kiosk/app.js", {"If-None-Match": headers["ETag"]})
    expect(status == 200, "another file's ETag does not match")
    _, js_headers, _ = hailong.get("/kiosk/app.js")
    status, _, body = hailong.get("/kiosk/app.js", {"If-None-Match": js_headers["ETag"]})
    expect(status == 304 and body == b"", f"revalidation with the ETag: {status}")
    _, sw_headers, _ = hailong.get("/kiosk/sw.js")
    expect(sw_headers["Service-Worker-Allowed"] == "/kiosk", "the worker may control /kiosk")


def test(hailong, arguments):
    code = hailong.set_up_directory()
    hailong.start()
    check_served_files(hailong)
    kiosk = Kiosk(hailong, 768, 1024)
    kiosk.open()
    kiosk.wait_screen("pair")
    kiosk.screenshot(arguments.screenshots, "kiosk-pairing.png")

    log("pairing: a wrong code is refused, the right one opens the rating screen")
    kiosk.pair("00000000")
    kiosk.wait(lambda: kiosk.visible("#pair-error"), "the wrong code's message")
    expect("không đúng" in kiosk.text("#pair-error"), f"wrong-code message: {kiosk.text('#pair-error')}")
    kiosk.pair(code)
    kiosk.wait_screen("rate")
    expect(kiosk.script("return localStorage.getItem('hailong.kiosk.token')").startswith("hlk_"), "the token is stored")

    log("nobody is on duty yet: the pick-list comes first")
    names = [element.text for element in kiosk.driver.find_elements("css selector", ".officer-choice .choice-name")]
    expect(names == [officer["name"] for officer in OFFICERS], f"pick-list {names}")
    kiosk.screenshot(arguments.screenshots, "kiosk-officers.png")
    kiosk.choose_officer("B-0042")
    expect(kiosk.text("#agency-name") == AGENCY["name"], f"agency {kiosk.text('#agency-name')!r}")
    expect(kiosk.text("#counter-name") == COUNTER["name"], f"counter {kiosk.text('#counter-name')!r}")
    expect(kiosk.text("#officer-name") == "Lê Thị Hồng", f"officer {kiosk.text('#officer-name')!r}")
    expect(kiosk.text("#officer-title") == "Chuyên viên", "officer title")
    expect(kiosk.text("#officer-badge") == "Số hiệu: B-0042", f"badge {kiosk.text('#officer-badge')!r}")
    kiosk.wait(lambda: kiosk.visible("#officer-photo"), "the officer's photo")
    expect(kiosk.element("#officer-photo").get_attribute("src").startswith("blob:"), "the photo is a blob URL")
    wait_for(lambda: hailong.sql(
        "SELECT 1 FROM counters c JOIN officers o ON o.id = c.on_duty_officer_id WHERE o.badge = 'B-0042'"),
        "the officer on duty reaches the server", timeout=10)
    labels = [kiosk.text(f'.rate[data-level="{level}"] .rate-label') for level in (3, 2, 1)]
    expect(labels == ["Rất hài lòng", "Hài lòng", "Chưa hài lòng"], f"scale labels {labels}")
    for level in (3, 2, 1):
        size = kiosk.element(f'.rate[data-level="{level}"]').size
        expect(size["height"] >= 64 and size["width"] >= 64, f"button {level} is {size}")
    kiosk.wait(lambda: kiosk.dot() == "online", "the green status dot")
    kiosk.screenshot(arguments.screenshots, "kiosk-portrait.png")

    log("English and back")
    kiosk.click('#screen-rate [data-action="language"]')
    kiosk.wait(lambda: kiosk.text('.rate[data-level="3"] .rate-label') == "Very satisfied", "English labels")
    expect(kiosk.text("#question") == "Are you satisfied with the officer who served you?", "English question")
    kiosk.click('#screen-rate [data-action="language"]')
    kiosk.wait(lambda: kiosk.text('.rate[data-level="1"] .rate-label') == "Chưa hài lòng", "Vietnamese labels")

    log("Chưa hài lòng, two reasons and a comment")
    kiosk.click('.rate[data-level="1"]')
    kiosk.wait_screen("reasons")
    reason_codes = [element.get_attribute("data-code") for element in kiosk.driver.find_elements("css selector", ".reason")]
    expect(reason_codes == ["xin_chao", "xin_loi", "xin_cam_on", "xin_phep", "luon_mim_cuoi", "luon_nhe_nhang",
                            "luon_lang_nghe", "luon_giup_do", "khac"], f"checklist {reason_codes}")
    for reason in REASONS:
        kiosk.click(f'.reason[data-code="{reason}"]')
    kiosk.element("#comment").send_keys(COMMENT)
    kiosk.script("document.activeElement.blur()")
    kiosk.screenshot(arguments.screenshots, "kiosk-reasons.png")
    kiosk.click("#send-button")
    kiosk.wait_screen("thanks")
    thanked = time.monotonic()
    expect(kiosk.text("#screen-thanks h1") == "Cảm ơn Ông/Bà đã đánh giá!", "thank-you text")
    kiosk.wait_screen("rate", timeout=12)
    shown = time.monotonic() - thanked
    # About 4 s; the bounds leave room for a slow, busy CI machine.
    expect(2.0 <= shown <= 12.0, f"the thank-you screen stayed {shown:.1f} s (about 4 s expected)")

    rows = wait_for(lambda: responses(hailong, count=1), "the rating reaches the database", timeout=20)
    expect(len(rows) == 1, f"exactly one row expected, found {rows}")
    row = rows[0]
    expect(row["answers"]["overall"] == 1, f"answers {row['answers']}")
    expect(sorted(row["answers"].get("reasons", [])) == sorted(REASONS), f"reasons {row['answers']}")
    expect(row["comment"] == COMMENT, f"comment {row['comment']!r}")
    expect(row["officer"] == "B-0042" and row["channel"] == "kiosk" and row["dossier"] == "", f"row {row}")
    kiosk.wait(lambda: kiosk.queued() == [] and kiosk.dot() == "online", "an empty queue and a green dot")

    log("landscape screen; the staff's long press changes the officer; a scanned dossier code")
    kiosk.resize(1920, 1080)
    kiosk.screenshot(arguments.screenshots, "kiosk-landscape.png")
    kiosk.click("#staff-button")
    kiosk.wait(lambda: kiosk.visible("#staff-hint"), "a short tap only shows the hint")
    expect(not kiosk.visible("#staff-panel"), "a short tap does not open the staff panel")
    kiosk.long_press("#staff-button")
    kiosk.choose_officer("B-0043")
    expect(kiosk.text("#officer-name") == "Nguyễn Văn Minh", "the new officer is shown")
    expect(not kiosk.visible("#officer-photo") and kiosk.text("#officer-initials") == "M", "initials without a photo")
    kiosk.element("body").send_keys("HS-2026-000123\n")  # a barcode scanner types into the page
    kiosk.wait(lambda: kiosk.visible("#dossier-ok"), "the dossier code is confirmed")
    expect(kiosk.element("#dossier").get_attribute("value") == "HS-2026-000123", "the dossier field holds the code")
    kiosk.rate(2)
    kiosk.skip_thanks()
    expect(kiosk.element("#dossier").get_attribute("value") == "", "the dossier code is cleared for the next citizen")
    rows = wait_for(lambda: responses(hailong, count=2), "the second rating", timeout=20)
    expect(rows[1]["answers"] == {"overall": 2}, f"second answers {rows[1]['answers']}")
    expect(rows[1]["officer"] == "B-0043" and rows[1]["dossier"] == "HS-2026-000123", f"second row {rows[1]}")
    expect(len({row["id"] for row in rows}) == 2, "two distinct ids")

    log("end of shift: nobody on duty, the counter is rated")
    kiosk.long_press("#staff-button")
    kiosk.choose_officer("")
    expect(kiosk.text("#officer-name") == COUNTER["name"] and not kiosk.visible("#officer-badge"), "the counter card")
    wait_for(lambda: hailong.sql("SELECT 1 FROM counters WHERE on_duty_officer_id IS NULL"), "nobody on duty on the server")
    kiosk.rate(3)
    rows = wait_for(lambda: responses(hailong, count=3), "the third rating", timeout=20)
    expect(rows[2]["answers"] == {"overall": 3} and rows[2]["officer"] == "", f"third row {rows[2]}")

    kiosk.expect_clean_console(allow=["/api/v1/kiosk/pair - Failed to load resource: the server responded with a status of 422"])
    kiosk.quit()


if __name__ == "__main__":
    main(__doc__, test)
