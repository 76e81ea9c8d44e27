"""Webhooks: city systems that want each change of the feed pushed to them, and the log of every delivery attempt.

Not registry records: configuration and an operational log, like API keys. They are not in the public change feed
(a webhook's URL and secret are its owner's business), and the admin and the API write them directly.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.webhook_rules import check_kinds, check_url, seal, unseal


class WebhookEndpoint(models.Model):
    """A URL that receives every change of the feed (optionally only some kinds or bodies), signed with a secret.

    Each endpoint keeps its own place in the feed (``cursor_position``): deliveries go out in feed order,
    one at a time; a failure is retried with exponential backoff before anything after it; a disabled endpoint keeps
    its place and resumes from there.
    """

    # CASCADE: an endpoint belongs to its system account; without it, nobody may see its deliveries.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text=_("The system account that owns the endpoint and sees its deliveries."),
    )
    name = models.CharField(verbose_name=_("name"), max_length=100, help_text=_("What the receiving system is."))
    url = models.URLField(
        verbose_name=_("URL"),
        max_length=500,
        help_text=_("http(s) URL on an allowed host and port (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOWED_PORTS)."),
    )
    sealed_secret = models.CharField(
        verbose_name=_("sealed secret"),
        max_length=500,
        editable=False,
        help_text=_("The HMAC-SHA256 secret (X-Registry-Signature), encrypted with WEBHOOK_SECRET_KEY (Fernet)."),
    )
    kinds = models.JSONField(
        verbose_name=_("kinds"),
        default=list,
        blank=True,
        help_text=_("Kinds of record to deliver (organization, post, …); empty: all."),
    )
    organizations = models.ManyToManyField(
        "registry.Organization",
        verbose_name=_("organizations"),
        blank=True,
        related_name="+",
        help_text=_("Deliver only changes concerning these bodies; none: all."),
    )
    active = models.BooleanField(
        verbose_name=_("active"), default=True, help_text=_("Off: nothing is delivered; on again: resumes in place.")
    )
    cursor_position = models.BigIntegerField(
        verbose_name=_("feed position"),
        default=0,
        editable=False,
        help_text=_("Feed position delivered up to (Change.position; 0: before the first)."),
    )
    failures = models.PositiveIntegerField(
        verbose_name=_("failures"), default=0, editable=False, help_text=_("Failed attempts in a row.")
    )
    next_attempt = models.DateTimeField(
        verbose_name=_("next attempt"), null=True, blank=True, editable=False, help_text=_("Backoff: not before.")
    )
    leased_until = models.DateTimeField(
        verbose_name=_("leased until"), null=True, blank=True, editable=False, help_text=_("A worker holds it.")
    )
    last_error = models.TextField(
        verbose_name=_("last error"), blank=True, editable=False, help_text=_("What the last failed attempt met.")
    )
    created = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    updated = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    class Meta:
        verbose_name, verbose_name_plural = _("webhook endpoint"), _("webhook endpoints")
        ordering = ("owner__username", "name", "id")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    # Kept encrypted, so a database dump or a backup holds no usable secret; read only to sign a delivery.
    @property
    def secret(self) -> str:
        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = seal(value)

    def clean(self) -> None:
        super().clean()
        check_url(self.url)
        check_kinds(self.kinds)


class WebhookDelivery(models.Model):
    """One attempt to deliver one change to one endpoint: the receiver's status and timing, never its answer (which
    could be anything a URL on an allowed host returns)."""

    # CASCADE: the log of an endpoint goes with it.
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    delivery_id = models.UUIDField(
        verbose_name=_("delivery id"),
        default=uuid.uuid4,
        help_text=_("X-Registry-Delivery: the same for every attempt of one change to one endpoint."),
    )
    change_id = models.BigIntegerField(
        verbose_name=_("change id"), help_text=_("Id of the change-feed entry delivered.")
    )
    event = models.CharField(
        verbose_name=_("event"), max_length=60, help_text=_("X-Registry-Event: <model>.<created|changed|deleted>.")
    )
    attempt = models.PositiveIntegerField(
        verbose_name=_("attempt"), help_text=_("1 for the first attempt of this change, then 2, 3, …")
    )
    succeeded = models.BooleanField(verbose_name=_("succeeded"), help_text=_("The receiver answered 2xx."))
    status_code = models.PositiveSmallIntegerField(
        verbose_name=_("status code"), null=True, blank=True, help_text=_("The receiver's HTTP status.")
    )
    error = models.TextField(
        verbose_name=_("error"), blank=True, help_text=_("What went wrong: no connection, timeout, refused host, …")
    )
    duration_ms = models.PositiveIntegerField(
        verbose_name=_("duration (ms)"), default=0, help_text=_("How long the attempt took.")
    )
    created = models.DateTimeField(
        verbose_name=_("created"), auto_now_add=True, help_text=_("When the attempt was made.")
    )

    class Meta:
        ordering = ("-id",)
        verbose_name, verbose_name_plural = _("webhook delivery"), _("webhook deliveries")
        indexes = [models.Index(fields=("endpoint", "id"), name="registry_webhookdelivery_log")]

    def __str__(self) -> str:
        return f"{self.event} #{self.change_id} → {self.status_code or self.error[:40]}"
