"""The accounts CSV: a CRM export, validated row by row.

Row problems are collected, not raised: a launch can refuse the whole file or, with
`--skip-invalid`, start the valid rows. Only problems with the file itself (missing, not
UTF-8, empty, header columns missing, a quote that swallows the rows after it: see
campaigns/csvtable.py) raise ConfigError. Row numbers are spreadsheet rows: the header is
row 1 and the first account row 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Generic, TypeVar
from urllib.parse import urlparse

from campaigns import cells, countries, zones
from campaigns.cells import looks_like_email as looks_like_email  # campaign.py checks senders alike
from campaigns.csvtable import delimiter, normal_column, read_table, read_text
from campaigns.errors import ConfigError, choose_from, closest, display_path, excerpt
from campaigns.model import CHURN_REASONS, DEPARTURES, Account, Contact

REQUIRED_COLUMNS: Final = (
    "account_id",
    "company",
    "domain",
    "country",
    "arr",
    "churned_on",
    "churn_reason",
    "owner",
    "contact_name",
    "contact_email",
)
# Empty when the column is absent: a CRM export without LinkedIn URLs is still usable.
OPTIONAL_COLUMNS: Final = (
    "timezone",
    "churn_detail",
    "competitor",
    "departure",
    "contact_title",
    "linkedin_url",
    "locale",
    "exec_name",
    "exec_email",
    "exec_title",
    "aliases",
    # ISO 4217 code the account is billed in; empty: the country's currency (campaigns/locales.py).
    "currency",
    # The owner's (CSM's) language for task notes; empty: en.
    "owner_locale",
)
COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

T = TypeVar("T")

# It becomes part of the workflow id `winback-{account_id}`, visible and typed in the UI.
ACCOUNT_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A sequence's workflow id is "winback-<account id>" and a launch's "winback-launch-<campaign
# id>": an account called "launch-x" would share its id with campaign x's launch, and Temporal
# runs one workflow per id (contracts/ids.py builds both from this prefix).
RESERVED_ACCOUNT_ID_PREFIX: Final = "launch-"
_DOMAIN_RE: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")
_LOCALE_RE: Final = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class AccountsFile:
    accounts: tuple[Account, ...]  # the valid rows, in file order
    errors: tuple[str, ...]  # one line per problem, for every invalid row
    rows: int  # account rows read, valid or not; blank rows are not counted
    # (account id, or "row N" when it has none; its problems) per invalid row, so a
    # `--skip-invalid` launch or a simulation can list what it left out.
    invalid_rows: tuple[tuple[str, str], ...] = ()


def load_accounts(path: Path) -> AccountsFile:
    """Read the CSV; raises ConfigError only for problems with the file as a whole."""
    read = read_rows(path, parse_account)
    return AccountsFile(
        accounts=read.items, errors=read.errors, rows=read.rows, invalid_rows=read.invalid_rows
    )


@dataclass(frozen=True)
class Rows(Generic[T]):
    """What read_rows made of a file: the valid rows' records and one line per problem."""

    items: tuple[T, ...]  # the valid rows, in file order
    errors: tuple[str, ...]
    rows: int  # rows read, valid or not; blank rows are not counted
    invalid_rows: tuple[tuple[str, str], ...]  # as AccountsFile.invalid_rows


def read_rows(
    path: Path,
    parse: RowParser[T],
    *,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
    optional: tuple[str, ...] = OPTIONAL_COLUMNS,
) -> Rows[T]:
    """Read an accounts-shaped CSV with `parse` for each row; raises ConfigError only for
    problems with the file as a whole. Files with more columns than the accounts file (the
    saves file of campaigns/renewals.py) pass theirs and a parser that calls parse_account."""
    source = display_path(path)
    text = read_text(path, source)
    if not text.strip():
        raise ConfigError(
            [
                f"{source}: the file is empty; export the accounts with a header row such as "
                f"{','.join(required)}"
            ]
        )
    parsed = read_table(text, source, delimiter(text))
    table = parsed.records
    header = _header(table[0], source, required, (*required, *optional))

    items: list[T] = []
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    invalid: list[tuple[str, str]] = []
    rows = 0
    columns = list(header.items())
    last_column = max(header.values())
    for index, record in enumerate(table[1:]):
        if not any(cell.strip() for cell in record):
            continue
        rows += 1
        row = index + 2
        if row in parsed.broken_rows:
            # Its cells hold the rest of the file: any other problem they show is noise.
            errors.append(f"{source}: {parsed.broken_rows[row]}")
            continue
        # Spreadsheets export rectangles, header included: a longer row has a stray comma.
        if len(record) > len(table[0]):
            problem = (
                f"row {row}: has {len(record)} values but the header has {len(table[0])} "
                "columns; a value probably contains a comma, so put quotes around it (or write "
                "numbers without thousands separators)"
            )
            errors.append(f"{source}: {problem}")
            first = record[header["account_id"]].strip() if header["account_id"] < len(record) else ""
            invalid.append((_row_name(first, row), problem))
            continue
        if len(record) > last_column:
            values = {name: record[i].strip() for name, i in columns}
        else:
            values = {name: (record[i].strip() if i < len(record) else "") for name, i in columns}
        report = RowReport(source, row)
        if cells.CONTROL_RE.search("".join(values.values())):
            _control_characters(values, report)
        item = parse(values, report, seen_ids, row)
        errors.extend(report.lines)
        if report.lines:
            invalid.append((_row_name(values.get("account_id", ""), row), report.summary()))
        elif item is not None:
            items.append(item)
    if parsed.broken_rows:
        raise ConfigError(errors)  # no row after a broken quote can be trusted, nor skipped
    return Rows(items=tuple(items), errors=tuple(errors), rows=rows, invalid_rows=tuple(invalid))


