"""The accounts CSV: a CRM export, validated row by row.

Row problems are collected, not raised: a launch can refuse the whole file or, with
`--skip-invalid`, start the valid rows. Only problems with the file itself (missing, not
UTF-8, empty, header columns missing) raise ConfigError. Row numbers are spreadsheet rows:
the header is row 1 and the first account row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

from campaigns import countries, zones
from campaigns.errors import ConfigError, choose_from, closest, display_path
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
)
COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# It becomes part of the workflow id `winback-{account_id}`, visible and typed in the UI.
ACCOUNT_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE: Final = re.compile(rf"[^@\s<>(),;:\"]+@{_LABEL}(?:\.{_LABEL})+")
_DOMAIN_RE: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")
_NUMBER_RE: Final = re.compile(r"\d+(?:\.\d+)?")
# "12,000" or "12 000" (spreadsheets in many locales group with a space or no-break space);
# a comma not followed by exactly three digits could be a decimal comma, so it is refused.
_GROUPED_RE: Final = re.compile(r"\d{1,3}(?:([, \u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d+)?")
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
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
    source = display_path(path)
    text = _read_text(path, source)
    if not text.strip():
        raise ConfigError(
            [
                f"{source}: the file is empty; export the accounts with a header row such as "
                f"{','.join(REQUIRED_COLUMNS)}"
            ]
        )
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as err:
        raise ConfigError(
            [f"{source}: the file is not readable as CSV ({err}); export it again as CSV UTF-8"]
        ) from err
    header = _header(table[0], source)

    accounts: list[Account] = []
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    invalid: list[tuple[str, str]] = []
    rows = 0
    for index, cells in enumerate(table[1:]):
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        row = index + 2
        # Spreadsheets export rectangles, header included: a longer row has a stray comma.
        if len(cells) > len(table[0]):
            problem = (
                f"row {row}: has {len(cells)} values but the header has {len(table[0])} "
                "columns; a value probably contains a comma, so put quotes around it (or write "
                "numbers without thousands separators)"
            )
            errors.append(f"{source}: {problem}")
            first = cells[header["account_id"]].strip() if header["account_id"] < len(cells) else ""
            invalid.append((_row_name(first, row), problem))
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in header.items()}
        report = _RowReport(source, row)
        account = _account(values, report, seen_ids, row)
        errors.extend(report.lines)
        if report.lines:
            invalid.append((_row_name(values.get("account_id", ""), row), report.summary()))
        elif account is not None:
            accounts.append(account)
    return AccountsFile(
        accounts=tuple(accounts), errors=tuple(errors), rows=rows, invalid_rows=tuple(invalid)
    )


def _row_name(account_id: str, row: int) -> str:
    # How a skipped row is listed: by its id when it is one, else by its row number (a bad id
    # may be a page long or hold a line break; the row's problem quotes it).
    return account_id if ACCOUNT_ID_RE.fullmatch(account_id) else f"row {row}"


class _RowReport:
    """Problems of one row: `file: row N, column C: problem; fix`."""

    def __init__(self, source: str, row: int) -> None:
        self.source = source
        self.prefix = f"{source}: row {row}"
        self.lines: list[str] = []

    def __call__(self, column: str, problem: str) -> None:
        where = f"{self.prefix}, column {column}" if column else self.prefix
        self.lines.append(f"{where}: {problem}")

    def summary(self) -> str:
        """The row's problems without the file name, one after another."""
        return " | ".join(line[len(self.source) + 2 :] for line in self.lines)


def _read_text(path: Path, source: str) -> str:
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


def _delimiter(text: str) -> str:
    # Spreadsheets in many European locales export with ';' because ',' is the decimal mark.
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _normal_column(name: str) -> str:
    # "Account ID" and "account-id" are what people type in a spreadsheet header.
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _header(cells: list[str], source: str) -> dict[str, int]:
    header: dict[str, int] = {}
    lines: list[str] = []
    unknown: list[str] = []
    for i, cell in enumerate(cells):
        name = _normal_column(cell)
        if name in header:
            lines.append(f"{source}: row 1: column '{name}' appears twice; keep one of them")
        elif name in COLUMNS:
            header[name] = i
        elif name:
            unknown.append(name)
    for column in REQUIRED_COLUMNS:
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


