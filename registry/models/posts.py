"""Posts, the portfolios they cover, and the appointments of people to them."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import DatePrecision, PostRole
from registry.models import fields
from registry.models.base import (
    SMALLINT_MAX,
    RegistryModel,
    RegistryQuerySet,
    ends_after_starts,
    in_effect,
    in_effect_on,
    named,
    precision_field,
    precision_goes_with_date,
    refused_unless,
    refused_when_equal,
    search_text_field,
)
from registry.models.people import Person
from registry.text import slugify_vi


class Portfolio(RegistryModel):
    """An area of responsibility a post covers, e.g. economic integration."""

    slug = fields.slug_key(_("Stable ASCII key."))
    name = fields.text(_("name"), _("Name in Vietnamese (NFC)."))
    name_en = fields.text(_("name en"), _("English translation."), optional=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("portfolio"), _("portfolios")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class PostQuerySet(RegistryQuerySet):
    #: A post is found by its title or by its body's name: `thanh vien ban chi dao` finds the steering committee's
    #: members (the admin's search box and the API's ``q`` alike).
    searched = ("search_text", "organization__search_text")

    def exists_on(self, day: datetime.date) -> "PostQuerySet":
        """Posts of bodies that exist on ``day``."""
        return self.filter(in_effect_on(day, "organization__founding_date", "organization__dissolution_date"))


class Post(RegistryModel):
    """A position in a body that exists whoever holds it (or nobody)."""

    slug = fields.slug_key(_("Stable ASCII key: the body's slug and the post's title."), max_length=160)
    # PROTECT: appointments point at posts; a body with posts cannot be deleted by accident.
    organization = fields.reference(
        "registry.Organization", _("organization"), _("The body of the post."), related_name="posts"
    )
    label = fields.text(_("label"), _("Title in Vietnamese, e.g. Phó trưởng ban thường trực."))
    label_en = fields.text(_("label en"), _("English translation of the title."), optional=True)
    role = fields.choice(PostRole, _("role"), _("Generic rank of the post."), max_length=24)
    rank = models.PositiveSmallIntegerField(
        default=100,
        # Explicit bound: the database's own range differs (SQLite vs PostgreSQL) and would change the API schema.
        validators=[MaxValueValidator(SMALLINT_MAX)],
        verbose_name=_("rank"),
        help_text=_("Order within the body; lower comes first."),
    )
    seats = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(SMALLINT_MAX)],
        verbose_name=_("seats"),
        help_text=_("How many people may hold the post at once; null when no source says (no limit enforced)."),
    )
    # PROTECT: a portfolio still covered by a post cannot disappear.
    portfolio = fields.reference(
        Portfolio,
        _("portfolio"),
        _("Area of responsibility, where the post has one."),
        related_name="posts",
        optional=True,
    )
    standing = models.BooleanField(
        default=False, verbose_name=_("standing"), help_text=_("Belongs to the body's standing board (Thường trực).")
    )
    # PROTECT: an ex-officio rule names another post; keep it while referenced.
    ex_officio_of = fields.reference(
        "self",
        _("ex officio of"),
        _("The post whose holder holds this one by virtue of office, where a source says so."),
        related_name="ex_officio_posts",
        optional=True,
    )
    search_text = search_text_field()

    search_fields = ("label", "label_en")
    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("post"), _("posts")
        ordering = ("organization__name", "rank", "label", "id")
        indexes = [
            # A body's posts in rank order (the lists' order after the body's name, and the chart's).
            models.Index(fields=("organization", "rank", "label", "id"), name="registry_post_org_rank"),
        ]
        constraints = [
            refused_unless(
                "seats",
                Q(seats__isnull=True) | Q(seats__gte=1),
                named("at_least_one_seat"),
                "A post has at least one seat.",
            ),
            refused_when_equal(
                "ex_officio_of",
                "id",
                named("not_ex_officio_of_itself"),
                "A post cannot be held by virtue of itself.",
            ),
        ]

    #: A post exists because a document says so: the services refuse to create one without a source.
    created_with_sources = True

    def __str__(self) -> str:
        suffix = f" ({self.portfolio.name})" if self.portfolio_id else ""  # the data's language, as the rest
        return f"{self.label}, {self.organization}{suffix}"

    @classmethod
    def default_slug(cls, values: dict) -> str:
        """The slug its help text promises: the body's slug, then the title (and the portfolio's slug, which tells
        apart deputies of one title), cut at the field's length on a word boundary."""
        organization, portfolio = values.get("organization"), values.get("portfolio")
        parts = [getattr(organization, "slug", ""), slugify_vi(values.get("label") or "")]
        parts.append(getattr(portfolio, "slug", "") if portfolio is not None else "")
        slug = "-".join(part for part in parts if part)
        limit = cls._meta.get_field("slug").max_length
        return slug if len(slug) <= limit else slug[: limit + 1].rsplit("-", 1)[0][:limit]

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # a new post has no appointments to keep in step
            self.appointments.exclude(single_seat=self.seats == 1).update(single_seat=self.seats == 1)

    def clean(self) -> None:
        super().clean()
        if self.pk is not None and self.seats is not None:
            periods = list(self.appointments.values_list("start_date", "end_date"))
            if periods and _most_at_once(periods, min(start for start, _ in periods), None) > self.seats:
                message = f"More than {self.seats} people hold this post at once on some day; end appointments first."
                raise ValidationError({"seats": message})


