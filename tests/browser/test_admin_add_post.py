"""A staff editor adds a deputy post to the Steering Committee and appoints a new person to it, with its capacity,
from one decision, in one flow from the body's page: the clicks are counted, the pages fit 1366 px, no console
error. Screenshots: artifacts/screenshots/admin/add-post-*.png."""

import re

from tests.browser.conftest import EDITOR, SCREENSHOTS, Console

TEXT = (
    "QUYẾT ĐỊNH Về việc bổ sung Phó trưởng ban Ban Chỉ đạo. Điều 1. Bổ sung chức danh Phó trưởng ban phụ trách hội "
    "nhập quốc tế về khoa học - công nghệ. Điều 2. Bổ nhiệm bà Trần Thị Thu, Giám đốc Sở Ngoại vụ TP.HCM, làm Phó "
    "trưởng ban kể từ ngày 01/12/2026."
)


def test_a_new_post_and_its_appointment_in_one_flow(browser, site):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    console = Console(page)
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    clicks = 0
    shots = SCREENSHOTS / "admin"
    shots.mkdir(parents=True, exist_ok=True)

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    def shot(name: str) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, name
        page.screenshot(path=str(shots / f"add-post-{name}.png"), full_page=True)

    click(page.locator("#nav-sidebar a, #content-main a").filter(has_text=re.compile(r"^Cơ quan$")).first)
    click(page.get_by_role("link", name="Ban Chỉ đạo TP.HCM về hội nhập quốc tế", exact=True).first)
    click(page.get_by_role("link", name="Thêm chức vụ và bổ nhiệm"))
    shot("1-form")
    page.fill("#id_post_label", "Phó trưởng ban")
    clicks += 1  # choosing the kind of post in its select
    page.select_option("#id_post_role", "deputy_head")
    page.fill("#id_post_rank", "6")
    page.fill("#id_new_person_name", "Trần Thị Thu")
    page.fill("#id_start_date", "01/12/2026")
    clicks += 1  # the capacity: a post the new person sits by virtue of
    page.select_option("#id_capacity", label="Chủ tịch, Ủy ban nhân dân TP.HCM")
    page.fill("#id_new_document_number", "78/QĐ-UBND")
    page.fill("#id_new_document_title", "Quyết định về việc bổ sung Phó trưởng ban Ban Chỉ đạo")
    page.fill("#id_new_document_text", TEXT)
    page.fill("#id_post_quote", "Bổ sung chức danh Phó trưởng ban phụ trách hội nhập quốc tế về khoa học - công nghệ")
    page.fill("#id_quote", "Bổ nhiệm bà Trần Thị Thu, Giám đốc Sở Ngoại vụ TP.HCM, làm Phó trưởng ban")
    click(page.locator("input[name=check]"))
    shot("2-confirm")
    assert page.locator(".desk-confirm").count() == 1, page.locator(".errorlist").all_inner_texts()
    click(page.locator("input[name=confirm]"))
    shot("3-saved")
    assert "/admin/registry/post/" in page.url
    assert page.locator(".messagelist .success").count() == 1
    assert "Trần Thị Thu" in page.content()
    assert clicks <= 7, clicks
    assert console.errors == []
    context.close()
