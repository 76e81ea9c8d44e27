"""The change feed (every write, in commit order) and the seed baseline (what the seed loader last wrote)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import ChangeType
from registry.models import fields
from registry.models.base import named


class Change(models.Model):
    """One write to the registry, written by the service in the same transaction as the write itself.

    Entries are ordered by ``position``: the registry's own counter (``FeedCounter``), taken in commit order at the
    end of each writing transaction (changes/feed.py), so a position never depends on the database server and nothing
    committed later is ever placed before what a reader has seen. Until its transaction commits an entry has no
    position (NULL) and no other transaction sees it.
    """

    position = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("position"),
        help_text=_(
            "Place in the change feed: 1, 2, 3, … in commit order (entries of one transaction in id order); given "
            "when the writing transaction commits, kept by backup and restore."
        ),
    )
    txid = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("transaction id"),
        help_text=_(
            "Only for entries written before feed positions: the writing PostgreSQL transaction's id (0 on SQLite), "
            "with which cursors issued then are still read. Empty since."
        ),
    )
    model = fields.text(_("model"), _("Kind of record: organization, person, post, appointment, …"), max_length=40)
    object_id = models.PositiveBigIntegerField(
        verbose_name=_("object id"), help_text=_("Id of the record (it may since have been deleted).")
    )
    type = fields.choice(ChangeType, _("type"), _("What happened to the record."), max_length=8)
    date = models.DateTimeField(verbose_name=_("date"), help_text=_("When the write was made."))
    user = fields.text(_("user"), _("Username of who made it; blank for the seeds."), max_length=150, optional=True)
    reason = fields.prose(_("reason"), _("Why, as given with the change."))
    fields = models.JSONField(
        default=list,
        verbose_name=_("fields"),
        help_text=_("Names of the fields the write changed (all, when created)."),
    )
    data = models.JSONField(
        verbose_name=_("data"),
        help_text=_("The record in the API's representation after the write (before, if deleted)."),
    )

    class Meta:
        verbose_name, verbose_name_plural = _("change"), _("changes")
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=("position",), name=named("unique_position"))]
        indexes = [
            # Old cursors (txid.id) are read by finding where they fall among the entries written before positions.
            models.Index(
                fields=("txid", "id"), name="registry_change_legacy_place", condition=models.Q(txid__isnull=False)
            ),
            # At commit the transaction's own entries, not yet placed, are found through this (it stays near empty).
            models.Index(fields=("id",), name="registry_change_unplaced", condition=models.Q(position__isnull=True)),
            models.Index(fields=("model", "object_id", "id"), name="registry_change_record"),
            models.Index(fields=("date",), name="registry_change_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.model} {self.object_id}"


class FeedCounter(models.Model):
    """The last position given in the change feed: one row, taken under its row lock as each writing transaction
    commits, so positions go up in commit order and a rolled-back transaction takes none (registry/changes/feed.py)."""

    #: The primary key of the only row.
    ONLY = 1

    last = models.BigIntegerField(
        default=0, verbose_name=_("last"), help_text=_("The last position given to a change-feed entry.")
    )

    class Meta:
        verbose_name, verbose_name_plural = _("feed counter"), _("feed counters")
        ordering = ("id",)
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name=named("single_row"))]

    def __str__(self) -> str:
        return f"feed position {self.last}"


class SeedBaseline(models.Model):
    """What the seed loader last wrote to one record, so a later run changes only what nobody has edited since."""

    model = fields.text(_("model"), _("Kind of record."), max_length=40)
    key = fields.text(_("key"), _("The record's natural key in the seed file."), max_length=500)
    object_id = models.PositiveBigIntegerField(
        verbose_name=_("object id"), help_text=_("Id of the record the seeds wrote.")
    )
    values = models.JSONField(verbose_name=_("values"), help_text=_("The field values the seeds last wrote, as JSON."))
    loaded = models.DateTimeField(
        auto_now=True, verbose_name=_("loaded"), help_text=_("When the seeds last wrote this record.")
    )

    class Meta:
        verbose_name, verbose_name_plural = _("seed baseline"), _("seed baselines")
        ordering = ("model", "key")
        constraints = [models.UniqueConstraint(fields=("model", "key"), name=named("unique_key"))]

    def __str__(self) -> str:
        return f"{self.model} {self.key}"


class RegistryRevision(models.Model):
    """The registry-wide change counter: one row, bumped once after every write transaction commits.

    HTTP validators of every read (ETag, Last-Modified; http/caching.py) come from this row alone, so an unchanged
    answer is a 304 after one one-row query. It is bumped after the commit, in its own short transaction, so writers
    never queue on it while they hold their record locks.
    """

    #: The primary key of the only row.
    ONLY = 1

    number = models.BigIntegerField(
        default=0,
        verbose_name=_("number"),
        help_text=_("Goes up by one after every committed write transaction."),
    )
    changed = models.DateTimeField(
        verbose_name=_("changed"),
        help_text=_("When it last went up (to the microsecond): the registry's Last-Modified."),
    )

    class Meta:
        verbose_name, verbose_name_plural = _("registry revision"), _("registry revisions")
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name=named("single_row")),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} ({self.changed.isoformat()})"
