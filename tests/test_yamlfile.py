"""Whatever a campaign or playbook file holds, loading it ends in one line per problem: no
traceback, no hang, no gigabytes. Each case here once crashed, hung or exploded."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.playbook import load_playbook
from campaigns.yamlfile import MAX_DEPTH, MAX_FILE_BYTES
from tests.test_campaign import BASE

NOT_HERE = "YAML aliases (*name) and anchors (&name) are not supported here; write the values out"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def base_text() -> str:
    return yaml.safe_dump(copy.deepcopy(BASE), sort_keys=False)


def lines_for(text: str, name: str = "camp.yaml") -> list[str]:
    Path(name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(Path(name))
    return err.value.lines


def with_(**changes: Any) -> str:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return yaml.safe_dump(data, sort_keys=False, width=10**9)


# ------------------------------------------------------------------ nesting


def test_a_file_nested_a_hundred_thousand_deep_is_one_line_not_a_recursion_error() -> None:
    text = base_text() + "audience: " + "[" * 100_000 + "\n"
    line = len(base_text().splitlines()) + 1
    assert lines_for(text) == [
        f"camp.yaml: line {line}: blocks and lists nested more than {MAX_DEPTH} deep; a campaign or "
        "playbook needs at most a few levels, so close the brackets or remove the extra indentation"
    ]


def test_indentation_counts_as_nesting_too() -> None:
    text = base_text() + "audience:\n" + "".join(f"{'  ' * n}k{n}:\n" for n in range(1, 40)) + "\n"
    assert len(lines_for(text)) == 1
    assert "nested more than 20 deep" in lines_for(text)[0]


def test_nesting_up_to_the_limit_is_read_and_checked_as_usual() -> None:
    # The top-level mapping is one level, so 19 brackets inside it reach the limit exactly.
    depth = MAX_DEPTH - 1
    text = base_text() + "extra: " + "[" * depth + "]" * depth + "\n"
    assert lines_for(text) == [
        "camp.yaml: unknown key 'extra'; use only id, name, playbooks, sender, starts_on, audience, "
        "schedule, cool_off, offer, triggers"
    ]


# ------------------------------------------------------------------ anchors and aliases


def alias_bomb(levels: int = 9) -> str:
    """Nine lines that stand for 9**9 (387 million) strings once the aliases are expanded."""
    defs = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        defs.append(f"x{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(defs) + f"\naudience:\n  churn_reasons: [*a{levels - 1}, *a{levels - 1}]\n"


def test_an_alias_bomb_is_refused_before_anything_is_expanded() -> None:
    first = len(base_text().splitlines()) + 1
    assert lines_for(base_text() + alias_bomb()) == [f"camp.yaml: line {first}: {NOT_HERE}"]


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ("starts_on: &when 2027-03-01\n", 1),  # an anchor alone is refused too
        ("audience:\n  tiers: [T1]\n  countries: *missing\n", 3),
    ],
)
def test_any_anchor_or_alias_is_refused_with_its_line(extra: str, line: int) -> None:
    start = len(base_text().splitlines())
    assert lines_for(base_text() + extra) == [f"camp.yaml: line {start + line}: {NOT_HERE}"]


def test_a_playbook_with_an_alias_is_refused_the_same_way() -> None:
    Path("pb.yaml").write_text("id: x\nname: &n X\ntouches: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_playbook(Path("pb.yaml"))
    assert err.value.lines == [f"pb.yaml: line 2: {NOT_HERE}"]


# ------------------------------------------------------------------ size


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    padding = ("# " + "x" * 98 + "\n") * 3000  # 300,000 bytes of comments, valid YAML
    text = base_text() + padding
    assert lines_for(text) == [
        f"camp.yaml: the file has {len(text.encode()):,} bytes, more than the 256 KiB a campaign or "
        "playbook file may have; keep only its settings (a campaign needs a few KiB)"
    ]


def test_a_file_just_under_the_limit_is_read() -> None:
    text = base_text()
    text += "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n"
    assert len(text.encode()) == MAX_FILE_BYTES
    Path("camp.yaml").write_text(text, encoding="utf-8")
    assert load_campaign(Path("camp.yaml")).id == "spring-winback-2027"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_not_waited_on() -> None:
    os.mkfifo("camp.yaml")
    with pytest.raises(ConfigError) as err:
        load_campaign(Path("camp.yaml"))
    assert err.value.lines == ["camp.yaml: is not a regular file; give the path of a .yaml file"]


# ------------------------------------------------------------------ values PyYAML cannot build


def test_a_date_that_does_not_exist_is_reported_for_its_setting() -> None:
    text = with_(
        starts_on="@",
        schedule={"blackout": [{"from": "@@", "to": "2028-01-02"}]},
    )
    text = text.replace("'@@'", "2027-02-30").replace("'@'", "2027-13-45")
    assert lines_for(text) == [
        "camp.yaml: starts_on: '2027-13-45' is not a date; write it as YYYY-MM-DD such as 2027-12-20",
        "camp.yaml: schedule.blackout[1].from: '2027-02-30' is not a date; write it as YYYY-MM-DD "
        "such as 2027-12-20",
    ]


def test_a_number_longer_than_python_converts_is_reported_for_its_setting() -> None:
    data = copy.deepcopy(BASE)
    data["sender"]["daily_cap"] = "@"
    text = yaml.safe_dump(data, sort_keys=False).replace("'@'", "1" * 5000)
    text = text.replace("id: spring-winback-2027", "id: 0x" + "f" * 5000)
    assert lines_for(text) == [
        "camp.yaml: id: '0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffff…' (5,002 characters) "
        "is not a valid campaign id; use lower-case letters, digits and '-' (at most 63 characters, "
        "starting with a letter or digit), e.g. spring-winback-2027",
        "camp.yaml: sender.daily_cap: '111111111111111111111111111111111111111111111111111111111111…' "
        "(5,000 characters) is not a whole number from 1 to 10000; write how many sequences this "
        "sender may start per day, e.g. 200",
    ]


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            "extra: !!float abc\n",
            "line {n}, column 8: YAML syntax error: 'abc' cannot be read as float; check the "
            "indentation there and put quotes around values that contain ': ' or start with a "
            "special character",
        ),
        (
            "extra: !!bool maybe\n",
            "line {n}, column 8: YAML syntax error: 'maybe' cannot be read as bool; check the "
            "indentation there and put quotes around values that contain ': ' or start with a "
            "special character",
        ),
        (
            "extra: !!map abc\n",
            "line {n}, column 8: YAML syntax error: expected a mapping node, but found scalar; check "
            "the indentation there and put quotes around values that contain ': ' or start with a "
            "special character",
        ),
        (
            "starts_on: !!timestamp abc\n",
            "starts_on: 'abc' is not a date; write it as YYYY-MM-DD such as 2027-12-20",
        ),
    ],
)
def test_a_tag_that_does_not_fit_its_value_is_one_line(extra: str, line: str) -> None:
    n = len(base_text().splitlines()) + 1
    assert lines_for(base_text() + extra) == [f"camp.yaml: {line.format(n=n)}"]


@pytest.mark.parametrize(
    ("escaped", "shown"),
    [("Spring\\0", "'Spring\\x00' contains '\\x00'"), ("\\ud800", "'\\ud800' contains '\\ud800'")],
)
def test_a_value_no_setting_can_hold_is_refused_with_its_line(escaped: str, shown: str) -> None:
    n = len(base_text().splitlines()) + 1
    assert lines_for(base_text() + f'extra: "{escaped}"\n') == [
        f"camp.yaml: line {n}: {shown}, a control character or half of a UTF-16 pair that no "
        "setting can hold; remove it, or write the character itself"
    ]


def test_a_raw_control_character_names_its_line() -> None:
    n = len(base_text().splitlines()) + 1
    assert lines_for(base_text() + "extra: a\x00b\n") == [
        f"camp.yaml: line {n}: the file contains the control character #x0000, which YAML does not "
        "allow; remove it"
    ]


# ------------------------------------------------------------------ values the checks choked on


def test_a_playbook_name_longer_than_a_file_name_can_be_is_not_found() -> None:
    text = with_(playbooks={"default": "x" * 300})
    (line,) = lines_for(text)
    assert line.startswith("camp.yaml: playbooks.default: no playbook named 'xxxxxxxxxx")
    assert "…' (300 characters) in " in line and len(line) < 400


def test_a_sender_of_nested_brackets_is_not_a_recursion_error() -> None:
    data = copy.deepcopy(BASE)
    data["sender"]["from"] = "(" * 100_000
    (line,) = lines_for(yaml.safe_dump(data, sort_keys=False, width=10**9))
    assert line == (
        "camp.yaml: sender.from: '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((…' "
        '(100,000 characters) is not a name and email address; write it as "Aino Virtanen '
        '<aino@winback.example>"'
    )


def test_a_template_name_longer_than_a_file_name_can_be_is_not_found() -> None:
    Path("pb.yaml").write_text(
        "id: x\nname: X\ntouches:\n  - {channel: email, wait: 0 days, tiers: [T1], template: "
        + "t" * 300
        + "}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_playbook(Path("pb.yaml"))
    (line,) = err.value.lines
    assert line.startswith("pb.yaml: touches[1].template: template 'tttttttttt")
    assert "…' (300 characters) not found;" in line
