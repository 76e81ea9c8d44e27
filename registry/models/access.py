"""API keys of the city systems that integrate with the registry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from registry.models.base import named


class SystemKey(AbstractAPIKey):
    """The API key of one integrating system. Stored hashed; revocable; optionally expiring.

    A system is a user account (with a group deciding what it may change); it has at most one usable key at a time.
    Revoked keys are kept for the record.
    """

    # CASCADE: a key means nothing without the account whose permissions it carries.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="system_keys",
        verbose_name=_("account"),
        help_text=_("The system account whose permissions the key carries."),
    )

    # The package's fields, under names the desk's staff read (it gives some no verbose name, so no translation).
    prefix = models.CharField(max_length=8, unique=True, editable=False, verbose_name=_("prefix"))
    created = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created"))
    name = models.CharField(
        max_length=50,
        blank=False,
        default=None,
        verbose_name=_("name"),
        help_text=_("A free-form name for the API key. Need not be unique. 50 characters max."),
    )
    revoked = models.BooleanField(
        blank=True,
        default=False,
        verbose_name=_("revoked"),
        help_text=_("If the API key is revoked, clients cannot use it anymore. (This cannot be undone.)"),
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name, verbose_name_plural = _("system API key"), _("system API keys")
        ordering = ("account__username", "-created")
        constraints = [
            models.UniqueConstraint(fields=("account",), condition=Q(revoked=False), name=named("one_usable_key"))
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
