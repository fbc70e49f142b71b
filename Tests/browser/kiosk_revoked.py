#!/usr/bin/env python3
"""A revoked kiosk goes back to the pairing screen with a clear message and keeps its unsent rating, which is sent
after pairing again; an unknown pasted device token is refused; a valid pasted token pairs. The page runs without
crypto.randomUUID here, as over plain http, so its fallback UUIDs are the idempotency keys.

    python3 Tests/browser/kiosk_revoked.py --hailong .build/debug/hailong --database-url postgres://…
"""

from kiosk_support import Kiosk, expect, log, main, responses, wait_for


def test(hailong, arguments):
    code = hailong.set_up_directory()
    hailong.start()
    kiosk = Kiosk(hailong, 1280, 800)
    # Over plain http on a counter's LAN there is no crypto.randomUUID: the page's own UUIDs must do.
    kiosk.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": "delete Crypto.prototype.randomUUID;"})
    kiosk.open()
    expect(kiosk.script("return typeof crypto.randomUUID") == "undefined", "randomUUID is gone")

    log("an unknown device token is refused")
    kiosk.pair("hlk_" + "x" * 43)
    kiosk.wait(lambda: kiosk.visible("#pair-error"), "the unknown token's message")
    expect("thu hồi" in kiosk.text("#pair-error"), f"message {kiosk.text('#pair-error')!r}")
    expect(kiosk.script("return localStorage.getItem('hailong.kiosk.token')") is None, "no token stored")

    log("pair, rate once")
    kiosk.pair(code)
    kiosk.wait_screen("rate")
    kiosk.choose_officer("B-0043")
    kiosk.rate(2)
    kiosk.skip_thanks()
    first = wait_for(lambda: responses(hailong, count=1), "the first rating")
    kiosk_id = first[0]["kiosk"]

    log("revoked: the next tap still thanks the citizen, then the pairing screen explains")
    hailong.sql("UPDATE kiosks SET status = 'revoked'")
    kiosk.rate(3)
    kiosk.wait_screen("pair", timeout=20)
    notice = kiosk.text("#pair-notice")
    expect("thu hồi" in notice and "1 đánh giá chưa gửi" in notice, f"the revocation notice: {notice!r}")
    queued = kiosk.queued()
    expect(len(queued) == 1, f"the unsent rating is kept: {queued}")
    expect(kiosk.script("return localStorage.getItem('hailong.kiosk.token')") is None, "the dead token is forgotten")
    kiosk.driver.refresh()
    kiosk.wait_screen("pair")
    expect(kiosk.queued() == queued, "the queue survives a reload on the pairing screen")

    log("a new kiosk's token pasted in: the kept rating is sent")
    token, _ = hailong.add_kiosk("Kiosk quầy 1 (thay thế)")
    kiosk.pair(token)
    kiosk.wait_screen("rate")
    rows = wait_for(lambda: responses(hailong, count=2), "the kept rating after pairing again", timeout=30)
    expect(len(rows) == 2 and rows[1]["id"] == queued[0], f"the kept rating arrived once: {rows}")
    expect(rows[1]["answers"] == {"overall": 3} and rows[1]["kiosk"] != kiosk_id, f"sent with the new token: {rows[1]}")
    kiosk.wait(lambda: kiosk.queued() == [] and kiosk.dot() == "online", "an empty queue")

    kiosk.expect_clean_console(allow=["status of 401"])
    kiosk.quit()


if __name__ == "__main__":
    main(__doc__, test)
