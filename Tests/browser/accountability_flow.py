#!/usr/bin/env python3
"""The year's accountability loop in the administrators' pages, as a department's administrator: 32 kiosk ratings of
officer B-1 (through the real API, a minute apart, 30 satisfied) so that B-1 is ranked; from the department's page
the "Vi phạm" link; an unannounced inspection recorded (one `inspections` row, one `inspection.add` audit row); a
violation by B-1 found by it reported with a PDF as evidence (the file downloadable from the list), then confirmed
with a reason (one `violation_decisions` row, `confirmed`; `violation.report`, `violation.evidence` and
`violation.confirm` audited); then the "Đánh giá công chức" page shows B-1 capped at "Không quá Hoàn thành nhiệm vụ"
and not a commendation candidate. axe-core, when installed, on the violations and evaluation pages.

    python3 Tests/browser/accountability_flow.py --hailong .build/debug/hailong --database-url postgres://… [--screenshots DIR]
"""

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from admin_flow import COUNTER, DEPARTMENT, OFFICER, PROVINCE, VIETNAM, Dashboard, add_kiosk, add_user, post_rating
from kiosk_support import expect, log, main, wait_for
from selenium.webdriver.support.ui import Select

ADMIN = ("tuphap.pa", "mat-khau-so-tu-phap-2026")
RATINGS = 32
SATISFIED = 30
TEAM = "Tổ kiểm tra công vụ của Sở Nội vụ"
DESCRIPTION = "Không đeo thẻ công chức, không chào hỏi công dân."
REASON = "Biên bản kiểm tra đột xuất có chữ ký của công chức."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def set_up(hailong):
    """Province P, department P.A with a counter, officer B-1 and a kiosk; the department's administrator."""
    hailong.run("migrate")
    hailong.run("agency", "add", "--code", PROVINCE["code"], "--name", PROVINCE["name"], "--kind", "province")
    hailong.run("agency", "add", "--code", DEPARTMENT["code"], "--name", DEPARTMENT["name"], "--kind", "department",
                "--parent", PROVINCE["code"])
    hailong.run("counter", "add", "--agency", DEPARTMENT["code"], "--code", COUNTER["code"], "--name", COUNTER["name"])
    hailong.run("officer", "add", "--agency", DEPARTMENT["code"], "--badge", OFFICER["badge"], "--name", OFFICER["name"],
                "--counter", COUNTER["code"])
    add_user(hailong, *ADMIN, "agency_admin", DEPARTMENT["code"])
    return add_kiosk(hailong, DEPARTMENT["code"], COUNTER["code"], "Kiosk quầy 1")


def seed(hailong, token):
    """B-1's ratings, a minute apart (no rapid repeat), counted by the server's aggregator; the year they fall in."""
    start = datetime.now(VIETNAM).replace(microsecond=0) - timedelta(minutes=RATINGS + 5)
    for index in range(RATINGS):
        post_rating(hailong, token, 3 if index < SATISFIED else 1, start + timedelta(minutes=index))
    wait_for(lambda: hailong.sql("SELECT count(*) FROM pending_aggregation") == [["0"]],
             f"the server's aggregator counts the {RATINGS} ratings", timeout=60)
    return start.year


