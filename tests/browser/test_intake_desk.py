"""The admin's intake page in a real browser, as a staff editor (not a superuser), in Vietnamese.

The scenario: a decision naming four members of the Steering Committee is pasted on "Nhập từ văn bản", reviewed and
recorded from the admin's home page in at most 8 clicks (counted), with no console error and no page wider than
1366 px. Screenshots of every step: artifacts/screenshots/admin/intake-*.png.
"""

import re

import pytest

from tests.browser.test_admin_desk import SHOTS, Desk, api

NAMES = ("Nguyễn Thị Hồng Nhung", "Trương Văn Đức", "Võ Thành Nam", "Đoàn Minh Khang")
SLUGS = ("nguyen-thi-hong-nhung", "truong-van-duc", "vo-thanh-nam", "doan-minh-khang")
COMMITTEE = "Ban Chỉ đạo TP.HCM về hội nhập quốc tế"


@pytest.fixture
def desk(browser, site):
    desk = Desk(browser, site)
    desk.log_in()
    yield desk
    desk.close()


def decision(number: str, names=NAMES) -> str:
    offices = ("Sở Ngoại vụ", "Sở Công Thương", "Sở Tài chính", "Sở Xây dựng")
    items = [
        f"{index}. {'Bà' if name.split()[1] in ('Ngọc', 'Thị') else 'Ông'} {name}, Phó Giám đốc {office}, "
        f"thành viên {COMMITTEE}."
        for index, (name, office) in enumerate(zip(names, offices, strict=False), start=1)
    ]
    return "\n".join(
        [
            "ỦY BAN NHÂN DÂN",
            "THÀNH PHỐ HỒ CHÍ MINH",
            f"Số: {number}",
            "Thành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2026",
            "QUYẾT ĐỊNH",
            f"Về việc bổ sung thành viên {COMMITTEE}",
            f"Điều 1. Bổ sung các ông, bà có tên sau làm thành viên {COMMITTEE}:",
            *items,
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        ]
    )


def test_a_decision_naming_four_members_is_recorded_in_three_clicks(desk, site):
    page = desk.page
    desk.step("intake-01-home")

    desk.click(page.locator("#content").get_by_role("link", name="Nhập từ văn bản"))
    page.wait_for_url(re.compile(r"/admin/registry/document/intake/$"))
    page.get_by_label("Văn bản cần đọc").fill(decision("4410/QĐ-UBND"))
    desk.step("intake-02-pasted")

    desk.click(page.get_by_role("button", name="Đọc văn bản"))
    page.wait_for_load_state("load")
    assert page.input_value("#id_document-number") == "4410/QĐ-UBND"
    rows = page.locator("fieldset.intake-row")
    ticked = rows.filter(has=page.locator("input[type=checkbox]:checked"))
    assert ticked.count() == 4
    for index, name in enumerate(NAMES):
        legend = ticked.nth(index).locator("legend").inner_text()
        assert name in legend and "Thành viên" in legend
        assert ticked.nth(index).get_by_role("link", name=f"Thành viên, {COMMITTEE}").count() == 1
    assert page.locator(".intake-source mark").count() == 4
    # What each member holds elsewhere is not in the registry: shown, not ticked, waiting for a post.
    assert rows.count() == 8
    assert page.locator(".intake-unmatched").count() == 4
    desk.step("intake-03-review")

    desk.click(page.get_by_role("button", name="Ghi các dòng đã đánh dấu"))
    page.wait_for_url(re.compile(r"/admin/registry/document/\d+/change/$"))
    message = page.locator(".messagelist").inner_text()
    assert "Đã ghi vào sổ từ văn bản 4410/QĐ-UBND" in message
    assert "4 bổ nhiệm" in message
    for name in NAMES:
        assert page.locator(".messagelist").get_by_role("link", name=name).count() == 1
    desk.step("intake-04-recorded")

    assert desk.clicks <= 8, desk.clicks
    assert desk.clicks == 3
    assert desk.errors == []
    chart = api(site, "/api/v1/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/chart/?as_of=2026-11-18")
    members = next(post for post in chart["posts"] if post["label"] == "Thành viên")
    assert set(SLUGS) <= {holder["person"]["slug"] for holder in members["holders"]}
    lines = [f"clicks: {desk.clicks}", "pages loaded:", *desk.pages, "screenshots:"]
    lines += [f"{name}.png {url}" for name, url in desk.steps]
    (SHOTS / "intake-scenario.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_refused_row_is_shown_beside_it_and_nothing_is_written(desk, site):
    page = desk.page
    page.goto(f"{site}/admin/registry/document/intake/")
    names = ("Hà Minh Tuấn", "Ngô Minh Hải")
    page.get_by_label("Văn bản cần đọc").fill(decision("4411/QĐ-UBND", names))
    page.get_by_role("button", name="Đọc văn bản").click()
    page.wait_for_load_state("load")
    # The first member's other post is unmatched: the editor picks the head's seat, which is held.
    row = page.locator("fieldset.intake-row").first
    assert "Hà Minh Tuấn" in row.locator("legend").inner_text()
    row.locator("input[type=checkbox]").check()
    row.locator(".field-post .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("truong ban hoi nhap")
    page.locator(".select2-results__option", has_text="Trưởng ban").first.click()
    page.get_by_role("button", name="Ghi các dòng đã đánh dấu").click()
    page.wait_for_load_state("load")
    assert "Chưa ghi gì. Hãy sửa các lỗi bên dưới." in page.locator(".errornote").inner_text()
    refused = page.locator("fieldset.intake-row.refused")
    assert refused.count() == 1
    assert "Hà Minh Tuấn" in refused.locator("legend").inner_text()
    desk.step("intake-05-refused")
    assert api(site, "/api/v1/people/?q=ha+minh+tuan")["results"] == []
    assert api(site, "/api/v1/documents/?q=4411")["results"] == []
    assert desk.errors == []


def test_axe_reports_no_serious_violations_on_the_review(browser, site, axe_source):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", bypass_csp=True)
    try:
        desk = Desk.__new__(Desk)  # only its log-in: a context of its own, where axe-core may be injected
        desk.context, desk.page, desk.site, desk.pages = context, context.new_page(), site, []
        desk.log_in()
        page = desk.page
        for path in ("/admin/registry/document/intake/", None):
            if path:
                page.goto(f"{site}{path}")
            else:
                page.get_by_label("Văn bản cần đọc").fill(decision("4412/QĐ-UBND", ("Hà Minh Tuấn",)))
                page.get_by_role("button", name="Đọc văn bản").click()
                page.wait_for_load_state("load")
            page.add_script_tag(path=str(axe_source))
            result = page.evaluate(
                "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            )
            serious = [
                f"{violation['id']}: {violation['help']} – " + "; ".join(n["target"][0] for n in violation["nodes"][:5])
                for violation in result["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            assert serious == [], serious
    finally:
        context.close()
