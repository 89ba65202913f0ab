"""Configuration problems, reported the way marketing ops can act on them.

Every problem is one line: `file: field: problem; fix`. Loaders collect all of them before
raising, so a user fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

# A message quotes at most this much of a value from a file: enough to recognise it, never
# so much that one line of output grows with the file.
EXCERPT_CHARS: Final = 60
# Characters that would break a message's one line (str.splitlines breaks on all of them), or
# hide in a terminal, shown as escapes instead.
_ESCAPES: Final = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, 0x85)},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

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


def excerpt(value: object, limit: int = EXCERPT_CHARS, *, quoted: bool = True) -> str:
    """A value from a file as a message quotes it: `'value'` on one line, or for a long one its
    first `limit` characters, "…" and its full size, so no message expands what a user wrote.

    Short values read as str() of them, so messages about ordinary mistakes are unchanged.
    """
    quote = "'" if quoted else ""
    if isinstance(value, str):
        text, size = value[: limit + 1], f"{len(value):,} characters"
    elif isinstance(value, list | tuple | set | dict):
        # Rendered piece by piece: str() of a huge or deeply nested value would build it whole.
        text = ""
        for piece in _pieces(value):
            text += piece
            if len(text) > limit:
                break
        kind = ("entry", "entries") if isinstance(value, dict) else ("item", "items")
        size = f"{len(value):,} {kind[len(value) != 1]}"
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        # Python refuses str() of an int with more than 4,300 digits; far fewer already say enough.
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    else:
        text = str(value)
        size = f"{len(text):,} characters"
    # Half a UTF-16 pair ("\ud800" in YAML) cannot be written to a terminal or file.
    text = text.translate(_ESCAPES).encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) <= limit:
        return f"{quote}{text}{quote}"
    return f"{quote}{text[:limit]}…{quote} ({size})"


def _pieces(value: object) -> Iterator[str]:
    """str(value) in pieces, as Python writes a list or dict (repr of what is inside)."""
    if isinstance(value, dict):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ", " if number else ""
            yield from _pieces_inside(key)
            yield ": "
            yield from _pieces_inside(item)
        yield "}"
    elif isinstance(value, list | tuple | set):
        brackets = "()" if isinstance(value, tuple) else "{}" if isinstance(value, set) else "[]"
        yield brackets[0]
        for number, item in enumerate(value):
            yield ", " if number else ""
            yield from _pieces_inside(item)
        yield ",)" if isinstance(value, tuple) and len(value) == 1 else brackets[1]
    else:
        yield str(value)


def _pieces_inside(value: object) -> Iterator[str]:
    if isinstance(value, dict | list | tuple | set):
        yield from _pieces(value)
    elif isinstance(value, str):
        # A long string is cut before repr(): the caller stops reading long before its end.
        yield repr(value[: EXCERPT_CHARS * 4])
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        yield "…"
    else:
        yield repr(value)


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
            problems.add(field, f"unknown key {excerpt(key)}; did you mean '{guess}'?")
        else:
            problems.add(field, f"unknown key {excerpt(key)}; use only {', '.join(known)}")
    for key, example in required.items():
        if key not in data and key not in guessed:
            problems.add(field, f"missing key '{key}'; add it, e.g. {example}")
