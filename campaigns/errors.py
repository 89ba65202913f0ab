"""Configuration problems, reported the way marketing ops can act on them.

Every problem is one line: `file: field: problem; fix`. Loaders collect all of them before
raising, so a user fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

# Characters that end a line or drive a terminal. A value quoted in a problem may hold them (a
# YAML string "\r\n", a NUL in a header cell); shown escaped, the problem stays one line.
_BREAKING = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with line breaks and control characters written as escapes such as \\n."""
    return _BREAKING.sub(lambda m: repr(m.group())[1:-1], text)


class ConfigError(Exception):
    """One or more problems in a campaign, playbook or accounts file; one line each."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines: list[str] = [one_line(line) for line in lines]
        super().__init__("\n".join(self.lines))

    def __str__(self) -> str:
        return "\n".join(self.lines)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def closest(word: str, options: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def choose_from(word: str, options: Iterable[str]) -> str:
    """The fix for a value outside a fixed set: the likely intended one, else the whole set."""
    options = list(options)
    guess = closest(word, options)
    if guess is not None:
        return f"did you mean '{guess}'?"
    return f"use one of {', '.join(options)}"


class Problems:
    """Collects one-line problems for one file, so a loader can report them all at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.lines.append(f"{self.source}: {field}: {message}" if field else f"{self.source}: {message}")

    def extend(self, lines: Iterable[str]) -> None:
        self.lines.extend(lines)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def raise_if_any(self) -> None:
        if self.lines:
            raise ConfigError(self.lines)


def check_keys(
    problems: Problems,
    field: str,
    data: dict[object, object],
    required: dict[str, str],
    optional: Iterable[str] = (),
) -> None:
    """Unknown and missing keys of one mapping; `required` maps each key to an example line.

    A typo yields one line, not two: when an unknown key looks like a missing one, only the
    "did you mean" line is reported.
    """
    known = [*required, *optional]
    guessed: set[str] = set()
    for key in data:
        if key in known:
            continue
        guess = closest(str(key), known)
        if guess is not None:
            guessed.add(guess)
            problems.add(field, f"unknown key '{key}'; did you mean '{guess}'?")
        else:
            problems.add(field, f"unknown key '{key}'; use only {', '.join(known)}")
    for key, example in required.items():
        if key not in data and key not in guessed:
            problems.add(field, f"missing key '{key}'; add it, e.g. {example}")
