"""What a matched event asks for, account by account."""

from __future__ import annotations

from dataclasses import replace

from campaigns.model import Audience, Trigger
from signals.decide import DISQUALIFY, NO_RULE, START, Action, decide, event_key, evidence_for
from signals.records import Event, Matched
from tests.factories import make_account, make_campaign

FUNDING = Trigger(on=("funding",), playbook="budget", when=Audience(churn_reasons=("budget",)))
COMPETITOR = Trigger(on=("price_increase", "outage"), playbook="competitive")
RELEASE = Trigger(on=("release",), playbook="product_gap")
CAMPAIGN = replace(make_campaign(), triggers=(FUNDING, COMPETITOR, RELEASE))

BUDGET = make_account(account_id="ACC-B", churn_reason="budget")
LOST = make_account(account_id="ACC-L", churn_reason="competitive", competitor="Brightloop")
GAP = make_account(account_id="ACC-G", churn_reason="product_gap", churn_detail="needed Salesforce")
ACCOUNTS = {a.account_id: a for a in (BUDGET, LOST, GAP)}


def event(kind: str, company: str = "Revontuli Analytics", **facts: str) -> Event:
    return Event(
        kind=kind,
        company=company,
        title=f"{company} news",
        url="https://news.example/a",
        published="2026-11-30",
        facts=tuple(sorted(facts.items())),
        story="s1",
    )


def test_funding_for_an_account_the_rule_admits_starts_its_playbook() -> None:
    actions = decide(Matched(event("funding"), "ACC-B", "name"), CAMPAIGN, ACCOUNTS)
    assert actions == [Action("ACC-B", START, rule=FUNDING)]


def test_funding_for_an_account_no_rule_admits_starts_nothing_and_says_why() -> None:
    [action] = decide(Matched(event("funding"), "ACC-G", "name"), CAMPAIGN, ACCOUNTS)
    assert action.what == NO_RULE and "no trigger" in action.note


def test_a_competitor_s_price_rise_concerns_the_accounts_lost_to_it() -> None:
    matched = Matched(event("price_increase", "Brightloop"), None, None, concerns=("ACC-L",))
    assert decide(matched, CAMPAIGN, ACCOUNTS) == [Action("ACC-L", START, rule=COMPETITOR)]


def test_an_unmatched_story_asks_for_nothing() -> None:
    assert decide(Matched(event("funding", "Globex"), None, None), CAMPAIGN, ACCOUNTS) == []


def test_a_story_that_shows_the_account_is_out_of_reach_disqualifies_it() -> None:
    gone = event("strategy_change", out_of_reach="shut_down")
    [action] = decide(Matched(gone, "ACC-B", "name"), CAMPAIGN, ACCOUNTS)
    assert action.what == DISQUALIFY and action.account_id == "ACC-B"
    assert action.note.startswith("shut down: “Revontuli Analytics news”")


def test_a_release_is_checked_against_every_account() -> None:
    release = event("release", "", addresses="product_gap", detail="salesforce")
    actions = decide(Matched(release, None, None), CAMPAIGN, ACCOUNTS, everyone=list(ACCOUNTS.values()))
    assert actions == [Action("ACC-G", START, rule=RELEASE)]


def test_the_same_story_from_two_feeds_is_one_event() -> None:
    a = event("funding")
    b = replace(a, url="https://other.example/b", published=None)
    assert event_key(a) == event_key(b)
    assert event_key(a) != event_key(replace(a, kind="layoffs"))


def test_the_evidence_is_the_story_not_the_people() -> None:
    evidence = evidence_for(event("funding", round="Series B"))
    assert (evidence.kind, evidence.title, evidence.url, evidence.published) == (
        "funding",
        "Revontuli Analytics news",
        "https://news.example/a",
        "2026-11-30",
    )
