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

    class Meta(AbstractAPIKey.Meta):
        verbose_name, verbose_name_plural = _("system API key"), _("system API keys")
        ordering = ("account__username", "-created")
        constraints = [
            models.UniqueConstraint(fields=("account",), condition=Q(revoked=False), name=named("one_usable_key"))
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
