"""Events find their account only when the subject is the account: whole words, weak names
corroborated, same-name accounts told apart by domain or not at all, competitors' news routed
to the accounts lost to them."""

from __future__ import annotations

from signals.extract import events_of
from signals.matching import AccountIndex
from signals.records import Entry, Event, Matched
from tests.factories import make_account

ACCOUNTS = [
    make_account(
        account_id="REV", company="Revontuli Analytics Oy", domain="revontuli.fi", competitor="Brightloop"
    ),
    make_account(account_id="BOX", company="Box", domain="box.com"),
    make_account(account_id="NOT", company="Notion Labs Inc", domain="notion.so", aliases=("Notion",)),
    make_account(account_id="ACM", company="Acme Corp", domain="acme.com"),
    make_account(
        account_id="ACR", company="Acme Robotics Inc", domain="acmerobotics.io", competitor="Brightloop"
    ),
    make_account(account_id="NW1", company="Northwind Traders Inc", domain="northwind.com"),
    make_account(account_id="NW2", company="Northwind Traders GmbH", domain="northwind.de"),
    make_account(account_id="SAK", company="株式会社さくらデータ", domain="sakuradata.jp"),
    make_account(account_id="INI", company="Initech LLC", domain="initech.com", competitor="Hooli"),
    make_account(account_id="HOO", company="Hooli Inc", domain="hooli.xyz"),
    make_account(account_id="RMP", company="Tollgate Inc", domain="tollgate.io", competitor="Ramp"),
]
INDEX = AccountIndex.build(ACCOUNTS)


def match(title: str, summary: str = "", url: str = "https://news.example/story") -> Matched:
    [event] = events_of(Entry(source="feed", title=title, url=url, summary=summary))
    return INDEX.match(event)


def who(
    title: str, summary: str = "", url: str = "https://news.example/story"
) -> tuple[str | None, str | None]:
    m = match(title, summary, url)
    return m.account_id, m.matched_by


def test_name_and_legal_form() -> None:
    assert who("Revontuli Analytics raises €12M Series A") == ("REV", "name")
    assert who("REVONTULI ANALYTICS OY raises €12M") == ("REV", "name")
    assert who("Finnish startup Revontuli Analytics secures €1.5M seed round") == ("REV", "name")


def test_alias() -> None:
    assert who("Notion raises $50M", summary="see notion.so") == ("NOT", "domain")
    assert who("Notion raises $50M Series C") == ("NOT", "alias")
    assert who("Notion Labs raises $275M") == ("NOT", "name")


def test_similar_names_do_not_cross() -> None:
    assert who("Acme Robotics raises $85M") == ("ACR", "name")
    assert who("Acme Corp. lands $30M") == ("ACM", "name")
    assert who("Acmea raises $5M") == (None, None)
    assert who("Acme Analytics raises $6M seed round") == (None, None)
    assert who("Acme-backed Globex lands $15M Series A") == (None, None)


def test_a_mention_is_not_the_subject() -> None:
    assert who("Acme's rival Globex raises $40M") == (None, None)
    assert who("Acme customers react as Globex raises $5M") == (None, None)
    assert who("Former Acme Corp exec joins Globex as CEO") == (None, None)


def test_common_word_needs_the_capitalised_subject_or_the_domain() -> None:
    assert who("Box raises $100M from KKR") == ("BOX", "name")
    assert who("Boxed raises $100M") == (None, None)
    assert who("Oracle buys Box in $4 billion deal") == ("BOX", "name")
    # Descriptors before a weak name leave it unproven; the domain proves it.
    assert who("Cloud storage firm box raises $100M") == (None, None)
    assert who("Cloud storage firm box raises $100M", summary="box.com said") == ("BOX", "domain")
    assert who("Box raises $100M", url="https://www.box.com/blog/funding") == ("BOX", "domain")


def test_weak_name_written_in_lower_case_does_not_match() -> None:
    event = Event(kind="funding", company="box", title="box raises $1M", url="", published=None)
    assert INDEX.match(event).account_id is None


def test_same_name_needs_the_domain() -> None:
    assert who("Northwind Traders raises $10M") == (None, None)
    assert who("Northwind Traders raises €10M", summary="Northwind (northwind.de) said") == ("NW2", "domain")


def test_cjk_names_match_as_characters() -> None:
    assert who("株式会社さくらデータ、シリーズBで10億円を資金調達") == ("SAK", "name")
    assert who("さくらデータが5億円の資金調達を実施") == ("SAK", "name")
    assert who("さくらインターネット、100億円を資金調達") == (None, None)


def test_competitor_news_concerns_the_accounts_lost_to_it() -> None:
    m = match("Brightloop raises prices by 30% for enterprise tier")
    assert (m.account_id, m.matched_by, m.concerns) == (None, None, ("ACR", "REV"))
    assert match("Brightloop suffers major outage").concerns == ("ACR", "REV")
    # Funding is not a competitor kind: nothing to do.
    assert match("Brightloop raises $50M Series C") == Matched(match("Brightloop raises $50M Series C").event,
                                                               None, None)  # fmt: skip


def test_a_name_both_account_and_competitor() -> None:
    assert who("Hooli raises $250 million in growth round") == ("HOO", "name")
    assert match("Hooli raises prices for Hooli Mail").concerns == ("INI",)
    assert match("Hooli raises prices for Hooli Mail").account_id is None


def test_weak_competitor_name_needs_the_capitalised_subject() -> None:
    assert match("Ramp raises prices for corporate cards").concerns == ("RMP",)
    event = Event(kind="outage", company="ramp", title="ramp outage", url="", published=None)
    assert INDEX.match(event).concerns == ()


def test_empty_company_matches_nothing() -> None:
    event = Event(kind="release", company="", title="Salesforce sync", url="", published=None)
    assert INDEX.match(event) == Matched(event, None, None)


def test_helpers() -> None:
    assert INDEX.accounts_for_domain("news.acme.com") == ("ACM",)
    assert INDEX.accounts_for_domain("https://www.box.com/blog") == ("BOX",)
    assert INDEX.accounts_for_domain("example.com") == ()
    assert INDEX.competitor_accounts("Brightloop Inc.") == ("ACR", "REV")
    assert INDEX.competitor_accounts("Globex") == ()


def test_an_empty_index_matches_nothing() -> None:
    [event] = events_of(Entry(source="feed", title="Acme raises $5M", url=""))
    assert AccountIndex.build([]).match(event).account_id is None
