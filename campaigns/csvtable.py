"""A CRM export read as a table of cells, and the problems of the file as a whole.

Reading never guesses past a broken quote. Python's csv module, like a spreadsheet, reads
everything from a quote that opens a value to the quote that closes it as that one value,
line breaks and commas included; a stray quote therefore swallows the rest of the file (or
every row up to the next stray quote) into one cell, and what is left looks like a row with
empty columns. Such a file is refused as a whole, at the row where the quote opens: no row
after it can be trusted, so `--skip-invalid` must not plan what remains.

Rows are spreadsheet rows: a value with a line break inside quotes is still one row, and the
header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from campaigns.errors import ConfigError

__all__ = ["Table", "delimiter", "normal_column", "read_table", "read_text"]

_LINE_BREAK = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class Table:
    records: list[list[str]]  # records[0] is the header row; records[i] is row i + 1
    # Row number -> the problem of a quote that swallows the rows after it; only data rows,
    # a header with one is refused by read_table itself.
    broken_rows: dict[int, str]


def read_text(path: Path, source: str) -> str:
    """The file as text; ConfigError if it is missing, unreadable or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{source}: file not found; check the path and the file name"]) from None
    except OSError as err:
        raise ConfigError(
            [f"{source}: cannot read the file ({err.strerror}); check the path and permissions"]
        ) from None
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as err:
        row = data.count(b"\n", 0, err.start) + 1
        raise ConfigError(
            [f"{source}: row {row}: the file is not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'"]
        ) from None


def delimiter(text: str) -> str:
    # Spreadsheets in many European locales export with ';' because ',' is the decimal mark.
    first = _first_line(text)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(text: str, source: str, sep: str) -> Table:
    """Every record of non-empty `text`; a quote that breaks the header raises ConfigError."""
    records: list[list[str]] = []
    ends: list[int] = []  # the physical line each record ends on
    with _fields_up_to(len(text)):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            for cells in reader:
                records.append(cells)
                ends.append(reader.line_num)
        except csv.Error as err:
            raise ConfigError(
                [f"{source}: the file is not readable as CSV ({err}); export it again as CSV UTF-8"]
            ) from err
        broken = _broken_quotes(text, records, ends, sep)
    if 1 in broken:
        raise ConfigError([f"{source}: {broken[1]}"])
    return Table(records=records, broken_rows=broken)


@contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    # The csv module refuses a value over 128 KB ("field larger than field limit"), which is
    # what a stray quote in a large file produces: the whole text is in memory anyway, so
    # let the value be read and the quote be reported where it opens.
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _broken_quotes(text: str, records: list[list[str]], ends: list[int], sep: str) -> dict[int, str]:
    header = records[0] if records else []
    # A swallowed row keeps its separators: a line inside one value with as many as the
    # header line has is a row, not a note someone wrote over two lines.
    row_like = max(2, _first_line(text).count(sep))
    broken: dict[int, str] = {}
    for index, cells in enumerate(records):
        start = ends[index - 1] if index else 0
        if ends[index] - start < 2:
            continue  # one physical line: nothing swallowed
        for column, cell in enumerate(cells):
            lines = _LINE_BREAK.split(cell)
            if any(line.count(sep) >= row_like for line in lines[1:]):
                broken[index + 1] = (
                    f"row {index + 1}: a quote (\") opens {_where(header, index, column)} and closes "
                    f"only {ends[index] - start - 1} lines further down, so those lines would be "
                    "read as one value; close the quote where the value ends, or remove it"
                )
                break
    if records and _open_at_end(_last_record_text(text, ends), sep):
        last = len(records) - 1
        broken[last + 1] = (
            f"row {last + 1}: a quote (\") opens {_where(header, last, len(records[last]) - 1)} and "
            "never closes, so the rest of the file would be read as one value; close the quote "
            "or remove it"
        )
    return broken


def normal_column(name: str) -> str:
    """A header cell as a column name: "Account ID" and "account-id" are account_id."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _first_line(text: str) -> str:
    end = text.find("\n")
    return text if end < 0 else text[:end]


def _where(header: list[str], index: int, column: int) -> str:
    if index == 0:
        return "in the header"
    name = normal_column(header[column]) if column < len(header) else ""
    return f"in column {name or column + 1}"


def _last_record_text(text: str, ends: list[int]) -> str:
    before = ends[-2] if len(ends) > 1 else 0
    lines = io.StringIO(text, newline="").readlines()  # split as the csv reader was fed them
    return "".join(lines[before:])


def _open_at_end(record: str, sep: str) -> bool:
    """Whether the file ends inside a quoted value: strict reading fails, and a closing quote
    is all it takes to succeed."""

    def strict_ok(candidate: str) -> bool:
        try:
            for _ in csv.reader(io.StringIO(candidate, newline=""), delimiter=sep, strict=True):
                pass
        except csv.Error:
            return False
        return True

    return not strict_ok(record) and strict_ok(record + '"')
