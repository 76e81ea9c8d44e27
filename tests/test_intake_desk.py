"""The admin's intake page, "Nhập từ văn bản": read a text (pasted or a .txt, .docx or .pdf file), review the
proposals, record the ticked ones as one changeset (registry/admin/intake.py). Every test sees the seeded registry."""

import io
import re
from html.parser import HTMLParser

import docx
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Appointment, Change, Citation, Document, Person, Post

pytestmark = pytest.mark.django_db

URL = reverse("admin:registry_document_intake")
MEMBERS = "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien"  # 20 seats, none held
HEAD = "ban-chi-dao-hoi-nhap-quoc-te-truong-ban"  # one seat, held by Nguyễn Văn Được
HEADER = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 4410/QĐ-UBND\nThành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2026\n"
ITEMS = (
    "1. Bà Lê Thị Minh Châu, Phó Giám đốc Sở Ngoại vụ, thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế.",
    "2. Ông Trương Văn Đức, Phó Giám đốc Sở Công Thương, thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế.",
    "3. Ông Võ Thành Nam, Phó Giám đốc Sở Tài chính, thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế.",
    "4. Ông Đoàn Minh Khang, Phó Viện trưởng Viện Nghiên cứu phát triển, thành viên Ban Chỉ đạo TP.HCM về hội nhập "
    "quốc tế.",
)
MEMBERS_NAMES = ("Lê Thị Minh Châu", "Trương Văn Đức", "Võ Thành Nam", "Đoàn Minh Khang")
DECISION = (
    HEADER + "QUYẾT ĐỊNH\nVề việc bổ sung thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế\n"
    "Điều 1. Bổ sung các ông, bà có tên sau làm thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế:\n"
    + "\n".join(ITEMS)
    + "\nĐiều 2. Quyết định này có hiệu lực kể từ ngày ký."
)
ONE = (
    HEADER + "QUYẾT ĐỊNH\nVề việc bổ sung thành viên Ban Chỉ đạo\n"
    "Điều 1. Bổ sung bà Lê Thị Minh Châu, Phó Giám đốc Sở Ngoại vụ, làm thành viên Ban Chỉ đạo TP.HCM về hội nhập "
    "quốc tế kể từ ngày 20/11/2026."
)


class Fields(HTMLParser):
    """The values a browser would send for the page's form (inputs, checked boxes, selected options)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.values, self.select = form_id, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") != "checkbox":
                self.values.append((attrs["name"], attrs.get("value", "")))
            elif "checked" in attrs:
                self.values.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.append((self.select, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.inside = False


def review_data(response) -> dict:
    parser = Fields("intake-review")
    parser.feed(response.content.decode())
    data = dict(parser.values)
    data["confirm"] = "1"
    return data


def words_shown(html: str) -> str:
    """The words of the page's main part, as a reader sees them (no markup, no scripts, no hidden values)."""
    main = html[html.index('<div id="content-main">') :]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


ENGLISH = re.compile(r"\b(the|Record|Person|Post|Nothing|appointment|row|text|Slug|Precision|End|Start|Read)\b")


def ticked(data: dict) -> list[int]:
    return sorted(int(name.split("-")[1]) for name in data if name.endswith("-include"))


