"""Time zones: looking one up, a country's one clock, and the fix for a misspelt name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from campaigns.zones import all_zones, country_zones, is_zone, tz_table, zone, zone_fix, zone_for_country


def test_zone_looks_up_an_iana_name() -> None:
    assert zone("Europe/Helsinki") == ZoneInfo("Europe/Helsinki")
    assert zone("UTC") == ZoneInfo("UTC")


@pytest.mark.parametrize("name", ["Mars/Base", "", "Europe/", "../etc/passwd", "europe/helsinki "])
def test_zone_says_an_unknown_name_is_unknown(name: str) -> None:
    with pytest.raises(ValueError) as err:
        zone(name)
    assert str(err.value) == f"unknown time zone {name!r}; use an IANA name like 'Europe/Helsinki'"


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("Europe/Helsinki", True),
        ("America/St_Johns", True),
        ("Europe/Helsinky", False),
        ("Europe", False),  # a folder of the database, not a zone
        ("", False),
        # zoneinfo imports a package per part: this many once overflowed the recursion limit.
        pytest.param("America/Chicago" * 300, False, id="300 parts"),
        pytest.param("a/" * 400 + "b", False, id="401 parts"),
    ],
)
def test_is_zone(name: str, known: bool) -> None:
    assert is_zone(name) is known


@pytest.mark.parametrize(
    ("country", "zone_name"),
    [
        ("FI", "Europe/Helsinki"),
        ("JP", "Asia/Tokyo"),
        ("TW", "Asia/Taipei"),
        ("MY", "Asia/Kuala_Lumpur"),  # two zones, one clock
        ("DE", "Europe/Berlin"),  # Busingen keeps Berlin's clock
        ("SE", "Europe/Stockholm"),
        ("GB", "Europe/London"),
    ],
)
def test_country_with_one_clock_resolves(country: str, zone_name: str) -> None:
    assert zone_for_country(country) == zone_name


@pytest.mark.parametrize("country", ["US", "BR", "AU", "CA"])
def test_country_with_several_clocks_does_not_resolve(country: str) -> None:
    assert zone_for_country(country) is None
    assert len(country_zones(country)) > 1


def test_a_country_the_database_does_not_list_has_no_zones() -> None:
    assert country_zones("ZZ") == ()
    assert zone_for_country("ZZ") is None
    assert zone_for_country("UK") is None  # GB is the code


def test_country_zones_lists_the_most_populous_first() -> None:
    assert country_zones("US")[0] == "America/New_York"


def test_zone_fix_guesses_a_misspelt_name() -> None:
    assert zone_fix("Europe/Helsinky", "FI") == "did you mean 'Europe/Helsinki'?"


def test_zone_fix_otherwise_offers_the_countrys_zone() -> None:
    assert zone_fix("Nowhere", "US") == "write one such as America/New_York"
    assert zone_fix("Nowhere", "ZZ") == "write one such as Europe/Helsinki"


def test_the_tables_come_from_the_time_zone_database() -> None:
    assert "Europe/Helsinki" in all_zones()
    assert all_zones() == tuple(sorted(all_zones()))
    assert ["FI", "Finland"] in tz_table("iso3166.tab")
