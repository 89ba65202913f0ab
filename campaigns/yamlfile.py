"""Reading a campaign or playbook YAML file into its top-level mapping, whatever the file holds.

A file is checked before PyYAML builds anything from it: its composer and constructor recurse
(a file nested a hundred thousand levels deep is a RecursionError) and expand aliases (a few
hundred bytes of anchors can stand for gigabytes). Its scanner and parser are iterative, so the
event stream is walked first, with the same loader class, to enforce the limits below.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml

from campaigns.errors import Problems, excerpt

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NUMBER_CHARS", "read_yaml_mapping"]

# A campaign file is a few KiB; a playbook less. Far beyond any real one, small enough to
# read, scan twice and report on at once.
MAX_FILE_BYTES: Final = 256 * 1024
# Blocks and lists inside one another; a campaign file needs 4 (schedule.blackout[1].from).
MAX_DEPTH: Final = 20
# A number written with more characters than this stays text: every setting that takes a
# number then says what it takes, and Python's int() refuses (or str() of it refuses) beyond
# 4,300 digits.
MAX_NUMBER_CHARS: Final = 100

_NOT_HERE: Final = "YAML aliases (*name) and anchors (&name) are not supported here; write the values out"
# What a double-quoted "\0" or "\ud800" can put in a value and no setting can hold: control
# characters (tabs and line breaks aside) break paths and headers, half a UTF-16 pair cannot
# even be printed.
_UNHOLDABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers keys written twice, which PyYAML silently overwrites, and
    keeps as text what it cannot turn into a number or a date (the setting then says why)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An explicit tag on a value it does not fit (!!float abc, !!bool maybe, !!map abc)
        # fails inside PyYAML with whatever Python raises; report it where it is written.
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{excerpt(node.value)} cannot be read as {kind}", node.start_mark
            ) from None

    def int_or_text(self, node: yaml.ScalarNode) -> int | str:
        if len(node.value) > MAX_NUMBER_CHARS:
            return str(node.value)
        try:
            return self.construct_yaml_int(node)
        except (ValueError, IndexError):  # !!int abc, !!int ''
            return str(node.value)

    def date_or_text(self, node: yaml.ScalarNode) -> date | str:
        # 2027-13-45 has a date's shape but is no date: a ValueError deep inside PyYAML
        # (!!timestamp abc, an AttributeError).
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError, AttributeError):
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.int_or_text)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.date_or_text)


def read_yaml_mapping(path: Path, problems: Problems) -> dict[object, object] | None:
    """The file's top-level mapping, or None after adding why it cannot be read."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        refused = _refused_shape(text)
        if refused is not None:
            problems.add(*refused)
            return None
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        problems.add(
            f"line {line}",
            f"the file contains the control character #x{err.character:04x}, which YAML does not "
            "allow; remove it",
        )
        return None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = excerpt(err.problem or err.context or "invalid YAML", 120, quoted=False)
        problems.add(
            where,
            f"YAML syntax error: {what}; check the indentation there and put quotes around "
            "values that contain ': ' or start with a special character",
        )
        return None
    except yaml.YAMLError as err:
        problems.add("", f"YAML syntax error: {excerpt(str(err), 120, quoted=False)}; check the file is YAML")
        return None
    for key, line in loader.duplicate_keys:
        problems.add(f"line {line}", f"key {excerpt(key)} appears twice in the same block; keep one")
    if data is None:
        problems.add("", "the file is empty; write the settings as YAML key: value lines")
        return None
    if not isinstance(data, dict):
        problems.add("", "the file is not a YAML mapping; write it as key: value lines")
        return None
    return data


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # A pipe or a device would block or never end.
            problems.add("", "is not a regular file; give the path of a .yaml file")
            return None
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        problems.add("", "file not found; check the path and the file name")
        return None
    except OSError as err:
        problems.add("", f"cannot read the file ({err.strerror}); check the path and permissions")
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.add(
            "",
            f"the file has {max(size, len(data)):,} bytes, more than the {MAX_FILE_BYTES // 1024} KiB "
            "a campaign or playbook file may have; keep only its settings (a campaign needs a few KiB)",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.add("", f"byte {err.start} is not UTF-8; save the file as UTF-8 text")
        return None


def _refused_shape(text: str) -> tuple[str, str] | None:
    """(where, problem) for the first alias, anchor or nesting too deep, from the events alone."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark else ""
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            return line, _NOT_HERE
        if isinstance(event, yaml.ScalarEvent):
            bad = _UNHOLDABLE.search(event.value)
            if bad is not None:
                return line, (
                    f"{excerpt(event.value)} contains {excerpt(bad.group())}, a control character or "
                    "half of a UTF-16 pair that no setting can hold; remove it, or write the "
                    "character itself"
                )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return line, (
                    f"blocks and lists nested more than {MAX_DEPTH} deep; a campaign or playbook "
                    "needs at most a few levels, so close the brackets or remove the extra indentation"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None