@pytest.fixture
def desk_client(client):
    """A staff editor (the `editor` group), not a superuser."""
    user = User.objects.create_user("bientap", password="bien-tap-2026!", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client.force_login(user)
    return client


def read(client, text: str = DECISION, **values):
    response = client.post(URL, {"text": text, "published_on": "", "title": "", "read": "1", **values})
    assert response.status_code == 200
    return response


def counts() -> tuple:
    return (Person.objects.count(), Document.objects.count(), Appointment.objects.count(), Citation.objects.count())


def docx_file(text: str) -> SimpleUploadedFile:
    document = docx.Document()
    lines = text.split("\n")
    for line in lines[:-1]:
        document.add_paragraph(line)
    document.add_table(rows=1, cols=1).cell(0, 0).text = lines[-1]  # a decision's last line in a table cell
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile("quyet-dinh.docx", buffer.getvalue())


def pdf_file(lines: list[str]) -> SimpleUploadedFile:
    """A one-page PDF with a text layer, written by hand: one Tj per line in a Type0 font would need a CMap, so the
    text is ASCII-only (the intake reads unaccented text as well)."""
    stream = "BT /F1 10 Tf 20 800 Td 12 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{content}\nendobj\n".encode("latin-1")
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return SimpleUploadedFile("quyet-dinh.pdf", body)


# --- getting there ------------------------------------------------------------------------------------------------


def test_the_page_is_linked_from_the_home_page_and_the_documents(desk_client):
    for page in ("/admin/", reverse("admin:registry_document_changelist")):
        html = desk_client.get(page).content.decode()
        assert f'href="{URL}"' in html and "Nhập từ văn bản" in html


def test_the_first_step_asks_for_the_text_in_vietnamese_with_labels(desk_client):
    html = desk_client.get(URL).content.decode()
    for words in ("Nhập từ văn bản", "Văn bản cần đọc", "hoặc một tệp", "Đọc văn bản"):
        assert words in html
    for field in ("id_text", "id_file", "id_published_on", "id_title"):
        assert f'for="{field}"' in html


# --- reading ------------------------------------------------------------------------------------------------------


def test_the_review_shows_the_document_and_every_proposal_with_its_quote_marked(desk_client):
    response = read(desk_client)
    html = response.content.decode()
    document = response.context["document"]
    assert document["number"].value() == "4410/QĐ-UBND"
    assert document["kind"].value() == "decision"
    rows = response.context["shown_rows"]
    members = [row for row in rows if row["post"] is not None and row["post"].slug == MEMBERS]
    assert [row["shown"]["name"] for row in members] == list(MEMBERS_NAMES)
    assert all(row["form"]["include"].value() for row in members)
    # The posts the members hold elsewhere are not in the registry: shown, unticked, to choose.
    unmatched = [row for row in rows if row["post"] is None]
    assert unmatched and not any(row["form"]["include"].value() for row in unmatched)
    assert "Chức vụ chưa có trong sổ: hãy chọn bên dưới" in html
    assert html.count("<mark ") == 4
    assert '<mark id="quote-1" tabindex="-1">1. Bà Lê Thị Minh Châu' in html
    post = Post.objects.get(slug=MEMBERS)
    assert reverse("admin:registry_post_change", args=[post.pk]) in html
    assert ENGLISH.findall(words_shown(html)) == []
    assert ENGLISH.findall(words_shown(desk_client.get(URL).content.decode())) == []


def test_a_conflict_is_said_in_vietnamese_and_its_row_is_not_ticked(desk_client):
    text = (
        HEADER + "QUYẾT ĐỊNH\nĐiều 1. Bổ nhiệm ông Trần Văn Sáng làm Trưởng ban Ban Chỉ đạo TP.HCM về hội nhập quốc tế."
    )
    response = read(desk_client, text)
    rows = [row for row in response.context["shown_rows"] if row["post"] and row["post"].slug == HEAD]
    assert len(rows) == 1
    assert rows[0]["shown"]["conflicts"]
    assert not rows[0]["form"]["include"].value()
    html = response.content.decode()
    assert "Ghế đã có người giữ vào ngày đó: Nguyễn Văn Được." in html


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: SimpleUploadedFile("qd.txt", DECISION.encode("utf-8-sig")), MEMBERS_NAMES),
        (lambda: SimpleUploadedFile("qd.txt", DECISION.encode("utf-16")), MEMBERS_NAMES),
        (lambda: docx_file(DECISION), MEMBERS_NAMES),
    ],
    ids=["txt", "txt-utf16", "docx"],
)
def test_a_txt_or_docx_file_is_read_like_a_pasted_text(desk_client, make, expected):
    response = desk_client.post(URL, {"text": "", "file": make(), "read": "1"})
    assert response.status_code == 200
    names = {row["shown"]["name"] for row in response.context["shown_rows"]}
    assert set(expected) <= names
    assert "Điều 2. Quyết định này có hiệu lực" in response.context["document"]["text"].value()


