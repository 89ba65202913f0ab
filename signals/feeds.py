"""RSS and Atom (news, funding news, Google Alerts) turned into `Entry` records.

feedparser does the hard part: the dialects, the encodings servers lie about, dates in a
dozen formats, sanitising. But `feedparser.parse` also fetches a string that looks like a URL
and opens one that names a file, even when it is given as bytes (`open(b"/etc/passwd")` works),
so a server that answered with the text "/etc/passwd" would have us parse a local file. It
only ever gets a stream over the bytes we fetched (`io.BytesIO`), never a string.

What a feed gives is not what an event needs, so each entry is cleaned: plain-text title and
summary, the real article URL (feedburner's origLink, Google's redirect unwrapped, relative
links made absolute) and a UTC timestamp.

Dates: feedparser returns UTC `struct_time`s. A date before 1990 is taken to be a misreading
(an epoch number read as a year, a 2-digit year) and dropped to None: a wrong date would make
an old story look new or a new one old, no date only means "unknown". A date in the future is
kept: without a clock here there is no "now" to compare with; the caller may judge it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import feedparser

from signals.links import real_url
from signals.records import Entry
from signals.text import SUMMARY_LIMIT, plain_text

__all__ = ["EARLIEST_YEAR", "FeedResult", "parse_feed"]

EARLIEST_YEAR: Final = 1990
_REASON_LIMIT: Final = 200
_SAX_PLACE: Final = re.compile(r"^<unknown>:\d+:\d+: ")


@dataclass(frozen=True)
class FeedResult:
    entries: tuple[Entry, ...]
    problem: str | None = None  # one line: why the body is not a feed; None when it is one


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def _one_line(reason: object) -> str:
    text = " ".join(str(reason).split()) or type(reason).__name__
    text = _SAX_PLACE.sub("", text)  # "<unknown>:2:0:": a place in a stream feedparser rewrote
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _get(entry: Mapping[str, Any], key: str) -> Any:
    # The plain dict look-up: FeedParserDict.get maps some missing keys to others (with a
    # DeprecationWarning for updated_parsed -> published_parsed); we ask for what is there.
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _entry_url(entry: Mapping[str, Any], base: str) -> str:
    """The first candidate that is (or, joined to the feed's base, becomes) an http(s) URL."""
    candidates = [_text(_get(entry, "feedburner_origlink")), _text(_get(entry, "link"))]
    # A guid is a URL only when the feed says it is a permalink (feedparser: guidislink).
    if _get(entry, "guidislink"):
        candidates.append(_text(_get(entry, "id")))
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate:
            continue
        if not _is_web_url(candidate) and base and ":" not in candidate.split("/", 1)[0]:
            candidate = urljoin(base, candidate)  # relative to the feed (a "tag:" id never is)
        if _is_web_url(candidate):
            return real_url(candidate)
    return ""


def _published(entry: Mapping[str, Any]) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = _get(entry, key)
        if parsed is None:
            continue
        try:
            # feedparser's struct_time is UTC; a leap second (60, 61) is not a datetime second.
            year, month, day, hour, minute, second = (int(part) for part in tuple(parsed)[:6])
            moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if moment.year < EARLIEST_YEAR:
            continue
        return moment.isoformat()
    return None


def _summary(entry: Mapping[str, Any]) -> str:
    summary = _text(_get(entry, "summary"))
    if not summary.strip():
        for content in _get(entry, "content") or ():
            summary = _text(content.get("value")) if isinstance(content, Mapping) else ""
            if summary.strip():
                break
    return plain_text(summary, SUMMARY_LIMIT)


def _base(parsed: Mapping[str, Any], base_url: str) -> str:
    if _is_web_url(base_url):
        return base_url
    link = _text(parsed.get("feed", {}).get("link"))
    return link if _is_web_url(link) else ""


def parse_feed(body: bytes, source: str, *, base_url: str = "") -> FeedResult:
    """The entries of an RSS or Atom document; `problem` says why when `body` is not one.

    `source` is what the entries carry as their source (the configured URL or path);
    `base_url` (the URL the body came from) makes relative links absolute."""
    if not body.strip():
        return FeedResult((), "not an RSS or Atom feed: the body is empty")
    headers = {"content-location": base_url} if base_url else None
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # untrusted bytes: a parser bug must not stop the watcher
        return FeedResult((), f"not an RSS or Atom feed: {_one_line(exc)}")
    raw_entries = parsed.get("entries") or []
    if not raw_entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS, Atom or RDF root element"
        return FeedResult((), f"not an RSS or Atom feed: {_one_line(reason)}")
    base = _base(parsed, base_url)
    entries: list[Entry] = []
    for raw in raw_entries:
        title = plain_text(_text(_get(raw, "title")))
        url = _entry_url(raw, base)
        if not title and not url:
            continue
        entries.append(
            Entry(source=source, title=title, url=url, summary=_summary(raw), published=_published(raw))
        )
    return FeedResult(tuple(entries))
