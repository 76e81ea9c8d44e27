"""Counts per model and one content hash of the whole registry: equal on two databases means equal content.

The backup carries it and a restore is checked against it (backup.py); ``manage.py registry_fingerprint`` prints it.
"""

import hashlib
import json

from django.apps import apps
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS

# What scripts/backup leaves out: rebuilt by `migrate` (content types, permissions) or transient (sessions, lockouts).
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {"auth.permission"}
# Moved, but not content: the HTTP cache counter says when the database last changed, which differs between two
# databases holding the same records (each counts its own migrate and writes).
# The feed counter is bookkeeping too: the entries' positions are content (and compared), and numbering always
# continues after the greatest of them, whatever the counter says (registry/changes/feed.py).
NOT_CONTENT = {"registry.registryrevision", "registry.feedcounter"}


def content_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS and model._meta.label_lower not in EXCLUDED_MODELS | NOT_CONTENT
    ]


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))


def fingerprint(using: str = DEFAULT_DB_ALIAS) -> tuple[dict[str, int], str]:
    """(rows per model, sha256 of every row in a database-independent form: natural keys, sorted many-to-many)."""
    digest, counts = hashlib.sha256(), {}
    for model in sorted(content_models(), key=lambda m: m._meta.label_lower):
        rows = model._default_manager.using(using).order_by("pk")
        counts[model._meta.label_lower] = rows.count()
        # The python serializer keeps full precision (JSON's would cut datetimes to milliseconds and hide a loss).
        data = serializers.serialize("python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True)
        for row in data:
            fields = {
                name: sorted(value, key=canonical) if isinstance(value, list) else value
                for name, value in row["fields"].items()
            }
            digest.update(canonical([row["model"], row.get("pk"), fields]).encode())
    return counts, digest.hexdigest()
