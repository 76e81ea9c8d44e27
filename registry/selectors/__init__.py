"""Reads that the API, the admin and the tests share."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from registry.choices import RelationshipKind
from registry.models import Appointment, Citation, Organization, OrganizationRelationship, Post
from registry.selectors.evidence import with_last_confirmed
from registry.selectors.seats import SeatStates, others_prefetch, seat_states


def sources_prefetch() -> Prefetch:
    """The citations of a record with their documents, in one query per level (without the documents' full text,
    which a citation never shows: a news article's text is most of a document's row)."""
    return Prefetch("sources", queryset=Citation.objects.select_related("document").defer("document__text"))


def holders_prefetch(day: datetime.date) -> Prefetch:
    """Attach ``holders`` to each post: its appointments that hold on ``day``, in order, with ``last_confirmed``."""
    # People and capacities come in queries of their own, by primary key: joined in, they let the planner guess a
    # hash join over every person and every post at national scale (docs/performance.md: "Speed at national scale").
    capacities = Post.objects.select_related("organization", "portfolio")
    queryset = (
        with_last_confirmed(Appointment.objects.as_of(day))
        .prefetch_related("person", Prefetch("capacity", queryset=capacities))
        .order_by("start_date", "id")
    )
    return Prefetch("appointments", queryset=queryset, to_attr="holders")


def seat_prefetches(day: datetime.date) -> tuple[Prefetch, Prefetch]:
    """What ``seat_states`` reads: the holders on ``day``, and the post's other appointments (before and after)."""
    return holders_prefetch(day), others_prefetch(day)


def posts_with_holders(day: datetime.date) -> QuerySet[Post]:
    return Post.objects.select_related(
        "organization", "portfolio", "ex_officio_of__organization", "ex_officio_of__portfolio"
    ).prefetch_related(*seat_prefetches(day), sources_prefetch())


def chart_posts(organization: Organization, day: datetime.date) -> list[Post]:
    """The body's posts in rank order with their holders on ``day`` (what a chart shows, nothing more)."""
    return list(
        Post.objects.filter(organization=organization)
        .select_related("portfolio", "ex_officio_of__organization")
        .prefetch_related(*seat_prefetches(day))
        .order_by("rank", "label", "id")
    )


def post_seat_states(post: Post, day: datetime.date) -> SeatStates:
    """The seat states of one post read without ``seat_prefetches`` (a page or the desk about a single post)."""
    if not hasattr(post, "holders"):
        post = Post.objects.prefetch_related(*seat_prefetches(day)).get(pk=post.pk)
    return seat_states(post)


def vacant_seats(post: Post) -> int | None:
    """Seats a source states are empty on the day of the post's prefetched seats; None when seats are not stated."""
    return seat_states(post).vacant


def unknown_seats(post: Post) -> int | None:
    """Seats nobody is known to hold and no source says are empty; None when the number of seats is not stated."""
    return seat_states(post).unknown


@dataclass(frozen=True)
class Chart:
    organization: Organization
    as_of: datetime.date
    posts: list[Post]
    #: The "supports" relationships towards the body in force that day, each with its subject (one per subject).
    support: list[OrganizationRelationship]
    sub_organizations: list[Organization]

    @property
    def support_agencies(self) -> list[Organization]:
        return [relationship.subject for relationship in self.support]


def organization_chart(organization: Organization, day: datetime.date) -> Chart:
    """The structure of a body on ``day``: its posts and holders, its support agencies and its sub-bodies."""
    posts = chart_posts(organization, day)
    # A subject supports a body at most once (a unique constraint): ordered by the subject, one row per agency.
    support = (
        organization.relationships_in.as_of(day)
        .filter(kind=RelationshipKind.SUPPORTS, subject__in=Organization.objects.as_of(day))
        .select_related("subject")
        .order_by("subject__name", "subject_id")
    )
    children = organization.children.as_of(day).order_by("name", "id")
    return Chart(organization, day, posts, list(support), list(children))