def violations_page(page, hailong, arguments, evidence):
    log("the violations page from the department's page")
    page.open(f"/admin/agencies/{DEPARTMENT['code']}")
    page.wait(lambda: page.elements("#violations-link"), "the department's page with its Vi phạm link")
    expect(page.text("#violations-link") == "Vi phạm" and page.text("#evaluation-link") == "Đánh giá công chức",
           f"links {page.text('#violations-link')!r}, {page.text('#evaluation-link')!r}")
    page.click("#violations-link")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}/violations")
    page.wait(lambda: page.elements("#inspection-form"), "the inspection form")
    expect(page.status() == 200 and page.heading().startswith("Vi phạm"), f"violations page: {page.status()} {page.heading()!r}")
    page.check_text("the violations page")
    page.accessibility("the violations page")

    log("an unannounced inspection")
    Select(page.element("#inspection-kind")).select_by_value("unannounced")
    page.element("#inspection-team").send_keys(TEAM)
    page.element("#inspection-findings").send_keys("B-1 không đeo thẻ.")
    old = page.element("#inspection-add")
    old.click()
    page.wait_reload(old, "the page after recording the inspection")
    page.wait(lambda: page.elements(".notice"), "the confirmation")
    expect(page.status() == 200, f"after the inspection: {page.status()}")
    rows = hailong.sql("SELECT id, kind, team FROM inspections")
    expect(len(rows) == 1 and rows[0][1:] == ["unannounced", TEAM], f"inspections: {rows}")
    inspection = rows[0][0]
    expect(TEAM in page.text("#inspections"), f"#inspections: {page.text('#inspections')!r}")

    log("a violation found by it, with a PDF")
    Select(page.element("#report-officer")).select_by_value(f"{DEPARTMENT['code']}/{OFFICER['badge']}")
    Select(page.element("#report-norm")).select_by_value("trang_phuc")
    Select(page.element("#report-source")).select_by_value("inspection")
    Select(page.element("#report-inspection")).select_by_value(inspection)
    page.element("#report-description").send_keys(DESCRIPTION)
    page.element("#report-evidence").send_keys(str(evidence))
    old = page.element("#report-submit")
    old.click()
    page.wait_reload(old, "the page after reporting the violation")
    page.wait(lambda: page.elements("article.violation"), "the violation listed")
    rows = hailong.sql("SELECT v.id, v.inspection_id, v.source, o.badge FROM violations v JOIN officers o ON o.id = v.officer_id")
    expect(len(rows) == 1 and rows[0][1:] == [inspection, "inspection", OFFICER["badge"]], f"violations: {rows}")
    violation = rows[0][0]
    expect(hailong.sql("SELECT content_type, length(bytes) FROM violation_evidence") == [["application/pdf", str(len(PDF))]],
           "one PDF kept as evidence")
    listed = page.text(f"#v-{violation}")
    expect("Chờ kết luận" in listed and DESCRIPTION in listed and OFFICER["name"] in listed, f"#v-{violation}: {listed!r}")
    href = page.element(f"#v-{violation} a.evidence").get_attribute("href")
    status, headers, body = hailong.get(href.replace(hailong.base, ""),
                                        {"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in page.driver.get_cookies())})
    expect(status == 200 and body == PDF and headers["Content-Type"] == "application/pdf"
           and headers["Content-Disposition"].startswith("attachment;"), f"the evidence download: {status} {dict(headers)}")

    log("confirmed with a reason")
    page.element(f"#reason-{violation}").send_keys(REASON)
    old = page.element(f"#confirm-{violation}")
    old.click()
    page.wait_reload(old, "the page after the decision")
    page.wait(lambda: page.elements(f"#v-{violation}"), "the violation again")
    expect("Đã xác nhận" in page.text(f"#v-{violation}") and REASON in page.text(f"#v-{violation}"),
           f"#v-{violation} after the decision: {page.text(f'#v-{violation}')!r}")
    expect(not page.elements(f"#confirm-{violation}"), "a decided violation offers no second decision")
    expect(hailong.sql(f"SELECT status, decided_by FROM violation_decisions WHERE violation_id = {violation}")
           == [["confirmed", ADMIN[0]]], "one confirmed decision by the administrator")
    for action in ("inspection.add", "violation.report", "violation.evidence", "violation.confirm"):
        count = hailong.sql(f"SELECT count(*) FROM audit_log WHERE actor = '{ADMIN[0]}' AND action = '{action}'")
        expect(count == [["1"]], f"audit rows for {action}: {count}")
    page.accessibility("the violations page with a decided violation")
    page.full_page_screenshot(arguments.screenshots, "admin-violations.png")


def evaluation_page(page, arguments, year):
    log("the evaluation page: B-1 ranked, capped, not a candidate")
    page.click("#evaluation-link")
    page.wait_path(f"/admin/agencies/{DEPARTMENT['code']}/evaluation")
    row_css = f'[id="o-{DEPARTMENT["code"]}-{OFFICER["badge"]}"]'
    page.wait(lambda: page.elements(row_css), "B-1's row")
    expect(page.status() == 200 and page.heading().startswith("Đánh giá công chức"), f"evaluation page {page.heading()!r}")
    row = page.text(row_css)
    expect("Không quá Hoàn thành nhiệm vụ" in row, f"B-1 is not capped: {row!r}")
    expect("Đề xuất xem xét khen thưởng" not in row, f"a capped officer is a candidate: {row!r}")
    cells = page.script("return [...document.querySelectorAll(arguments[0] + ' td')].map(td => td.textContent.trim())", row_css)
    expect(cells[0] == "1" and cells[4] == str(RATINGS) and "," in cells[5] and cells[7] == "1" and cells[8] == "0",
           f"B-1's cells {cells}: rank 1, {RATINGS} ratings, an index with a decimal comma, one confirmed violation")
    for link, target in (("#evaluation-csv", "format=csv"), ("#evaluation-xlsx", "format=xlsx")):
        href = page.element(link).get_attribute("href")
        expect("/evaluation/export?" in href and target in href and f"year={year}" in href, f"{link} → {href}")
    page.check_text("the evaluation page")
    page.accessibility("the evaluation page")
    page.full_page_screenshot(arguments.screenshots, "admin-evaluation.png")


def test(hailong, arguments):
    token = set_up(hailong)
    hailong.environment["HAILONG_SECURE_COOKIES"] = "0"  # plain http here: a Secure cookie would never come back
    hailong.environment["HAILONG_STALE_ANSWERS_S"] = "0"
    hailong.start()
    year = seed(hailong, token)
    downloads = Path(tempfile.mkdtemp(prefix="hailong-downloads-"))
    try:
        evidence = downloads.parent / f"bien-ban-{downloads.name}.pdf"
        evidence.write_bytes(PDF)
        page = Dashboard(hailong, downloads)
        page.sign_in(*ADMIN)
        page.wait_path("/admin")
        page.user = ADMIN[0]
        violations_page(page, hailong, arguments, evidence)
        evaluation_page(page, arguments, year)
        page.expect_clean_console(allow=["favicon.ico"])
        expect(not page.problems, "the flow held, but the pages show faults:\n" + "\n".join(page.problems))
        page.quit()
    finally:
        shutil.rmtree(downloads, ignore_errors=True)
        Path(downloads.parent / f"bien-ban-{downloads.name}.pdf").unlink(missing_ok=True)


if __name__ == "__main__":
    main(__doc__, test)
