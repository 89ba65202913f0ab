"""Playbook files: the touches a churn reason's sequence runs, validated on load.

A playbook is checked against everything a running sequence would otherwise trip over
weeks later: every template exists and renders (also without an offer, trigger or
executive contact), emails carry a subject, postal address and unsubscribe link, manual
touches have a deadline, and every tier gets 3-5 touches over 4-8 weeks.
"""

from __future__ import annotations

import os
import re
import traceback
from pathlib import Path
from typing import Any, Final

import yaml
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

from campaigns import templating
from campaigns.errors import ConfigError, Problems, check_keys, choose_from, closest, display_path
from campaigns.model import CHANNELS, MANUAL_CHANNELS, Playbook, Touch, Wait
from campaigns.tiers import TIERS
from campaigns.values import text_value

PLAYBOOK_DIR: Final = Path(__file__).resolve().parent / "playbooks"

MIN_TOUCHES: Final = 3
MAX_TOUCHES: Final = 5
MIN_SPAN_DAYS: Final = 28
MAX_SPAN_DAYS: Final = 56
# Channels whose message is an email someone receives, so the first line must be a subject.
SUBJECT_CHANNELS: Final = frozenset({"email", "content", "executive"})
# Channels sent automatically in bulk: the law wants a postal address and an opt-out in each.
BULK_CHANNELS: Final = frozenset({"email", "content"})

_ID_RE: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")

_TOP_KEYS: Final = {
    "id": "id: product_gap",
    "name": "name: Product gap now filled",
    "touches": "touches: [...] (a list of touches)",
}
_TOUCH_KEYS: Final = {
    "channel": "channel: email",
    "wait": 'wait: "3 business days"',
    "template": "template: product_gap/01_whats_new",
    "tiers": "tiers: [T1, T2, T3]",
}


_HUGE_INT: Final = 10**1000


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers keys written twice, which PyYAML silently overwrites."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            # A tag such as !!map or !!set on a scalar or a list: PyYAML would unpack it blindly.
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, but found a {node.id}", node.start_mark
            )
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep=deep)
            if isinstance(value, int) and abs(value) >= _HUGE_INT:
                # 0x and 5,000 f's reads fine but would fail every message that prints it.
                raise ValueError("more digits than Python prints")
            return value
        except (ValueError, LookupError, AttributeError, TypeError):
            # A date or number Python cannot hold (2027-02-30, an integer of 5,000 digits) or a
            # value its tag does not fit (!!bool maybe, !!int '') stays its text, so the setting's
            # own check reports it instead of the load crashing.
            if not isinstance(node, yaml.ScalarNode):
                raise
            self.recursive_objects.pop(node, None)
            self.constructed_objects[node] = node.value
            return node.value


