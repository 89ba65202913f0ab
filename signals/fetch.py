"""Fetching a source over HTTP without letting the source's operator point us at ourselves.

A watcher polls URLs someone typed into a config file, and follows whatever redirects those
servers send. Without a guard, a feed URL (or a redirect from one) could make the worker read
its cloud metadata service, a database's admin page on localhost or anything else on the
private network, and hand the body on to the parsers. So every hop is checked before it is
requested: only http and https, and every address the host resolves to must be public.

Polling is cheap for a source that has not changed: the validators of the last fetch are sent
back (If-None-Match, If-Modified-Since), and a 304 says there is nothing to do.

A body is read as a stream and cut off at `max_bytes` (decoded size, so a gzip bomb is cut off
too), and the whole fetch, redirects included, has one deadline: a server that drips a byte
a second cannot hold a poll for ever.

DNS rebinding: the check resolves the host, and the connection would resolve it again; a
host whose answers change in between could reach a private address. `guarded_client()` closes
that window: its transport resolves and checks the host itself and dials the checked address
(TLS still verifies the certificate against the host name). Give `fetch` a client from
`guarded_client()`; with any other client the per-hop check still keeps out every URL that
names or resolves to a private address, but not a rebinding server. The guarded client
ignores proxy settings from the environment: a proxy would resolve hosts where we cannot check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

__all__ = [
    "MAX_BYTES",
    "USER_AGENT",
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "FetchTooLarge",
    "Fetched",
    "Resolver",
    "Validators",
    "fetch",
    "guarded_client",
    "system_resolver",
    "too_large",
    "unsafe_address",
]

MAX_BYTES: Final = 10 * 1024 * 1024
USER_AGENT: Final = "Winback-Watcher/0.1 (+https://github.com/winback)"
ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.9, text/html;q=0.8, */*;q=0.5"
)
_SCHEMES: Final = frozenset({"http", "https"})
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_CHUNK: Final = 64 * 1024

# Cloud metadata services answer on addresses that some of Python's `is_*` checks do not call
# private (100.100.100.200 is Alibaba's, inside the CGNAT range), so they are named outright.
_METADATA: Final = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    }
)
_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A source could not be fetched; the message is one line that names the URL (no query)."""


class FetchRefused(FetchError):
    """The URL is not one we fetch: not http(s), or its host is (or resolves to) a private address."""


class FetchTooLarge(FetchError):
    """The body is larger than the cap; nothing of it is returned."""


class FetchFailed(FetchError):
    """The server answered with an error, or did not answer in time, or the connection failed."""


@dataclass(frozen=True)
class Validators:
    """What the server said identifies this version of the resource: sent back on the next poll."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    body: bytes  # b"" when not_modified
    validators: Validators
    not_modified: bool = False


class Resolver(Protocol):
    """Resolves a host name to the IP addresses a connection may use (injectable for tests)."""

    async def __call__(self, host: str, port: int) -> list[str]: ...


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def shown(url: str) -> str:
    """The URL as errors print it: without credentials, query or fragment (they may hold secrets)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an unreadable URL"
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or url.split("?", 1)[0]