def _account(
    v: dict[str, str],
    report: Callable[[str, str], None],
    seen_ids: dict[str, int],
    row: int,
) -> Account | None:
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
                f"'{account_id}' cannot be used as an id; it becomes a workflow id, so use only "
                "letters, digits, '.', '_' and '-' (no '@', no spaces), at most 64 characters, "
                "starting with a letter or digit",
            )
        elif account_id in seen_ids:
            report(
                "account_id",
                f"'{account_id}' is already used on row {seen_ids[account_id]}; give every "
                "account its own id",
            )
        else:
            seen_ids[account_id] = row

    company = required("company", "write the company name")

    domain = required("domain", "write the company's web domain such as example.fi").lower()
    if domain and not _DOMAIN_RE.fullmatch(domain):
        report(
            "domain",
            f"'{get('domain')}' is not a domain; write just the domain such as "
            "example.fi (no https:// and no path)",
        )

    country = countries.normalise(required("country", "write the two-letter ISO 3166 code such as FI"))
    country_ok = bool(country) and countries.is_code(country)
    if country and not country_ok:
        # The line already says ISO 3166; the fix need not repeat it.
        fix = countries.fix(country, otherwise="write the two-letter code such as FI, US or DE")
        report("country", f"'{get('country')}' is not an ISO 3166 country code; {fix}")

    timezone = get("timezone")
    if timezone:
        if not zones.is_zone(timezone):
            report("timezone", f"'{timezone}' is not an IANA time zone; {zones.zone_fix(timezone, country)}")
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

    arr = _arr(required("arr", "write the ARR as a plain number such as 12000"), report)

    churned_on: str | None = get("churned_on") or None
    if churned_on is not None and not _is_date(churned_on):
        report(
            "churned_on",
            f"'{churned_on}' is not a date; write it as YYYY-MM-DD such as "
            "2026-03-01, or leave it empty for an at-risk account",
        )

    reason = _keyword(get("churn_reason"))
    if not reason:
        report("churn_reason", f"is empty; use one of {', '.join(CHURN_REASONS)}")
    elif reason not in CHURN_REASONS:
        report(
            "churn_reason",
            f"unknown churn reason '{get('churn_reason')}'; {choose_from(reason, CHURN_REASONS)}",
        )

    departure = _keyword(get("departure")) or "neutral"
    if departure not in DEPARTURES:
        report(
            "departure",
            f"unknown departure '{get('departure')}'; "
            f"{choose_from(departure, DEPARTURES)} (empty means neutral)",
        )

    owner = required("owner", "write the CSM's email such as maria.lind@winback.example").lower()
    if owner:
        _check_email(owner, "owner", report)
    contact_name = required("contact_name", "write the contact's full name")
    contact_email = required("contact_email", "write the contact's email address")
    if contact_email:
        _check_email(contact_email, "contact_email", report)

    linkedin_url = get("linkedin_url")
    if linkedin_url:
        parsed = urlparse(linkedin_url)
        if parsed.scheme != "https" or not parsed.netloc:
            report(
                "linkedin_url",
                f"'{linkedin_url}' is not an https:// address; copy the full "
                "profile URL such as https://www.linkedin.com/in/name, or leave it empty",
            )

    locale = _locale(get("locale") or "en")
    if locale is None:
        report(
            "locale", f"'{get('locale')}' is not a language tag; write e.g. en, fi or pt-BR (empty means en)"
        )

    executive = None
    exec_name, exec_email = get("exec_name"), get("exec_email")
    if exec_name and not exec_email:
        report("exec_email", "is empty but exec_name is filled; add the executive's email or clear exec_name")
    elif exec_email and not exec_name:
        report("exec_name", "is empty but exec_email is filled; add the executive's name or clear exec_email")
    elif exec_email:
        _check_email(exec_email, "exec_email", report)
        executive = Contact(name=exec_name, email=exec_email, title=get("exec_title"))

    aliases = tuple(dict.fromkeys(a.strip() for a in get("aliases").split(";") if a.strip()))

    if arr is None or locale is None:
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
    )


def _arr(text: str, report: Callable[[str, str], None]) -> float | None:
    if not text:
        return None
    fix = "write the ARR as a plain number such as 12000 (12,000 works too; leave out the currency)"
    if text.startswith("-") and _NUMBER_RE.fullmatch(text[1:]):
        report("arr", f"'{text}' is negative; {fix}")
        return None
    if _NUMBER_RE.fullmatch(text):
        return float(text)
    match = _GROUPED_RE.fullmatch(text)
    if match:
        return float(text.replace(match.group(1), ""))
    report("arr", f"'{text}' is not a number; {fix}")
    return None


def _is_date(text: str) -> bool:
    if not _DATE_RE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _keyword(text: str) -> str:
    # "Product gap" and "product-gap" in a CRM picklist mean product_gap.
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _check_email(value: str, column: str, report: Callable[[str, str], None]) -> None:
    if not looks_like_email(value):
        report(column, f"'{value}' is not an email address; write it as name@company.com")


def looks_like_email(text: str) -> bool:
    """A plain address (no display name); deliverability is the mail provider's business."""
    return EMAIL_RE.fullmatch(text) is not None


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
