"""API-key authentication for city systems: ``Authorization: Api-Key <key>``."""

from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from registry.models import SystemKey


class SystemKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the system account that owns a usable (not revoked, not expired) key."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request._request)
        if not key:
            return None
        try:
            system_key = SystemKey.objects.get_from_key(key)
        except SystemKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from None
        if system_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not system_key.account.is_active:
            raise exceptions.AuthenticationFailed("The system account of this API key is disabled.")
        return system_key.account, system_key

    def authenticate_header(self, request) -> str:
        return self.keyword