def test_a_pdf_file_is_read_from_its_text_layer(desk_client):
    lines = ["Ong Nguyen Van Duoc giu chuc Truong ban Ban Chi dao TP.HCM ve hoi nhap quoc te."]
    response = desk_client.post(URL, {"file": pdf_file(lines), "published_on": "01/12/2026", "read": "1"})
    assert response.status_code == 200
    assert "Nguyen Van Duoc" in response.context["document"]["text"].value()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"text": "  "}, "text", "Hãy dán văn bản, hoặc tải lên một tệp."),
        ({"file": SimpleUploadedFile("qd.odt", b"x")}, "file", "Hãy tải lên tệp .txt, .docx hoặc .pdf."),
        ({"file": SimpleUploadedFile("qd.txt", b"Quy\xeat \xf0\x28 \xe1")}, "file", "không phải UTF-8"),
        ({"file": SimpleUploadedFile("qd.docx", b"not a zip")}, "file", "Không đọc được tệp .docx."),
        ({"file": SimpleUploadedFile("qd.pdf", b"%PDF-1.4 broken")}, "file", "Không đọc được tệp .pdf."),
        ({"file": SimpleUploadedFile("qd.txt", b"   ")}, "file", "không có chữ"),
        ({"text": "x", "file": SimpleUploadedFile("qd.txt", b"x")}, "file", "không cả hai"),
        ({"text": "Quyết\u202e định"}, "text", "ký tự"),
        ({"text": "Quyết định", "title": "Tiêu\u200b đề"}, "title", "ký tự"),
    ],
    ids=["blank", "extension", "encoding", "bad-docx", "bad-pdf", "empty-file", "both", "bidi", "bad-title"],
)
def test_what_cannot_be_read_is_refused_beside_its_field(desk_client, values, field, message):
    before = counts()
    response = desk_client.post(URL, {"text": "", "read": "1", **values})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert counts() == before


# --- recording ----------------------------------------------------------------------------------------------------


def test_confirming_records_the_ticked_rows_as_one_changeset(desk_client):
    before = counts()
    data = review_data(read(desk_client))
    response = desk_client.post(URL, data)
    assert response.status_code == 302
    document = Document.objects.get(number="4410/QĐ-UBND")
    assert response["Location"] == reverse("admin:registry_document_change", args=[document.pk])
    members = Appointment.objects.filter(post__slug=MEMBERS).select_related("person")
    assert sorted(a.person.name for a in members) == sorted(MEMBERS_NAMES)
    for appointment in members:
        assert appointment.start_date.isoformat() == "2026-11-18"
        assert appointment.person.honorific in ("ong", "ba")
        [citation] = Citation.objects.filter(object_id=appointment.pk, document=document)
        assert citation.quote.startswith(tuple(item[:3] for item in ITEMS))
    assert counts() == (before[0] + 4, before[1] + 1, before[2] + 4, before[3] + 4)
    assert document.text == DECISION and document.issuer.slug == "ubnd-tp-hcm"
    assert {change.reason for change in Change.objects.filter(pk__gt=0).order_by("-pk")[:9]} == {
        "Nhập từ văn bản 4410/QĐ-UBND"
    }
    html = desk_client.get(response["Location"]).content.decode()
    assert "Đã ghi vào sổ từ văn bản" in html
    assert reverse("admin:registry_post_change", args=[members[0].post.pk]) in html


def test_a_matched_person_an_edited_date_and_an_unticked_row(desk_client):
    data = review_data(read(desk_client, ONE))
    [index] = ticked(data)
    person = Person.objects.get(slug="nguyen-van-duoc")
    data[f"row-{index}-person"] = str(person.pk)
    data[f"row-{index}-start_date"] = "21/11/2026"
    data[f"row-{index}-start_date_precision"] = "attested"
    data["document-title"] = "Quyết định bổ sung thành viên"
    assert desk_client.post(URL, data).status_code == 302
    appointment = Appointment.objects.get(post__slug=MEMBERS, person=person)
    assert (appointment.start_date.isoformat(), appointment.start_date_precision) == ("2026-11-21", "attested")
    assert not Person.objects.filter(name="Lê Thị Minh Châu").exists()
    assert Document.objects.get(number="4410/QĐ-UBND").title == "Quyết định bổ sung thành viên"


