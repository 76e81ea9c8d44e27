"""Who reaches the registry from outside: system keys, and webhook endpoints shown only to their owners."""

from django import forms
from django.contrib import admin
from django.db.models import URLField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from registry.models.access import SystemKey
from registry.models.webhooks import WebhookDelivery, WebhookEndpoint

admin.site.unregister(APIKey)


@admin.register(SystemKey)
class SystemKeyAdmin(APIKeyModelAdmin):
    """Keys of integrating systems: created here or with `manage.py create_system_account`; revoke to cut access."""

    list_display = (*APIKeyModelAdmin.list_display, "account")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


class WebhookDeliveryInline(admin.TabularInline):
    """The last attempts, read-only: the log the worker writes."""

    model = WebhookDelivery
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("created", "event", "change_id", "attempt", "delivered", "status_code", "error", "duration_ms")
    readonly_fields = fields
    ordering = ("-id",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")

    @admin.display(description=_("succeeded"))
    def delivered(self, delivery: WebhookDelivery) -> str:
        # In words: Django's yes/no icon carries an English alt text ("True", "None").
        if delivery.succeeded is None:
            return "-"
        return gettext("yes") if delivery.succeeded else gettext("no")


class WebhookEndpointForm(forms.ModelForm):
    """The secret is written here and never shown back: the field is always empty; left empty, the secret stays."""

    secret = forms.CharField(
        required=False,
        min_length=32,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        label=_("secret"),
        help_text=_("Shared HMAC-SHA256 secret, 32 characters or more; stored encrypted. Leave empty to keep it."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("owner", "name", "url", "kinds", "organizations", "active")

        # As the admin's formfield_overrides below: the form class is built before the admin applies them.
        @staticmethod
        def formfield_callback(field, **kwargs):
            if isinstance(field, URLField):
                kwargs.setdefault("assume_scheme", "https")
            return field.formfield(**kwargs)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", _("A new endpoint needs a secret."))
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("secret"):
            self.instance.secret = self.cleaned_data["secret"]
        return super().save(commit)


class OwnWebhooksOnly:
    """Endpoints are their owners' business: staff see and change their own, superusers every account's."""

    owner_path = "owner"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.filter(**{self.owner_path: request.user})


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OwnWebhooksOnly, admin.ModelAdmin):
    """Webhooks of city systems (configuration, not registry records: saved directly, not in the change feed)."""

    form = WebhookEndpointForm
    list_display = ("name", "owner", "url", "active", "failures", "next_attempt")
    list_filter = ("active",)
    list_select_related = ("owner",)
    autocomplete_fields = ("organizations",)
    readonly_fields = ("cursor_position", "failures", "next_attempt", "last_error", "created", "updated")
    inlines = (WebhookDeliveryInline,)
    # A scheme-less address is read as https: deliveries carry registry data (and Django 6 assumes the same).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else ("owner", *fields)

    def save_model(self, request, obj, form, change):
        if not change:
            from registry.changes.webhooks import start_position

            obj.cursor_position = start_position().position
            if not request.user.is_superuser:
                obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OwnWebhooksOnly, admin.ModelAdmin):
    owner_path = "endpoint__owner"
    list_display = ("created", "endpoint", "event", "change_id", "attempt", "succeeded", "status_code")
    list_filter = ("succeeded",)
    list_select_related = ("endpoint",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
