"""Rows to records and back: how the store's tables hold Winback's records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import RowMapping

from activities.store.records import LaunchItem, MessageLogEntry
from campaigns.model import Account, Contact, Enrolment, Preference

_T = TypeVar("_T")


def utc_date(moment: datetime) -> date:
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).date()


def to_date(iso: str | None) -> date | None:
    return None if iso is None else date.fromisoformat(iso)


def to_iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def account_row(account: Account) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "company": account.company,
        "domain": account.domain,
        "country": account.country,
        "timezone": account.timezone,
        "arr": account.arr,
        "churned_on": to_date(account.churned_on),
        "churn_reason": account.churn_reason,
        "churn_detail": account.churn_detail,
        "competitor": account.competitor,
        "departure": account.departure,
        "owner": account.owner,
        "locale": account.locale,
        "aliases": json.dumps(list(account.aliases), ensure_ascii=False),
        "currency": account.currency,
        "owner_locale": account.owner_locale,
    }


# Columns added after accounts were first imported: hashed only when set, so an account
# imported before them is still "unchanged" when the same row is imported again.
_HASHED_WHEN_SET = ("currency", "owner_locale")


def contact_rows(account: Account) -> list[dict[str, Any]]:
    people = [("primary", account.contact)]
    if account.executive is not None:
        people.append(("executive", account.executive))
    return [
        {
            "account_id": account.account_id,
            "role": role,
            "name": person.name,
            "email": person.email,
            "title": person.title,
            "linkedin_url": person.linkedin_url,
        }
        for role, person in people
    ]


def with_fingerprint(account: Account) -> dict[str, Any]:
    """The account's row plus a hash of everything imported with it, contacts included."""
    row = account_row(account)
    hashed = {k: v for k, v in row.items() if k not in _HASHED_WHEN_SET or v}
    canonical = json.dumps([hashed, contact_rows(account)], sort_keys=True, default=str, ensure_ascii=False)
    row["fingerprint"] = hashlib.sha256(canonical.encode()).hexdigest()
    return row


def account(row: RowMapping, people: dict[str, Contact]) -> Account:
    """An account row and its contacts by role ("primary", "executive")."""
    return Account(
        account_id=row["account_id"],
        company=row["company"],
        domain=row["domain"],
        country=row["country"],
        timezone=row["timezone"],
        arr=row["arr"],
        churned_on=to_iso(row["churned_on"]),
        churn_reason=row["churn_reason"],
        churn_detail=row["churn_detail"],
        competitor=row["competitor"],
        departure=row["departure"],
        owner=row["owner"],
        contact=people["primary"],
        locale=row["locale"],
        executive=people.get("executive"),
        aliases=tuple(json.loads(row["aliases"])),
        currency=row["currency"],
        owner_locale=row["owner_locale"],
    )


def contact(row: RowMapping) -> Contact:
    return Contact(name=row["name"], email=row["email"], title=row["title"], linkedin_url=row["linkedin_url"])


def preference(row: RowMapping) -> Preference:
    return Preference(
        email=row["email"],
        account_id=row["account_id"],
        kind=row["kind"],
        since=row["since"].isoformat(),
        until=to_iso(row["until"]),
        reason=row["reason"],
        campaign_id=row["campaign_id"],
    )


def enrolment(row: RowMapping) -> Enrolment:
    return Enrolment(
        account_id=row["account_id"],
        campaign_id=row["campaign_id"],
        workflow_id=row["workflow_id"],
        run_id=row["run_id"],
        started_on=row["started_on"].isoformat(),
        ended_on=to_iso(row["ended_on"]),
        outcome=row["outcome"],
    )


def message(row: RowMapping) -> MessageLogEntry:
    return MessageLogEntry(
        message_id=row["message_id"],
        workflow_id=row["workflow_id"],
        account_id=row["account_id"],
        campaign_id=row["campaign_id"],
        touch=row["touch"],
        channel=row["channel"],
        to_email=row["to_email"],
        subject=row["subject"],
        sent_at=row["sent_at"],
        transport=row["transport"],
    )


def launch_item(row: RowMapping) -> LaunchItem:
    return LaunchItem(
        position=row["position"],
        account_id=row["account_id"],
        start_at=row["start_at"],
        payload=row["payload"],
        state=row["state"],
        run_id=row["run_id"],
        note=row["note"],
    )
