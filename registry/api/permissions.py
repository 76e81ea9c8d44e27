"""Who may do what: Django model permissions, given through the `editor` and `reader` groups."""

from django.conf import settings
from rest_framework import permissions


def anonymous_may_read() -> bool:
    return getattr(settings, "REGISTRY_ANONYMOUS_READ", True)


class RegistryModelPermissions(permissions.DjangoModelPermissions):
    """Reads: anyone when anonymous reading is on, else users with the view permission. Writes: model permissions."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS and anonymous_may_read():
            return True
        return super().has_permission(request, view)


class CanChangeAppointments(permissions.BasePermission):
    """Appointing, ending and succeeding change appointments, whatever resource the action hangs on."""

    message = "You need the add and change appointment permissions."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perms(["registry.add_appointment", "registry.change_appointment"])
        )


class CanReadRegistry(permissions.BasePermission):
    """Reads not tied to one model (the change feed): anonymous when allowed, else the permission to view
    organizations (which every group that reads the registry has: registry/groups.py)."""

    def has_permission(self, request, view) -> bool:
        if anonymous_may_read():
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("registry.view_organization"))
