from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from registry.api import schema  # noqa: F401 - registers the OpenAPI extensions
        from registry.caching import bump_after_migrate
        from registry.groups import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="registry-ensure-groups")
        post_migrate.connect(bump_after_migrate, sender=self, dispatch_uid="registry-bump-revision")