def _row_name(account_id: str, row: int) -> str:
    # How a skipped row is listed: by its id when it is one, else by its row number (a bad id
    # may be a page long or hold a line break; the row's problem quotes it).
    return account_id if ACCOUNT_ID_RE.fullmatch(account_id) else f"row {row}"


class RowReport:
    """Problems of one row: `file: row N, column C: problem; fix`."""

    def __init__(self, source: str, row: int) -> None:
        self.source = source
        self.prefix = f"{source}: row {row}"
        self.lines: list[str] = []
        # Columns already reported for what they contain: one line for them, never a second
        # one that would echo the value.
        self.quiet: set[str] = set()

    def __call__(self, column: str, problem: str) -> None:
        if column in self.quiet:
            return
        where = f"{self.prefix}, column {column}" if column else self.prefix
        self.lines.append(f"{where}: {problem}")

    def summary(self) -> str:
        """The row's problems without the file name, one after another."""
        return " | ".join(line[len(self.source) + 2 :] for line in self.lines)


# Makes a row's record from its trimmed cells (every known column, "" when absent), reporting
# each problem through the RowReport; the seen ids and the row number catch a repeated id.
RowParser = Callable[[dict[str, str], RowReport, dict[str, int], int], T | None]


def _header(
    names: list[str], source: str, required: tuple[str, ...], known: tuple[str, ...]
) -> dict[str, int]:
    header: dict[str, int] = {}
    lines: list[str] = []
    unknown: list[str] = []
    for i, cell in enumerate(names):
        name = normal_column(cell)
        if name in header:
            lines.append(f"{source}: row 1: column '{name}' appears twice; keep one of them")
        elif name in known:
            header[name] = i
        elif name:
            unknown.append(name)
    for column in required:
        if column in header:
            continue
        guess = closest(column, unknown)
        if guess is not None:
            lines.append(f"{source}: row 1: missing column '{column}'; rename column '{guess}' to {column}")
        else:
            lines.append(f"{source}: row 1: missing column '{column}'; add it to the header row")
    if lines:
        raise ConfigError(lines)
    return header


def _control_characters(values: dict[str, str], report: RowReport) -> None:
    for column, value in values.items():
        problem = cells.control_problem(value)
        if problem is not None:
            report(column, problem)
            report.quiet.add(column)


