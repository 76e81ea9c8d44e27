"""Who is asking: the client's address, as the rate limits, the access log and the admin's lockouts all read it."""

from rest_framework.settings import api_settings


def client_ip(request) -> str | None:
    """The client's address: the connection's, or the one the trusted proxies (`NUM_PROXIES`) report."""
    request = getattr(request, "_request", request)
    remote_addr = request.META.get("REMOTE_ADDR")
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return remote_addr
    # Each trusted proxy appends the address it was connected from: the one the outermost trusted proxy appended.
    return addresses[-min(num_proxies, len(addresses))]
