"""Webhook secrets sealed at rest (Fernet, WEBHOOK_SECRET_KEY); receivers' answers no longer kept.

Existing secrets are encrypted into ``sealed_secret`` before the clear column goes; the stored answers are dropped
with their column (an answer could hold whatever a URL on an allowed host returns, shown to the endpoint's owner).
"""

from django.db import migrations, models

from registry.models.webhook_rules import seal, unseal


def seal_secrets(apps, schema_editor):
    Endpoint = apps.get_model("registry", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "secret"):
        Endpoint.objects.filter(pk=endpoint.pk).update(sealed_secret=seal(endpoint.secret))


def unseal_secrets(apps, schema_editor):
    Endpoint = apps.get_model("registry", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "sealed_secret"):
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=unseal(endpoint.sealed_secret))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0016_precision_messages_say_the_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="sealed_secret",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The HMAC-SHA256 secret (X-Registry-Signature), encrypted with WEBHOOK_SECRET_KEY (Fernet).",
                max_length=500,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_secrets, unseal_secrets, elidable=False),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
        migrations.RemoveField(model_name="webhookdelivery", name="response_body"),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="url",
            field=models.URLField(
                help_text="http(s) URL on an allowed host and port (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOWED_PORTS).",
                max_length=500,
            ),
        ),
    ]