def unsafe_address(address: str) -> str | None:
    """Why a connection to this IP address is refused, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id ("fe80::1%eth0")
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address tunnelled in IPv6 reaches the IPv4 host: judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:  # 64:ff9b::a00:5 reaches 10.0.0.5 through NAT64
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            why = unsafe_address(str(embedded))
            if why is not None:
                return why
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "site-local"),
        (ip in _CGNAT, "shared (CGNAT)"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not public"),
    )
    for hit, what in checks:
        if hit:
            return f"{ip} is a {what} address"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _check(url: str, resolver: Resolver) -> None:
    """Refuses a URL we must not request; resolves its host to check every address.

    The URL is read by httpx's own parser, the one the request will use: a second parser
    (urllib) could read "http://a.example\\@127.0.0.1/" as another host than httpx does."""
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"refused {shown(url)}: unreadable URL ({exc})") from None
    if target.scheme not in _SCHEMES:
        raise FetchRefused(f"refused {shown(url)}: only http and https URLs are fetched")
    host = target.raw_host.decode("ascii", "replace")  # IDNA-encoded, as DNS is asked
    if not host:
        raise FetchRefused(f"refused {shown(url)}: the URL names no host")
    port = target.port or (443 if target.scheme == "https" else 80)
    if _is_ip(host):
        addresses = [host]  # a literal is judged as written, never looked up
    else:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise FetchFailed(f"fetch {shown(url)}: cannot resolve {host} ({exc})") from None
        if not addresses:
            raise FetchFailed(f"fetch {shown(url)}: {host} resolves to no address")
    # Any one bad address refuses the host: the connection may pick any of them.
    for address in addresses:
        why = unsafe_address(address)
        if why is not None:
            raise FetchRefused(f"refused {shown(url)}: host {host}: {why}")


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Dials only addresses the guard accepts, having resolved the host itself: the address
    checked is the address connected to, so a DNS answer that changes cannot slip past."""

    def __init__(self, resolver: Resolver, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if _is_ip(host):
            addresses = [host]
        else:
            try:
                addresses = await self._resolver(host, port)
            except OSError as exc:
                raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            why = unsafe_address(address)
            if why is not None:
                raise httpcore.ConnectError(f"refused host {host}: {why}")
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = httpcore.ConnectError(str(exc))
        assert failure is not None  # addresses is not empty
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("refused: sources are not read from unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_client(
    resolver: Resolver = system_resolver, *, network: httpcore.AsyncNetworkBackend | None = None
) -> httpx.AsyncClient:
    """An httpx client whose connections go only to the addresses the guard checked (see the
    module's note on DNS rebinding). `network` is for tests: the backend that really dials."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no public way to give its transport a network backend; its pool is replaced
    # by the same pool httpx would build (no proxy), with the checking backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=_CheckedBackend(resolver, network),
    )
    return httpx.AsyncClient(transport=transport, trust_env=False)


def _request_headers(previous: Validators | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if previous is not None:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    return headers


def too_large(url: str, max_bytes: int) -> FetchTooLarge:
    """The error for a body over the cap (also raised for a local file by signals/sources.py)."""
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
    return FetchTooLarge(f"{shown(url)} is larger than {size}; cut off")


async def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise too_large(url, max_bytes)
    body = bytearray()
    async for chunk in response.aiter_bytes(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise too_large(url, max_bytes)
    return bytes(body)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    previous: Validators | None = None,
    resolver: Resolver = system_resolver,
    max_bytes: int = MAX_BYTES,
    timeout: float = 20.0,
    max_redirects: int = 5,
) -> Fetched:
    """GETs `url`, following at most `max_redirects` redirects, each hop checked first.

    Raises FetchRefused (not a URL we fetch), FetchTooLarge, or FetchFailed (error status,
    timeout, connection failure); all are FetchError with a one-line message."""
    headers = _request_headers(previous)
    current = url
    try:
        async with asyncio.timeout(timeout):
            for _hop in range(max_redirects + 1):
                await _check(current, resolver)
                async with client.stream(
                    "GET", current, headers=headers, follow_redirects=False, timeout=timeout
                ) as response:
                    status = response.status_code
                    if status in _REDIRECTS:
                        location = response.headers.get("location", "").strip()
                        if not location:
                            raise FetchFailed(f"fetch {shown(current)}: HTTP {status} without a Location")
                        current = str(httpx.URL(current).join(location))
                        continue
                    if status == 304:
                        return Fetched(
                            url=current,
                            status=status,
                            body=b"",
                            validators=previous or Validators(),
                            not_modified=True,
                        )
                    if not 200 <= status < 300:
                        raise FetchFailed(f"fetch {shown(current)}: HTTP {status}")
                    body = await _read_capped(response, current, max_bytes)
                    validators = Validators(
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    )
                    return Fetched(url=current, status=status, body=body, validators=validators)
    except TimeoutError:
        raise FetchFailed(f"fetch {shown(current)}: no complete answer within {timeout:g} s") from None
    except httpx.TimeoutException:
        raise FetchFailed(f"fetch {shown(current)}: timed out") from None
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"refused {shown(current)}: unreadable URL ({exc})") from None
    except httpx.HTTPError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchFailed(f"fetch {shown(current)}: {reason}") from None
    raise FetchFailed(f"fetch {shown(url)}: more than {max_redirects} redirects")
