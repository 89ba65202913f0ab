"""Playbook loading: the shipped playbooks and templates, and one exact line per problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns import locales, templating
from campaigns.errors import ConfigError
from campaigns.model import MANUAL_CHANNELS
from campaigns.playbook import PLAYBOOK_DIR, load_playbook, sparse_context
from campaigns.tiers import TIERS

SHIPPED = sorted(PLAYBOOK_DIR.glob("*.yaml"))
EMAIL = (
    "Subject: Hello {{ contact.first_name }}\n\nHi {{ contact.first_name }},\n\n"
    "{{ sender.from_name }}\n{{ sender.postal_address }}\nUnsubscribe: {{ unsubscribe_url }}\n"
)
TASK = "Call {{ contact.name }} at {{ account.company }}.\n"
EXEC = "Subject: A note\n\nHi {% if executive %}{{ executive.first_name }}{% endif %},\n"

BASE: dict[str, Any] = {
    "id": "test",
    "name": "Test playbook",
    "touches": [
        {"channel": "email", "wait": "0 days", "template": "t/email", "tiers": ["T1", "T2", "T3"]},
        {
            "channel": "linkedin",
            "wait": "1 week",
            "template": "t/task",
            "tiers": ["T1", "T2"],
            "deadline": "2 business days",
        },
        {"channel": "content", "wait": "1 week", "template": "t/email", "tiers": ["T2", "T3"]},
        {
            "channel": "call",
            "wait": "1 week",
            "template": "t/task",
            "tiers": ["T1"],
            "deadline": "2 business days",
        },
        {
            "channel": "executive",
            "wait": "1 week",
            "template": "t/exec",
            "tiers": ["T1"],
            "deadline": "1 week",
        },
        {"channel": "email", "wait": "2 weeks", "template": "t/email", "tiers": ["T1", "T2", "T3"]},
    ],
}


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with its own templates, so messages show short relative paths."""
    monkeypatch.chdir(tmp_path)
    for name, text in {"t/email": EMAIL, "t/task": TASK, "t/exec": EXEC}.items():
        path = tmp_path / "templates" / "en" / f"{name}.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "templates"


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def problems(root: Path, data: dict[str, Any] | str) -> list[str]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    Path("pb.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_playbook(Path("pb.yaml"), templates_root=root)
    return err.value.lines


def write_template(root: Path, name: str, text: str) -> None:
    path = root / "en" / f"{name}.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ shipped content


def test_all_six_playbooks_ship() -> None:
    assert [p.stem for p in SHIPPED] == [
        "adoption",
        "budget",
        "competitive",
        "product_gap",
        "service",
        "time_based",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_playbook_loads_and_fits_the_tiers(path: Path) -> None:
    playbook = load_playbook(path)
    assert playbook.id == path.stem
    assert playbook.description
    t1, t2, t3 = (playbook.for_tier(tier) for tier in TIERS)
    assert "executive" in {t.channel for t in t1}
    assert {"linkedin", "call"} & {t.channel for t in t2}
    assert "email" in {t.channel for t in t2}
    assert {t.channel for t in t3} <= {"email", "content"}
    for plan in (t1, t2, t3):
        assert 3 <= len(plan) <= 5
        assert plan[0].channel == "email" and not plan[0].waits
        # Not daily follow-ups: every later touch waits at least three days.
        assert all(sum(w.approx_days() for w in t.waits) >= 3 for t in plan[1:])
        assert all((t.deadline is not None) == (t.channel in MANUAL_CHANNELS) for t in plan)


def test_every_template_file_belongs_to_a_playbook() -> None:
    used = {t.template for path in SHIPPED for t in load_playbook(path).touches}
    on_disk = {
        p.relative_to(templating.ROOT / "en").as_posix()[: -len(templating.SUFFIX)]
        for p in (templating.ROOT / "en").rglob("*.j2")
    }
    assert used == on_disk


PRESENT_LOCALES = [loc for loc in locales.SUPPORTED if (templating.ROOT / loc).is_dir()]


@pytest.mark.parametrize("locale", PRESENT_LOCALES)
@pytest.mark.parametrize("context", [templating.sample_context(), sparse_context()], ids=["full", "sparse"])
def test_every_template_renders(context: dict[str, Any], locale: str) -> None:
    for path in SHIPPED:
        for touch in load_playbook(path).touches:
            out = templating.render(touch.template, locale, context)
            assert out.template_path == f"{locale}/{touch.template}.j2"
            assert out.locale == locale
            assert "{{" not in out.body and "{%" not in out.body
            assert "  " not in out.subject
            if touch.channel in ("email", "content"):
                assert out.subject
                lines = out.body.rstrip().splitlines()
                assert lines[-2] == context["sender"]["postal_address"]
                assert lines[-1].endswith(context["unsubscribe_url"])  # the footer, in the locale
                assert context["sender"]["from_name"] in lines[-5]
            if touch.channel == "linkedin":
                assert len(out.body) <= 300, (locale, touch.template)  # LinkedIn's connection-note limit


def test_an_untranslated_locale_falls_back_to_english() -> None:
    out = templating.render("product_gap/01_whats_new", "ko", templating.sample_context())
    assert out.template_path == "en/product_gap/01_whats_new.j2" and out.locale == "en"
    lines = out.body.rstrip().splitlines()
    assert lines[-1].startswith("Rather not hear from us? Unsubscribe with one click: ")


def test_templates_use_the_trigger_when_there_is_one() -> None:
    context = templating.sample_context()
    first_emails = [load_playbook(p).touches[0].template for p in SHIPPED]
    for name in first_emails:
        body = templating.render(name, "en", context).body
        assert f"You may have seen: {context['trigger']['title']}" in body, name


# ------------------------------------------------------------------ valid input


def test_base_playbook_loads(root: Path) -> None:
    Path("pb.yaml").write_text(yaml.safe_dump(base(), sort_keys=False), encoding="utf-8")
    playbook = load_playbook(Path("pb.yaml"), templates_root=root)
    assert playbook.id == "test"
    assert len(playbook.touches) == 6
    assert playbook.touches[1].deadline is not None
    assert str(playbook.touches[1].deadline) == "2 business days"


def test_a_single_tier_may_be_written_without_brackets(root: Path) -> None:
    data = base()
    data["touches"][3]["tiers"] = "T1"
    Path("pb.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_playbook(Path("pb.yaml"), templates_root=root).touches[3].tiers == ("T1",)


# ------------------------------------------------------------------ one line per problem


def test_missing_file(root: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_playbook(Path("nope.yaml"), templates_root=root)
    assert err.value.lines == ["nope.yaml: file not found; check the path and the file name"]


def test_yaml_syntax_error_names_the_line(root: Path) -> None:
    assert problems(root, "id: test\nname: [unclosed\ntouches: []\n") == [
        "pb.yaml: line 3, column 8: YAML syntax error: expected ',' or ']', but got ':'; "
        "check the indentation there and put quotes around values that contain ': ' or "
        "start with a special character"
    ]


def test_empty_file(root: Path) -> None:
    assert problems(root, "# nothing yet\n") == [
        "pb.yaml: the file is empty; write the settings as YAML key: value lines"
    ]


def test_duplicate_key(root: Path) -> None:
    text = yaml.safe_dump(base(), sort_keys=False)
    line = len(text.splitlines()) + 1
    assert problems(root, text + "name: Again\n") == [
        f"pb.yaml: line {line}: key 'name' appears twice in the same block; keep one"
    ]


def test_typo_in_a_key_suggests_the_right_one(root: Path) -> None:
    data = base()
    data["touches"][2]["chanel"] = data["touches"][2].pop("channel")
    assert problems(root, data) == ["pb.yaml: touches[3]: unknown key 'chanel'; did you mean 'channel'?"]


def test_unknown_top_level_key(root: Path) -> None:
    data = base()
    data["owner"] = "maria"
    assert problems(root, data) == ["pb.yaml: unknown key 'owner'; use only id, name, touches, description"]


def test_missing_key(root: Path) -> None:
    data = base()
    del data["touches"][0]["template"]
    assert problems(root, data) == [
        "pb.yaml: touches[1]: missing key 'template'; add it, e.g. template: product_gap/01_whats_new"
    ]


def test_unknown_channel(root: Path) -> None:
    data = base()
    data["touches"][2]["channel"] = "fax"
    assert problems(root, data) == [
        "pb.yaml: touches[3].channel: unknown channel 'fax'; "
        "use one of email, linkedin, call, content, executive"
    ]


def test_misspelt_channel(root: Path) -> None:
    data = base()
    data["touches"][0]["channel"] = "emial"
    assert problems(root, data) == [
        "pb.yaml: touches[1].channel: unknown channel 'emial'; did you mean 'email'?"
    ]


def test_bad_wait_uses_the_duration_parser_message(root: Path) -> None:
    data = base()
    data["touches"][1]["wait"] = "3 dayz"
    assert problems(root, data) == [
        "pb.yaml: touches[2].wait: '3 dayz' is not a duration; "
        'write e.g. "3 business days", "10 days" or "1 week"'
    ]


def test_unknown_tier(root: Path) -> None:
    data = base()
    data["touches"][0]["tiers"] = ["T1", "T4", "T3"]
    assert problems(root, data) == ["pb.yaml: touches[1].tiers: unknown tier 'T4'; use one of T1, T2, T3"]


def test_empty_tiers(root: Path) -> None:
    data = base()
    data["touches"][0]["tiers"] = []
    assert problems(root, data) == [
        "pb.yaml: touches[1].tiers: must list at least one tier; write e.g. [T1, T2, T3]"
    ]


def test_missing_template(root: Path) -> None:
    data = base()
    data["touches"][3]["template"] = "other/call"
    assert problems(root, data) == [
        "pb.yaml: touches[4].template: template 'other/call' not found; "
        "create templates/en/other/call.j2 or fix the name"
    ]


def test_misspelt_template_suggests_an_existing_one(root: Path) -> None:
    data = base()
    data["touches"][3]["template"] = "t/tsak"
    assert problems(root, data) == [
        "pb.yaml: touches[4].template: template 't/tsak' not found; did you mean 't/task'?"
    ]


def test_template_syntax_error(root: Path) -> None:
    write_template(root, "t/broken", "Hi {{ contact.first_name }\n")
    data = base()
    data["touches"][3]["template"] = "t/broken"
    assert problems(root, data) == [
        "pb.yaml: touches[4].template: templates/en/t/broken.j2 line 1: syntax error: "
        "unexpected '}'; fix the Jinja syntax there"
    ]


def test_template_with_unknown_variable(root: Path) -> None:
    write_template(root, "t/unknown", "Call {{ contact.name }}\nabout {{ deal.size }}\n")
    data = base()
    data["touches"][3]["template"] = "t/unknown"
    assert problems(root, data) == [
        "pb.yaml: touches[4].template: templates/en/t/unknown.j2 line 2: 'deal' is undefined; "
        "use only the variables listed in sample_context() in templates/__init__.py"
    ]


def test_template_that_needs_an_offer_to_render(root: Path) -> None:
    write_template(root, "t/offer", "We can give you {{ offer.value }} off.\n")
    data = base()
    data["touches"][3]["template"] = "t/offer"
    assert problems(root, data) == [
        "pb.yaml: touches[4].template: templates/en/t/offer.j2 line 1: does not render for an "
        "account without an offer, trigger or executive contact ('None' has no attribute "
        "'value'); wrap those parts in {% if offer %}...{% endif %} (likewise trigger, executive)"
    ]


def test_a_translation_is_checked_too(root: Path) -> None:
    path = root / "fi" / "t" / "task.j2"
    path.parent.mkdir(parents=True)
    path.write_text("Soita {{ kontakti.nimi }}\n", encoding="utf-8")
    lines = problems(root, base())
    assert lines == [
        f"pb.yaml: touches[{n}].template: templates/fi/t/task.j2 line 1: 'kontakti' is "
        "undefined; use only the variables listed in sample_context() in templates/__init__.py"
        for n in (2, 4)
    ]


def test_email_template_needs_subject_and_unsubscribe(root: Path) -> None:
    write_template(root, "t/nosubject", "Hi\n{{ sender.postal_address }} {{ unsubscribe_url }}\n")
    write_template(root, "t/nolink", "Subject: Hi\n\nHi\n{{ sender.postal_address }}\n")
    data = base()
    data["touches"][0]["template"] = "t/nosubject"
    data["touches"][5]["template"] = "t/nolink"
    assert problems(root, data) == [
        "pb.yaml: touches[1].template: templates/en/t/nosubject.j2: no subject; "
        "an email template's first line is 'Subject: ...'",
        "pb.yaml: touches[6].template: templates/en/t/nolink.j2: no unsubscribe link; "
        "end every email with a line containing {{ unsubscribe_url }}",
    ]


def test_manual_touch_without_deadline(root: Path) -> None:
    data = base()
    del data["touches"][3]["deadline"]
    assert problems(root, data) == [
        "pb.yaml: touches[4]: missing key 'deadline'; a call touch needs one (how long the "
        'owner has to do it), e.g. deadline: "2 business days"'
    ]


def test_deadline_on_an_email_is_an_error(root: Path) -> None:
    data = base()
    data["touches"][0]["deadline"] = "2 days"
    assert problems(root, data) == [
        "pb.yaml: touches[1].deadline: an email touch has no deadline (only linkedin, call and "
        "executive touches do); remove it"
    ]


def test_too_few_touches_for_a_tier(root: Path) -> None:
    data = base()
    data["touches"][2]["tiers"] = ["T2"]
    assert problems(root, data) == [
        "pb.yaml: touches: tier T3 gets 2 touches; a tier needs 3 to 5, so add T3 to more touches' tiers"
    ]


def test_too_many_touches_for_a_tier(root: Path) -> None:
    data = base()
    data["touches"][2]["tiers"] = ["T1", "T2", "T3"]
    assert problems(root, data) == [
        "pb.yaml: touches: tier T1 gets 6 touches; a tier needs 3 to 5, so remove T1 from some touches' tiers"
    ]


def test_span_too_long(root: Path) -> None:
    data = base()
    data["touches"][5]["wait"] = "5 weeks"
    assert problems(root, data) == [
        "pb.yaml: touches: the longest tier (T1) spans 63.0 days from first to last touch; "
        "keep it between 28 and 56 days (4-8 weeks), so shorten the waits"
    ]


def test_span_too_short_counts_business_days(root: Path) -> None:
    data = base()
    for touch in data["touches"][1:]:
        touch["wait"] = "3 business days"
    assert problems(root, data) == [
        "pb.yaml: touches: the longest tier (T1) spans 21.0 days from first to last touch; "
        "keep it between 28 and 56 days (4-8 weeks), so lengthen the waits"
    ]


def test_all_problems_are_reported_at_once(root: Path) -> None:
    data = base()
    data["id"] = "Test Playbook"
    data["touches"][0]["channel"] = "fax"
    data["touches"][1]["wait"] = "soon"
    data["touches"][2]["tiers"] = ["T9"]
    lines = problems(root, data)
    assert lines == [
        "pb.yaml: id: 'Test Playbook' is not a valid playbook id; use lower-case letters, "
        "digits, '_' and '-', e.g. product_gap",
        "pb.yaml: touches[1].channel: unknown channel 'fax'; "
        "use one of email, linkedin, call, content, executive",
        "pb.yaml: touches[2].wait: 'soon' is not a duration; "
        'write e.g. "3 business days", "10 days" or "1 week"',
        "pb.yaml: touches[3].tiers: unknown tier 'T9'; use one of T1, T2, T3",
    ]
    assert str(ConfigError(lines)) == "\n".join(lines)


def test_touches_must_be_a_list(root: Path) -> None:
    data = base()
    data["touches"] = {"channel": "email"}
    assert problems(root, data) == [
        "pb.yaml: touches: must be a list of touches, each a block with channel, wait, template and tiers"
    ]