def parse_account(
    v: dict[str, str],
    report: Callable[[str, str], None],
    seen_ids: dict[str, int],
    row: int,
) -> Account | None:
    """One row's Account, or None when a problem was reported (every problem is)."""

    def get(column: str) -> str:
        return v.get(column, "")

    def required(column: str, fix: str) -> str:
        value = get(column)
        if not value:
            report(column, f"is empty; {fix}")
        return value

    account_id = required("account_id", "every account needs an id such as ACC-1001")
    if account_id:
        if not ACCOUNT_ID_RE.fullmatch(account_id):
            report(
                "account_id",
                f"{excerpt(account_id)} cannot be used as an id; it becomes a workflow id, so use only "
                "letters, digits, '.', '_' and '-' (no '@', no spaces), at most 64 characters, "
                "starting with a letter or digit",
            )
        elif account_id.startswith(RESERVED_ACCOUNT_ID_PREFIX):
            report(
                "account_id",
                f"{excerpt(account_id)} cannot be used as an id; ids starting with "
                f"'{RESERVED_ACCOUNT_ID_PREFIX}' are reserved for campaign launches, so rename it "
                "(e.g. ACC-" + account_id + ")",
            )
        elif account_id in seen_ids:
            report(
                "account_id",
                f"{excerpt(account_id)} is already used on row {seen_ids[account_id]}; give every "
                "account its own id",
            )
        else:
            seen_ids[account_id] = row

    company = required("company", "write the company name")

    domain = required("domain", "write the company's web domain such as example.fi").lower()
    if domain and not _DOMAIN_RE.fullmatch(domain):
        report(
            "domain",
            f"{excerpt(get('domain'))} is not a domain; write just the domain such as "
            "example.fi (no https:// and no path)",
        )

    country = countries.normalise(required("country", "write the two-letter ISO 3166 code such as FI"))
    country_ok = bool(country) and countries.is_code(country)
    if country and not country_ok:
        # The line already says ISO 3166; the fix need not repeat it.
        fix = countries.fix(country, otherwise="write the two-letter code such as FI, US or DE")
        report("country", f"{excerpt(get('country'))} is not an ISO 3166 country code; {fix}")

    timezone = get("timezone")
    if timezone:
        if not zones.is_zone(timezone):
            fix = zones.zone_fix(timezone, country)
            report("timezone", f"{excerpt(timezone)} is not an IANA time zone; {fix}")
    elif country_ok:
        resolved = zones.zone_for_country(country)
        if resolved is None:
            listed = zones.country_zones(country)
            example = f" such as {listed[0]}" if listed else " such as Europe/Helsinki"
            report(
                "", f"timezone is empty and {country} has several time zones; fill in an IANA zone{example}"
            )
        else:
            timezone = resolved

    arr_text = required("arr", "write the ARR as a plain number such as 12000")
    arr = cells.arr(arr_text, report) if arr_text else None

    churned_on: str | None = get("churned_on") or None
    if churned_on is not None:
        cells.check_date(churned_on, "churned_on", "or leave it empty for an at-risk account", report)

    reason = keyword(get("churn_reason"))
    if not reason:
        report("churn_reason", f"is empty; use one of {', '.join(CHURN_REASONS)}")
    elif reason not in CHURN_REASONS:
        report(
            "churn_reason",
            f"unknown churn reason {excerpt(get('churn_reason'))}; {choose_from(reason, CHURN_REASONS)}",
        )

    departure = keyword(get("departure")) or "neutral"
    if departure not in DEPARTURES:
        report(
            "departure",
            f"unknown departure {excerpt(get('departure'))}; "
            f"{choose_from(departure, DEPARTURES)} (empty means neutral)",
        )

    owner = required("owner", "write the CSM's email such as maria.lind@winback.example").lower()
    if owner and cells.check_email(owner, "owner", report):
        cells.check_handle(owner, report)
    contact_name = required("contact_name", "write the contact's full name")
    contact_email = required("contact_email", "write the contact's email address")
    if contact_email:
        cells.check_email(contact_email, "contact_email", report)

    linkedin_url = get("linkedin_url")
    if linkedin_url:
        parsed = urlparse(linkedin_url)
        if parsed.scheme != "https" or not parsed.netloc:
            report(
                "linkedin_url",
                f"{excerpt(linkedin_url)} is not an https:// address; copy the full "
                "profile URL such as https://www.linkedin.com/in/name, or leave it empty",
            )

    # Empty stays empty: the country's language, decided when a message is written
    # (campaigns/locales.py). A tag that is not a tag is refused; a real tag of a language we
    # have no templates for is kept and written in English.
    locale = _locale(get("locale")) if get("locale") else ""
    if locale is None:
        report(
            "locale",
            f"{excerpt(get('locale'))} is not a language tag; write e.g. en, fi, zh-TW or pt-BR "
            "(empty means the country's language)",
        )
    owner_locale = _locale(get("owner_locale")) if get("owner_locale") else ""
    if owner_locale is None:
        report(
            "owner_locale",
            f"{excerpt(get('owner_locale'))} is not a language tag; write e.g. en, fi or de "
            "(empty means en)",
        )
    currency = cells.currency(get("currency"), report)

    executive = None
    exec_name, exec_email = get("exec_name"), get("exec_email")
    if exec_name and not exec_email:
        report("exec_email", "is empty but exec_name is filled; add the executive's email or clear exec_name")
    elif exec_email and not exec_name:
        report("exec_name", "is empty but exec_email is filled; add the executive's name or clear exec_email")
    elif exec_email:
        cells.check_email(exec_email, "exec_email", report)
        executive = Contact(name=exec_name, email=exec_email, title=get("exec_title"))

    aliases = tuple(dict.fromkeys(a.strip() for a in get("aliases").split(";") if a.strip()))

    if arr is None or locale is None or owner_locale is None or currency is None:
        return None  # reported above; the caller drops rows with any problem
    return Account(
        account_id=account_id,
        company=company,
        domain=domain,
        country=country,
        timezone=timezone,
        arr=arr,
        churned_on=churned_on,
        churn_reason=reason,
        churn_detail=get("churn_detail"),
        competitor=get("competitor"),
        departure=departure,
        owner=owner,
        contact=Contact(
            name=contact_name,
            email=contact_email,
            title=get("contact_title"),
            linkedin_url=linkedin_url,
        ),
        locale=locale,
        executive=executive,
        aliases=aliases,
        currency=currency,
        owner_locale=owner_locale,
    )


# Picklist values repeat in every row: each distinct one is worked out once (also _locale).
@lru_cache(maxsize=1024)
def keyword(text: str) -> str:
    """A picklist value as the rules name it: "Product gap" and "product-gap" mean product_gap."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


@lru_cache(maxsize=1024)
def _locale(text: str) -> str | None:
    tag = text.replace("_", "-")
    if not _LOCALE_RE.fullmatch(tag):
        return None
    # Template directories are named like "fi" and "pt-BR"; case must match on disk.
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)
