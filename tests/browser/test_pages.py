"""The public pages in a real browser: what they show, how they behave, their layout and their accessibility."""

import re

import pytest

from tests.browser.conftest import SCREENSHOTS

COMMITTEE = "/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/"
PEOPLES_COMMITTEE = "/organizations/ubnd-tp-hcm/"

#: Every page the site has, by a file-name-friendly key (also the screenshot names).
PAGES = {
    "home": "/",
    "search": "/search/?q=nguyen+van+duoc",
    "committee-2025-12-20": f"{COMMITTEE}?as_of=2025-12-20",
    "committee-2025-12-20-en": f"{COMMITTEE}?as_of=2025-12-20&lang=en",
    "committee-before-it-existed": f"{COMMITTEE}?as_of=2023-04-26",
    "peoples-committee-2023-04-26": f"{PEOPLES_COMMITTEE}?as_of=2023-04-26",
    "person": "/people/nguyen-van-duoc/",
    "person-timeline": "/people/bui-thanh-son/",
    "post": "/posts/ubnd-tp-hcm-chu-tich/",
    "post-vacant-seats": "/posts/ban-chi-dao-hoi-nhap-quoc-te-thanh-vien/",
    "document": "/documents/art-2025-12-15/",
}
WIDTHS = {"desktop": 1366, "phone": 360}


def test_committee_on_20_december_2025_shows_the_head_and_the_deputies_with_portfolios(open_page):
    page, console = open_page(f"{COMMITTEE}?as_of=2025-12-20")
    assert page.locator("h1").inner_text().startswith("Ban Chỉ đạo TP.HCM về hội nhập quốc tế")
    assert page.locator(".card.role-head .person").all_inner_texts() == ["Nguyễn Văn Được"]
    deputies = page.locator(".card.role-permanent_deputy_head, .card.role-deputy_head")
    assert deputies.locator(".person").all_inner_texts() == ["Nguyễn Lộc Hà", "Bùi Tá Hoàng Vũ", "Phạm Thị Thanh Hiền"]
    portfolios = deputies.locator(".portfolio").all_inner_texts()
    assert portfolios == [
        "Phụ trách: Hội nhập quốc tế về chính trị, quốc phòng và an ninh",
        "Phụ trách: Hội nhập quốc tế về kinh tế",
        "Phụ trách: Hội nhập quốc tế về văn hóa, xã hội, khoa học - công nghệ và giáo dục - đào tạo",
    ]
    assert page.locator(".card.standing").count() == 4
    members = page.locator(".card.role-member")
    assert "20 ghế chưa rõ người giữ" in members.inner_text()
    assert members.locator("ul.seats li.unknown").count() == 20
    assert console.errors == []


def test_the_date_picker_redraws_the_chart_as_of_that_day(open_page):
    page, console = open_page(COMMITTEE)
    assert page.input_value("#as_of").count("/") == 2  # the day as the page writes it, dd/mm/yyyy
    page.fill("#as_of", "26/04/2023")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"as_of=26%2F04%2F2023"))
    assert "chưa tồn tại" in page.locator(".notice").inner_text()
    # Up to the People's Committee, the day kept: chaired by Phan Văn Mãi.
    page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name="Ủy ban nhân dân TP.HCM").click()
    page.wait_for_url(re.compile(r"/organizations/ubnd-tp-hcm/\?as_of=2023-04-26"))
    assert page.locator(".card.role-head .person").all_inner_texts() == ["Phan Văn Mãi"]
    # And the picker on the People's Committee's own page, from today back to that day.
    page.goto(page.url.split("?")[0])
    assert page.locator(".card.role-head .person").all_inner_texts() == ["Nguyễn Văn Được"]
    page.locator("#as_of").fill("2023-04-26")
    page.locator("#as_of").press("Enter")
    page.wait_for_url(re.compile(r"as_of=2023-04-26"))
    assert page.locator("h2#chart-h").inner_text() == "Sơ đồ tổ chức ngày 26/04/2023"
    assert page.locator(".card.role-head .person").all_inner_texts() == ["Phan Văn Mãi"]
    assert console.errors == []


def test_search_finds_a_person_typed_without_diacritics(open_page):
    page, console = open_page("/")
    page.get_by_label("Tìm cơ quan, người, chức vụ hoặc văn bản (có dấu hoặc không dấu)").fill("nguyen van duoc")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=nguyen\+van\+duoc"))
    page.get_by_role("link", name="Nguyễn Văn Được", exact=True).click()
    page.wait_for_url(re.compile(r"/people/nguyen-van-duoc/"))
    assert page.locator("h1").inner_text().endswith("Nguyễn Văn Được")
    assert "Trưởng ban" in page.locator("ol.timeline").inner_text()
    assert console.errors == []


def test_a_quote_opens_from_a_fact_and_leads_to_its_place_in_the_document(open_page):
    page, console = open_page(f"{COMMITTEE}?as_of=2025-12-20")
    holder = page.locator(".card.role-head .holder").first
    sources = holder.locator("details.sources")
    quote = sources.locator("blockquote").first
    assert not quote.is_visible()
    sources.locator("summary").focus()  # keyboard only
    page.keyboard.press("Enter")
    assert quote.is_visible()
    quoted = quote.inner_text()
    assert quoted.startswith("“")
    link = sources.locator("a").first
    target = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(re.compile(rf"/documents/art-2025-12-15/#{target}$"))
    anchor = page.locator(f"#{target}")
    assert anchor.count() == 1
    marked = page.locator(f"#{target} ~ mark").first  # the quote starts at its anchor
    assert marked.is_visible()
    assert marked.inner_text().strip() in quoted
    assert console.errors == []


def test_english_switch(open_page):
    page, console = open_page(f"{COMMITTEE}?as_of=2025-12-20")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Ho Chi Minh City Steering Committee on International Integration")
    assert "20 seats: holders unknown" in page.locator(".card.role-member").inner_text()
    page.get_by_role("link", name="Home", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en"  # remembered
    assert console.errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_without_horizontal_scroll_and_without_console_errors(open_page, name, width):
    page, console = open_page(PAGES[name], width=WIDTHS[width], height=800 if width == "desktop" else 740)
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {WIDTHS[width]}px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    assert console.errors == []


@pytest.mark.parametrize("name", PAGES)
def test_axe_reports_no_serious_violations(open_page, axe_source, name):
    page, console = open_page(PAGES[name], bypass_csp=True)  # axe-core is injected inline
    page.add_script_tag(path=str(axe_source))
    # Open every source disclosure, so the quotes are checked too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']}})"
    )
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    assert console.errors == []


def test_keyboard_users_can_skip_to_the_content(open_page):
    page, _ = open_page("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung")
    assert skip.evaluate("(element) => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
