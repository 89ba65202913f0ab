"""The accounts CSV, the way CRM exports and spreadsheets really break it: the example file's
rows with cells replaced, control characters and quotes inside cells, other delimiters, line
endings and encodings, columns missing, doubled or extra, rows repeated, bytes flipped.

Whatever the file, `load_accounts` either returns what it read or raises ConfigError, and every
problem is one line that names the file; what it accepts is data the rest of Winback can trust.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Callable
from datetime import date
from typing import Literal

import pytest
from hypothesis import Phase, given
from hypothesis import strategies as st

from campaigns import countries, zones
from campaigns.accounts import ACCOUNT_ID_RE, AccountsFile, load_accounts
from campaigns.errors import ConfigError, display_path
from tests.cli import EXAMPLES, REPO, env_for, winback_blocking
from tests.fuzz.support import (
    assert_one_line,
    assert_problem_lines,
    example_folder,
    fuzz,
    guarded,
    short,
)

EXAMPLE = EXAMPLES / "accounts.csv"
CAMPAIGN = EXAMPLES / "spring-winback.yaml"
HEADER, *BASE_ROWS = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"), newline="")))

CONTROLS = ["\r", "\n", "\r\n", "\x00", "\x1b[2J", "\x0b", "\x0c", "\x7f", "\x85", "\u2028", "\ufeff", "\t"]
NASTY = [
    '"',
    '""',
    '"unbalanced',
    "'",
    ";",
    ",",
    "\t",
    "{{ 7*7 }}",
    "{% raw %}",
    '=HYPERLINK("https://evil.example")',
    "<b>bold</b><script>alert(1)</script>",
    # numbers
    "9" * 400,
    "1" + "0" * 13,
    "1e309",
    "1e12",
    "inf",
    "nan",
    "-0",
    "-12000",
    "12,000",
    "12 000",
    "12\u00a0000",
    "12,00",
    "0x10",
    "١٢٠٠٠",
    "１２０００",
    # dates
    "0000-01-01",
    "0001-01-01",
    "1899-12-31",
    "2201-01-01",
    "9999-12-31",
    "2027-02-29",
    "2028-02-29",
    "2027-13-01",
    "2027-1-1",
    "20270101",
    "2027-01-01T10:00",
    "٢٠٢٧-٠١-٠١",
    # addresses, ids and zones that look almost right
    "../../etc/passwd@x.example",
    "..@x.example",
    "a/b@x.example",
    "a\\b@x.example",
    ".@x.example",
    "maria.lind@winback.example",
    "name <a@b.example>",
    "a@b.example, c@d.example",
    "ACC 1",
    "ACC/1",
    "-ACC",
    "x" * 65,
    "Europe/Helsinkk",
    "../../../etc/localtime",
    "Etc/GMT+99",
    "America/Chicago" * 300,
    "UTC",
    "en-" + "-".join(["abcdefgh"] * 60),
    "pt_BR",
    "",
    " ",
    "\u00a0",
]
# About a megabyte at most: the loaders are allowed a few seconds per megabyte.
MAX_CHARS = 1_000_000
HEADER_NAMES = ["Account ID", "account-id", "ACCOUNT_ID", "acount_id", "accountid", "", " ", "timezone", "x"]


def _inject(base: str, extra: str, at: int) -> str:
    at = min(at, len(base))
    return base[:at] + extra + base[at:]


def _cells(original: str) -> st.SearchStrategy[str]:
    """A replacement for one cell, usually related to what was there."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=30),
        st.builds(_inject, st.just(original), st.sampled_from(CONTROLS + NASTY), st.integers(0, 40)),
        st.builds(_inject, st.just(original), st.text(max_size=5), st.integers(0, 40)),
        # Very long cells: the longest is a third of a megabyte.
        st.integers(1, 300_000).map(lambda n: ((original or "x") * (n // max(1, len(original)) + 1))[:n]),
        st.just(f" {original.upper()} "),
    )


Table = tuple[list[str], list[list[str]]]
Edit = Callable[[st.DrawFn, list[str], list[list[str]]], Table]


def _drop_column(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    i = draw(st.integers(0, len(header) - 1))
    return header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]


def _double_column(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    i = draw(st.integers(0, len(header) - 1))
    return [*header, header[i]], [[*r, r[i] if i < len(r) else ""] for r in rows]


def _extra_column(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    name = draw(st.sampled_from(HEADER_NAMES) | st.text(max_size=12))
    return [*header, name], [[*r, draw(st.sampled_from(NASTY))] for r in rows]


def _rename_column(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    i = draw(st.integers(0, len(header) - 1))
    header = list(header)
    header[i] = draw(st.sampled_from(HEADER_NAMES) | st.builds(str.title, st.just(header[i])))
    return header, rows


def _shuffle_columns(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    order = draw(st.permutations(range(len(header))))
    return [header[i] for i in order], [[r[i] for i in order if i < len(r)] for r in rows]


def _ragged_row(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    if not rows:
        return header, rows
    i = draw(st.integers(0, len(rows) - 1))
    rows = [list(r) for r in rows]
    rows[i] = rows[i] + ["stray"] if draw(st.booleans()) else rows[i][: draw(st.integers(0, len(rows[i])))]
    return header, rows


def _blank_rows(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    at = draw(st.integers(0, len(rows)))
    return header, rows[:at] + [[]] * draw(st.integers(1, 3)) + rows[at:]


def _many_rows(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> Table:
    # A few thousand copies of one row, with fresh ids or the same one: every row problem at scale.
    if not rows:
        return header, rows
    row = rows[draw(st.integers(0, len(rows) - 1))]
    copies = min(draw(st.integers(2, 3000)), MAX_CHARS // max(1, sum(map(len, row))))
    fresh = draw(st.booleans()) and "account_id" in header
    at = header.index("account_id") if fresh else -1
    many = [[f"{c}-{n}" if j == at else c for j, c in enumerate(row)] for n in range(copies)]
    return header, rows + many


EDITS: list[Edit] = [
    _drop_column,
    _double_column,
    _extra_column,
    _rename_column,
    _shuffle_columns,
    _ragged_row,
    _blank_rows,
    _many_rows,
]


def _serialise(table: Table, delimiter: str, quoting: Literal[0, 1, 2, 3], terminator: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    header, rows = table
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _byte_edit(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "quote", "nul"]))
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 20)) :]
    if kind == "flip" and at < len(data):
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "truncate":
        return data[:at]
    if kind == "quote":
        return data[:at] + b'"' + data[at:]
    return data[:at] + b"\x00" + data[at:]


@st.composite
def _rows(draw: st.DrawFn) -> list[str]:
    # Each row carries its own edits, so shrinking a failure drops rows and edits together.
    row = list(draw(st.sampled_from(BASE_ROWS)))
    for column in draw(st.lists(st.integers(0, len(row) - 1), max_size=3)):
        row[column] = draw(_cells(row[column]))
    return row


@st.composite
def accounts_files(draw: st.DrawFn) -> bytes:
    """A mutated export of the example accounts, as the bytes of a file."""
    header = list(HEADER)
    rows = draw(st.lists(_rows(), max_size=6))
    for edit in draw(st.lists(st.sampled_from(EDITS), max_size=3)):
        if header:
            header, rows = edit(draw, header, rows)
    text = _serialise(
        (header, rows),
        draw(st.sampled_from([",", ";", "\t"])),
        draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )[:MAX_CHARS]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        data = _byte_edit(draw, data)
    return data


# What an accepted account may not hold: characters no one types into a spreadsheet cell, that
# break the lines of a message, a log or a terminal (a tab is whitespace a cell may keep).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _text_fields(account: object) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for name, value in vars(account).items():
        if isinstance(value, str):
            fields.append((name, value))
        elif isinstance(value, tuple):
            fields.extend((name, v) for v in value if isinstance(v, str))
        elif value is not None and hasattr(value, "__dataclass_fields__"):
            fields.extend((f"{name}.{n}", v) for n, v in _text_fields(value))
    return fields


def check_loaded(loaded: AccountsFile, source: str) -> None:
    """What a successful load promises: honest counts, one-line problems, trustworthy accounts."""
    assert len(loaded.accounts) + len(loaded.invalid_rows) == loaded.rows
    assert bool(loaded.errors) == bool(loaded.invalid_rows)
    if loaded.errors:
        assert_problem_lines(loaded.errors, [source])
    for where, problems in loaded.invalid_rows:
        # `--skip-invalid` prints each as one line: "skipped  {where}: {problems}".
        assert_one_line(where, "skipped row's name")
        assert "\n" not in problems and "\r" not in problems, f"skipped row's problems: {short(problems)}"
    ids = [a.account_id for a in loaded.accounts]
    assert len(set(ids)) == len(ids), "two accepted accounts share an id"
    for account in loaded.accounts:
        assert ACCOUNT_ID_RE.fullmatch(account.account_id)
        for name, value in _text_fields(account):
            assert not _CONTROL_RE.search(value), f"accepted {name} with a control character: {short(value)}"
        assert math.isfinite(account.arr) and 0 <= account.arr <= 10**12, f"accepted ARR {account.arr}"
        if account.churned_on is not None:
            churned = date.fromisoformat(account.churned_on)
            assert 1900 <= churned.year <= 2200, f"accepted churned_on {account.churned_on}"
        handle = account.owner_handle
        # The handle names the CSM's task folder: it must stay one plain folder name.
        assert handle not in ("", ".", "..") and not {"/", "\\"} & set(handle), f"owner {short(handle)}"
        assert zones.is_zone(account.timezone) and countries.is_code(account.country)


def load_or_refuse(data: bytes) -> None:
    with example_folder() as folder:
        path = folder / "accounts.csv"
        path.write_bytes(data)
        source = display_path(path)
        with guarded(folder):
            try:
                loaded = load_accounts(path)
            except ConfigError as err:
                assert_problem_lines(err.lines, [source])
                return
        check_loaded(loaded, source)


@fuzz(ci=150, long=4000)
@given(data=accounts_files())
def test_any_accounts_file_loads_or_is_refused_one_line_per_problem(data: bytes) -> None:
    load_or_refuse(data)


@fuzz(ci=50, long=2000)
@given(data=st.binary(max_size=2000))
def test_any_bytes_load_or_are_refused_one_line_per_problem(data: bytes) -> None:
    load_or_refuse(data)


def test_the_example_file_survives_the_checks_unchanged() -> None:
    # The properties above would pass vacuously if they refused everything.
    loaded = load_accounts(EXAMPLE)
    check_loaded(loaded, display_path(EXAMPLE))
    assert len(loaded.accounts) == len(BASE_ROWS) and not loaded.errors


# --- end to end: the real `winback plan` ------------------------------------------------------

_CACHES = {".git", ".venv", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__"}


def _repo_files() -> set[str]:
    found: set[str] = set()
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _CACHES]
        found.update(os.path.join(root, f) for f in files)
    return found


# A second a run: a handful of examples. Shrinking would rerun the command hundreds of times, and
# the in-process property above finds and shrinks the same defects.
@pytest.mark.integration  # runs the real winback command in a subprocess
@fuzz(ci=5, long=100, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=accounts_files(), skip_invalid=st.booleans())
def test_plan_answers_any_accounts_file_with_json_or_one_line_per_problem(
    data: bytes, skip_invalid: bool
) -> None:
    with example_folder() as folder:
        path = folder / "accounts.csv"
        path.write_bytes(data)
        before = _repo_files()
        run = winback_blocking(
            "plan",
            str(CAMPAIGN),
            "--accounts",
            str(path),
            "--as-of",
            "2027-01-15",
            "--json",
            *(["--skip-invalid"] if skip_invalid else []),
            env=env_for(None, folder / "data"),
        )
        # (A file someone creates in the working tree meanwhile trips this too.)
        new = _repo_files() ^ before
        assert not new, f"the command wrote into the repository: {sorted(new)[:5]}"
        # Refused means nothing half-done: not even a store in the data folder.
        assert run.code != 2 or not (folder / "data").exists(), "refused, yet opened the store"
    assert "Traceback" not in run.err, run.err[-2000:]
    assert run.code in (0, 2), f"exit {run.code}: {run.err[-2000:]}"
    if run.code == 2:
        assert run.out == "", "refused, yet printed a plan"
        assert_problem_lines(run.err.splitlines(), [str(path)])
        return
    doc = json.loads(run.out)
    assert list(doc) == ["accounts", "totals"]
    for line in run.err.splitlines():
        assert line.startswith("  skipped "), f"unexpected line on stderr: {short(line)}"
