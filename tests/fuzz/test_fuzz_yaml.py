"""Campaign, playbook and approvers files as people and tools break them: the shipped files with values
replaced by random scalars, lists and mappings, keys misspelt, dropped or added, raw YAML put
where a value was (tags, anchors and aliases, deep nesting, impossible dates, huge numbers), and
the bytes themselves damaged.

Whatever the file, the loader returns the campaign or playbook or raises ConfigError whose
every line is one short line naming a file; nothing else escapes and nothing is written.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from activities.email import build_message
from campaigns.approvers import load_approvers
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError, display_path
from campaigns.model import Campaign
from campaigns.playbook import PLAYBOOK_DIR, load_playbook
from campaigns.save_costs import load_save_costs
from contracts.sequence import SendRequest
from tests.cli import EXAMPLES
from tests.fuzz.support import assert_one_line, example_folder, fuzz, guarded, short

# The examples folder also holds the saves' approvers file (campaigns/approvers.py) and the saves
# settings file (campaigns/save_costs.py).
APPROVERS = [EXAMPLES / "approvers.yaml"]
SAVE_COSTS = [EXAMPLES / "saves.yaml"]
CAMPAIGNS = sorted(set(EXAMPLES.glob("*.yaml")) - set(APPROVERS) - set(SAVE_COSTS))
PLAYBOOKS = sorted(PLAYBOOK_DIR.glob("*.yaml"))
LOADERS: dict[Path, Any] = {
    **dict.fromkeys(CAMPAIGNS, load_campaign),
    **dict.fromkeys(PLAYBOOKS, load_playbook),
    **dict.fromkeys(APPROVERS, load_approvers),
    **dict.fromkeys(SAVE_COSTS, load_save_costs),
}
BASES = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in LOADERS}

# A plain word the dumper writes as it is, replaced afterwards by raw YAML text.
MARK = "WINBACKRAWYAML"


def _bomb(levels: int, fan: int) -> str:
    # "Billion laughs", kept to at most 9**6 leaves so that an implementation that expands it
    # shows up as a slow or long answer rather than eating the machine's memory.
    parts = [f"&l0 [{', '.join(['lol'] * fan)}]"]
    for n in range(1, levels + 1):
        parts.append(f"&l{n} [{', '.join([f'*l{n - 1}'] * fan)}]")
    return f"[{', '.join(parts)}]"


RAW = st.one_of(
    st.sampled_from(
        [
            "2027-02-30",
            "0000-01-01",
            "2027-13-01",
            "1899-12-31",
            "9999-12-31",
            "2001-12-14t21:59:43.10+99:00",
            "2001-12-14 25:00:00",
            "9" * 5000,
            "-" + "9" * 5000,
            "0x" + "f" * 5000,
            "1" + "0" * 30,
            "1_000",
            "0o777",
            "190:20:30",
            ".nan",
            "-.inf",
            "1e999",
            "!!binary aGVsbG8=",
            "!!binary not base64",
            "!!python/object/apply:os.system ['true']",
            "!!python/name:os.system",
            "!!set {a, b}",
            "!!omap [a: 1]",
            "!!timestamp nonsense",
            "!!int abc",
            "!!float x",
            "!!bool maybe",
            "!!int ''",
            "!!float '-'",
            "!!timestamp ''",
            "!!map x",
            "!!set [a]",
            "!!seq x",
            "!!str [a]",
            "!<tag:yaml.org,2002:int> '12'",
            "!custom x",
            "&a x",
            "*undefined",
            "{a: 1, a: 2}",
            "{? [a]: b}",
            "{[a]: b}",
            "{<<: {a: 1}}",
            "{<<: [x]}",
            "{<<: 1}",
            "'unterminated",
            '"\\x"',
            '"\\u0000\\r\\n\\x1b[2J"',
            "@reserved",
            "`backtick",
            "%percent",
            "- - a",
            "|",
            "{{ 7*7 }}",
            "x" * 100_000,
        ]
    ),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "{a: " * n + "1" + "}" * n),
    st.builds(_bomb, st.integers(1, 6), st.integers(2, 9)),
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["", " ", "T1", "email", "3 business days", "09:00-17:00", "/(a|a)*$/i", "../x.yaml"]),
    st.text(max_size=2).map(lambda s: s * 10_000),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


def _slots(tree: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of the tree: each place a value sits."""
    found: list[tuple[Any, Any]] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, value in items:
            found.append((node, key))
            if isinstance(value, dict | list) and value:
                pending.append(value)
    return found


