"""signals/sources.py: reading a source (URL or, for scan, a file) and parsing it by kind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import respx

from signals.fetch import FetchError, FetchRefused, FetchTooLarge, Validators
from signals.sources import (
    SOURCE_KINDS,
    FeedParser,
    JobsParser,
    Parsed,
    Parser,
    SourceSpec,
    SourceUnreadable,
    guess_kind,
    is_url,
    parse,
    read_source,
)
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"
TECHCRUNCH = FIXTURES / "funding_feeds" / "techcrunch_2026_real_items_wrapped.xml"
FEED_URL = "https://techcrunch.example/feed/"


async def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


@pytest.fixture
def net() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def fixtures(*folders: str) -> list[Path]:
    return sorted(
        path for folder in folders for path in (FIXTURES / folder).iterdir() if path.name != "PROVENANCE.md"
    )


def test_source_kinds_and_spec_validation() -> None:
    assert SOURCE_KINDS == ("feed", "jobs")
    assert SourceSpec("feed", FEED_URL).company == ""
    assert SourceSpec("", "feed.xml").kind == ""  # guessed from the body
    with pytest.raises(ValueError, match="unknown source kind 'podcast'"):
        SourceSpec("podcast", FEED_URL)


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("https://x.example/feed", True),
        ("HTTP://x.example/feed", True),
        ("file:///etc/passwd", True),  # a URL, which fetch then refuses
        ("ftp://x.example/feed", True),
        ("feeds/news.xml", False),
        ("/tmp/feed.xml", False),
        ("~/feed.xml", False),
        ("C:\\feeds\\news.xml", False),
    ],
)
def test_is_url(location: str, url: bool) -> None:
    assert is_url(location) is url


async def test_a_url_is_fetched_and_parsed(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    route = net.get(FEED_URL).mock(
        return_value=httpx.Response(200, content=TECHCRUNCH.read_bytes(), headers={"ETag": '"tc1"'})
    )
    spec = SourceSpec("feed", FEED_URL)
    read = await read_source(spec, client=client, resolver=public)
    assert route.call_count == 1
    assert (read.final_url, read.not_modified, read.validators) == (
        FEED_URL,
        False,
        Validators('"tc1"', None),
    )
    assert read.body is not None
    parsed = parse(spec, read.body, read.final_url)
    assert parsed.problem is None and parsed.kind == "feed"
    assert parsed.entries[0].title == "Moove raises $250M to become the backbone of the robotaxi industry"
    assert {entry.source for entry in parsed.entries} == {FEED_URL}


async def test_an_unchanged_source_reads_nothing(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    route = net.get(FEED_URL).mock(return_value=httpx.Response(304))
    previous = Validators('"tc1"', "Wed, 05 Aug 2026 20:50:45 GMT")
    read = await read_source(SourceSpec("feed", FEED_URL), client=client, previous=previous, resolver=public)
    assert route.call_count == 1
    assert route.calls.last.request.headers["if-none-match"] == '"tc1"'
    assert (read.body, read.not_modified, read.validators) == (None, True, previous)


async def test_a_private_url_is_refused_before_any_request(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    with pytest.raises(FetchRefused, match="cloud metadata address"):
        await read_source(SourceSpec("jobs", "http://169.254.169.254/latest/meta-data/"), client=client)
    with pytest.raises(FetchRefused, match="only http and https"):
        await read_source(SourceSpec("feed", "file:///etc/passwd"), client=client, allow_files=True)
    assert len(net.calls) == 0


async def test_a_local_file_is_read_only_when_files_are_allowed(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    spec = SourceSpec("", str(TECHCRUNCH))
    with pytest.raises(FetchRefused, match="local files are read only by `winback signals scan`"):
        await read_source(spec, client=client)
    read = await read_source(spec, client=client, allow_files=True)
    assert read.body == TECHCRUNCH.read_bytes()
    assert (read.final_url, read.not_modified, read.validators) == (str(TECHCRUNCH), False, Validators())
    parsed = parse(spec, read.body, read.final_url)
    assert parsed.kind == "feed" and len(parsed.entries) == 3
    assert len(net.calls) == 0


async def test_a_missing_file_says_what_to_give(client: httpx.AsyncClient, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.xml")
    with pytest.raises(SourceUnreadable) as error:
        await read_source(SourceSpec("feed", missing), client=client, allow_files=True)
    assert str(error.value) == f"{missing}: no such file; give a URL or a path to a feed or job-board file"
    assert isinstance(error.value, FetchError)


async def test_a_directory_or_device_is_not_read(client: httpx.AsyncClient, tmp_path: Path) -> None:
    for location in (str(tmp_path), "/dev/zero"):
        with pytest.raises(SourceUnreadable, match="not a regular file"):
            await read_source(SourceSpec("feed", location), client=client, allow_files=True)


async def test_a_file_over_the_cap_is_refused(client: httpx.AsyncClient, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<rss>" + b" " * 2000)
    with pytest.raises(FetchTooLarge, match="larger than 1000 bytes"):
        await read_source(SourceSpec("feed", str(big)), client=client, allow_files=True, max_bytes=1000)


@pytest.mark.parametrize(
    "path", fixtures("news_feeds", "funding_feeds", "google_alerts"), ids=lambda p: p.name
)
def test_every_feed_fixture_is_guessed_a_feed(path: Path) -> None:
    assert guess_kind(path.read_bytes()) == "feed"


@pytest.mark.parametrize("path", fixtures("job_posts"), ids=lambda p: p.name)
def test_every_job_fixture_is_guessed_jobs_and_parses(path: Path) -> None:
    body = path.read_bytes()
    assert guess_kind(body) == "jobs"
    parsed = parse(SourceSpec("", str(path)), body)
    assert parsed.kind == "jobs" and parsed.problem is None and parsed.postings and not parsed.entries


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'\xef\xbb\xbf  {"jobs": []}', "jobs"),
        (b"[]", "jobs"),
        (b"<!DOCTYPE html><html><body><h1>Careers</h1></body></html>", "jobs"),
        (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="x"><item/></rdf:RDF>', "feed"),
        (b"\n\n<rss version='2.0'><channel/></rss>", "feed"),
        (b"plain text", "feed"),
        (b"", "feed"),
    ],
)
def test_guess_kind(body: bytes, kind: str) -> None:
    assert guess_kind(body) == kind


def test_an_explicit_kind_wins_over_the_guess() -> None:
    parsed = parse(SourceSpec("feed", "jobs.json"), b'{"jobs": []}')
    assert parsed.kind == "feed"
    assert parsed.problem is not None and parsed.problem.startswith("not an RSS or Atom feed")
    assert parsed.entries == () and parsed.postings == ()


def test_the_final_url_resolves_relative_links_and_is_a_page_s_url() -> None:
    feed = b'<rss version="2.0"><channel><item><title>T</title><link>posts/1</link></item></channel></rss>'
    parsed = parse(SourceSpec("feed", "https://blog.example/rss"), feed, "https://blog.example/feeds/main/")
    assert parsed.entries[0].url == "https://blog.example/feeds/main/posts/1"
    assert parsed.entries[0].source == "https://blog.example/rss"  # as configured, not as redirected

    page = (FIXTURES / "job_posts" / "schemaorg_eg0028_jobposting_jsonld.html").read_bytes()
    spec = SourceSpec("jobs", "https://abc.example/careers", company="ABC")
    (posting,) = parse(spec, page, "https://abc.example/careers/software-engineer").postings
    assert posting.url == "https://abc.example/careers/software-engineer"
    assert posting.company == "ABC"


def test_parsers_meet_the_protocol() -> None:
    parsers: list[Parser] = [FeedParser(), JobsParser(company="Zoox")]
    body = (FIXTURES / "job_posts" / "lever_real_trimmed_zoox_2026.json").read_bytes()
    assert parsers[1](body, "zoox.json").postings[0].company == "Zoox"
    assert parsers[0](b"", "empty") == Parsed(
        problem="not an RSS or Atom feed: the body is empty", kind="feed"
    )
