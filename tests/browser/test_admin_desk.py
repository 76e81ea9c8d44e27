"""The admin as the city's editing desk, in a real browser, as a staff editor (not a superuser), in Vietnamese.

The issue's scenario: "Lê Thị Minh Châu becomes a member of the Steering Committee from 20/11/2026 under a new
decision, with its quote", from the admin's home page: at most 8 clicks, no console error, no page wider than
1366 px. Screenshots of every step: artifacts/screenshots/admin/ (named after the step).
"""

import json
import re
import urllib.request

import pytest

from tests.browser.conftest import EDITOR, SCREENSHOTS

SHOTS = SCREENSHOTS / "admin"
WIDTH, HEIGHT = 1366, 768
TEXT = (
    "QUYẾT ĐỊNH Về việc bổ sung thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế. "
    "Điều 1. Bổ sung bà Lê Thị Minh Châu, Phó Giám đốc Sở Ngoại vụ, làm thành viên Ban Chỉ đạo TP.HCM về hội nhập "
    "quốc tế kể từ ngày 20/11/2026. Điều 2. Quyết định này có hiệu lực kể từ ngày ký."
)
QUOTE = "Bổ sung bà Lê Thị Minh Châu, Phó Giám đốc Sở Ngoại vụ, làm thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế"


class Desk:
    """A staff editor's browser tab: counts clicks and page loads, checks the width and shoots every step."""

    def __init__(self, browser, site: str):
        self.context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        self.page = self.context.new_page()
        self.site = site
        self.errors: list[str] = []
        self.clicks = 0
        self.pages: list[str] = []
        self.steps: list[tuple[str, str]] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._static_missing)
        self.page.on("framenavigated", self._navigated)

    def _failed(self, request) -> None:
        # The browser cancels requests itself: select2 drops its previous search when the editor types on, and
        # chromium's lazy favicon fetch is cut off when the next page opens. Only failures of the server count.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _static_missing(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.errors.append(f"{response.status}: {response.url}")

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.pages.append(frame.url.removeprefix(self.site))

    def log_in(self) -> None:
        self.page.goto(f"{self.site}/admin/login/?next=/admin/")
        self.page.fill("#id_username", EDITOR[0])
        self.page.fill("#id_password", EDITOR[1])
        self.page.locator("input[type=submit]").click()
        self.page.wait_for_url(re.compile(r"/admin/$"))
        self.pages.clear()  # the scenario starts on the admin's home page

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def step(self, name: str) -> None:
        """A screenshot of the page as it is, after checking it does not scroll horizontally at 1366 px."""
        self.page.wait_for_load_state("load")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{name}: {self.page.url} is {width} px wide"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        self.steps.append((name, self.page.url.removeprefix(self.site)))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desk(browser, site):
    desk = Desk(browser, site)
    desk.log_in()
    yield desk
    desk.close()


def autocomplete(desk: Desk, field: str, typed: str, choice: str) -> None:
    """Choose in a select2 autocomplete: one click to open, typing, one click on the result."""
    desk.click(desk.page.locator(f".field-{field} .select2-selection"))
    desk.page.locator(".select2-container--open .select2-search__field").fill(typed)
    desk.click(desk.page.locator(".select2-results__option", has_text=choice).first)


def fill_new_document(page, number: str, text: str, quote: str) -> None:
    page.fill("#id_new_document_number", number)
    page.fill("#id_new_document_title", "Quyết định về việc bổ sung thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế")
    page.fill("#id_new_document_issued_on", "18/11/2026")
    page.fill("#id_new_document_text", text)
    page.fill("#id_quote", quote)


def api(site: str, path: str) -> dict:
    with urllib.request.urlopen(f"{site}{path}", timeout=10) as response:  # noqa: S310 - local test server
        return json.load(response)


