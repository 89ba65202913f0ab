"""signals/fetch.py: conditional GETs, the size cap, and the SSRF guard on every hop.

respx stands in for the outside HTTP world only; a fake resolver stands in for DNS. Every test
asserts how many requests reached the (mocked) network: a refusal must happen before any.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator

import httpcore
import httpx
import pytest
import respx

from signals.fetch import (
    MAX_BYTES,
    USER_AGENT,
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchTooLarge,
    Validators,
    fetch,
    guarded_client,
    unsafe_address,
)

PUBLIC = "93.184.216.34"
FEED = "https://news.example.com/feed.xml"


async def public(host: str, port: int) -> list[str]:
    return [PUBLIC]


class FakeDns:
    """Answers from a table; a host not in it is public. Records what was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.table.get(host, [PUBLIC])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


@pytest.fixture
def net() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


async def test_a_plain_fetch_returns_body_validators_and_sends_our_user_agent(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    route = net.get(FEED).mock(
        return_value=httpx.Response(
            200, content=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 30 Nov 2026 08:00:00 GMT"}
        )
    )
    got = await fetch(client, FEED, resolver=public)
    assert route.call_count == 1
    sent = route.calls.last.request
    assert sent.headers["user-agent"] == USER_AGENT
    assert "application/rss+xml" in sent.headers["accept"]
    assert "if-none-match" not in sent.headers
    assert (got.url, got.status, got.body, got.not_modified) == (FEED, 200, b"<rss/>", False)
    assert got.validators == Validators('"v1"', "Mon, 30 Nov 2026 08:00:00 GMT")


async def test_the_second_poll_sends_the_validators_and_a_304_means_no_work(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    route = net.get(FEED).mock(
        side_effect=[
            httpx.Response(
                200, content=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Sun, 29 Nov 2026"}
            ),
            httpx.Response(304),
        ]
    )
    first = await fetch(client, FEED, resolver=public)
    second = await fetch(client, FEED, previous=first.validators, resolver=public)
    assert route.call_count == 2
    conditional = route.calls[1].request.headers
    assert conditional["if-none-match"] == '"v1"'
    assert conditional["if-modified-since"] == "Sun, 29 Nov 2026"
    assert second.not_modified is True
    assert second.body == b""
    assert second.status == 304
    assert second.validators == first.validators


async def test_a_50_mb_body_is_cut_off_without_being_read_whole(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    pulled = 0

    async def fifty_megabytes() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(50):
            pulled += 1
            yield b"x" * (1024 * 1024)

    route = net.get(FEED).mock(return_value=httpx.Response(200, content=fifty_megabytes()))
    with pytest.raises(FetchTooLarge, match=r"larger than 10 MB; cut off"):
        await fetch(client, FEED, resolver=public)
    assert route.call_count == 1
    assert pulled <= MAX_BYTES // (1024 * 1024) + 1


async def test_a_declared_content_length_over_the_cap_is_refused_before_reading(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        pulled += 1
        yield b"x" * 2000

    route = net.get(FEED).mock(
        return_value=httpx.Response(200, content=body(), headers={"Content-Length": "2000"})
    )
    with pytest.raises(FetchTooLarge, match=r"larger than 1000 bytes"):
        await fetch(client, FEED, resolver=public, max_bytes=1000)
    assert route.call_count == 1
    assert pulled == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "refused file:///etc/passwd: only http and https URLs are fetched"),
        ("/etc/passwd", "refused /etc/passwd: only http and https URLs are fetched"),
        ("feeds/news.xml", "only http and https"),
        ("ftp://ftp.example.com/feed.xml", "only http and https"),
        ("gopher://example.com:70/", "only http and https"),
        ("http:///no-host", "names no host"),
    ],
)
async def test_only_http_and_https_urls_with_a_host_are_fetched(
    client: httpx.AsyncClient, net: respx.MockRouter, url: str, reason: str
) -> None:
    with pytest.raises(FetchRefused, match=reason) as refused:
        await fetch(client, url, resolver=public)
    assert "\n" not in str(refused.value)
    assert len(net.calls) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/feed",
        "http://127.0.0.1:8233/api",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://100.64.1.1/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.5]/",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fec0::1]/",
        "http://240.0.0.1/",
        "http://[64:ff9b::a00:5]/",
        "http://[2002:7f00:1::]/",
    ],
)
async def test_a_private_ip_literal_is_refused_before_any_request(
    client: httpx.AsyncClient, net: respx.MockRouter, url: str
) -> None:
    dns = FakeDns({})
    with pytest.raises(FetchRefused, match=r"^refused http://"):
        await fetch(client, url, resolver=dns)
    assert dns.asked == []  # a literal is judged as it is, never looked up
    assert len(net.calls) == 0


