"""The real article URL behind a redirect link.

Google Alerts (and Google search results) link to `https://www.google.com/url?...&url=REAL`:
a tracking redirect. Kept as it is, every story would be "on google.com", two feeds carrying
the same article would not agree on its URL, and a click would tell Google who read what. The
real URL is in the query, so it is read from there, never fetched.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qs, urlsplit

__all__ = ["real_url"]

_REDIRECT_PATHS: Final = frozenset({"/url", "/link"})
# The parameters that carry the target, in the order Google's links use them.
_TARGET_PARAMS: Final = ("url", "q")


def _is_google(host: str) -> bool:
    # google.com, www.google.com, google.co.uk, www.google.com.br ... but not evilgoogle.com.
    labels = host.lower().rstrip(".").split(".")
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) < 2 or labels[0] != "google":
        return False
    suffix = labels[1:]
    # A country's domain is one label (google.de) or co./com. and one (google.co.uk, google.com.br).
    return len(suffix) == 1 or (len(suffix) == 2 and suffix[0] in {"co", "com"})


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def real_url(url: str) -> str:
    """The target of a Google redirect link; any other URL (or a redirect whose target is not
    an http(s) URL) is returned unchanged."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if parts.scheme.lower() not in {"http", "https"} or parts.path not in _REDIRECT_PATHS:
        return url
    if not _is_google(parts.hostname or ""):
        return url
    query = parse_qs(parts.query)
    for name in _TARGET_PARAMS:
        for target in query.get(name, ()):
            if _is_web_url(target.strip()):
                return target.strip()
    return url
