"""Reads of the public pages. Each function issues a fixed number of queries, whatever the number of rows."""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Model, OuterRef, Q, Subquery
from django.urls import reverse

from registry.choices import PostRole
from registry.models import Appointment, Citation, Document, Duty, Organization, Person, Post
from registry.selectors import Chart, organization_chart, seats
from registry.selectors.evidence import with_last_confirmed
from registry.text import locate, nfc

# --- sources -----------------------------------------------------------------------------------------------------


def attach_sources(records) -> None:
    """Give every record a ``cited`` list of its citations (with documents): one query for all of them."""
    records = [record for record in records if record is not None]
    for record in records:
        record.cited = []
    if not records:
        return
    by_model: dict[type[Model], dict[int, list[Model]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        by_model[type(record)][record.pk].append(record)
    types = ContentType.objects.get_for_models(*by_model)
    condition = Q()
    for model, by_id in by_model.items():
        condition |= Q(content_type=types[model], object_id__in=list(by_id))
    model_of = {types[model].pk: model for model in by_model}
    citations = Citation.objects.filter(condition).select_related("document").order_by("document__slug", "id")
    for citation in citations:
        for record in by_model[model_of[citation.content_type_id]][citation.object_id]:
            record.cited.append(citation)


# --- home --------------------------------------------------------------------------------------------------------


@dataclass
class TreeNode:
    organization: Organization
    children: list["TreeNode"] = field(default_factory=list)


def organization_tree() -> list[TreeNode]:
    """Every body with its sub-bodies (one query); roots are the bodies without a parent."""
    organizations = list(Organization.objects.order_by("name", "id"))
    nodes = {organization.pk: TreeNode(organization) for organization in organizations}
    roots = []
    for organization in organizations:
        parent = nodes.get(organization.parent_id)
        (parent.children if parent else roots).append(nodes[organization.pk])
    return roots


@dataclass(frozen=True)
class LatestChange:
    """One line of "latest changes": the record as the change left it, what it names, and its page while it exists."""

    date: datetime.datetime
    type: str
    model: str
    record: Model  # the historical row
    person: Model | None = None  # an appointment's person, post and body; a post's body
    post: Model | None = None
    organization: Model | None = None
    url: str | None = None


#: What the home page lists as "latest changes": the records that have a page of their own, and appointments.
CHANGE_MODELS = (Organization, Person, Post, Appointment, Document)


def latest_changes(limit: int = 10) -> list[LatestChange]:
    """The newest ``limit`` changes of the records with pages: one query per model, each limited, and where they
    name records deleted since (an appointment entered by mistake, then its person), a few more to name those."""
    rows = []
    for model in CHANGE_MODELS:
        rows.extend((row, model) for row in newest_history(model)[:limit])
    rows.sort(key=lambda pair: pair[0].history_date, reverse=True)
    rows = rows[:limit]
    deleted = DeletedRecords([row for row, model in rows if model is Appointment], [r for r, m in rows if m is Post])
    return [describe(row, model, deleted) for row, model in rows]


def newest_history(model: type[Model]):
    """``model``'s history, newest first, with what its line names as it is now (None once deleted)."""
    history = model.history.model.objects.order_by("-history_date", "-history_id")
    if model is Appointment:
        return history.select_related("person", "post__organization")  # outer joins: None once deleted
    # The record's slug now: its page's address, or None once it is deleted.
    history = history.annotate(live_slug=Subquery(model.objects.filter(pk=OuterRef("id")).values("slug")[:1]))
    return history.select_related("organization") if model is Post else history


def last_history_rows(model: type[Model], ids) -> dict[int, Model]:
    """The last history row of each deleted record of ``ids``: the record as it was when deleted (one query)."""
    if not ids:
        return {}
    last = model.history.filter(id__in=set(ids)).values("id").annotate(last=Max("history_id")).values("last")
    return {row.id: row for row in model.history.filter(history_id__in=last)}


class DeletedRecords:
    """The people, posts and bodies that appointment and post lines name but that are since deleted."""

    def __init__(self, appointments: list, posts: list):
        self.people = last_history_rows(Person, [row.person_id for row in appointments if row.person is None])
        self.posts = last_history_rows(Post, [row.post_id for row in appointments if row.post is None])
        # A deleted post's body usually still exists (a body's posts go before it does): named as it is now.
        bodies_of_deleted_posts = {post.organization_id for post in self.posts.values()}
        self.bodies = Organization.objects.in_bulk(bodies_of_deleted_posts)
        gone = [row.organization_id for row in posts if row.organization is None]
        self.bodies.update(last_history_rows(Organization, gone + list(bodies_of_deleted_posts - set(self.bodies))))

    def person(self, row) -> Model | None:
        return row.person or self.people.get(row.person_id)

    def post(self, row) -> Model | None:
        return row.post or self.posts.get(row.post_id)

    def body_of(self, post) -> Model | None:
        if post is None:
            return None
        # A joined post carries its body (None once deleted); one from history is looked up.
        return self.bodies.get(post.organization_id) or post.organization


def describe(row, model: type[Model], deleted: DeletedRecords) -> LatestChange:
    """The line of one history row. A deletion is not linked; other lines link to the page while it exists."""
    common = {"date": row.history_date, "type": row.history_type, "model": model._meta.model_name, "record": row}
    linked = row.history_type != "-"
    if model is Appointment:
        post = deleted.post(row)
        url = reverse("web:person", args=[row.person.slug]) if linked and row.person is not None else None
        return LatestChange(
            **common, person=deleted.person(row), post=post, organization=deleted.body_of(post), url=url
        )
    url = reverse(f"web:{common['model']}", args=[row.live_slug]) if linked and row.live_slug else None
    return LatestChange(**common, organization=deleted.body_of(row) if model is Post else None, url=url)


@dataclass(frozen=True)
class SearchResults:
    query: str
    organizations: list[Organization]
    people: list[Person]
    posts: list[Post]
    documents: list[Document]

    @property
    def count(self) -> int:
        return len(self.organizations) + len(self.people) + len(self.posts) + len(self.documents)


def search_all(query: str, limit: int = 20) -> SearchResults:
    """Accent- and case-insensitive search of bodies, people, posts and documents (four queries)."""
    return SearchResults(
        query,
        list(Organization.objects.search(query)[:limit]),
        list(Person.objects.search(query)[:limit]),
        list(Post.objects.select_related("organization").search(query)[:limit]),
        list(Document.objects.search(query)[:limit]),
    )


# --- organization ------------------------------------------------------------------------------------------------


def posts_of(role: PostRole) -> Callable[["OrganizationPage"], list[Post]]:
    """The chart's posts of one role, in rank order (one level of the drawn chart)."""
    return lambda page: [post for post in page.chart.posts if post.role == role]


@dataclass
class OrganizationPage:
    """A body's page on a day: the chart the API serves too, with what only the page shows (its legal basis and
    duties, and the sources of every record)."""

    chart: Chart
    exists: bool
    legal_basis: list[Document]
    duties: list[Duty]

    organization = property(attrgetter("chart.organization"))
    as_of = property(attrgetter("chart.as_of"))
    support = property(attrgetter("chart.support"))
    children = property(attrgetter("chart.sub_organizations"))
    heads = property(posts_of(PostRole.HEAD))
    permanent_deputies = property(posts_of(PostRole.PERMANENT_DEPUTY_HEAD))
    deputies = property(posts_of(PostRole.DEPUTY_HEAD))
    members = property(posts_of(PostRole.MEMBER))

    @property
    def has_chart(self) -> bool:
        return bool(self.heads or self.permanent_deputies or self.deputies or self.members)

    @property
    def standing_posts(self) -> list[Post]:
        return [post for post in self.heads + self.permanent_deputies + self.deputies if post.standing]


def organization_page(slug: str, day: datetime.date) -> OrganizationPage | None:
    """A body's chart on ``day`` (``selectors.organization_chart``), with its legal basis, duties and every source."""
    organization = Organization.objects.select_related("parent").filter(slug=slug).first()
    if organization is None:
        return None
    chart = organization_chart(organization, day)
    legal_basis = list(organization.legal_basis.order_by("kind", "slug"))
    duties = list(organization.duties.order_by("order", "id"))
    holders = [holder for post in chart.posts for holder in post.holders]
    attach_sources([organization, *chart.posts, *holders, *chart.support, *duties])
    return OrganizationPage(chart, organization.exists_on(day), legal_basis, duties)


def chart_of(slug: str, day: datetime.date) -> Chart | None:
    """A body's chart on ``day`` as the API serves it, nothing more (its picture)."""
    organization = Organization.objects.filter(slug=slug).first()
    return None if organization is None else organization_chart(organization, day)


# --- person and post ---------------------------------------------------------------------------------------------


def mark_current(appointments: list[Appointment], day: datetime.date) -> list[Appointment]:
    """Mark each appointment ``is_current`` when it holds on ``day`` (the pages' "in post today"); return those."""
    for appointment in appointments:
        appointment.is_current = appointment.holds_on(day)
    return [appointment for appointment in appointments if appointment.is_current]


def person_page(slug: str, day: datetime.date) -> tuple[Person, list[Appointment]] | None:
    """A person and every appointment they held, oldest first, those held on ``day`` marked, with sources (three
    queries)."""
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        return None
    appointments = list(
        with_last_confirmed(person.appointments.all())
        .select_related("post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio")
        .order_by("start_date", "post__rank", "id")
    )
    mark_current(appointments, day)
    attach_sources([person, *appointments])
    return person, appointments


def post_page(slug: str, day: datetime.date) -> tuple[Post, list[Appointment]] | None:
    """A post and all its holders over time, oldest first, with sources (three queries). Those holding on ``day``
    are marked and are the post's ``holders``, as on a chart."""
    post = (
        Post.objects.select_related("organization", "portfolio", "ex_officio_of__organization")
        .filter(slug=slug)
        .first()
    )
    if post is None:
        return None
    appointments = list(
        with_last_confirmed(
            post.appointments.select_related("person", "capacity__organization", "capacity__portfolio")
        ).order_by("start_date", "id")
    )
    mark_current(appointments, day)
    seats.attach(post, appointments, day)
    attach_sources([post, *appointments])
    return post, appointments


# --- document ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    anchors: tuple[int, ...]  # ids of the citations whose quote starts here


def highlight(text: str, citations: list[Citation]) -> tuple[list[Segment], list[Citation]]:
    """Split ``text`` into plain and quoted segments; also return the citations whose quote is not in the text."""
    text = nfc(text)
    starts: dict[int, list[int]] = defaultdict(list)
    ranges, missing = [], []
    for citation in citations:
        found = locate(citation.quote, text)
        if found is None:
            missing.append(citation)
            continue
        starts[found[0]].append(citation.pk)
        ranges.append(found)
    cuts = sorted({0, len(text), *starts, *(end for _, end in ranges)})
    segments = []
    for begin, end in itertools.pairwise(cuts):
        marked = any(start <= begin and end <= stop for start, stop in ranges)
        segments.append(Segment(text[begin:end], marked, tuple(starts.get(begin, ()))))
    return segments, missing


def document_page(slug: str):
    """A document, its citations, the bodies it founds or mandates, and what cites it (four queries)."""
    document = Document.objects.select_related("issuer").filter(slug=slug).first()
    if document is None:
        return None
    citations = list(document.citations.select_related("content_type").order_by("id"))
    based = list(document.organizations_based_on.order_by("name", "id"))
    attach_sources([document])
    return document, citations, based