async def test_metadata_addresses_are_named_as_such(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    with pytest.raises(FetchRefused, match=r"169\.254\.169\.254 is a cloud metadata address"):
        await fetch(client, "http://169.254.169.254/latest/meta-data/", resolver=public)
    assert len(net.calls) == 0


async def test_a_host_resolving_to_a_private_address_is_refused(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    dns = FakeDns({"intranet.example.com": ["10.1.2.3"]})
    with pytest.raises(FetchRefused, match=r"host intranet.example.com: 10.1.2.3 is a private address"):
        await fetch(client, "https://intranet.example.com/feed?token=s3cret", resolver=dns)
    assert dns.asked == [("intranet.example.com", 443)]
    assert len(net.calls) == 0


async def test_one_private_address_among_public_ones_refuses_the_host(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    dns = FakeDns({"mixed.example.com": [PUBLIC, "127.0.0.1"]})
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch(client, "http://mixed.example.com:8080/feed", resolver=dns)
    assert dns.asked == [("mixed.example.com", 8080)]
    assert len(net.calls) == 0


async def test_the_query_string_never_reaches_an_error_message(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    route = net.get(url__startswith="https://news.example.com/private").mock(return_value=httpx.Response(403))
    with pytest.raises(FetchFailed) as failed:
        await fetch(client, "https://user:pw@news.example.com/private?key=s3cret", resolver=public)
    assert route.call_count == 1
    assert str(failed.value) == "fetch https://news.example.com/private: HTTP 403"


async def test_a_redirect_to_the_metadata_service_is_refused_after_the_first_hop(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    first = net.get(FEED).mock(
        return_value=httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    )
    metadata = net.get("http://169.254.169.254/latest/meta-data").mock(return_value=httpx.Response(200))
    with pytest.raises(FetchRefused, match="cloud metadata address"):
        await fetch(client, FEED, resolver=public)
    assert first.call_count == 1
    assert metadata.call_count == 0
    assert len(net.calls) == 1


async def test_a_redirect_to_a_host_resolving_privately_is_refused(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    dns = FakeDns({"rebind.example.net": ["192.168.0.10"]})
    net.get(FEED).mock(return_value=httpx.Response(301, headers={"Location": "http://rebind.example.net/x"}))
    with pytest.raises(FetchRefused, match=r"192\.168\.0\.10 is a private address"):
        await fetch(client, FEED, resolver=dns)
    assert [host for host, _ in dns.asked] == ["news.example.com", "rebind.example.net"]
    assert len(net.calls) == 1


async def test_a_redirect_to_a_file_url_is_refused(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    net.get(FEED).mock(return_value=httpx.Response(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchRefused, match="only http and https"):
        await fetch(client, FEED, resolver=public)
    assert len(net.calls) == 1


async def test_relative_redirects_are_followed_to_the_final_url(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    net.get(FEED).mock(return_value=httpx.Response(301, headers={"Location": "/rss/v2.xml"}))
    final = net.get("https://news.example.com/rss/v2.xml").mock(
        return_value=httpx.Response(200, content=b"<rss/>")
    )
    got = await fetch(client, FEED, resolver=public)
    assert final.call_count == 1
    assert len(net.calls) == 2
    assert got.url == "https://news.example.com/rss/v2.xml"
    assert got.body == b"<rss/>"


async def test_more_redirects_than_the_limit_fail(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    route = net.get(url__regex=r"https://news\.example\.com/hop/\d+").mock(
        side_effect=lambda request: httpx.Response(
            302, headers={"Location": f"/hop/{int(request.url.path.rsplit('/', 1)[1]) + 1}"}
        )
    )
    with pytest.raises(FetchFailed, match=r"more than 3 redirects"):
        await fetch(client, "https://news.example.com/hop/0", resolver=public, max_redirects=3)
    assert route.call_count == 4  # the first request and three redirects followed


async def test_a_redirect_without_location_fails(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    route = net.get(FEED).mock(return_value=httpx.Response(302))
    with pytest.raises(FetchFailed, match="HTTP 302 without a Location"):
        await fetch(client, FEED, resolver=public)
    assert route.call_count == 1


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_an_error_status_fails_with_the_status(
    client: httpx.AsyncClient, net: respx.MockRouter, status: int
) -> None:
    route = net.get(FEED).mock(return_value=httpx.Response(status))
    with pytest.raises(FetchFailed, match=f"fetch {FEED}: HTTP {status}$"):
        await fetch(client, FEED, resolver=public)
    assert route.call_count == 1


async def test_a_timeout_fails(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    route = net.get(FEED).mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(FetchFailed, match="timed out"):
        await fetch(client, FEED, resolver=public)
    assert route.call_count == 1


async def test_a_server_dripping_its_body_hits_the_one_deadline(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    async def drip() -> AsyncIterator[bytes]:
        for _ in range(100):
            await asyncio.sleep(0.05)
            yield b"x"

    route = net.get(FEED).mock(return_value=httpx.Response(200, content=drip()))
    with pytest.raises(FetchFailed, match=r"no complete answer within 0.2 s"):
        await fetch(client, FEED, resolver=public, timeout=0.2)
    assert route.call_count == 1


async def test_a_connection_error_fails_with_the_reason(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    route = net.get(FEED).mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(FetchFailed, match="connection refused"):
        await fetch(client, FEED, resolver=public)
    assert route.call_count == 1


async def test_a_name_that_does_not_resolve_fails(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    async def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(FetchFailed, match=r"cannot resolve news\.example\.com"):
        await fetch(client, FEED, resolver=nxdomain)
    assert len(net.calls) == 0


def test_every_error_is_a_fetch_error() -> None:
    assert all(issubclass(cls, FetchError) for cls in (FetchRefused, FetchTooLarge, FetchFailed))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8", "1.1.1.1"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert unsafe_address(address) is None


async def test_the_system_resolver_refuses_localhost(
    client: httpx.AsyncClient, net: respx.MockRouter
) -> None:
    # No fake here: "localhost" resolves from /etc/hosts, no network needed.
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch(client, "http://localhost:7233/")
    assert len(net.calls) == 0


@pytest.mark.parametrize("url", ["http://127.1/", "http://2130706433/", "http://0x7f000001/"])
async def test_numeric_host_spellings_of_loopback_are_refused(
    client: httpx.AsyncClient, net: respx.MockRouter, url: str
) -> None:
    # Not IP literals to `ipaddress`, but getaddrinfo (and so the connection) reads them as 127.0.0.1.
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch(client, url)
    assert len(net.calls) == 0


async def test_the_host_is_read_as_httpx_reads_it(client: httpx.AsyncClient, net: respx.MockRouter) -> None:
    dns = FakeDns({})
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch(client, "http://news.example.com\\@127.0.0.1/feed", resolver=dns)
    assert dns.asked == []
    assert len(net.calls) == 0


class Recorder(httpcore.AsyncMockBackend):
    """The network under a guarded client: records the address dialled, answers from a buffer."""

    def __init__(self, buffer: list[bytes]) -> None:
        super().__init__(buffer)
        self.dialled: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.dialled.append((host, port))
        return await super().connect_tcp(host, port, timeout, local_address, socket_options)


OK_RESPONSE = [b"HTTP/1.1 200 OK\r\n", b"Content-Length: 6\r\n", b'ETag: "g1"\r\n', b"\r\n", b"<rss/>"]


async def test_the_guarded_client_dials_the_address_it_checked() -> None:
    network = Recorder(OK_RESPONSE)
    async with guarded_client(public, network=network) as guarded:
        got = await fetch(guarded, "http://news.example.com/feed", resolver=public)
    assert network.dialled == [(PUBLIC, 80)]  # the checked IP, not the name resolved again
    assert (got.status, got.body, got.validators.etag) == (200, b"<rss/>", '"g1"')


async def test_the_guarded_client_closes_the_dns_rebinding_window() -> None:
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # public when checked, loopback when connecting

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    network = Recorder(OK_RESPONSE)
    async with guarded_client(rebinding, network=network) as guarded:
        with pytest.raises(
            FetchFailed, match=r"refused host rebind\.example\.com: 127\.0\.0\.1 is a loopback"
        ):
            await fetch(guarded, "http://rebind.example.com/feed", resolver=rebinding)
    assert network.dialled == []