def test_the_scenario_takes_one_page_and_a_confirmation(desk, site):
    page = desk.page
    desk.step("01-home")
    assert "Sổ đăng ký các cơ quan hội nhập quốc tế TP.HCM" in page.locator("#site-name").inner_text()

    # Find the post: accent-insensitive, by its title and its organization's name.
    desk.click(page.locator("#content-main").get_by_role("link", name="Chức vụ", exact=True))
    page.locator("#searchbar").fill("thanh vien ban chi dao")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url(re.compile(r"q=thanh"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "20 ghế chưa rõ người giữ" in rows.inner_text()
    desk.step("02-posts-found")

    desk.click(rows.get_by_role("link", name="Thành viên"))
    page.wait_for_url(re.compile(r"/admin/registry/post/\d+/change/"))
    desk.step("03-post")

    desk.click(page.get_by_role("link", name="Bổ nhiệm / kế nhiệm"))
    page.wait_for_url(re.compile(r"/appoint/$"))
    facts = page.locator(".desk-facts").inner_text()
    assert "Ban Chỉ đạo TP.HCM về hội nhập quốc tế" in facts
    assert "không ai" in facts
    assert page.locator(".desk-vacant").inner_text() == "20"
    desk.step("04-desk")

    # One page: the new person (slug from the name, đ -> d), the first day as the office writes it, the new decision.
    page.fill("#id_new_person_name", "Lê Thị Minh Châu")
    assert page.input_value("#id_new_person_slug") == "le-thi-minh-chau"
    page.fill("#id_start_date", "20/11/2026")
    assert page.locator("#id_new_document_kind option:checked").inner_text() == "Quyết định"
    fill_new_document(page, "4321/QĐ-UBND", TEXT, QUOTE)
    assert page.input_value("#id_new_document_slug").startswith("4321qd-ubnd-quyet-dinh-ve-viec")
    autocomplete(desk, "new_document_issuer", "uy ban nhan dan", "Ủy ban nhân dân TP.HCM")
    page.fill("#id_reason", "Quyết định 4321/QĐ-UBND")
    desk.step("05-desk-filled")

    desk.click(page.get_by_role("button", name="Tiếp tục"))
    page.wait_for_load_state("load")
    summary = page.locator(".desk-summary").inner_text()
    assert "Lê Thị Minh Châu" in summary
    assert "20/11/2026" in summary
    assert "4321/QĐ-UBND" in summary
    desk.step("06-confirm")

    desk.click(page.get_by_role("button", name="Xác nhận và lưu"))
    page.wait_for_url(re.compile(r"/admin/registry/post/\d+/change/$"))
    assert "Đã ghi nhận: Lê Thị Minh Châu, Thành viên, từ ngày 20/11/2026." in page.locator(".messagelist").inner_text()
    timeline = page.locator(".timeline-table").inner_text()
    assert "Lê Thị Minh Châu" in timeline
    assert "20/11/2026" in timeline
    assert "4321/QĐ-UBND" in timeline
    desk.step("07-saved")

    assert desk.clicks <= 8, desk.clicks
    assert desk.clicks == 7
    assert len(desk.steps) == 7
    assert desk.errors == []

    # The API's chart for that day has her, and her appointment its citation.
    chart = api(site, "/api/v1/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/chart/?as_of=2026-11-20")
    members = next(post for post in chart["posts"] if post["label"] == "Thành viên")
    assert [holder["person"]["slug"] for holder in members["holders"]] == ["le-thi-minh-chau"]
    appointment = api(site, f"/api/v1/appointments/{members['holders'][0]['appointment']}/")
    assert QUOTE in json.dumps(appointment, ensure_ascii=False)
    # The run's record of the scenario, beside its screenshots.
    lines = [f"clicks: {desk.clicks}", "pages loaded:", *desk.pages, "screenshots:"]
    lines += [f"{name}.png {url}" for name, url in desk.steps]
    (SHOTS / "scenario.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_wrong_quote_shows_its_error_beside_the_field_and_saves_nothing(desk, site):
    page = desk.page
    page.goto(f"{site}/admin/registry/post/?q=thanh+vien+ban+chi+dao")
    page.locator("#result_list tbody tr").get_by_role("link", name="Thành viên").click()
    page.get_by_role("link", name="Bổ nhiệm / kế nhiệm").click()
    # The date picker writes the day as dd/mm/yyyy.
    page.locator(".field-start_date .datetimeshortcuts a", has_text="Hôm nay").click()
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", page.input_value("#id_start_date"))
    page.fill("#id_new_person_name", "Trần Văn Đông")
    assert page.input_value("#id_new_person_slug") == "tran-van-dong"
    fill_new_document(page, "9999/QĐ-UBND", TEXT, "Bổ nhiệm ông Trần Văn Đông làm thành viên")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state("load")
    error = page.locator(".field-quote .errorlist")
    assert "Trích dẫn không có trong toàn văn" in error.inner_text()
    assert page.locator(".errorlist").count() == 1
    assert page.locator(".desk-summary").count() == 0
    desk.step("08-wrong-quote")
    found = api(site, "/api/v1/people/?q=tran+van+dong")
    assert found["results"] == []
    assert desk.errors == []


def test_a_second_holder_of_a_single_seat_is_refused_with_the_seat_message(desk, site):
    page = desk.page
    page.goto(f"{site}/admin/registry/post/?q=truong+ban+chi+dao")
    row = page.locator("#result_list tbody tr").filter(has=page.get_by_role("link", name="Trưởng ban", exact=True))
    assert "Nguyễn Văn Được" in row.inner_text()
    row.get_by_role("link", name="Trưởng ban", exact=True).click()
    page.get_by_role("link", name="Bổ nhiệm / kế nhiệm").click()
    autocomplete(desk, "person", "phan van mai", "Phan Văn Mãi")  # accent-insensitive
    page.fill("#id_start_date", "20/11/2026")
    assert page.locator("#id_predecessor option:checked").inner_text() == "Không ai: ghế trống"
    text = "Điều 1. Giao ông Phan Văn Mãi làm Trưởng ban Chỉ đạo TP.HCM về hội nhập quốc tế."
    fill_new_document(page, "5555/QĐ-UBND", text, "Giao ông Phan Văn Mãi làm Trưởng ban")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state("load")
    error = page.locator(".field-predecessor .errorlist")
    assert "Chức vụ này đã đủ người (1 ghế)" in error.inner_text()
    desk.step("09-seat-taken")
    chart = api(site, "/api/v1/organizations/ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te/chart/?as_of=2026-11-20")
    head = next(post for post in chart["posts"] if post["label"] == "Trưởng ban")
    assert [holder["person"]["slug"] for holder in head["holders"]] == ["nguyen-van-duoc"]
    assert desk.errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/admin/registry/appointment/",
        "/admin/registry/organization/",
        "/admin/registry/document/",
        "/admin/registry/person/",
        "/admin/registry/appointment/1/change/",
        "/admin/registry/organization/1/change/",
        "/admin/registry/document/1/change/",
        "/admin/registry/person/1/change/",
    ],
)
def test_admin_pages_fit_1366_px(desk, site, path):
    desk.page.goto(f"{site}{path}")
    desk.step("10-" + path.strip("/").replace("/", "-"))
    assert desk.errors == []
