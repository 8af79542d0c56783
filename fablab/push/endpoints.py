"""Which push endpoints the server may post to: real push services only (no I/O)."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_ENDPOINT_LENGTH = 1024

# The push services of the browsers learners' phones run: Chrome/Android (Google), Firefox
# (Mozilla), Safari (Apple), Edge (Microsoft). Any other address could be one of our own network's.
EXACT_HOSTS = frozenset({
    "fcm.googleapis.com", "android.googleapis.com",
    "updates.push.services.mozilla.com", "push.services.mozilla.com",
    "web.push.apple.com",
})
HOST_SUFFIXES = (".push.apple.com", ".notify.windows.com")


class EndpointNotAllowed(ValueError):
    """The endpoint is not on a known push service (nor on a prefix the configuration allows)."""


def known_push_host(host: str) -> bool:
    return host in EXACT_HOSTS or any(host.endswith(suffix) and len(host) > len(suffix) for suffix in HOST_SUFFIXES)


def check_endpoint(endpoint: str, extra_prefixes: tuple[str, ...] = ()) -> str:
    """The endpoint itself when the server may post to it; EndpointNotAllowed otherwise.

    extra_prefixes (FABLAB_PUSH_ALLOWED_ENDPOINTS) widen the list for tests, e.g. "http://127.0.0.1:".
    """
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise EndpointNotAllowed("The endpoint must be a URL of at most 1024 characters.")
    if any(ord(c) <= 32 or ord(c) == 127 or c == "\\" for c in endpoint):
        raise EndpointNotAllowed("The endpoint holds spaces or control characters.")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise EndpointNotAllowed("The endpoint is not a URL.") from None
    # "https://fcm.googleapis.com@10.0.0.1/" names 10.0.0.1: credentials in the URL are never right here.
    if "@" in parts.netloc or parts.fragment or not parts.hostname:
        raise EndpointNotAllowed("The endpoint is not a push service URL.")
    if any(endpoint.startswith(prefix) for prefix in extra_prefixes):
        return endpoint
    if parts.scheme != "https" or port not in (None, 443) or not known_push_host(parts.hostname.lower()):
        raise EndpointNotAllowed("Only https endpoints of the Google, Mozilla, Apple and Microsoft push "
                                 "services are accepted.")
    return endpoint