def test_a_refused_row_writes_nothing_and_says_why_beside_it(desk_client):
    data = review_data(read(desk_client))
    before = counts()
    # The last member is put in the head's one seat, which Nguyễn Văn Được holds: the changeset refuses that row.
    last = ticked(data)[-1]
    data[f"row-{last}-post"] = str(Post.objects.get(slug=HEAD).pk)
    response = desk_client.post(URL, data)
    assert response.status_code == 200
    assert counts() == before
    row = response.context["shown_rows"][last]["form"]
    assert row.errors
    assert not any(item["form"].errors for item in response.context["shown_rows"][:last])
    html = response.content.decode()
    assert "Chưa ghi gì. Hãy sửa các lỗi bên dưới." in html
    assert "Chức vụ này đã đủ người trong một số ngày đó" in " ".join(row.errors["post"])
    assert ENGLISH.findall(words_shown(html)) == []


def test_an_unmatched_post_ticked_without_choosing_is_refused(desk_client):
    data = review_data(read(desk_client))
    before = counts()
    kinds = [int(name.split("-")[1]) for name in data if name.startswith("row-") and name.endswith("-kind")]
    rows = [index for index in kinds if not data.get(f"row-{index}-post")]
    data[f"row-{rows[0]}-include"] = "on"
    response = desk_client.post(URL, data)
    assert response.status_code == 200 and counts() == before
    assert "Chức vụ không có trong sổ: hãy chọn, hoặc bỏ đánh dấu dòng này." in response.content.decode()


def test_nothing_ticked_is_refused(desk_client):
    data = {k: v for k, v in review_data(read(desk_client)).items() if not k.endswith("-include")}
    response = desk_client.post(URL, data)
    assert response.status_code == 200
    assert "Hãy đánh dấu ít nhất một dòng để ghi." in response.content.decode()


def test_a_quote_not_in_the_text_is_refused(desk_client):
    data = review_data(read(desk_client))
    first = ticked(data)[0]
    data[f"row-{first}-quote"] = "Một câu không có trong văn bản."
    before = counts()
    response = desk_client.post(URL, data)
    assert counts() == before
    assert "Trích dẫn không có trong văn bản." in response.content.decode()


def test_a_document_slug_already_taken_is_refused_beside_the_slug(desk_client):
    data = review_data(read(desk_client))
    data["document-slug"] = Document.objects.first().slug
    before = counts()
    response = desk_client.post(URL, data)
    assert counts() == before
    assert response.context["document"].errors["slug"]


# --- who may ------------------------------------------------------------------------------------------------------


def test_a_reader_or_an_anonymous_visitor_may_not(client):
    assert client.get(URL).status_code == 302  # to the login page
    reader = User.objects.create_user("doc", password="doc-2026!", is_staff=True)
    reader.groups.add(Group.objects.get(name="reader"))
    client.force_login(reader)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": DECISION, "read": "1"}).status_code == 403
    assert "Nhập từ văn bản" not in client.get("/admin/").content.decode()


def test_an_appointment_editor_who_may_not_add_people_is_refused_at_confirmation(client, desk_client):
    data = review_data(read(desk_client))
    user = User.objects.create_user("hep", password="hep-2026!", is_staff=True)
    wanted = ("add_appointment", "change_appointment", "add_document", "add_citation", "view_document")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=wanted))
    client.force_login(user)
    before = counts()
    assert client.post(URL, data).status_code == 403
    assert counts() == before


# --- ends, and what a row needs -----------------------------------------------------------------------------------

END_TEXT = (
    HEADER.replace("4410", "4420").replace("18 tháng 11", "28 tháng 11") + "QUYẾT ĐỊNH\n"
    "Điều 1. Miễn nhiệm ông Nguyễn Văn Được, Trưởng ban Ban Chỉ đạo TP.HCM về hội nhập quốc tế, kể từ ngày 1/12/2026."
)


