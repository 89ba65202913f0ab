"""Where a watcher's input comes from and which parser reads it: the first two stages.

A source is a URL (polled through signals/fetch.py: conditional, size-capped, SSRF-guarded) or,
for `winback signals scan SOURCE` only, a file on disk. Reading and parsing are separate so a
304 costs nothing and a parser never touches the network or the disk: parsers get bytes.

Stages are small and behind Protocols: a new kind of source adds a `Parser` that turns bytes
into `Entry` or `JobPosting` records (signals/records.py), and nothing downstream changes.

The scan command (CLI) calls, for each SOURCE it is given:

    spec = SourceSpec(kind="", location=SOURCE, company=...)  # "" = guess from the body
    async with guarded_client() as client:                     # signals/fetch.py
        read = await read_source(spec, client=client, allow_files=True)
    parsed = parse(spec, read.body, read.final_url)            # read.body is None only on a 304

and catches FetchError (one-line message, exit non-zero) and prints `parsed.problem` if any.

A watcher polling configured sources passes `previous=` (the validators it kept from the last
poll) and never `allow_files`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import urlsplit

import httpx

from signals.feeds import parse_feed
from signals.fetch import (
    MAX_BYTES,
    FetchError,
    FetchRefused,
    Resolver,
    Validators,
    fetch,
    system_resolver,
    too_large,
)
from signals.jobs import parse_jobs
from signals.records import Entry, JobPosting

__all__ = [
    "SOURCE_KINDS",
    "FeedParser",
    "JobsParser",
    "Parsed",
    "Parser",
    "Read",
    "SourceSpec",
    "SourceUnreadable",
    "guess_kind",
    "is_url",
    "parse",
    "parser_for",
    "read_source",
]

SOURCE_KINDS: Final = ("feed", "jobs")
GUESS: Final = ""  # a SourceSpec kind: decided from the body (guess_kind)
_SNIFF_BYTES: Final = 64 * 1024
_FEED_ROOT: Final = re.compile(rb"<(rss|feed|rdf:rdf)[\s>/]", re.IGNORECASE)
_HTML: Final = re.compile(rb"<(!doctype\s+html|html)[\s>]", re.IGNORECASE)
_URL_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class SourceUnreadable(FetchError):
    """A local source file is missing or cannot be read."""


@dataclass(frozen=True)
class SourceSpec:
    kind: str  # one of SOURCE_KINDS, or "" to guess from the body
    location: str  # an http(s) URL, or (scan only) a path to a local file
    company: str = ""  # names the hiring company when a job board does not

    def __post_init__(self) -> None:
        if self.kind not in (*SOURCE_KINDS, GUESS):
            raise ValueError(f"unknown source kind {self.kind!r}: use one of {', '.join(SOURCE_KINDS)}")


@dataclass(frozen=True)
class Read:
    body: bytes | None  # None when the source has not changed since `previous` (a 304)
    validators: Validators  # keep for the next poll
    not_modified: bool
    final_url: str  # after redirects; a local file: its path


@dataclass(frozen=True)
class Parsed:
    entries: tuple[Entry, ...] = ()
    postings: tuple[JobPosting, ...] = ()
    problem: str | None = None  # one line: why the body could not be read as its kind
    kind: str = ""  # the kind it was parsed as (the guess, when the spec left it open)


class Parser(Protocol):
    """Bytes of one source into records. Never fetches, never opens a file."""

    def __call__(self, body: bytes, source: str) -> Parsed: ...


def is_url(location: str) -> bool:
    """Whether `location` is given as a URL (any scheme; fetch refuses all but http and https)."""
    return bool(_URL_SCHEME.match(location.strip()))


def _web_url(location: str) -> str:
    try:
        parts = urlsplit(location)
    except ValueError:
        return ""
    return location if parts.scheme.lower() in {"http", "https"} and parts.hostname else ""


@dataclass(frozen=True)
class FeedParser:
    base_url: str = ""  # the URL the feed came from: relative links resolve against it

    def __call__(self, body: bytes, source: str) -> Parsed:
        result = parse_feed(body, source, base_url=self.base_url)
        return Parsed(entries=result.entries, problem=result.problem, kind="feed")


@dataclass(frozen=True)
class JobsParser:
    company: str = ""
    page_url: str = ""  # the page's own URL: a JobPosting without `url` links there

    def __call__(self, body: bytes, source: str) -> Parsed:
        result = parse_jobs(body, self.page_url or source, company=self.company)
        return Parsed(postings=result.postings, problem=result.problem, kind="jobs")


def guess_kind(body: bytes) -> str:
    """ "jobs" for JSON or an HTML page (a career page), "feed" for RSS, Atom or RDF, including
    an Atom feed wrapped in XHTML. Anything else: "feed" (its parser then names the problem)."""
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return "jobs"
    head = start[:_SNIFF_BYTES]
    if _HTML.search(head) and b"jobposting" in body.lower():
        return "jobs"
    if _FEED_ROOT.search(head):
        return "feed"
    if _HTML.search(head):
        return "jobs"
    return "feed"


def parser_for(spec: SourceSpec, final_url: str, kind: str) -> Parser:
    base = _web_url(final_url)
    if kind == "jobs":
        return JobsParser(company=spec.company, page_url=base)
    return FeedParser(base_url=base)


def parse(spec: SourceSpec, body: bytes, final_url: str = "") -> Parsed:
    """The records in `body` (read from `spec`, last at `final_url`), by the spec's kind or,
    when it leaves it open, by guess_kind."""
    kind = spec.kind or guess_kind(body)
    return parser_for(spec, final_url, kind)(body, spec.location)


def _read_file(location: str, max_bytes: int) -> bytes:
    path = Path(location).expanduser()
    missing = f"{location}: no such file; give a URL or a path to a feed or job-board file"
    try:
        if not path.exists():
            raise SourceUnreadable(missing)
        if not path.is_file():  # a directory, a device (/dev/zero), a pipe
            raise SourceUnreadable(
                f"{location}: not a regular file; give a URL or a path to a feed or job-board file"
            )
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)  # one byte more tells "too large" from "exactly the cap"
    except OSError as exc:
        raise SourceUnreadable(f"{location}: cannot be read ({exc.strerror or exc})") from None
    if len(body) > max_bytes:
        raise too_large(location, max_bytes)
    return body


async def read_source(
    spec: SourceSpec,
    *,
    client: httpx.AsyncClient,
    previous: Validators | None = None,
    resolver: Resolver = system_resolver,
    allow_files: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Read:
    """The bytes of a source: a URL through fetch, a local path read from disk (only with
    `allow_files`, which the scan command passes: a configured watcher never reads local files).

    Raises FetchError (FetchRefused, FetchTooLarge, FetchFailed, SourceUnreadable), one line."""
    location = spec.location.strip()
    if is_url(location):
        fetched = await fetch(client, location, previous=previous, resolver=resolver, max_bytes=max_bytes)
        return Read(
            body=None if fetched.not_modified else fetched.body,
            validators=fetched.validators,
            not_modified=fetched.not_modified,
            final_url=fetched.url,
        )
    if not allow_files:
        raise FetchRefused(f"refused {location}: local files are read only by `winback signals scan`")
    body = _read_file(location, max_bytes)
    return Read(body=body, validators=Validators(), not_modified=False, final_url=location)