def _misspell(key: str, how: int) -> str:
    if not key:
        return "x"
    i = how % len(key)
    dropped, doubled = key[:i] + key[i + 1 :], key[:i] + key[i] * 2 + key[i:]
    return [dropped, key.upper(), key + "s", f" {key}", doubled][how % 5]


@st.composite
def yaml_files(draw: st.DrawFn, bases: list[Path]) -> bytes:
    """One of `bases`, mutated as a tree, dumped, then possibly damaged as text and as bytes."""
    tree = copy.deepcopy(BASES[draw(st.sampled_from(bases))])
    raws: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(tree) if isinstance(tree, dict | list) else []
        if not slots:
            break
        parent, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(["value", "raw", "misspell", "drop", "add"]))
        if op == "value":
            parent[key] = draw(VALUES)
        elif op == "raw":
            parent[key] = f"{MARK}{len(raws)}"
            raws.append(draw(RAW))
        elif op == "misspell" and isinstance(parent, dict) and isinstance(key, str):
            parent[_misspell(key, draw(st.integers(0, 99)))] = parent.pop(key)
        elif op == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(VALUES)
    text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=draw(st.booleans()), width=10_000)
    # Last first, so MARK1 is not found inside MARK10.
    for n in reversed(range(len(raws))):
        text = text.replace(f"{MARK}{n}", raws[n])
    data = text.encode()
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["bom", "bytes", "tab", "truncate", "duplicate"]))
        if kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
        elif kind == "tab":
            data = data[:at] + b"\n\t" + data[at:]
        elif kind == "truncate":
            data = data[:at]
        else:
            data = data + data[:at]  # keys written twice
    return data


def _names_a_file(line: str, source: str) -> bool:
    """Whether the line starts with `source` or another file's name: a campaign's problems
    include its playbooks', under their own file names."""
    if line.startswith(f"{source}: "):
        return True
    at = line.find(": ")
    while at != -1:
        try:
            if Path(line[:at]).is_file():
                return True
        except (OSError, ValueError):
            pass
        at = line.find(": ", at + 1)
    return False


def load_or_refuse(data: bytes, load: Any, name: str) -> Any:
    """What `load` made of the file, or None when it refused it in proper problem lines."""
    with example_folder() as folder:
        path = folder / name
        path.write_bytes(data)
        source = display_path(path)
        with guarded(folder):
            try:
                return load(path)
            except ConfigError as err:
                assert err.lines, "refused with no problem line"
                for line in err.lines:
                    assert_one_line(line)
                    assert _names_a_file(line, source), f"problem line names no file: {short(line)}"
        return None


def check_can_send(campaign: Campaign) -> None:
    # Loading is where a campaign is checked against what its sequences would trip over weeks
    # later: a sender it accepts must be one an email can be built from.
    build_message(
        SendRequest(
            key="k",
            account_id="ACC-1",
            campaign_id=campaign.id,
            touch=1,
            to_name="Aino Korhonen",
            to_email="aino@revontuli.example",
            sender=campaign.sender,
            subject="What changed since you left",
            body="Hi Aino,\n",
            unsubscribe_url="https://winback.example/u/abc",
        )
    )


@fuzz(ci=100, long=4000)
@given(data=yaml_files(CAMPAIGNS))
def test_any_campaign_file_loads_or_is_refused_one_line_per_problem(data: bytes) -> None:
    campaign = load_or_refuse(data, load_campaign, "campaign.yaml")
    if campaign is not None:
        check_can_send(campaign)


@fuzz(ci=100, long=4000)
@given(data=yaml_files(PLAYBOOKS))
def test_any_playbook_file_loads_or_is_refused_one_line_per_problem(data: bytes) -> None:
    load_or_refuse(data, load_playbook, "playbook.yaml")


@fuzz(ci=50, long=2000)
@given(data=yaml_files(APPROVERS))
def test_any_approvers_file_loads_or_is_refused_one_line_per_problem(data: bytes) -> None:
    load_or_refuse(data, load_approvers, "approvers.yaml")


@fuzz(ci=50, long=1000)
@given(data=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_any_bytes_as_a_campaign_load_or_are_refused_one_line_per_problem(data: bytes) -> None:
    load_or_refuse(data, load_campaign, "campaign.yaml")


def test_the_shipped_files_pass_through_the_mutator_unchanged() -> None:
    # Dumping the parsed tree again must still load: otherwise every mutation would be refused
    # for the dump's sake and the properties above would prove little.
    for path, load in LOADERS.items():
        with example_folder() as folder:
            copy_path = folder / path.name
            copy_path.write_text(yaml.safe_dump(BASES[path], sort_keys=False))
            load(copy_path)