def test_an_end_is_recorded_with_its_quote(desk_client):
    response = read(desk_client, END_TEXT)
    assert "Kết thúc nhiệm kỳ" in response.content.decode()
    data = review_data(response)
    [index] = ticked(data)
    assert data[f"row-{index}-end_date"] == "30/11/2026"
    assert desk_client.post(URL, data).status_code == 302
    appointment = Appointment.objects.get(post__slug=HEAD, person__slug="nguyen-van-duoc")
    assert appointment.end_date.isoformat() == "2026-11-30"
    assert Citation.objects.filter(object_id=appointment.pk, field="end_date", document__number="4420/QĐ-UBND").exists()


def test_an_end_the_registry_does_not_hold_is_not_ticked_and_refused_if_ticked(desk_client):
    response = read(desk_client, END_TEXT.replace("Nguyễn Văn Được", "Trần Văn Sáng"))
    assert "Sổ không có nhiệm kỳ nào như vậy để kết thúc." in response.content.decode()
    data = review_data(response)
    assert ticked(data) == []
    index = next(int(name.split("-")[1]) for name, value in data.items() if name.endswith("-kind") and value == "end")
    data[f"row-{index}-include"] = "on"
    html = desk_client.post(URL, data).content.decode()
    assert "Sổ không có nhiệm kỳ nào để kết thúc: hãy bỏ đánh dấu dòng này." in html
    data[f"row-{index}-end_date"] = ""
    assert "Hãy nhập ngày cuối giữ chức vụ." in desk_client.post(URL, data).content.decode()
    data[f"row-{index}-end_date"], data[f"row-{index}-end_date_precision"] = "30/11/2026", ""
    assert "Hãy chọn độ chính xác của ngày cuối." in desk_client.post(URL, data).content.decode()


def test_a_row_needs_a_person_a_first_day_and_its_precision(desk_client):
    data = review_data(read(desk_client, ONE))
    [index] = ticked(data)
    before = counts()
    data[f"row-{index}-new_person_name"], data[f"row-{index}-start_date"] = "", ""
    data["document-date_precision"] = ""
    response = desk_client.post(URL, data)
    html = response.content.decode()
    assert "Hãy chọn người, hoặc nhập họ tên người mới." in html
    assert "Hãy nhập ngày bắt đầu giữ chức vụ." in html
    assert "Ngày phải đi kèm độ chính xác: hãy chọn." in html
    data[f"row-{index}-new_person_name"], data[f"row-{index}-start_date"] = "Lê Thị Minh Châu", "20/11/2026"
    data[f"row-{index}-start_date_precision"] = ""
    assert "Hãy chọn độ chính xác của ngày bắt đầu." in desk_client.post(URL, data).content.decode()
    assert counts() == before


def test_a_tampered_hidden_value_shows_the_page_again_not_an_error(desk_client):
    data = review_data(read(desk_client, ONE))
    [index] = ticked(data)
    data[f"row-{index}-shown"] = "{not json"
    data[f"row-{index - 1 if index else index + 1}-shown"] = (
        '{"conflicts": [{"message": "x", "appointment": "1/"}], "name": "A"}'
    )
    data[f"row-{index}-start_date"] = ""
    response = desk_client.post(URL, data)
    assert response.status_code == 200


# --- the pieces ---------------------------------------------------------------------------------------------------


def test_every_conflict_has_its_vietnamese_words():
    from django.utils import translation

    from registry.admin.intake import conflict_message

    ended = Appointment.objects.filter(end_date__isnull=False).select_related("person").first()
    with translation.override("vi"):
        moved = conflict_message({"code": "exact_end_moved", "appointment": ended.pk}, {ended.pk: ended})
        assert moved == f"Sổ đã ghi một ngày cuối chính xác khác: {ended.end_date:%d/%m/%Y}."
        assert conflict_message({"code": "new_rule"}, {}) == "Sổ đã có dữ liệu trùng với dòng này."


