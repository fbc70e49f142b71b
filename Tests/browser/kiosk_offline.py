#!/usr/bin/env python3
"""Offline: stop the server, rate three times (one of each level), see the status dot count 3; reload the page
while the server is still down (the service worker serves it, the queue survives); start the server again on the
same port and see exactly those three rows arrive, by id, and the dot turn green.

The browser reaches the server through a counting proxy on loopback (`CountingProxy`), so the script sees every
request the server answered: each queued rating is POSTed exactly once after the server is back, in the order it was
queued, and never again (the primary key would hide a second POST of the same id from a count of rows).

    python3 Tests/browser/kiosk_offline.py --hailong .build/debug/hailong --database-url postgres://…
"""

from collections import Counter

from kiosk_support import AGENCY, CountingProxy, Kiosk, expect, log, main, responses, wait_for

RESPONSES = "/api/v1/responses"


def test(hailong, arguments):
    code = hailong.set_up_directory()
    hailong.start()
    proxy = CountingProxy(hailong)
    proxy.start()
    kiosk = Kiosk(hailong, 768, 1024, base=proxy.base)
    kiosk.open()
    kiosk.pair(code)
    kiosk.wait_screen("rate")
    kiosk.choose_officer("B-0042")
    # The service worker must hold the page before the network goes, or a reload cannot work.
    kiosk.wait(lambda: kiosk.script("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)"),
               "the service worker to control the page", timeout=20)
    kiosk.wait(lambda: kiosk.script("return caches.keys().then(keys => keys.some(k => k.startsWith('hailong-kiosk-')))"),
               "the offline copy of the page", timeout=20)
    wait_for(lambda: hailong.sql("SELECT 1 FROM counters WHERE on_duty_officer_id IS NOT NULL"), "the officer on duty is saved")

    expect(proxy.requests("POST", RESPONSES) == [], f"no rating sent before the test rated: {proxy.requests('POST', RESPONSES)}")
    expect(proxy.requests("GET", "/kiosk"), "the page came through the proxy")

    log("server down; three ratings")
    hailong.stop()
    proxy.stop()
    kiosk.rate(3)
    kiosk.skip_thanks()
    kiosk.rate(2)
    kiosk.skip_thanks()
    kiosk.rate(1, reasons=["xin_loi"])
    kiosk.skip_thanks()
    queued = kiosk.queued()
    expect(len(queued) == 3 and len(set(queued)) == 3, f"three distinct queued ids, found {queued}")
    kiosk.wait(lambda: kiosk.text("#queue-count") == "3", "the status dot to count 3")
    kiosk.wait(lambda: kiosk.dot() == "offline", "the red dot while the server is down")
    expect(responses(hailong) == [], "nothing stored while the server is down")

    log("reload while offline")
    kiosk.driver.refresh()
    kiosk.wait_screen("rate", timeout=15)
    expect(kiosk.text("#agency-name") == AGENCY["name"], "the cached configuration after the reload")
    expect(kiosk.text("#officer-name") == "Lê Thị Hồng", "the officer on duty after the reload")
    expect(kiosk.queued() == queued, f"the queue survived the reload: {kiosk.queued()} vs {queued}")
    kiosk.wait(lambda: kiosk.text("#queue-count") == "3", "the count after the reload")
    kiosk.wait(lambda: kiosk.dot() == "offline", "the red dot after the reload")

    expect(proxy.requests("POST", RESPONSES) == [], "no rating reached the server while it was down")

    log("server back on the same port")
    hailong.start()
    proxy.start()
    rows = wait_for(lambda: responses(hailong, count=3), "the three offline ratings to arrive", timeout=60)
    expect(len(rows) == 3, f"exactly three rows, found {len(rows)}: {rows}")
    expect(sorted(row["id"] for row in rows) == sorted(queued), f"the rows are the queued ids: {rows} vs {queued}")
    levels = sorted(row["answers"]["overall"] for row in rows)
    expect(levels == [1, 2, 3], f"one of each level, found {levels}")
    unhappy = next(row for row in rows if row["answers"]["overall"] == 1)
    expect(unhappy["answers"].get("reasons") == ["xin_loi"], f"the reason was kept: {unhappy}")
    expect(all(row["officer"] == "B-0042" for row in rows), "the officer was recorded with every offline tap")
    kiosk.wait(lambda: kiosk.dot() == "online" and not kiosk.visible("#queue-count"), "the dot turning green", timeout=15)
    expect(kiosk.queued() == [], "the queue is empty")
    wait_for(lambda: hailong.sql("SELECT 1 FROM kiosks WHERE queue_length = 0 AND app_version IS NOT NULL"),
             "a heartbeat after the flush", timeout=15)
    # Nothing more arrives later (no duplicate sends once acknowledged).
    kiosk.driver.refresh()
    kiosk.wait_screen("rate")
    kiosk.wait(lambda: kiosk.dot() == "online", "green after a reload online")
    expect(len(responses(hailong)) == 3, "still exactly three rows")
    # At the server: each queued rating POSTed once, answered 201, oldest first; nothing else POSTed to the ingest route.
    posts = proxy.requests("POST", RESPONSES)
    sends = Counter(key for _, _, key, _ in posts)
    expect(all(sends[key] == 1 for key in queued), f"each queued rating POSTed exactly once: {dict(sends)}")
    expect(set(sends) == set(queued), f"no other Idempotency-Key POSTed: {sorted(sends)} vs {sorted(queued)}")
    expect([key for _, _, key, _ in posts] == queued, f"sent in the order queued: {posts} vs {queued}")
    expect(all(status == 201 for _, _, _, status in posts), f"each answered 201: {posts}")

    kiosk.expect_clean_console(allow_network_errors=True)
    kiosk.quit()
    proxy.stop()


if __name__ == "__main__":
    main(__doc__, test)
