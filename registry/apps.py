from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    default = True  # the module also holds django-axes' config (LockoutsConfig)
    verbose_name = _("Registry")

    def ready(self) -> None:
        from registry.api import schema  # noqa: F401 - registers the OpenAPI extensions
        from registry.api.serializers import feed_representation
        from registry.changes import feed
        from registry.changes.revision import bump_after_migrate
        from registry.groups import ensure_groups

        # The feed keeps each record as the API shows it, without importing the API (registry/changes/feed.py).
        feed.set_representer(feed_representation)

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="registry-ensure-groups")
        post_migrate.connect(bump_after_migrate, sender=self, dispatch_uid="registry-bump-revision")


class LockoutsConfig(AxesAppConfig):
    """django-axes under a name the desk's staff read (the package names its app "Axes", untranslated)."""

    verbose_name = _("Login lockouts")
