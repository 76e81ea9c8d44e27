"""API-key authentication for city systems: ``Authorization: Api-Key <key>``.

An ``Authorization`` header is a claim to be someone: when it is not a usable key (another scheme such as
``Bearer``, a key without its ``Api-Key`` prefix, an unknown, revoked or expired key) the answer is a 401 that names
the expected form, on reads as on writes. Read anonymously instead, a client with a mistyped header would never learn
that its key is not being sent.
"""

from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from registry.models import SystemKey

#: How a key is sent; every refusal of a header names it.
EXPECTED = "Authorization: Api-Key <key>"


class SystemKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the system account that owns a usable (not revoked, not expired) key."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        header = request._request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None  # anonymous, or a signed-in session
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            # The header's content is never echoed: without a scheme it is the key itself.
            raise exceptions.AuthenticationFailed(
                f"The Authorization header is not an API key: send it as `{EXPECTED}`."
            )
        try:
            system_key = SystemKey.objects.get_from_key(key.strip())
        except SystemKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(f"Unknown or revoked API key (sent as `{EXPECTED}`).") from None
        if system_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not system_key.account.is_active:
            raise exceptions.AuthenticationFailed("The system account of this API key is disabled.")
        return system_key.account, system_key

    def authenticate_header(self, request) -> str:
        return self.keyword
