"""Rows to records and back: an account survives the store unchanged, and its fingerprint notices
every change a re-import must write."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from activities.store import Store, rowmap, schema
from campaigns.model import Account, Contact
from tests.factories import make_account, temp_store

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# Accounts that stress the mapping: no executive, at-risk (no churn date), quotes, non-ASCII, aliases.
ACCOUNTS = {
    "full": make_account(aliases=("Revontuli", "RA")),
    "no-executive": make_account(executive=None),
    "at-risk": make_account(churned_on=None, churn_reason="service", departure="angry"),
    "unusual-text": make_account(
        company='Ääkkönen & "Sons" Ltd',
        churn_detail="needed SSO; line one\nline two",
        competitor="Rivalsoft",
        contact=Contact(
            name="Zoë O'Brien",
            email="zoe@aakkonen.example",
            title="Head of Ops",
            linkedin_url="https://www.linkedin.com/in/zoe",
        ),
        aliases=("Ääkkönen", "A&S", ""),
        locale="pt-BR",
    ),
}


def write_rows(store: Store, account: Account) -> None:
    """Exactly the rows the mapping makes, with no import logic around them."""
    with store.engine.begin() as conn:
        conn.execute(
            insert(schema.accounts),
            [{**rowmap.with_fingerprint(account), "first_imported_at": NOW, "updated_at": NOW}],
        )
        conn.execute(insert(schema.contacts), rowmap.contact_rows(account))


@pytest.mark.parametrize("account", ACCOUNTS.values(), ids=ACCOUNTS.keys())
def test_an_account_survives_its_rows_and_reading_back(tmp_path: Path, account: Account) -> None:
    with temp_store(tmp_path) as store:
        write_rows(store, account)
        assert store.account(account.account_id) == account


def test_the_fingerprint_is_the_same_for_the_same_account() -> None:
    one, again = make_account(aliases=("RA",)), make_account(aliases=("RA",))
    assert rowmap.with_fingerprint(one)["fingerprint"] == rowmap.with_fingerprint(again)["fingerprint"]


# One change per field of Account: a field added to Account without one here fails the test below.
CHANGES: dict[str, Any] = {
    "account_id": "ACC-2",
    "company": "Revontuli Oy",
    "domain": "revontuli2.example",
    "country": "SE",
    "timezone": "Europe/Stockholm",
    "arr": 119_999.0,
    "churned_on": "2026-02-16",
    "churn_reason": "service",
    "churn_detail": "needed a HubSpot integration",
    "competitor": "Rivalsoft",
    "departure": "angry",
    "owner": "li.wei@winback.example",
    "contact": Contact(name="Liisa Virtanen", email="liisa@revontuli.example", title="CFO"),
    "locale": "fi",
    "executive": None,
    "aliases": ("RA", "Revontuli"),
    "currency": "SEK",
    "owner_locale": "sv",
}


def test_every_field_of_an_account_has_a_change_to_try() -> None:
    assert set(CHANGES) == {f.name for f in fields(Account)}


@pytest.mark.parametrize(("name", "value"), CHANGES.items(), ids=CHANGES.keys())
def test_the_fingerprint_changes_when_any_field_changes(name: str, value: Any) -> None:
    account = make_account(aliases=("RA",))
    other = replace(account, **{name: value})
    assert other != account
    assert rowmap.with_fingerprint(other)["fingerprint"] != rowmap.with_fingerprint(account)["fingerprint"]


@pytest.mark.parametrize("name", [f.name for f in fields(Contact)])
def test_the_fingerprint_changes_when_a_contact_detail_changes(name: str) -> None:
    account = make_account()
    assert account.executive is not None
    contact = replace(account.contact, **{name: getattr(account.contact, name) + "x"})
    executive = replace(account.executive, **{name: getattr(account.executive, name) + "x"})
    base = rowmap.with_fingerprint(account)["fingerprint"]
    assert rowmap.with_fingerprint(replace(account, contact=contact))["fingerprint"] != base
    assert rowmap.with_fingerprint(replace(account, executive=executive))["fingerprint"] != base


def test_the_fingerprint_tells_the_contact_from_the_executive() -> None:
    account = make_account()
    assert account.executive is not None
    swapped = replace(account, contact=account.executive, executive=account.contact)
    assert rowmap.with_fingerprint(swapped)["fingerprint"] != rowmap.with_fingerprint(account)["fingerprint"]


def test_the_row_fills_exactly_the_accounts_columns_the_import_does_not_stamp() -> None:
    row = rowmap.with_fingerprint(make_account())
    stamped = {"first_imported_at", "updated_at"}
    assert set(row) == {column.name for column in schema.accounts.columns} - stamped


def test_contact_rows_are_the_primary_and_then_the_executive() -> None:
    assert [r["role"] for r in rowmap.contact_rows(make_account())] == ["primary", "executive"]
    assert [r["role"] for r in rowmap.contact_rows(make_account(executive=None))] == ["primary"]


def test_a_moment_is_kept_on_its_utc_day() -> None:
    helsinki = timezone(timedelta(hours=3))
    assert rowmap.utc_date(datetime(2026, 5, 1, 1, 30, tzinfo=helsinki)) == date(2026, 4, 30)
    assert rowmap.utc_date(datetime(2026, 5, 1, 23, 30, tzinfo=UTC)) == date(2026, 5, 1)


def test_dates_and_iso_text_convert_both_ways_and_keep_none() -> None:
    assert rowmap.to_date("2026-02-28") == date(2026, 2, 28)
    assert rowmap.to_iso(date(2026, 2, 28)) == "2026-02-28"
    assert (rowmap.to_date(None), rowmap.to_iso(None)) == (None, None)


def test_chunks_cover_every_item_once_in_order() -> None:
    assert [list(c) for c in rowmap.chunks(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(rowmap.chunks([], 3)) == []
