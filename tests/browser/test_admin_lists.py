"""The admin's change lists at 1366 × 768, as a staff editor sees them: every column whole, nothing scrolled away."""

import re

from tests.browser.conftest import EDITOR, SCREENSHOTS


def test_the_appointments_list_shows_every_column_whole_at_1366_px(browser, site):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{site}/admin/registry/appointment/")
    (SCREENSHOTS / "admin").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin" / "appointments-1366.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # The table does not scroll inside its box (which hid the last column), and no cell is cut.
    scroll, visible = page.evaluate(
        "[document.querySelector('#changelist .results').scrollWidth, "
        "document.querySelector('#changelist .results').clientWidth]"
    )
    assert scroll <= visible
    cut = page.evaluate(
        "[...document.querySelectorAll('#result_list td, #result_list th')]"
        ".filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.innerText)"
    )
    assert cut == []
    assert page.locator("#result_list td.field-end .precision", has_text="Suy ra").count() >= 1
    context.close()
