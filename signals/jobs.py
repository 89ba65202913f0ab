"""Open roles from job boards and career pages turned into `JobPosting` records.

A company that hires a VP of Sales or opens an office is a win-back moment, and its job board
says so before any press release. Boards come in a few shapes, detected from the body itself
(the scan command is given a file or URL, not a board type):

- Greenhouse's Job Board API: `{"jobs": [...]}` with `absolute_url` (or one job object);
- Lever's Postings API: a bare JSON array with `hostedUrl` and `categories`;
- Ashby's Posting API: `{"apiVersion": ..., "jobs": [...]}` with `jobUrl` (or one job);
  a job with `isListed: false` is not public and is skipped;
- any career page with schema.org JobPosting markup: JSON-LD first (an object, a list, or a
  `@graph`, possibly nested in a WebPage), microdata (`itemprop`) when JSON-LD has none.

Boards are written by others and often broken (truncated HTML, HTML escaped twice, invalid
JSON-LD): a posting that cannot be read is skipped, a body with none is a one-line `problem`,
never an exception.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from signals.records import JobPosting
from signals.text import SUMMARY_LIMIT, plain_text

__all__ = ["BOARDS", "JobsResult", "iso_utc", "parse_jobs"]

BOARDS: Final = ("greenhouse", "lever", "ashby", "jsonld", "microdata")
_MAX_DEPTH: Final = 12  # how deep a JobPosting may sit in a JSON-LD document (WebPage > mainEntity ...)
_UNESCAPE_ROUNDS: Final = 3
_JOB_POSTING: Final = re.compile(r"(^|[/:#])JobPosting$")
_EPOCH_MS_FROM: Final = 100_000_000_000  # larger epoch numbers are milliseconds (after 1973 in ms)


@dataclass(frozen=True)
class JobsResult:
    postings: tuple[JobPosting, ...]
    board: str  # one of BOARDS; "" when the body is none of them
    problem: str | None = None  # one line: why no posting could be read; None otherwise


def iso_utc(value: object) -> str | None:
    """A board's date (ISO 8601 with or without offset, a date alone, epoch seconds or
    milliseconds) as ISO 8601 in UTC to the second; None when absent or unreadable. A date
    alone is midnight UTC; a time without an offset is taken to be UTC."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
            number = float(value)
            moment = datetime.fromtimestamp(number / 1000 if number >= _EPOCH_MS_FROM else number, UTC)
        elif isinstance(value, str) and value.strip():
            moment = datetime.fromisoformat(value.strip())
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _first(value: object) -> object:
    """A field that may be one value or a list of them: the first."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _escaped_html_text(value: object) -> str:
    """Plain text of HTML that may be entity-escaped once or twice (Greenhouse's `content`)."""
    text = _str(value)
    for _ in range(_UNESCAPE_ROUNDS):
        if "<" in text:
            break  # markup at last: the rest is the HTML parser's job
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return plain_text(text, SUMMARY_LIMIT)


def _web_url(value: object, base: str = "") -> str:
    url = _str(value).strip()
    if url and base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in {"http", "https"} and parts.hostname else ""


def _name(value: object) -> str:
    """A name that may be given as a string or as an object with `name`."""
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("name")
    return plain_text(_str(value))


def _posting(
    board: str, company: str, title: object, url: str, department: object, location: object, **rest: Any
) -> JobPosting | None:
    clean_title = plain_text(_str(title))
    if not clean_title:
        return None  # nothing to describe the role by
    return JobPosting(
        board=board,
        company=company,
        title=clean_title,
        url=url,
        department=plain_text(_str(department)),
        location=plain_text(_str(location)),
        **rest,
    )


# --- JSON boards -----------------------------------------------------------------------------


def _greenhouse(job: Mapping[str, Any], company: str) -> JobPosting | None:
    departments = job.get("departments")
    department = _name(departments) if isinstance(departments, list) else ""
    location = job.get("location")
    return _posting(
        "greenhouse",
        _name(job.get("company_name")) or company,
        job.get("title"),
        _web_url(job.get("absolute_url")),
        department,
        location.get("name") if isinstance(location, Mapping) else location,
        posted=iso_utc(job.get("first_published") or job.get("updated_at")),
        description=_escaped_html_text(job.get("content")),
    )


def _lever(job: Mapping[str, Any], company: str) -> JobPosting | None:
    categories = job.get("categories")
    categories = categories if isinstance(categories, Mapping) else {}
    description = _str(job.get("descriptionPlain")) or plain_text(_str(job.get("description")))
    if not description.strip():
        parts = [
            f"{_str(item.get('text'))} {plain_text(_str(item.get('content')))}"
            for item in job.get("lists") or ()
            if isinstance(item, Mapping)
        ]
        description = " ".join(parts)
    return _posting(
        "lever",
        company,
        job.get("text"),
        _web_url(job.get("hostedUrl")),
        categories.get("team") or categories.get("department"),
        categories.get("location"),
        posted=iso_utc(job.get("createdAt")),
        description=plain_text(description, SUMMARY_LIMIT),
    )


def _ashby(job: Mapping[str, Any], company: str) -> JobPosting | None:
    if job.get("isListed") is False:
        return None  # an unlisted role is not public: not a signal we may act on
    description = _str(job.get("descriptionPlain")) or _str(job.get("descriptionHtml"))
    return _posting(
        "ashby",
        company,
        job.get("title"),
        _web_url(job.get("jobUrl")),
        job.get("department") or job.get("team"),
        job.get("location"),
        posted=iso_utc(job.get("publishedAt")),
        description=plain_text(description, SUMMARY_LIMIT),
    )


def _jobs(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    jobs = data.get("jobs")
    return [job for job in jobs if isinstance(job, Mapping)] if isinstance(jobs, list) else []


def _from_json(data: object, source: str, company: str) -> JobsResult:
    if isinstance(data, Mapping) and ("@context" in data or "@graph" in data):
        return _from_jsonld([data], source, company)
    if isinstance(data, list) and any(isinstance(item, Mapping) and "@context" in item for item in data):
        return _from_jsonld(data, source, company)
    board, jobs = "", []
    if isinstance(data, list):
        jobs = [item for item in data if isinstance(item, Mapping)]
        if len(jobs) == len(data) and all("hostedUrl" in job or "categories" in job for job in jobs):
            board = "lever"  # an empty array too: a Lever board with no open roles
    elif isinstance(data, Mapping):
        listed = _jobs(data)
        if "apiVersion" in data or any("jobUrl" in job for job in listed):
            board, jobs = "ashby", listed
        elif isinstance(data.get("jobs"), list) and all("absolute_url" in job for job in listed):
            board, jobs = "greenhouse", listed  # an empty board too
        elif "absolute_url" in data:
            board, jobs = "greenhouse", [data]
        elif "jobUrl" in data:
            board, jobs = "ashby", [data]
    if not board:
        return JobsResult((), "", "not a job board: JSON with no Greenhouse, Lever or Ashby jobs")
    read = {"greenhouse": _greenhouse, "lever": _lever, "ashby": _ashby}[board]
    postings = tuple(posting for job in jobs if (posting := read(job, company)) is not None)
    return JobsResult(postings, board)


# --- schema.org JobPosting in a page -------------------------------------------------------


def _is_job_posting(node: Mapping[str, Any]) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(name, str) and _JOB_POSTING.search(name) for name in names)


def _job_postings(node: object, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """Every JobPosting object in a JSON-LD document, wherever it sits."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _job_postings(item, depth + 1)
    elif isinstance(node, Mapping):
        if _is_job_posting(node):
            yield node
            return
        for value in node.values():
            if isinstance(value, list | Mapping):
                yield from _job_postings(value, depth + 1)


def _address(address: object) -> str:
    address = _first(address)
    if isinstance(address, Mapping):
        parts = [_name(address.get(key)) for key in ("addressLocality", "addressRegion", "addressCountry")]
        return ", ".join(part for part in parts if part)
    return _str(address)


def _jsonld_location(posting: Mapping[str, Any]) -> str:
    places = posting.get("jobLocation")
    places = places if isinstance(places, list) else [places]
    names = []
    for place in places:
        if isinstance(place, Mapping):
            names.append(_address(place.get("address")) or _name(place))
        elif isinstance(place, str):
            names.append(place)
    located = "; ".join(name for name in names if name)
    if not located and _str(posting.get("jobLocationType")).upper() == "TELECOMMUTE":
        return "Remote"
    return located


def _from_jsonld_posting(posting: Mapping[str, Any], page: str, company: str) -> JobPosting | None:
    category = _first(posting.get("occupationalCategory"))
    if isinstance(category, Mapping):
        category = category.get("name") or category.get("codeValue")
    return _posting(
        "jsonld",
        _name(posting.get("hiringOrganization")) or company,
        posting.get("title") or posting.get("name"),
        _web_url(posting.get("url"), page) or page,
        category,
        _jsonld_location(posting),
        posted=iso_utc(posting.get("datePosted")),
        description=_escaped_html_text(posting.get("description")),
    )


def _from_jsonld(documents: list[object], source: str, company: str) -> JobsResult:
    page = _web_url(source)
    postings = tuple(
        posting
        for document in documents
        for found in _job_postings(document)
        if (posting := _from_jsonld_posting(found, page, company)) is not None
    )
    if not postings:
        return JobsResult((), "", "no job postings found: the JSON-LD holds no schema.org JobPosting")
    return JobsResult(postings, "jsonld")


def _is_ld_json(kind: object) -> bool:
    return isinstance(kind, str) and kind.split(";")[0].strip().lower() == "application/ld+json"


def _item_props(item: Tag) -> dict[str, list[Tag]]:
    """The `itemprop` elements that belong to `item` (not to an item nested in it)."""
    props: dict[str, list[Tag]] = {}
    stack = [child for child in item.children if isinstance(child, Tag)]
    while stack:
        node = stack.pop(0)
        for name in _str(node.get("itemprop")).split():
            props.setdefault(name, []).append(node)
        if not node.has_attr("itemscope"):
            stack[:0] = [child for child in node.children if isinstance(child, Tag)]
    return props


def _prop_value(node: Tag) -> str:
    if node.has_attr("itemscope"):
        name = _item_props(node).get("name")
        return _prop_value(name[0]) if name else plain_text(node.get_text(" "))
    for attribute in ("content", "datetime", "href", "src", "value"):
        if node.has_attr(attribute) and node.name in {"meta", "time", "a", "link", "img", "data", "meter"}:
            return _str(node.get(attribute)).strip()
    return plain_text(node.get_text(" "))


def _microdata_location(nodes: list[Tag]) -> str:
    names = []
    for node in nodes:
        if not node.has_attr("itemscope"):
            names.append(_prop_value(node))
            continue
        place = _item_props(node)
        address = place.get("address")
        if address and address[0].has_attr("itemscope"):
            fields = _item_props(address[0])
            parts = [
                _prop_value(fields[key][0])
                for key in ("addressLocality", "addressRegion", "addressCountry")
                if key in fields
            ]
            names.append(", ".join(part for part in parts if part))
        elif address:
            names.append(_prop_value(address[0]))
        elif "name" in place:
            names.append(_prop_value(place["name"][0]))
    return "; ".join(name for name in names if name)


def _from_microdata(soup: BeautifulSoup, page: str, company: str) -> tuple[JobPosting, ...]:
    postings = []
    for item in soup.find_all(True, attrs={"itemscope": True, "itemtype": True}):
        if not any(_JOB_POSTING.search(kind) for kind in _str(item.get("itemtype")).split()):
            continue
        props = _item_props(item)

        def value(name: str, props: dict[str, list[Tag]] = props) -> str:
            return _prop_value(props[name][0]) if name in props else ""

        posting = _posting(
            "microdata",
            value("hiringOrganization") or company,
            value("title") or value("name"),
            _web_url(value("url"), page) or page,
            value("occupationalCategory"),
            _microdata_location(props.get("jobLocation", [])),
            posted=iso_utc(value("datePosted")),
            description=plain_text(value("description"), SUMMARY_LIMIT),
        )
        if posting is not None:
            postings.append(posting)
    return tuple(postings)


def _from_html(body: bytes, source: str, company: str) -> JobsResult:
    soup = BeautifulSoup(body, "html.parser")
    page = _web_url(source)
    documents: list[object] = []
    unreadable = 0
    for script in soup.find_all("script", attrs={"type": _is_ld_json}):
        try:
            documents.append(json.loads(script.get_text(), strict=False))
        except (ValueError, RecursionError):
            unreadable += 1  # a broken block must not hide the good ones
    from_jsonld = _from_jsonld(documents, source, company) if documents else None
    if from_jsonld is not None and from_jsonld.postings:
        return from_jsonld
    microdata = _from_microdata(soup, page, company)
    if microdata:
        return JobsResult(microdata, "microdata")
    broken = f" ({unreadable} JSON-LD block(s) not valid JSON)" if unreadable else ""
    return JobsResult((), "", f"no job postings found: no schema.org JobPosting in the page{broken}")


def parse_jobs(body: bytes, source: str, *, company: str = "") -> JobsResult:
    """The open roles in a job board's JSON or a career page's HTML; `problem` says why when
    there are none to read. `source` is the configured URL or path (a page's JSON-LD without
    `url` is given the page's URL when `source` is one); `company` names the hiring company
    when the board does not (Lever, Ashby)."""
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not start:
        return JobsResult((), "", "not a job board: the body is empty")
    if start in (b"{", b"["):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            reason = " ".join(str(exc).split())
            return JobsResult((), "", f"not a job board: invalid JSON ({reason})")
        return _from_json(data, source, company)
    return _from_html(body, source, company)
