"""A campaign's `triggers:`: which signal starts which playbook for which accounts, read from the
file with one clear line per mistake, and the time source's milestones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Audience, Trigger
from campaigns.triggers import campaign_for, milestones_on, release_concerns, rule_for
from tests.factories import make_account, make_campaign

BASE: dict[str, Any] = {
    "id": "signals-2027",
    "name": "Signals",
    "playbooks": {"budget": "budget", "competitive": "competitive", "product_gap": "product_gap"},
    "sender": {"from": "Aino <aino@winback.example>", "postal_address": "Esimerkkikatu 1, Helsinki"},
}


def load(tmp_path: Path, triggers: object) -> Any:
    path = tmp_path / "camp.yaml"
    path.write_text(yaml.safe_dump({**BASE, "triggers": triggers}, sort_keys=False), encoding="utf-8")
    return load_campaign(path)


def problems(tmp_path: Path, triggers: object) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, triggers)
    return err.value.lines


def test_rules_are_read_in_file_order(tmp_path: Path) -> None:
    campaign = load(
        tmp_path,
        [
            {"on": "funding", "when": {"churn_reasons": ["budget"]}, "playbook": "budget"},
            {"on": ["price_increase", "outage"], "playbook": "competitive"},
            {"on": "time", "milestones": ["months_6"], "playbook": "product_gap"},
        ],
    )
    assert campaign.triggers == (
        Trigger(on=("funding",), playbook="budget", when=Audience(churn_reasons=("budget",))),
        Trigger(on=("price_increase", "outage"), playbook="competitive"),
        Trigger(on=("time",), playbook="product_gap", milestones=("months_6",)),
    )


def test_an_unquoted_on_key_is_read_as_on_not_as_yaml_true(tmp_path: Path) -> None:
    # YAML 1.1 (PyYAML) reads `on:` as the boolean true: the natural spelling must still work.
    path = tmp_path / "camp.yaml"
    text = yaml.safe_dump(BASE, sort_keys=False) + "triggers:\n  - on: funding\n    playbook: budget\n"
    path.write_text(text, encoding="utf-8")
    assert load_campaign(path).triggers == (Trigger(on=("funding",), playbook="budget"),)


def test_a_campaign_without_triggers_has_none(tmp_path: Path) -> None:
    path = tmp_path / "camp.yaml"
    path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    assert load_campaign(path).triggers == ()


def test_each_mistake_is_one_line_naming_the_rule_and_the_fix(tmp_path: Path) -> None:
    lines = problems(
        tmp_path,
        [
            {"on": "fundng", "playbook": "budget"},
            {"on": "funding", "playbook": "servce"},
            {
                "on": "funding",
                "playbook": "budget",
                "when": {"churn_reasons": ["budgett"], "months_since_churn": 3},
            },
            {"on": "funding", "playbook": "budget", "milestones": ["months_6"]},
            {"playbook": "budget"},
        ],
    )
    text = "\n".join(lines)
    assert "triggers[0].on: unknown value 'fundng'; did you mean 'funding'?" in text
    assert "triggers[1].playbook: 'servce' is not one of this campaign's playbooks" in text
    assert "triggers[2].when.churn_reasons: unknown churn reason 'budgett'" in text
    assert "triggers[2].when" in text and "months_since_churn" in text
    assert "triggers[3].milestones: only a rule `on: time` has milestones" in text
    assert "triggers[4]" in text and "on" in text
    assert all(line.startswith(str(tmp_path / "camp.yaml")) or "camp.yaml" in line for line in lines)


def test_triggers_must_be_a_list(tmp_path: Path) -> None:
    [line] = problems(tmp_path, {"on": "funding", "playbook": "budget"})
    assert "triggers: must be a list of rules" in line


FUNDING_FOR_BUDGET = Trigger(on=("funding",), playbook="budget", when=Audience(churn_reasons=("budget",)))
ANY_FUNDING = Trigger(on=("funding",), playbook="product_gap")


def test_the_first_rule_that_admits_the_account_fires() -> None:
    budget = make_account(churn_reason="budget")
    gap = make_account(churn_reason="product_gap")
    rules = (FUNDING_FOR_BUDGET, ANY_FUNDING)
    assert rule_for(rules, "funding", budget) == FUNDING_FOR_BUDGET
    assert rule_for(rules, "funding", gap) == ANY_FUNDING
    assert rule_for((FUNDING_FOR_BUDGET,), "funding", gap) is None
    assert rule_for(rules, "layoffs", budget) is None


def test_a_rule_filters_by_tier_country_and_churn_detail() -> None:
    rule = Trigger(
        on=("funding",),
        playbook="budget",
        when=Audience(tiers=("T1",), countries=("FI",), churn_detail="/salesforce/i"),
    )
    fits = make_account(arr=120_000, country="FI", churn_detail="needed a Salesforce integration")
    assert rule_for((rule,), "funding", fits) == rule
    assert rule_for((rule,), "funding", replace(fits, arr=5_000)) is None
    assert rule_for((rule,), "funding", replace(fits, country="SE")) is None
    assert rule_for((rule,), "funding", replace(fits, churn_detail="price")) is None


def test_a_release_is_for_accounts_whose_reason_and_detail_it_answers() -> None:
    facts = {"addresses": "product_gap", "detail": "salesforce"}
    gap = make_account(churn_reason="product_gap", churn_detail="Needed a SALESFORCE integration")
    assert release_concerns(gap, facts)
    assert not release_concerns(replace(gap, churn_detail="wanted SSO"), facts)
    assert not release_concerns(replace(gap, churn_reason="budget"), facts)
    rule = Trigger(on=("release",), playbook="product_gap")
    assert rule_for((rule,), "release", gap, facts) == rule
    assert rule_for((rule,), "release", replace(gap, churn_detail="wanted SSO"), facts) is None


def test_time_rules_fire_on_their_milestones_only() -> None:
    rule = Trigger(on=("time",), playbook="product_gap", milestones=("months_12",))
    account = make_account()
    assert rule_for((rule,), "time", account, {"milestone": "months_12"}) == rule
    assert rule_for((rule,), "time", account, {"milestone": "months_6"}) is None


def test_milestones_fall_on_their_days() -> None:
    account = make_account(churned_on="2026-02-28", churn_reason="competitive", competitor="Brightloop")
    assert milestones_on(account, date(2026, 8, 28)) == ("months_6",)
    assert milestones_on(account, date(2026, 12, 28)) == ("competitor_renewal",)
    assert milestones_on(account, date(2027, 2, 28)) == ("months_12",)
    assert milestones_on(account, date(2028, 2, 28)) == ("anniversary",)
    assert milestones_on(account, date(2026, 8, 29)) == ()
    # No competitor: no renewal milestone; no churn date (at-risk): none at all.
    assert milestones_on(replace(account, competitor=""), date(2026, 12, 28)) == ()
    assert milestones_on(replace(account, churned_on=None), date(2026, 8, 28)) == ()


def test_a_triggered_account_runs_the_rule_s_playbook_whatever_its_churn_reason() -> None:
    campaign = make_campaign()
    triggered = campaign_for(campaign, Trigger(on=("funding",), playbook="budget"))
    assert {pb.id for _, pb in triggered.playbooks} == {"budget"}
    assert triggered.playbook_for("service") is not None and triggered.playbook_for("service").id == "budget"  # type: ignore[union-attr]
    assert (triggered.id, triggered.audience, triggered.daily_cap) == (
        campaign.id,
        campaign.audience,
        campaign.daily_cap,
    )
