"""The intake page of the admin, "Record from a document": read a text, review what it says, record it at once.

Three steps on one address. The editor pastes a decision's or a report's text (or uploads a .txt, .docx or .pdf);
``registry.intake.reading.read`` proposes the document and one row per appointment, end or holding, each with its
quote, which the page highlights in the text. The editor corrects the document, the people, posts and dates, ticks
the rows to keep (those with no conflict and a known post are ticked already) and confirms: the ticked rows are one
changeset (``registry.services.changesets``), written all or nothing. A refusal is shown beside its row and nothing
is written.
"""

import json

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from registry.admin.intake_forms import END, DocumentForm, ProposalFormSet, ReadForm, operations
from registry.intake.reading import read
from registry.models import Appointment, Organization, Person, Post
from registry.services import changesets
from registry.text import locate, slugify_vi

#: What a changeset needs (the API's CanChangeAppointments), and what the page writes besides appointments.
PERMISSIONS = ["registry.add_appointment", "registry.change_appointment"]
WRITES = [*PERMISSIONS, "registry.add_document", "registry.add_citation"]
TEMPLATE = "admin/registry/document/intake.html"
#: Row fields a refusal may name (``operations.3.start_date``); any other refusal is the row's own.
ROW_FIELDS = ("person", "post", "start_date", "start_date_precision", "end_date", "end_date_precision")


def conflict_message(conflict: dict, appointments: dict) -> str:
    """The intake's conflict in the editor's language (the intake itself words them in English, for the API)."""
    appointment = appointments.get(conflict.get("appointment"))
    person = appointment.person.name if appointment else ""
    code = conflict.get("code")
    if code == "already_recorded":
        return gettext("The registry already has %(person)s in this post that day.") % {"person": person}
    if code == "seat_held":
        return gettext("The seat is already held that day, by %(person)s.") % {"person": person}
    if code == "exact_end_moved":
        day = appointment.end_date.strftime("%d/%m/%Y") if appointment else ""
        return gettext("The registry records another exact last day: %(day)s.") % {"day": day}
    if code == "no_appointment":
        return gettext("The registry holds no such appointment to end.")
    return gettext("The registry already holds something this row meets.")


def row_initial(proposal: dict, people: dict, appointments: dict) -> dict:
    person = people.get(proposal["person"]["slug"])
    post, capacity = proposal["post"], proposal["capacity"]
    conflicts = [
        {"message": conflict_message(conflict, appointments), "appointment": conflict.get("appointment")}
        for conflict in proposal["conflicts"]
    ]
    # Ticked only when it can be recorded as read: a known post, a day, and for an end the appointment it closes.
    if proposal["kind"] == END:
        ready = proposal["appointment"] is not None and proposal["end_date"] is not None
    else:
        ready = post["id"] is not None and proposal["start_date"] is not None
    return {
        "include": ready and not conflicts,
        "kind": proposal["kind"],
        "person": person.pk if person else None,
        "new_person_name": "" if person else proposal["person"]["name"],
        "honorific": proposal["person"]["honorific"],
        "post": post["id"],
        "capacity": capacity["id"] if capacity else None,
        "appointment": proposal["appointment"],
        "start_date": proposal["start_date"],
        "start_date_precision": proposal["start_date_precision"],
        "end_date": proposal["end_date"],
        "end_date_precision": proposal["end_date_precision"],
        "quote": proposal["quote"],
        "shown": {
            "name": proposal["person"]["name"],
            "post": post["label"],
            "organization": (post["organization"] or {}).get("name", ""),
            "capacity": capacity["label"] if capacity else "",
            "conflicts": conflicts,
        },
    }


def document_initial(document: dict, text: str) -> dict:
    issuer = document["issuer"]
    issuers = Organization.objects.filter(slug=issuer["slug"]) if issuer else Organization.objects.none()
    issuer_id = issuers.values_list("pk", flat=True).first()
    number, title = document["number"], document["title"]
    return {
        "kind": document["kind"],
        "number": number,
        "title": title,
        "slug": slugify_vi(f"{number} {title}")[:160].strip("-"),
        "issuer": issuer_id,
        "issued_on": document["issued_on"],
        "published_on": document["published_on"],
        "date_precision": document["date_precision"],
        "text": text,
    }