def read_yaml_mapping(path: Path, problems: Problems) -> dict[object, object] | None:
    """The file's top-level mapping, or None after adding why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add("", "file not found; check the path and the file name")
        return None
    except UnicodeDecodeError as err:
        problems.add("", f"byte {err.start} is not UTF-8; save the file as UTF-8 text")
        return None
    except OSError as err:
        problems.add("", f"cannot read the file ({err.strerror}); check the path and permissions")
        return None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:
        # The reader refuses control characters (and U+FFFE, U+FFFF) before parsing anything.
        line = text.count("\n", 0, err.position) + 1
        code = err.character if isinstance(err.character, int) else 0
        escape = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        problems.add(
            f"line {line}",
            f"the character U+{code:04X} is not allowed in YAML; remove it, or write it inside "
            f'double quotes as the escape "{escape}"',
        )
        return None
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = err.problem or err.context or "invalid YAML"
        problems.add(
            where,
            f"YAML syntax error: {what}; check the indentation there and put quotes around "
            "values that contain ': ' or start with a special character",
        )
        return None
    except yaml.YAMLError as err:
        problems.add("", f"YAML syntax error: {err}; check the file is YAML")
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicate_keys:
        problems.add(f"line {line}", f"key '{key}' appears twice in the same block; keep one")
    if data is None:
        problems.add("", "the file is empty; write the settings as YAML key: value lines")
        return None
    if not isinstance(data, dict):
        problems.add("", "the file is not a YAML mapping; write it as key: value lines")
        return None
    return data


def load_playbook(path: Path, *, templates_root: Path = templating.ROOT) -> Playbook:
    """Read and validate one playbook file; ConfigError lists every problem, one per line."""
    problems = Problems(display_path(path))
    data = read_yaml_mapping(path, problems)
    if data is None:
        raise ConfigError(problems.lines)
    check_keys(problems, "", data, _TOP_KEYS, optional=("description",))

    playbook_id = None
    if "id" in data:
        playbook_id = text_value(problems, "id", data["id"], "id: product_gap")
        if playbook_id is not None and not _ID_RE.fullmatch(playbook_id):
            problems.add(
                "id",
                f"'{playbook_id}' is not a valid playbook id; use lower-case letters, digits, "
                "'_' and '-', e.g. product_gap",
            )
    name = None
    if "name" in data:
        name = text_value(problems, "name", data["name"], "name: Product gap now filled")
    description = ""
    if data.get("description") is not None:
        description = str(data["description"]).strip()

    touches = _touches(problems, data.get("touches"), "touches" in data, templates_root)
    if touches is not None:
        _check_tiers(problems, touches)
    problems.raise_if_any()
    assert playbook_id is not None and name is not None and touches is not None
    return Playbook(id=playbook_id, name=name, touches=tuple(touches), description=description)


def _touches(problems: Problems, raw: object, present: bool, templates_root: Path) -> list[Touch] | None:
    """Every touch, or None when any is broken (tier checks on a partial list mislead)."""
    if not present:
        return None  # already reported as a missing key
    if not isinstance(raw, list) or not raw:
        problems.add(
            "touches",
            "must be a list of touches, each a block with channel, wait, template and tiers",
        )
        return None
    touches: list[Touch] = []
    complete = True
    for number, item in enumerate(raw, start=1):
        touch = _touch(problems, f"touches[{number}]", item, templates_root)
        if touch is None:
            complete = False
        else:
            touches.append(touch)
    return touches if complete else None


def _touch(problems: Problems, where: str, item: object, templates_root: Path) -> Touch | None:
    if not isinstance(item, dict):
        problems.add(where, "must be a block with channel, wait, template and tiers")
        return None
    before = len(problems.lines)
    check_keys(problems, where, item, _TOUCH_KEYS, optional=("deadline",))

    channel = None
    if "channel" in item:
        value = "" if item["channel"] is None else str(item["channel"]).strip()
        if value in CHANNELS:
            channel = value
        else:
            problems.add(f"{where}.channel", f"unknown channel '{value}'; {choose_from(value, CHANNELS)}")

    wait = None
    if "wait" in item:
        wait = _duration(problems, f"{where}.wait", item["wait"])

    tiers = None
    if "tiers" in item:
        tiers = _tiers(problems, f"{where}.tiers", item["tiers"])

    template = None
    if "template" in item:
        template = text_value(
            problems, f"{where}.template", item["template"], "template: product_gap/01_whats_new"
        )
        if template is not None:
            _check_template(problems, f"{where}.template", template, channel, templates_root)

    deadline = None
    if channel in MANUAL_CHANNELS:
        if "deadline" not in item:
            problems.add(
                where,
                f"missing key 'deadline'; {_a(channel)} touch needs one (how long the owner has "
                'to do it), e.g. deadline: "2 business days"',
            )
        else:
            deadline = _duration(problems, f"{where}.deadline", item["deadline"])
            if deadline is not None and deadline.amount == 0:
                problems.add(
                    f"{where}.deadline",
                    'must be at least 1 day; write e.g. "2 business days"',
                )
    elif channel is not None and "deadline" in item:
        problems.add(
            f"{where}.deadline",
            f"{_a(channel)} touch has no deadline (only linkedin, call and executive touches do); remove it",
        )

    if len(problems.lines) != before:
        return None
    assert channel is not None and wait is not None and template is not None and tiers is not None
    return Touch(channel=channel, wait=wait, template=template, tiers=tiers, deadline=deadline)


def _duration(problems: Problems, field: str, value: object) -> Wait | None:
    try:
        return Wait.parse("" if value is None else str(value))
    except ValueError as err:
        problems.add(field, str(err))
        return None


def _tiers(problems: Problems, field: str, value: object) -> tuple[str, ...] | None:
    # A lone `tiers: T1` is unambiguous, so it is accepted like a one-item list.
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        problems.add(field, "must list at least one tier; write e.g. [T1, T2, T3]")
        return None
    tiers: list[str] = []
    ok = True
    for item in items:
        tier = str(item).strip()
        if tier not in TIERS:
            problems.add(field, f"unknown tier '{tier}'; use one of {', '.join(TIERS)}")
            ok = False
        elif tier not in tiers:
            tiers.append(tier)
    return tuple(tiers) if ok else None


def _check_template(problems: Problems, field: str, name: str, channel: str | None, root: Path) -> None:
    if not templating.exists(name, templating.DEFAULT_LOCALE, root):
        expected = display_path(root / templating.DEFAULT_LOCALE / f"{name}{templating.SUFFIX}")
        guess = closest(name, _template_names(root))
        fix = f"did you mean '{guess}'?" if guess else f"create {expected} or fix the name"
        problems.add(field, f"template '{name}' not found; {fix}")
        return
    # Every translation is a separate file, so each one is rendered on its own.
    locales = sorted(
        d.name for d in root.iterdir() if d.is_dir() and (d / f"{name}{templating.SUFFIX}").is_file()
    )
    for locale in locales:
        problem = template_problem(name, locale, channel, root)
        if problem is not None:
            problems.add(field, problem)


def _template_names(root: Path) -> list[str]:
    base = root / templating.DEFAULT_LOCALE
    if not base.is_dir():
        return []
    return sorted(
        p.relative_to(base).as_posix()[: -len(templating.SUFFIX)] for p in base.rglob(f"*{templating.SUFFIX}")
    )


def sparse_context() -> dict[str, Any]:
    """sample_context() as a plain account sees it: no offer, trigger or executive contact,
    no churn detail, competitor or churn date (at-risk accounts have not churned)."""
    context = templating.sample_context()
    context["offer"] = None
    context["trigger"] = None
    context["executive"] = None
    context["account"] = {
        **context["account"],
        "churn_detail": "",
        "competitor": "",
        "churned_on": "",
    }
    return context


def template_problem(name: str, locale: str, channel: str | None, root: Path) -> str | None:
    """What is wrong with one template file in one locale, as the problem part of a line."""
    rel = templating.resolve(name, locale, root)
    assert rel is not None
    shown = display_path(root / rel)
    full = templating.sample_context()
    try:
        rendered = templating.render(name, locale, full, root)
    except TemplateSyntaxError as err:
        return f"{shown} line {err.lineno}: syntax error: {err.message}; fix the Jinja syntax there"
    except UndefinedError as err:
        return (
            f"{shown}{_line_of(err, root / rel)}: {err.message}; use only the variables "
            "listed in sample_context() in templates/__init__.py"
        )
    except (TemplateError, TypeError, ValueError, AttributeError) as err:
        return f"{shown}{_line_of(err, root / rel)}: does not render ({err}); fix the template"
    try:
        templating.render(name, locale, sparse_context(), root)
    except (TemplateError, TypeError, ValueError, AttributeError) as err:
        return (
            f"{shown}{_line_of(err, root / rel)}: does not render for an account without an "
            f"offer, trigger or executive contact ({err}); wrap those parts in "
            "{% if offer %}...{% endif %} (likewise trigger, executive)"
        )
    if channel in SUBJECT_CHANNELS and not rendered.subject:
        return f"{shown}: no subject; {_a(channel)} template's first line is 'Subject: ...'"
    if channel in BULK_CHANNELS:
        if full["unsubscribe_url"] not in rendered.body:
            return (
                f"{shown}: no unsubscribe link; end every email with a line containing "
                "{{ unsubscribe_url }}"
            )
        if full["sender"]["postal_address"] not in rendered.body:
            return (
                f"{shown}: no postal address; end every email with the sender name and "
                "{{ sender.postal_address }}"
            )
    return None


def _line_of(err: BaseException, template_file: Path) -> str:
    """' line N' from the template frame Jinja puts into the traceback, or ''."""
    target = os.path.normpath(str(template_file))
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.normpath(frame.filename) == target:
            line = frame.lineno
    return f" line {line}" if line else ""


def _check_tiers(problems: Problems, touches: list[Touch]) -> None:
    playbook = Playbook(id="", name="", touches=tuple(touches))
    spans: dict[str, float] = {}
    for tier in TIERS:
        plan = playbook.for_tier(tier)
        count = len(plan)
        if count < MIN_TOUCHES:
            problems.add(
                "touches",
                f"tier {tier} gets {_touches_word(count)}; a tier needs {MIN_TOUCHES} to "
                f"{MAX_TOUCHES}, so add {tier} to more touches' tiers",
            )
        elif count > MAX_TOUCHES:
            problems.add(
                "touches",
                f"tier {tier} gets {_touches_word(count)}; a tier needs {MIN_TOUCHES} to "
                f"{MAX_TOUCHES}, so remove {tier} from some touches' tiers",
            )
        if plan:
            spans[tier] = sum(w.approx_days() for touch in plan[1:] for w in touch.waits)
    if not spans:
        return
    longest = max(spans, key=lambda tier: spans[tier])
    days = spans[longest]
    if not MIN_SPAN_DAYS <= days <= MAX_SPAN_DAYS:
        change = "lengthen" if days < MIN_SPAN_DAYS else "shorten"
        problems.add(
            "touches",
            f"the longest tier ({longest}) spans {days:.1f} days from first to last touch; "
            f"keep it between {MIN_SPAN_DAYS} and {MAX_SPAN_DAYS} days (4-8 weeks), so "
            f"{change} the waits",
        )


def _touches_word(count: int) -> str:
    return f"{count} touch" if count == 1 else f"{count} touches"


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"
