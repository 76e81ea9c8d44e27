"""Secure-by-default pieces: the SECRET_KEY rule and the Content-Security-Policy of HTML pages.

Importable from settings (no models, no app registry needed).
"""

import base64
import hashlib
import re

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
# Values copied from examples and tutorials: never a production key, whatever their length.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "change_me", "insecure", "placeholder", "your-secret", "secret-key")
HOW_TO_MAKE_ONE = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
    "and set it as SECRET_KEY in the environment or in .env (see .env.example)."
)


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not good enough for production, or None when it is."""
    if not key:
        return "SECRET_KEY is not set"
    lowered = key.lower()
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "SECRET_KEY is a placeholder value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY has {len(key)} characters; at least {MIN_SECRET_KEY_LENGTH} are needed"
    if len(set(key)) < 5:
        return "SECRET_KEY has fewer than 5 different characters"
    return None


def require_strong_secret_key() -> None:
    """Stop a production start-up (DEBUG off) that would run with a weak SECRET_KEY."""
    from django.conf import settings

    problem = None if settings.DEBUG else secret_key_problem(settings.SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(f"{problem}: refusing to start with DEBUG off. {HOW_TO_MAKE_ONE}")


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    """`check --deploy` names a placeholder or short key (Django's own W009 does not know placeholders)."""
    from django.conf import settings

    problem = secret_key_problem(settings.SECRET_KEY)
    if problem:
        return [checks.Error(f"{problem}.", hint=HOW_TO_MAKE_ONE, id="registry.E001")]
    return []


SCRIPT_RE = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-…') for each inline script of a page, so no 'unsafe-inline' is needed."""
    hashes = []
    for match in SCRIPT_RE.finditer(html):
        if b"src=" in match.group("attrs").lower() or not match.group("body").strip():
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on HTML pages (admin, Swagger UI, ReDoc, the browsable API).

    Scripts run only from this site, or inline when their exact text is hashed into the header (Swagger UI and
    ReDoc start themselves with one inline script); nothing is framed, no plugins. JSON answers get a policy that
    allows nothing at all.
    """

    HTML_POLICY = (
        "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response or response.status_code == 304:
            # A 304 has no body to judge; browsers merge its headers into the cached page, so it must not carry the
            # JSON policy (a revisited page would lose its stylesheet): the cached answer's own policy stands.
            return response
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            hashes = "".join(f" {value}" for value in inline_script_hashes(response.content))
            response["Content-Security-Policy"] = self.HTML_POLICY.format(hashes=hashes)
        elif not response.get("Content-Type", "").startswith(("text/css", "application/javascript", "text/javascript")):
            response["Content-Security-Policy"] = self.OTHER_POLICY
        return response