def proposed(text: str, *, published_on=None, title: str = "") -> tuple[DocumentForm, ProposalFormSet]:
    """The forms of the review step, filled with what ``text`` says."""
    result = read(text, published_on=published_on, title=title)
    found = result["proposals"]
    slugs = {proposal["person"]["slug"] for proposal in found} - {None}
    people = {person.slug: person for person in Person.objects.filter(slug__in=slugs)}
    ids = {conflict.get("appointment") for proposal in found for conflict in proposal["conflicts"]} - {None}
    appointments = Appointment.objects.filter(pk__in=ids).select_related("person").in_bulk()
    document = DocumentForm(prefix="document", initial=document_initial(result["document"], text))
    rows = ProposalFormSet(prefix="row", initial=[row_initial(p, people, appointments) for p in found], text=text)
    return document, rows


def highlighted(text: str, quotes: list[str]) -> tuple[str, dict]:
    """The text as HTML with each quote in a <mark>, and the id of each quote's mark (overlaps keep the first)."""
    spans, anchors = [], {}
    for quote in dict.fromkeys(quotes):
        where = locate(quote, text)
        if where is None or any(start < where[1] and where[0] < end for start, end, _ in spans):
            continue
        anchors[quote] = f"quote-{len(spans) + 1}"
        spans.append((*where, anchors[quote]))
    html, position = [], 0
    for start, end, anchor in sorted(spans):
        html.append(escape(text[position:start]))
        html.append(format_html('<mark id="{}" tabindex="-1">{}</mark>', anchor, text[start:end]))
        position = end
    html.append(escape(text[position:]))
    return mark_safe("".join(html)), anchors  # noqa: S308 - every piece is escaped above


def _value(row, name: str):
    value = row[name].value()
    return int(value) if str(value or "").isdigit() else None


def review_rows(rows: ProposalFormSet, anchors: dict) -> list[dict]:
    """Each row's form with what the page shows beside it: the matched person and post, the quote's mark."""
    person_ids = {_value(row, "person") for row in rows.forms} - {None}
    post_ids = {_value(row, "post") for row in rows.forms} - {None}
    people = Person.objects.in_bulk(person_ids)
    posts = Post.objects.select_related("organization").in_bulk(post_ids)
    shown = []
    for row in rows.forms:
        try:
            extra = json.loads(row["shown"].value() or "{}")
        except ValueError:
            extra = {}
        extra = extra if isinstance(extra, dict) else {}
        # Shown only; a conflict's appointment becomes a link, so only a whole number is kept.
        conflicts = [c for c in extra.get("conflicts") or [] if isinstance(c, dict)]
        for conflict in conflicts:
            if not isinstance(conflict.get("appointment"), int):
                conflict["appointment"] = None
        extra["conflicts"] = conflicts
        shown.append(
            {
                "form": row,
                "shown": extra,
                "person": people.get(_value(row, "person")),
                "post": posts.get(_value(row, "post")),
                "anchor": anchors.get(row["quote"].value()),
                "is_end": row["kind"].value() == END,
            }
        )
    return shown


def in_words(name: str, error: ValidationError) -> str:
    """A service's refusal in the editor's language: the models word theirs in English, for the API."""
    message = " ".join(error.messages)
    if not get_language().startswith("vi") or gettext(message) != message:
        return gettext(message)
    if error.code == "unique":
        return gettext("A record already has this key: choose that record, or change the key.")
    field = name.rsplit(".", 1)[-1]
    if field == "post":
        return gettext(
            "Every seat of this post is taken on some of those days: untick the row, or end a holding first."
        )
    if field in ("start_date", "end_date"):
        return gettext("The registry refuses this day (outside the life of the body?): check it.")
    if field == "quote":
        return gettext("The quote is not in the document's text, or is already cited for this record.")
    return gettext("The registry refuses this row: check its person, post and dates.")


