"""The permission groups every installation has: `editor` changes the registry, `reader` only reads it."""

from django.contrib.auth.models import Group, Permission

EDITOR, READER = "editor", "reader"
#: Keys are managed by administrators, never by systems themselves; the change log and the seed baseline are written
#: only by the services and the seed loader.
NOT_FOR_GROUPS = ("systemkey", "change", "seedbaseline")


def ensure_groups(**kwargs) -> None:
    """Create or complete the groups (a post_migrate handler, so new models' permissions join them)."""
    registry = Permission.objects.filter(content_type__app_label="registry").exclude(
        content_type__model__in=NOT_FOR_GROUPS
    )
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*registry)
    reader, _ = Group.objects.get_or_create(name=READER)
    reader.permissions.add(*registry.filter(codename__startswith="view_"))
