"""Campaign loading: the examples, playbook resolution, and one exact line per problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.campaign import load_campaign, playbook_path
from campaigns.errors import ConfigError
from campaigns.model import DEFAULT_DAILY_CAP, Audience, Blackout, CoolOff, Offer, Schedule
from campaigns.playbook import PLAYBOOK_DIR

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns" / "examples"

BASE: dict[str, Any] = {
    "id": "spring-winback-2027",
    "name": "Spring win-back 2027",
    "playbooks": {"service": "service", "default": "time_based"},
    "schedule": {
        "window": "09:00-17:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "quarter_end_blackout_days": 5,
        "blackout": [{"from": "2027-12-20", "to": "2028-01-02", "reason": "year-end freeze"}],
    },
    "sender": {
        "from": "Aino Virtanen <aino@winback.example>",
        "postal_address": "Esimerkkikatu 1, 00100 Helsinki, Finland",
    },
    "offer": {"kind": "discount", "value": "20%", "expires_in_days": 30},
}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def write(data: dict[str, Any], name: str = "camp.yaml") -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_campaign(write(data))
    return err.value.lines


# ------------------------------------------------------------------ the examples


def test_demo_campaign_sends_any_time() -> None:
    campaign = load_campaign(EXAMPLES / "demo-campaign.yaml")
    assert campaign.id == "demo"
    assert campaign.schedule == Schedule(
        window_start="00:00",
        window_end="24:00",
        weekdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        quarter_end_blackout_days=0,
    )
    assert campaign.offer is None
    assert campaign.sender.from_name and campaign.sender.postal_address
    assert campaign.source == str(EXAMPLES / "demo-campaign.yaml")


def test_spring_campaign_is_realistic() -> None:
    campaign = load_campaign(EXAMPLES / "spring-winback.yaml")
    assert campaign.schedule == Schedule(
        window_start="09:00",
        window_end="17:00",
        weekdays=("mon", "tue", "wed", "thu", "fri"),
        quarter_end_blackout_days=5,
        blackouts=(Blackout("2027-12-20", "2028-01-02", "year-end freeze"),),
    )
    assert campaign.offer == Offer(kind="discount", value="20%", expires_in_days=30)
    assert campaign.sender.from_email == "aino@winback.example"
    assert campaign.sender.from_name == "Aino Virtanen"


@pytest.mark.parametrize("name", ["demo-campaign.yaml", "spring-winback.yaml"])
def test_examples_cover_every_reason_worth_contacting(name: str) -> None:
    campaign = load_campaign(EXAMPLES / name)
    expected = {
        "product_gap": "product_gap",
        "competitive": "competitive",
        "service": "service",
        "budget": "budget",
        "adoption": "adoption",
        "bad_fit": "time_based",
        "other": "time_based",
    }
    for reason, playbook_id in expected.items():
        playbook = campaign.playbook_for(reason)
        assert playbook is not None and playbook.id == playbook_id


# ------------------------------------------------------------------ playbook references


def test_playbook_names_and_paths_resolve(in_tmp: Path) -> None:
    assert playbook_path("service", Path("x")) == PLAYBOOK_DIR / "service.yaml"
    assert playbook_path("own/service.yaml", Path("x")) == Path("x/own/service.yaml")
    assert playbook_path("service.yml", Path("x")) == Path("x/service.yml")

    own = (
        (PLAYBOOK_DIR / "service.yaml").read_text(encoding="utf-8").replace("id: service", "id: our_service")
    )
    (in_tmp / "campaigns" / "playbooks").mkdir(parents=True)
    (in_tmp / "campaigns" / "playbooks" / "ours.yaml").write_text(own, encoding="utf-8")
    data = base()
    data["playbooks"] = {"service": "playbooks/ours.yaml", "default": "time_based"}
    campaign = load_campaign(write(data, "campaigns/camp.yaml"))
    assert [(reason, p.id) for reason, p in campaign.playbooks] == [
        ("service", "our_service"),
        ("default", "time_based"),
    ]


def test_unknown_playbook_name() -> None:
    data = base()
    data["playbooks"]["service"] = "servce"
    assert problems(data) == [
        f"camp.yaml: playbooks.service: no playbook named 'servce' in {PLAYBOOK_DIR}; "
        "did you mean 'service'? (or give a path to a .yaml file relative to this campaign)"
    ]


def test_missing_playbook_file() -> None:
    data = base()
    data["playbooks"]["service"] = "mine/service.yaml"
    assert problems(data) == [
        "camp.yaml: playbooks.service: playbook file 'mine/service.yaml' not found "
        "(looked for mine/service.yaml); give the path relative to this campaign file"
    ]


def test_unknown_churn_reason() -> None:
    data = base()
    data["playbooks"]["prodcut_gap"] = "product_gap"
    assert problems(data) == [
        "camp.yaml: playbooks: unknown churn reason 'prodcut_gap'; did you mean 'product_gap'?"
    ]


def test_structural_churn_is_never_contacted() -> None:
    data = base()
    data["playbooks"]["structural"] = "time_based"
    assert problems(data) == [
        "camp.yaml: playbooks.structural: structural churn (company closed, acquired onto "
        "another tool, team gone, built in-house) is never contacted; remove this line"
    ]


def test_playbook_problems_carry_the_playbook_file_name(in_tmp: Path) -> None:
    broken = (
        (PLAYBOOK_DIR / "service.yaml").read_text(encoding="utf-8").replace("channel: call", "channel: fax")
    )
    (in_tmp / "broken.yaml").write_text(broken, encoding="utf-8")
    data = base()
    data["playbooks"] = {"service": "broken.yaml", "adoption": "broken.yaml"}
    data["id"] = "Bad Id"
    assert problems(data) == [
        "camp.yaml: id: 'Bad Id' is not a valid campaign id; use lower-case letters, digits "
        "and '-' (at most 63 characters, starting with a letter or digit), "
        "e.g. spring-winback-2027",
        # Reported once although two reasons use it.
        "broken.yaml: touches[5].channel: unknown channel 'fax'; "
        "use one of email, linkedin, call, content, executive",
    ]


# ------------------------------------------------------------------ schedule


def test_schedule_defaults_when_left_out() -> None:
    data = base()
    del data["schedule"]
    assert load_campaign(write(data)).schedule == Schedule()


@pytest.mark.parametrize(
    ("window", "start", "end"),
    [("00:00-24:00", "00:00", "24:00"), ("9:30-16:00", "09:30", "16:00")],
)
def test_window_forms(window: str, start: str, end: str) -> None:
    data = base()
    data["schedule"]["window"] = window
    schedule = load_campaign(write(data)).schedule
    assert (schedule.window_start, schedule.window_end) == (start, end)


def test_window_not_a_window() -> None:
    data = base()
    data["schedule"]["window"] = "9-17"
    assert problems(data) == [
        "camp.yaml: schedule.window: '9-17' is not a time window; write it as \"09:00-17:00\" "
        'in the recipient\'s local time, 24-hour clock ("00:00-24:00" for any time)'
    ]


def test_window_across_midnight() -> None:
    data = base()
    data["schedule"]["window"] = "22:00-06:00"
    assert problems(data) == [
        "camp.yaml: schedule.window: '22:00-06:00' ends before it starts; a window cannot "
        'cross midnight, write it as "09:00-17:00" in the recipient\'s local time, 24-hour '
        'clock ("00:00-24:00" for any time)'
    ]


def test_weekdays_accept_full_names_and_keep_calendar_order() -> None:
    data = base()
    data["schedule"]["weekdays"] = ["Friday", "mon", "WED"]
    assert load_campaign(write(data)).schedule.weekdays == ("mon", "wed", "fri")


def test_unknown_weekday() -> None:
    data = base()
    data["schedule"]["weekdays"] = ["mon", "thr"]
    assert problems(data) == ["camp.yaml: schedule.weekdays: unknown weekday 'thr'; did you mean 'thu'?"]


def test_quarter_end_days_out_of_range() -> None:
    data = base()
    data["schedule"]["quarter_end_blackout_days"] = 20
    assert problems(data) == [
        "camp.yaml: schedule.quarter_end_blackout_days: '20' is not a whole number from 0 to "
        "15; write how many business days before a quarter ends to stay quiet, e.g. 5 "
        "(0 turns it off)"
    ]


def test_blackout_ending_before_it_starts() -> None:
    data = base()
    data["schedule"]["blackout"] = [{"from": "2027-12-20", "to": "2027-12-01"}]
    assert problems(data) == [
        "camp.yaml: schedule.blackout[1].to: 2027-12-01 is before from (2027-12-20); both days "
        "are included, so a one-day blackout has the same from and to"
    ]


def test_blackout_bad_date_and_unquoted_dates() -> None:
    Path("camp.yaml").write_text(
        yaml.safe_dump(base(), sort_keys=False)
        .replace("'2027-12-20'", "2027-12-20")
        .replace("'2028-01-02'", "20.12.2027"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_campaign(Path("camp.yaml"))
    assert err.value.lines == [
        "camp.yaml: schedule.blackout[1].to: '20.12.2027' is not a date; write it as "
        "YYYY-MM-DD such as 2027-12-20"
    ]


def test_blackout_reason_is_optional() -> None:
    data = base()
    data["schedule"]["blackout"] = [{"from": "2027-07-01", "to": "2027-07-31"}]
    schedule = load_campaign(write(data)).schedule
    assert schedule.blackouts == (Blackout("2027-07-01", "2027-07-31", "blackout"),)


# ------------------------------------------------------------------ sender and offer


def test_sender_needs_a_name() -> None:
    data = base()
    data["sender"]["from"] = "aino@winback.example"
    assert problems(data) == [
        "camp.yaml: sender.from: 'aino@winback.example' has no name; people answer a person, "
        'so write it as "Aino Virtanen <aino@winback.example>"'
    ]


def test_sender_bad_address() -> None:
    data = base()
    data["sender"]["from"] = "Aino Virtanen"
    assert problems(data) == [
        "camp.yaml: sender.from: 'Aino Virtanen' is not a name and email address; write it as "
        '"Aino Virtanen <aino@winback.example>"'
    ]


def test_sender_needs_a_postal_address() -> None:
    data = base()
    del data["sender"]["postal_address"]
    assert problems(data) == [
        "camp.yaml: sender: missing key 'postal_address'; add it, e.g. "
        'postal_address: "Example street 1, 00100 Helsinki, Finland"'
    ]


def test_offer_is_optional() -> None:
    data = base()
    del data["offer"]
    assert load_campaign(write(data)).offer is None


def test_offer_problems() -> None:
    data = base()
    data["offer"] = {"kind": "discout", "value": "twenty", "expires_in_days": 0}
    assert problems(data) == [
        "camp.yaml: offer.kind: unknown offer kind 'discout'; did you mean 'discount'?",
        "camp.yaml: offer.expires_in_days: '0' is not a whole number of days from 1 to 365; "
        "write how many days the offer stays open, e.g. 30",
    ]


def test_discount_must_be_a_percentage() -> None:
    data = base()
    data["offer"]["value"] = "20 EUR"
    assert problems(data) == [
        "camp.yaml: offer.value: '20 EUR' is not a discount; write a percentage such as \"20%\""
    ]


def test_missing_and_misspelt_top_level_keys() -> None:
    data = base()
    data["sendr"] = data.pop("sender")
    del data["name"]
    assert problems(data) == [
        "camp.yaml: unknown key 'sendr'; did you mean 'sender'?",
        "camp.yaml: missing key 'name'; add it, e.g. name: Spring win-back 2027",
    ]


def test_missing_campaign_file() -> None:
    with pytest.raises(ConfigError) as err:
        load_campaign(Path("nope.yaml"))
    assert str(err.value) == "nope.yaml: file not found; check the path and the file name"


# ------------------------------------------------------------------ starts_on, audience, cool-off, daily cap


def test_new_keys_default_when_left_out() -> None:
    campaign = load_campaign(write(base()))
    assert campaign.starts_on is None
    assert campaign.audience == Audience()
    assert campaign.cool_off == CoolOff(declined_months=12, ghosted_months=6)
    assert campaign.daily_cap == DEFAULT_DAILY_CAP == 200


def test_examples_use_the_new_keys() -> None:
    spring = load_campaign(EXAMPLES / "spring-winback.yaml")
    assert spring.audience == Audience(competitor_signals=("Brightloop",))
    assert spring.cool_off == CoolOff(declined_months=12)
    assert spring.daily_cap == 200
    demo = load_campaign(EXAMPLES / "demo-campaign.yaml")
    assert (demo.audience.min_months, demo.audience.max_months) == (0, 120)
    assert demo.daily_cap == 10_000


def test_all_new_keys() -> None:
    data = base()
    data["starts_on"] = "2027-03-01"
    data["audience"] = {
        "churn_reasons": ["service", "product_gap", "service"],
        "tiers": ["t2", "T1"],
        "countries": ["fi", "SE", "US"],
        "churn_detail": "/salesforce/i",
        "months_since_churn": {"min": 3, "max": 48},
        "competitor_signals": ["Brightloop", "brightloop", "Tallyhawk"],
    }
    data["cool_off"] = {"declined_months": 6}
    data["sender"]["daily_cap"] = 50
    campaign = load_campaign(write(data))
    assert campaign.starts_on == "2027-03-01"
    assert campaign.audience == Audience(
        churn_reasons=("product_gap", "service"),
        tiers=("T1", "T2"),
        countries=("FI", "SE", "US"),
        churn_detail="/salesforce/i",
        min_months=3,
        max_months=48,
        competitor_signals=("Brightloop", "Tallyhawk"),
    )
    assert campaign.cool_off == CoolOff(declined_months=6)
    assert campaign.daily_cap == 50
    # The sender record travels in workflow payloads and stays as it was.
    assert campaign.sender.from_email == "aino@winback.example"


def test_unquoted_yaml_values() -> None:
    Path("camp.yaml").write_text(
        yaml.safe_dump(base(), sort_keys=False)
        + "starts_on: 2027-03-01\n"
        + "audience:\n  countries: [FI, NO]\n  tiers: T1\n  churn_detail: SSO\n",
        encoding="utf-8",
    )
    campaign = load_campaign(Path("camp.yaml"))
    assert campaign.starts_on == "2027-03-01"
    # YAML reads a bare NO (Norway) as false.
    assert campaign.audience.countries == ("FI", "NO")
    assert campaign.audience.tiers == ("T1",)
    assert campaign.audience.churn_detail == "SSO"


def test_starts_on_must_be_a_date() -> None:
    data = base()
    data["starts_on"] = "1.3.2027"
    assert problems(data) == [
        "camp.yaml: starts_on: '1.3.2027' is not a date; write it as YYYY-MM-DD such as 2027-12-20"
    ]


def test_audience_churn_reasons_problems() -> None:
    data = base()
    data["audience"] = {"churn_reasons": ["structural", "prodcut_gap", "pricing"]}
    assert problems(data) == [
        "camp.yaml: audience.churn_reasons: structural churn (company closed, acquired onto another "
        "tool, team gone, built in-house) is never contacted; remove it from the list",
        "camp.yaml: audience.churn_reasons: unknown churn reason 'prodcut_gap'; did you mean 'product_gap'?",
        "camp.yaml: audience.churn_reasons: unknown churn reason 'pricing'; use one of product_gap, "
        "competitive, service, budget, adoption, bad_fit, other",
    ]


def test_audience_tier_and_country_problems() -> None:
    data = base()
    data["audience"] = {"tiers": ["T4"], "countries": ["UK", "Finland", "XX"]}
    assert problems(data) == [
        "camp.yaml: audience.tiers: unknown tier 'T4'; use one of T1, T2, T3 "
        "(T1: ARR >= 50,000, T2: >= 10,000, T3: >= 1,000)",
        "camp.yaml: audience.countries: unknown country code 'UK'; use GB",
        "camp.yaml: audience.countries: unknown country code 'FINLAND'; use FI",
        "camp.yaml: audience.countries: unknown country code 'XX'; write the two-letter ISO 3166 code "
        "such as FI, US or DE",
    ]


def test_audience_churn_detail_problems() -> None:
    data = base()
    data["audience"] = {"churn_detail": "/sales(force/i"}
    assert problems(data) == [
        "camp.yaml: audience.churn_detail: '/sales(force/i' is not a valid regular expression "
        "(missing ), unterminated subpattern at position 5); fix it, or write plain text without "
        "the slashes to match it anywhere in the detail"
    ]
    data["audience"] = {"churn_detail": "/salesforce/g"}
    assert problems(data) == [
        "camp.yaml: audience.churn_detail: '/salesforce/g' has the flag 'g' that is not supported; "
        "only i (ignore case) is, e.g. /salesforce/i"
    ]
    data["audience"] = {"churn_detail": ""}
    assert problems(data) == [
        'camp.yaml: audience.churn_detail: is empty; write e.g. churn_detail: "/salesforce/i"'
    ]


@pytest.mark.parametrize(
    ("window", "line"),
    [
        (
            {"min": 36, "max": 6},
            "audience.months_since_churn: min (36) must be less than max (6); the window runs from min "
            "to max months after churn, e.g. {min: 6, max: 36}",
        ),
        (
            {"min": 40},
            "audience.months_since_churn: min (40) must be less than max (36); the window runs from min "
            "to max months after churn, e.g. {min: 6, max: 36}",
        ),
        (
            {"max": 121},
            "audience.months_since_churn.max: '121' is not a whole number of months from 0 to 120; "
            "e.g. max: 36",
        ),
        (
            {"min": -1},
            "audience.months_since_churn.min: '-1' is not a whole number of months from 0 to 120; "
            "e.g. min: 6",
        ),
        (
            {"min": "six"},
            "audience.months_since_churn.min: 'six' is not a whole number of months from 0 to 120; "
            "e.g. min: 6",
        ),
        (
            {"minimum": 6},
            "audience.months_since_churn: unknown key 'minimum'; did you mean 'min'?",
        ),
        ("6-36", "audience.months_since_churn: must be a block such as {min: 6, max: 36}"),
    ],
)
def test_months_since_churn_problems(window: object, line: str) -> None:
    data = base()
    data["audience"] = {"months_since_churn": window}
    assert problems(data) == [f"camp.yaml: {line}"]


def test_audience_shape_problems() -> None:
    data = base()
    data["audience"] = {"countrys": ["FI"], "competitor_signals": {"name": "Brightloop"}, "tiers": [None]}
    assert problems(data) == [
        "camp.yaml: audience: unknown key 'countrys'; did you mean 'countries'?",
        "camp.yaml: audience.tiers: 'None' is not a value this list takes; write it as e.g. [T1, T2]",
        "camp.yaml: audience.competitor_signals: must be a list such as [Brightloop]",
    ]
    data["audience"] = ["T1"]
    assert problems(data) == [
        "camp.yaml: audience: must be a block such as {churn_reasons: [product_gap], tiers: [T1, T2]}; "
        "leave it out to reach every account the rules allow"
    ]


@pytest.mark.parametrize("months", [5, 13, "twelve", True])
def test_declined_months_is_6_to_12(months: object) -> None:
    data = base()
    data["cool_off"] = {"declined_months": months}
    assert problems(data) == [
        f"camp.yaml: cool_off.declined_months: '{months}' is not a whole number from 6 to 12; someone "
        "who declined is not contacted for 6-12 months, e.g. 12"
    ]


def test_ghosted_months_is_not_configurable() -> None:
    data = base()
    data["cool_off"] = {"declined_months": 12, "ghosted_months": 3}
    assert problems(data) == [
        "camp.yaml: cool_off.ghosted_months: cannot be changed: a ghosted sequence always rests 6 "
        "months before a retry; remove this line"
    ]


def test_cool_off_problems() -> None:
    data = base()
    data["cool_off"] = {"declined_month": 12}
    assert problems(data) == [
        "camp.yaml: cool_off: unknown key 'declined_month'; did you mean 'declined_months'?"
    ]
    data["cool_off"] = 12
    assert problems(data) == ["camp.yaml: cool_off: must be a block such as {declined_months: 12}"]


@pytest.mark.parametrize("cap", [0, 10_001, "lots", True, 2.5])
def test_daily_cap_range(cap: object) -> None:
    data = base()
    data["sender"]["daily_cap"] = cap
    assert problems(data) == [
        f"camp.yaml: sender.daily_cap: '{cap}' is not a whole number from 1 to 10000; write how many "
        "sequences this sender may start per day, e.g. 200"
    ]


def test_daily_cap_bounds_are_allowed() -> None:
    for cap in (1, 10_000):
        data = base()
        data["sender"]["daily_cap"] = cap
        assert load_campaign(write(data)).daily_cap == cap


def test_daily_cap_at_the_top_level_says_where_it_goes() -> None:
    data = base()
    data["daily_cap"] = 200
    assert problems(data) == [
        "camp.yaml: daily_cap: belongs under sender (each sender starts at most this many sequences "
        "a day); move it there, e.g. sender: {..., daily_cap: 200}"
    ]


def test_misspelt_new_top_level_keys() -> None:
    data = base()
    data["audiance"] = {}
    data["start_on"] = "2027-03-01"
    data["cooloff"] = {}
    assert problems(data) == [
        "camp.yaml: unknown key 'audiance'; did you mean 'audience'?",
        "camp.yaml: unknown key 'start_on'; did you mean 'starts_on'?",
        "camp.yaml: unknown key 'cooloff'; did you mean 'cool_off'?",
    ]


def test_every_problem_of_the_new_keys_at_once() -> None:
    data = base()
    data["starts_on"] = "soon"
    data["audience"] = {"tiers": ["T9"], "months_since_churn": {"min": 200}}
    data["cool_off"] = {"declined_months": 24}
    data["sender"]["daily_cap"] = 0
    assert [line.split(": ")[1] for line in problems(data)] == [
        "starts_on",
        "audience.tiers",
        "audience.months_since_churn.min",
        "cool_off.declined_months",
        "sender.daily_cap",
    ]


# ------------------------------------------------------------------ found by tests/fuzz


def raw_problems(text: str) -> list[str]:
    Path("camp.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(Path("camp.yaml"))
    return err.value.lines


def test_impossible_unquoted_dates_and_huge_numbers_are_problems_of_their_setting() -> None:
    # YAML reads these as a date or an integer, which Python cannot hold.
    text = yaml.safe_dump(base(), sort_keys=False).replace(
        "  postal_address:", f"  daily_cap: {'9' * 5000}\n  postal_address:"
    )
    text += "starts_on: 2027-02-30\n"
    lines = raw_problems(text)
    assert lines[0] == (
        "camp.yaml: starts_on: '2027-02-30' is not a date; write it as YYYY-MM-DD such as 2027-12-20"
    )
    assert lines[1].startswith("camp.yaml: sender.daily_cap: '999")
    assert len(lines) == 2


def test_a_control_character_in_the_file_is_one_problem_with_its_line() -> None:
    text = yaml.safe_dump(base(), sort_keys=False)
    line = text.count("\n") + 1
    (only,) = raw_problems(text + "note: \x1b[2J\n")
    assert only.startswith(f"camp.yaml: line {line}: ") and "001b" in only.lower() and "\x1b" not in only


def test_a_quoted_value_with_line_breaks_is_shown_escaped_on_one_line() -> None:
    data = base()
    data["starts_on"] = "soon\r\nBcc: x"
    assert problems(data) == [
        "camp.yaml: starts_on: 'soon\\r\\nBcc: x' is not a date; write it as YYYY-MM-DD such as 2027-12-20"
    ]


@pytest.mark.parametrize(
    "ref", ["serv\x00ice", "a" * 300, "a/" * 3000 + "x.yaml"], ids=["nul", "long", "deep"]
)
def test_a_playbook_reference_no_file_system_takes_is_a_problem(ref: str) -> None:
    data = base()
    data["playbooks"]["service"] = ref
    # One short line that names where, never a crash (OSError, ValueError) and never the whole value.
    (only,) = problems(data)
    assert only.startswith("camp.yaml: ") and len(only) < 500 and "\x00" not in only


def test_sender_name_with_an_encoded_word_is_refused() -> None:
    # It would decode into a line break and a header in every email (activities/email.py refuses).
    data = base()
    data["sender"]["from"] = "=?utf-8?q?Aino=0ABcc=3A_x=40evil.example?= <aino@winback.example>"
    assert problems(data) == [
        "camp.yaml: sender.from: the name contains an encoded word (=?...?=); write the name as plain "
        'text, e.g. "Aino Virtanen <aino@winback.example>"'
    ]


@pytest.mark.parametrize(
    ("tagged", "problem"),
    [
        ("!!bool maybe", "'maybe' cannot be read as bool"),
        ("!!timestamp nonsense", "starts_on: 'nonsense' is not a date"),
        ("!!int '-'", "starts_on: '-' is not a date"),
        ("!!set [a]", "YAML syntax error: expected a mapping node, but found sequence"),
        ("!!map x", "YAML syntax error: expected a mapping node, but found scalar"),
        # Read as an integer of 6,000 digits, which no message could print.
        ("0x" + "f" * 5000, "starts_on: '0xffff"),
    ],
    ids=["bool", "timestamp", "int", "set", "map", "hex"],
)
def test_an_odd_scalar_is_a_problem_of_its_setting_not_a_crash(tagged: str, problem: str) -> None:
    lines = raw_problems(yaml.safe_dump(base(), sort_keys=False) + f"starts_on: {tagged}\n")
    assert len(lines) == 1 and problem in lines[0], lines