def place_refusal(error: ValidationError, document: DocumentForm, rows: ProposalFormSet, origins: list[int]) -> list:
    """Put each refusal of the changeset beside what it names: a row's field, the row, the document; else the page."""
    page = []
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
    for name, errors in items:
        found = [in_words(name, each) for each in errors]
        parts = name.split(".")
        if parts[0] == "operations" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(origins):
            row = rows.forms[origins[int(parts[1])]]
            field = parts[2] if len(parts) > 2 and parts[2] in ROW_FIELDS else None
            if field == "person" and not row.cleaned_data.get("person"):
                field = "new_person_name"
            row.add_error(field, found)
        elif parts[0] == "document" and len(parts) > 1 and parts[1] in document.fields and parts[1] != "text":
            document.add_error(parts[1], found)
        elif parts[0] == "document":
            document.add_error(None, found)
        else:
            page.extend(found)
    return page


def recorded_message(result: changesets.Changeset):
    def link(record, name: str):
        return format_html('<a href="{}">{}</a>', reverse(f"admin:registry_{name}_change", args=[record.pk]), record)

    parts = [(link(a.person, "person"), link(a.post, "post")) for a in result.appointments]
    parts += [(link(a.person, "person"), link(a.post, "post")) for a in result.ended]
    listed = format_html_join("; ", "{} – {}", parts)
    return format_html(
        gettext("Recorded from {document}: {appointments} appointment(s), {ended} end(s): {records}."),
        document=link(result.document, "document"),
        appointments=len(result.appointments),
        ended=len(result.ended),
        records=listed,
    )


def confirm(model_admin, request):
    """Apply the ticked rows as one changeset; on a refusal show the review again, with the reasons, nothing written."""
    text = request.POST.get("document-text", "")
    document = DocumentForm(request.POST, prefix="document")
    rows = ProposalFormSet(request.POST, prefix="row", text=text)
    page_errors = []
    if document.is_valid() and rows.is_valid():
        ops, origins = operations(rows.forms)
        wanted = [*WRITES] + (["registry.add_person"] if any(isinstance(o.get("person"), dict) for o in ops) else [])
        if not request.user.has_perms(wanted):
            raise PermissionDenied
        values = document.values()
        reason = f"Nhập từ văn bản {values['number'] or values['title']}"[:1000]
        try:
            result = changesets.changeset_apply(document=values, operations=ops, reason=reason)
        except ValidationError as error:
            page_errors = place_refusal(error, document, rows, origins)
        else:
            model_admin.message_user(request, recorded_message(result), messages.SUCCESS)
            return redirect(reverse("admin:registry_document_change", args=[result.document.pk]))
    page_errors += rows.non_form_errors()
    return review(model_admin, request, document, rows, page_errors)


def context(model_admin, request, **values) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Record from a document"),
        **values,
    }


def review(model_admin, request, document: DocumentForm, rows: ProposalFormSet, page_errors=()):
    text = document["text"].value() or ""
    html, anchors = highlighted(text, [row["quote"].value() or "" for row in rows.forms])
    values = context(
        model_admin,
        request,
        step="review",
        document=document,
        rows=rows,
        shown_rows=review_rows(rows, anchors),
        highlighted=html,
        page_errors=page_errors,
        media=model_admin.media + document.media + rows.media,
    )
    return TemplateResponse(request, TEMPLATE, values)


def intake_view(model_admin, request):
    """GET: the text to read. POST ``read``: the review. POST ``confirm``: one changeset, then the document's page."""
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return confirm(model_admin, request)
    form = ReadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document, rows = proposed(data["text"], published_on=data["published_on"], title=data["title"])
        return review(model_admin, request, document, rows)
    values = context(model_admin, request, step="read", form=form, media=model_admin.media + form.media)
    return TemplateResponse(request, TEMPLATE, values)