def test_refusals_go_beside_the_document_or_on_the_page():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from registry.admin.intake import place_refusal
    from registry.admin.intake_forms import DocumentForm, ProposalFormSet

    document = DocumentForm(
        prefix="document", data={"document-kind": "decision", "document-title": "T", "document-text": "x"}
    )
    rows = ProposalFormSet(prefix="row", data={"row-TOTAL_FORMS": "0", "row-INITIAL_FORMS": "0"})
    assert document.is_valid() and not rows.is_valid()
    error = ValidationError({"document.text": ["Bad."], "operations": ["Too many."], "document.title": ["Long."]})
    with translation.override("vi"):
        page = place_refusal(error, document, rows, [])
    assert page == ["Sổ không nhận dòng này: hãy kiểm tra người, chức vụ và ngày."]
    assert document.non_field_errors() and document.errors["title"]
    with translation.override("en"):
        assert place_refusal(ValidationError("Plain."), document, rows, []) == ["Plain."]


def test_uploads_that_cannot_be_read_say_why():
    import pypdf
    from django import forms

    from registry.admin.uploads import MAX_PDF_PAGES, text_of

    def written(writer) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        writer.write(buffer)
        return SimpleUploadedFile("qd.pdf", buffer.getvalue())

    long = pypdf.PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        long.add_blank_page(width=595, height=842)
    locked = pypdf.PdfWriter()
    locked.add_blank_page(width=595, height=842)
    locked.encrypt("mat-khau")
    for upload, code in ((written(long), "too_long"), (written(locked), "encrypted")):
        with pytest.raises(forms.ValidationError) as refused:
            text_of(upload)
        assert refused.value.code == code


def test_a_file_longer_than_the_intake_reads_is_refused(desk_client):
    from registry.intake.reading import MAX_TEXT_LENGTH

    upload = SimpleUploadedFile("qd.txt", ("a" * (MAX_TEXT_LENGTH + 1)).encode())
    response = desk_client.post(URL, {"file": upload, "read": "1"})
    assert "Văn bản dài hơn" in " ".join(response.context["form"].errors["file"])


def test_a_new_person_whose_key_is_taken_is_refused_beside_the_name(desk_client):
    data = review_data(read(desk_client, ONE))
    [index] = ticked(data)
    data[f"row-{index}-new_person_name"] = "Nguyễn Văn Được"  # the chairman's key, nguyen-van-duoc
    before = counts()
    response = desk_client.post(URL, data)
    assert counts() == before
    row = response.context["shown_rows"][index]["form"]
    assert row.errors["new_person_name"] == ["Đã có bản ghi mang mã định danh này: hãy chọn bản ghi đó, hoặc đổi mã."]


def test_the_other_refusals_and_conflicts_in_vietnamese():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from registry.admin.intake import conflict_message, in_words

    held = Appointment.objects.select_related("person").first()
    with translation.override("vi"):
        assert in_words("operations.0.start_date", ValidationError("Too early.")).startswith("Sổ không nhận ngày này")
        assert in_words("operations.0.quote", ValidationError("Not there.")).startswith("Trích dẫn không có")
        recorded = conflict_message({"code": "already_recorded", "appointment": held.pk}, {held.pk: held})
        assert recorded == f"Sổ đã ghi {held.person.name} giữ chức vụ này vào ngày đó."


def test_a_confirmation_without_its_forms_shows_the_page_again(desk_client):
    before = counts()
    response = desk_client.post(URL, {"confirm": "1"})
    assert response.status_code == 200
    assert counts() == before
    too_many = desk_client.post(URL, {"confirm": "1", "row-TOTAL_FORMS": "1000", "row-INITIAL_FORMS": "0"})
    assert too_many.status_code == 200


def test_a_proposal_without_a_day_is_not_ticked(desk_client):
    text = "Bà Trần Thị Mai làm thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế."
    rows = read(desk_client, text).context["shown_rows"]
    members = [row for row in rows if row["post"] and row["post"].slug == MEMBERS]
    assert members and not any(row["form"]["include"].value() for row in members)
