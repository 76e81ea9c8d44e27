"""Webhooks: city systems that want each change of the feed pushed to them, and the log of every delivery attempt.

Not registry records: configuration and an operational log, like API keys. They are not in the public change feed
(a webhook's URL and secret are its owner's business), and the admin and the API write them directly.
"""

import uuid

from django.conf import settings
from django.db import models

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
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text="The system account that owns the endpoint and sees its deliveries.",
    )
    name = models.CharField(max_length=100, help_text="What the receiving system is.")
    url = models.URLField(
        max_length=500,
        help_text="http(s) URL on an allowed host and port (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOWED_PORTS).",
    )
    sealed_secret = models.CharField(
        max_length=500,
        editable=False,
        help_text="The HMAC-SHA256 secret (X-Registry-Signature), encrypted with WEBHOOK_SECRET_KEY (Fernet).",
    )
    kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds of record to deliver (organization, post, …); empty: all."
    )
    organizations = models.ManyToManyField(
        "registry.Organization",
        blank=True,
        related_name="+",
        help_text="Deliver only changes concerning these bodies; none: all.",
    )
    active = models.BooleanField(default=True, help_text="Off: nothing is delivered; on again: resumes in place.")
    cursor_position = models.BigIntegerField(
        default=0, editable=False, help_text="Feed position delivered up to (Change.position; 0: before the first)."
    )
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="Failed attempts in a row.")
    next_attempt = models.DateTimeField(null=True, blank=True, editable=False, help_text="Backoff: not before.")
    leased_until = models.DateTimeField(null=True, blank=True, editable=False, help_text="A worker holds it.")
    last_error = models.TextField(blank=True, editable=False, help_text="What the last failed attempt met.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
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
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(
        default=uuid.uuid4, help_text="X-Registry-Delivery: the same for every attempt of one change to one endpoint."
    )
    change_id = models.BigIntegerField(help_text="Id of the change-feed entry delivered.")
    event = models.CharField(max_length=60, help_text="X-Registry-Event: <model>.<created|changed|deleted>.")
    attempt = models.PositiveIntegerField(help_text="1 for the first attempt of this change, then 2, 3, …")
    succeeded = models.BooleanField(help_text="The receiver answered 2xx.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The receiver's HTTP status.")
    error = models.TextField(blank=True, help_text="What went wrong: no connection, timeout, refused host, …")
    duration_ms = models.PositiveIntegerField(default=0, help_text="How long the attempt took.")
    created = models.DateTimeField(auto_now_add=True, help_text="When the attempt was made.")

    class Meta:
        ordering = ("-id",)
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=("endpoint", "id"), name="registry_webhookdelivery_log")]

    def __str__(self) -> str:
        return f"{self.event} #{self.change_id} → {self.status_code or self.error[:40]}"
