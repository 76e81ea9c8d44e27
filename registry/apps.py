from django.apps import AppConfig


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from registry.api import schema  # noqa: F401 - registers the OpenAPI extensions