class AppointmentQuerySet(RegistryQuerySet):
    span = ("start_date", "end_date")

    def search(self, query: str) -> "AppointmentQuerySet":
        """Appointments whose person or post matches ``query`` (accent- and case-insensitive)."""
        people = Person.objects.search(query).values("pk")
        posts = Post.objects.search(query).values("pk")
        return self.filter(Q(person__in=people) | Q(post__in=posts))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> "AppointmentQuerySet":
        """Appointments sharing at least one day with ``[start, end]`` (``end`` None: open)."""
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return qs if end is None else qs.filter(start_date__lte=end)


class Appointment(RegistryModel):
    """A person holding a post from a start date to an end date (open while they hold it)."""

    # PROTECT: an appointment is history; people and posts it names stay.
    person = fields.reference("registry.Person", _("person"), _("Who holds the post."), related_name="appointments")
    post = fields.reference(Post, _("post"), _("The post held."), related_name="appointments")
    capacity = fields.reference(
        Post,
        _("capacity"),
        _("The post by virtue of which the person holds this one (e.g. Director of a department)."),
        related_name="capacity_for",
        optional=True,
    )
    start_date = models.DateField(
        verbose_name=_("start date"), help_text=_("First day in post (or the first day a source shows them in it).")
    )
    start_date_precision = precision_field(
        _("start date precision"),
        _("exact: the real start; attested: a source shows them in post that day, the start may be earlier."),
        default=DatePrecision.EXACT,
        blank=False,
    )
    end_date = fields.optional_date(_("end date"), _("Last day in post; null while they hold it."))
    end_date_precision = precision_field(
        _("end date precision"),
        _("exact: the real end; attested: the last day a source shows them in post, the end may be later."),
    )
    end_reason = fields.text(_("end reason"), _("Why the appointment ended, if known."), optional=True)
    leaves_vacant = models.BooleanField(
        default=False,
        verbose_name=_("leaves vacant"),
        help_text=_(
            "A source states the seat stays empty after this end until the next holder starts (cite it with field "
            "leaves_vacant). Otherwise nobody is known to hold the seat after the end, which is not a vacancy."
        ),
    )
    single_seat = models.BooleanField(
        default=True,
        editable=False,
        verbose_name=_("single seat"),
        help_text=_("Copy of post.seats == 1, kept on save, so PostgreSQL can refuse overlapping holders of one seat."),
    )
    note = fields.prose(_("note"), _("What the sources leave open about this appointment."))

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("appointment"), _("appointments")
        ordering = ("post__organization__name", "post__rank", "start_date", "id")
        indexes = [
            # A post's holders on a day, and a person's posts: the dates in the index answer `as_of` without the rows.
            models.Index(fields=("post", "start_date", "end_date"), name="registry_appt_post_dates"),
            models.Index(fields=("person", "start_date", "end_date"), name="registry_appt_person_dates"),
            # `as_of` over every post: the appointments not ended before the day.
            models.Index(fields=("end_date", "start_date"), name="registry_appt_dates"),
        ]
        constraints = [
            models.UniqueConstraint(fields=("person", "post", "start_date"), name=named("unique_person_post_start")),
            ends_after_starts("start_date", "end_date", named("end_after_start")),
            precision_goes_with_date("end_date", "end_date_precision", named("end_precision")),
            refused_unless(
                "leaves_vacant",
                Q(leaves_vacant=False) | Q(end_date__isnull=False),
                named("vacant_after_an_end"),
                "Only an ended appointment leaves its seat vacant: give the end_date.",
            ),
            refused_unless(
                "start_date_precision",
                ~Q(start_date_precision=""),
                named("start_precision"),
                "An appointment starts on a known day: give its start_date_precision (exact, attested or inferred).",
            ),
            refused_when_equal(
                "capacity",
                "post",
                named("capacity_not_post"),
                "The capacity is another post than the one held.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.post}"

    def save(self, *args, **kwargs):
        self.single_seat = self.post.seats == 1
        super().save(*args, **kwargs)

    def holds_on(self, day: datetime.date) -> bool:
        return in_effect(day, self.start_date, self.end_date)

    def clean(self) -> None:
        super().clean()
        if self.post_id is None or self.start_date is None:
            return  # field errors are reported by clean_fields
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationError({"end_date": "end_date must be on or after start_date."})
        self._refuse_outside_organization_life()
        self._refuse_more_holders_than_seats()

    def _refuse_outside_organization_life(self) -> None:
        organization = self.post.organization
        if organization.founding_date and self.start_date < organization.founding_date:
            raise ValidationError(
                {
                    "start_date": f"{organization} was founded on {organization.founding_date}; "
                    "an appointment cannot start before its organization exists."
                }
            )
        if organization.dissolution_date and (self.end_date is None or self.end_date > organization.dissolution_date):
            raise ValidationError(
                {
                    "end_date": f"{organization} was dissolved on {organization.dissolution_date}; "
                    "an appointment must end by then."
                }
            )

    def _refuse_more_holders_than_seats(self) -> None:
        seats = self.post.seats
        if seats is None:
            return
        others = list(
            Appointment.objects.filter(post_id=self.post_id)
            .exclude(pk=self.pk)
            .overlapping(self.start_date, self.end_date)
            .values_list("start_date", "end_date")
        )
        if _most_at_once(others, self.start_date, self.end_date) + 1 > seats:
            raise ValidationError(
                {
                    "post": f"{self.post} has {seats} seat(s); that many people already hold it during "
                    f"{self.start_date} – {self.end_date or 'open'}."
                }
            )


def _most_at_once(
    periods: list[tuple[datetime.date, datetime.date | None]], start: datetime.date, end: datetime.date | None
) -> int:
    """The largest number of ``periods`` that share one day within ``[start, end]``."""
    events = []
    for period_start, period_end in periods:
        events.append((max(period_start, start), 1))
        last = period_end if end is None or (period_end is not None and period_end < end) else end
        if last is not None:
            events.append((last + datetime.timedelta(days=1), -1))
    most = current = 0
    for _day, delta in sorted(events, key=lambda event: (event[0], event[1])):
        current += delta
        most = max(most, current)
    return most
