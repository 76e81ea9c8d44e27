"""How the synthetic registry's records appear in the change feed and history, without a request."""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import models
from django.urls import reverse

from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.synthetic.plan import Plan


class Representer:
    """Small, realistic ``Change.data`` dicts (the real feed holds the full API representation; at this size a
    serializer per row would take longer than the whole fill)."""

    def __init__(self, plan: Plan, names: list[str], slugs: list[str]):
        self.plan, self.names, self.slugs = plan, names, slugs
        self.bodies = {body.id: body for body in plan.organizations}
        self.urls = {
            basename: reverse(f"registry-api:{basename}-detail", args=["KEY"])
            for basename in ("organization", "person", "portfolio", "document", "post", "appointment", "relationship")
        }

    def url(self, basename: str, key) -> str:
        return self.urls[basename].replace("KEY", str(key))

    def body(self, body_id: int | None) -> dict | None:
        if body_id is None:
            return None
        body = self.bodies[body_id]
        return {"id": body.id, "slug": body.slug, "name": body.name, "url": self.url("organization", body.slug)}

    def own(self, record, basename: str, key, names: str, **more) -> dict:
        """A record's id and URL, its fields ``names`` (space-separated) as they are, then ``more``."""
        return {"id": record.id, "url": self.url(basename, key), **self.fields(record, names), **more}

    def organization(self, o: Organization) -> dict:
        return self.own(
            o,
            "organization",
            o.slug,
            "slug name name_en abbreviation classification",
            parent=self.body(o.parent_id),
            founding_date=iso(o.founding_date),
            dissolution_date=iso(o.dissolution_date),
            note=o.note,
        )

    def portfolio(self, p: Portfolio) -> dict:
        return self.own(p, "portfolio", p.slug, "slug name name_en")

    def document(self, d: Document) -> dict:
        more = {"issuer": self.body(d.issuer_id), "issued_on": iso(d.issued_on), "date_precision": d.date_precision}
        return self.own(d, "document", d.slug, "slug kind number title title_en", **more)

    def person(self, p: Person) -> dict:
        return self.own(p, "person", p.slug, "slug name family_name given_name honorific")

    def post(self, p: Post) -> dict:
        ids = {"portfolio": p.portfolio_id, "standing": p.standing, "ex_officio_of": p.ex_officio_of_id}
        organization = self.body(p.organization_id)
        return self.own(
            p,
            "post",
            p.id,
            "slug",
            organization=organization,
            **self.fields(p, "label label_en role rank seats"),
            **ids,
        )

    @staticmethod
    def fields(record, names: str) -> dict:
        return {name: getattr(record, name) for name in names.split()}

    def appointment(self, a: Appointment) -> dict:
        person = {
            "id": a.person_id,
            "slug": self.slugs[a.person_id],
            "name": self.names[a.person_id],
            "url": self.url("person", self.slugs[a.person_id]),
        }
        post = {"id": a.post_id, "slug": a.post.slug, "label": a.post.label, "url": self.url("post", a.post_id)}
        return {
            "id": a.id,
            "url": self.url("appointment", a.id),
            "person": person,
            "post": post,
            "organization": self.body(a.post.organization_id),
            "start_date": iso(a.start_date),
            "start_date_precision": a.start_date_precision,
            "end_date": iso(a.end_date),
            "end_date_precision": a.end_date_precision,
            "end_reason": a.end_reason,
        }

    def organizationrelationship(self, r: OrganizationRelationship) -> dict:
        return {
            "id": r.id,
            "url": self.url("relationship", r.id),
            "subject": self.body(r.subject_id),
            "object": self.body(r.object_id),
            "kind": r.kind,
            "start_date": iso(r.start_date),
            "end_date": iso(r.end_date),
            "document": r.document_id,
        }

    def duty(self, d: Duty) -> dict:
        return {"id": d.id, "organization": self.body(d.organization_id), "order": d.order, "text": d.text}

    def citation(self, c: Citation) -> dict:
        return {
            "id": c.id,
            "record_model": c.content_type.model,
            "object_id": c.object_id,
            "document": {"id": c.document_id, "slug": c.document.slug},
            "quote": c.quote,
            "field": c.field,
        }


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# --- writing ---------------------------------------------------------------------------------------------------------


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def created_fields(model: type[models.Model]) -> list[str]:
    """What a feed entry of a creation lists: every field a writer sets (as the services log it)."""
    names = [f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    return sorted(names + [f.name for f in model._meta.many_to_many])


def history_fields(history_model: type[models.Model]) -> list[str]:
    """The attribute names a historical row copies from its record."""
    return [f.attname for f in history_model._meta.concrete_fields if not f.name.startswith("history_")]
