"""What a webhook endpoint may be: the kinds it may follow, the URLs and addresses it may point at, and how its
secret is kept. The model checks them when an endpoint is saved and the worker again before each delivery, so this
module sits below both: it imports Django's settings and nothing of the registry.
"""

import base64
import hashlib
import ipaddress
import socket
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError

KINDS = (
    "organization",
    "person",
    "portfolio",
    "document",
    "post",
    "appointment",
    "organizationrelationship",
    "duty",
    "citation",
    "identifier",
    "othername",
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def host_allowed(host: str) -> bool:
    """WEBHOOK_ALLOWED_HOSTS: exact names (``city.example.vn``), ``.example.vn`` for a domain and its sub-domains."""
    host = (host or "").lower().rstrip(".")
    for allowed in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []):
        allowed = allowed.lower().rstrip(".")  # a fully qualified `city.gov.vn.` is the same host
        if host == allowed or (allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:])):
            return True
    return False


def allowed_ports() -> list[int]:
    return [int(port) for port in getattr(settings, "WEBHOOK_ALLOWED_PORTS", [443, 80])]


def address_problem(address: str) -> str | None:
    """Why the worker must not connect to ``address``, or None. An allowed name can still resolve (or be re-pointed,
    DNS rebinding) to the worker's own machine or the LAN: the address itself is checked, not only the name."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return f"Address {ip} is not a unicast address."
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        return None
    for kind in ("loopback", "link_local", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"Address {ip} is {kind.replace('_', '-')}: refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on."
    if not ip.is_global:  # shared (carrier-grade NAT), documentation and other special-purpose ranges
        return f"Address {ip} is not a public address: refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on."
    return None


def check_url(url: str) -> None:
    """Only http(s), only to allowed hosts and ports, no credentials in the URL (the worker must not be a way into
    the LAN); a literal address must be one the worker may connect to."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as error:
        raise ValidationError({"url": f"Not a valid URL: {error}."}) from error
    if parts.scheme not in DEFAULT_PORTS:
        raise ValidationError({"url": "Only http and https URLs."})
    if parts.username or parts.password:
        raise ValidationError({"url": "No user name or password in the URL: the signature authenticates."})
    if not host_allowed(parts.hostname or ""):
        raise ValidationError({"url": f"Host {parts.hostname!r} is not in WEBHOOK_ALLOWED_HOSTS."})
    port = port or DEFAULT_PORTS[parts.scheme]
    if port not in allowed_ports():
        ports = ", ".join(str(allowed) for allowed in allowed_ports()) or "none"
        raise ValidationError({"url": f"Port {port} is not in WEBHOOK_ALLOWED_PORTS ({ports})."})
    try:
        problem = address_problem(parts.hostname)
    except ValueError:
        problem = None  # a name: its addresses are checked when it is resolved, before each delivery
    if problem:
        raise ValidationError({"url": problem})


def resolve(url: str) -> tuple[str, int, str]:
    """(host name, port, address) the worker connects to, after every rule: the URL's, and each address the name
    resolves to. Resolved once: the connection goes to that checked address, never to a second look-up."""
    check_url(url)
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise ValidationError({"url": f"Host {parts.hostname!r} cannot be resolved: {error}."}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:  # one bad address refuses the name: a rebinding answer may list several
        problem = address_problem(address)
        if problem:
            raise ValidationError({"url": problem})
    if not addresses:
        raise ValidationError({"url": f"Host {parts.hostname!r} has no address."})
    return parts.hostname, port, addresses[0]


def check_kinds(kinds) -> None:
    if not isinstance(kinds, list) or not all(kind in KINDS for kind in kinds):
        raise ValidationError({"kinds": f"A list of: {', '.join(KINDS)}."})


# --- secrets at rest ------------------------------------------------------------------------------------------------


class SecretUnreadable(Exception):
    """The stored secret was sealed with a key that is not in WEBHOOK_SECRET_KEY (or was damaged)."""


def _box() -> MultiFernet:
    """WEBHOOK_SECRET_KEY: Fernet keys, comma-separated, the first seals and every one opens (rotation); without it,
    one key derived from SECRET_KEY (so rotating SECRET_KEY then needs the old derived key listed)."""
    keys = [key for key in getattr(settings, "WEBHOOK_SECRET_KEY", []) if key]
    if not keys:
        derived = hashlib.sha256(b"registry webhook secrets\0" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _box().decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadable("The endpoint's secret cannot be decrypted with WEBHOOK_SECRET_KEY.") from error
