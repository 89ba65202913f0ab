"""Time zones: the IANA zone a recipient's clock runs on, and the zones each country has.

Sends happen on the recipient's wall clock, so every account needs a zone; the accounts file
may leave it out only where the country has one clock. The country tables come from the
time zone database itself (the `tzdata` package, else the system's), so they change with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from campaigns.errors import ConfigError, excerpt
from campaigns.nearest import Nearest

__all__ = ["all_zones", "country_zones", "is_zone", "tz_table", "zone", "zone_fix", "zone_for_country"]

# Zones of a country count as one when their UTC offsets agree on every day of this span.
# A fixed span keeps validation independent of the wall clock; tzdata extends the current
# rules to future years, so the sample stays representative.
_SAMPLE_START: Final = datetime(2026, 1, 1, 12, tzinfo=UTC)
_SAMPLE_DAYS: Final = 2 * 365 + 1
# Database names have at most three parts (America/Argentina/Buenos_Aires). zoneinfo imports a
# package per part, so a name of hundreds of parts overflows the recursion limit: refused first.
_MAX_PARTS: Final = 8


@lru_cache(maxsize=1024)
def zone(tz: str) -> ZoneInfo:
    """The zone named `tz`; ValueError for a name the database does not know."""
    unknown = f"unknown time zone {excerpt(tz)}; use an IANA name like 'Europe/Helsinki'"
    if tz.count("/") >= _MAX_PARTS:
        raise ValueError(unknown)
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(unknown) from err


# Cached because a miss is not: `zone` caches only zones found, and looking for a name that is
# not there costs the file system a search, once per row of a CRM export with a misspelt zone.
@lru_cache(maxsize=4096)
def is_zone(name: str) -> bool:
    """Whether `name` is a zone; also False for names that are folders of the database."""
    try:
        zone(name)
    except (ValueError, OSError):
        return False
    return True


def zone_fix(name: str, country: str) -> str:
    """The fix for an unknown zone: the likely intended one, else the country's first."""
    guess = _zone_guess(name)
    if guess is not None:
        return f"did you mean '{guess}'?"
    zones = country_zones(country)
    return f"write one such as {zones[0] if zones else 'Europe/Helsinki'}"


@cache
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


# A CRM export repeats the same misspelling in every row of a region: one guess per distinct
# name, and a matcher that stays fast when the names are all distinct.
@lru_cache(maxsize=4096)
def _zone_guess(name: str) -> str | None:
    return _zone_matcher()(name)


@cache
def _zone_matcher() -> Nearest:
    return Nearest(all_zones())


def tz_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated table shipped with the time zone database."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        try:
            text = Path("/usr/share/zoneinfo", name).read_text("utf-8")
        except OSError:
            raise ConfigError(
                [f"cannot find {name} of the time zone database; install it with `pip install tzdata`"]
            ) from None
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    zones: dict[str, list[str]] = {}
    for row in tz_table("zone.tab"):
        if len(row) >= 3:
            zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(names) for code, names in zones.items()}


def country_zones(country: str) -> tuple[str, ...]:
    """The country's zones in zone.tab order (its most populous zone first)."""
    return _zones_by_country().get(country, ())


@cache
def zone_for_country(country: str) -> str | None:
    """The zone for a country whose zones all keep the same clock, else None.

    DE lists Europe/Berlin and Europe/Busingen, MY two +08 zones: the first listed stands
    for all. Countries that really differ (US, BR, AU) need the zone in the file.
    """
    zones = country_zones(country)
    if not zones:
        return None
    instants = [_SAMPLE_START + timedelta(days=d) for d in range(_SAMPLE_DAYS)]

    def offsets(name: str) -> list[timedelta | None] | None:
        try:
            found = zone(name)
        except (ValueError, OSError):
            return None
        return [instant.astimezone(found).utcoffset() for instant in instants]

    first = offsets(zones[0])
    if first is None:
        return None
    for other in zones[1:]:
        if offsets(other) != first:
            return None
    return zones[0]
