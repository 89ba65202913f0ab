"""What one cell of the accounts CSV may hold: no control characters, an owner that works as a
folder name, a plausible year and a plausible ARR; one line for each cell that breaks a rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from campaigns.accounts import COLUMNS, AccountsFile, load_accounts
from tests.test_accounts import GOOD


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(**change: str) -> AccountsFile:
    """The good row with `change`, written as Excel does: CRLF rows, a value with a line
    break in quotes (whose line break, CR or LF, the CSV then keeps inside the value)."""
    with Path("accounts.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\r\n")
        writer.writeheader()
        writer.writerow({**GOOD, **change})
    return load_accounts(Path("accounts.csv"))


def errors(**change: str) -> list[str]:
    result = load(**change)
    assert result.accounts == ()
    return list(result.errors)


# ------------------------------------------------------------------ control characters

# Every column, each with a value that is valid but for the character put into it.
CARRIERS: dict[str, str] = {
    **{column: GOOD[column] or "Valid" for column in COLUMNS},
    "account_id": "ACC-1",
    "timezone": "Europe/Helsinki",
    "owner": "maria.lind@winback.example",
    "exec_email": "mikko@esimerkki.example",
    "linkedin_url": "https://linkedin.example/in/aino",
    "locale": "fi",
    "departure": "graceful",
    "currency": "EUR",
    "owner_locale": "fi",
}
WITH_EXEC = {"exec_name": "Mikko Lehtinen", "exec_email": "mikko@esimerkki.example"}


def spoiled(value: str, char: str) -> str:
    middle = len(value) // 2
    return value[:middle] + char + value[middle:]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("char", ["\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029"])
def test_a_line_break_in_any_cell_is_one_line(column: str, char: str) -> None:
    change = {**WITH_EXEC, column: spoiled(CARRIERS[column], char)}
    assert errors(**change) == [
        f"accounts.csv: row 2, column {column}: contains a line break; remove it in the CRM export"
    ]


@pytest.mark.parametrize(
    "column",
    [
        "company",
        "contact_name",
        "contact_title",
        "exec_name",
        "exec_title",
        "churn_detail",
        "competitor",
        "aliases",
        "owner",
    ],
)
@pytest.mark.parametrize(
    ("char", "code"), [("\x00", "0000"), ("\x1b", "001B"), ("\t", "0009"), ("\x7f", "007F"), ("\x9b", "009B")]
)
def test_a_control_character_is_named_by_its_code_point(column: str, char: str, code: str) -> None:
    change = {**WITH_EXEC, column: spoiled(CARRIERS[column], char)}
    assert errors(**change) == [
        f"accounts.csv: row 2, column {column}: contains a control character U+{code}; remove it "
        "in the CRM export"
    ]


def test_each_spoiled_cell_of_a_row_is_its_own_line() -> None:
    assert errors(company="Acme\x1b[2J Oy", contact_name="Aino\nKorhonen", arr="ten") == [
        "accounts.csv: row 2, column company: contains a control character U+001B; remove it in "
        "the CRM export",
        "accounts.csv: row 2, column contact_name: contains a line break; remove it in the CRM export",
        "accounts.csv: row 2, column arr: 'ten' is not a number; write the ARR as a plain number "
        "such as 12000 (12,000 works too; leave out the currency)",
    ]


@pytest.mark.parametrize(
    "name", ["Zoë O'Brien-Łukasiewicz", "山田 太郎", "José Müller", "Nguyễn Thị Minh Khai", "Ōta Ren"]
)
def test_names_in_any_script_are_fine(name: str) -> None:
    result = load(contact_name=name, company=f"{name} & Co", exec_name=name, exec_email="x@e.example")
    assert result.errors == ()
    assert result.accounts[0].contact.name == name


# ------------------------------------------------------------------ the owner names a folder


@pytest.mark.parametrize(
    "owner",
    [
        "../../x@winback.example",
        "..@winback.example",
        ".maria@winback.example",
        "maria..lind@winback.example",
        "maria/lind@winback.example",
        "maria\\lind@winback.example",
        "maria%lind@winback.example",
        "jöran@winback.example",
    ],
)
def test_an_owner_that_cannot_be_a_folder_name_is_refused(owner: str) -> None:
    assert errors(owner=owner) == [
        f"accounts.csv: row 2, column owner: '{owner}' cannot be used: the part before @ names "
        "the CSM's task folder, so use only letters a-z, digits and . _ + - (not starting with "
        "'.', no '..')"
    ]


@pytest.mark.parametrize("owner", ["maria.lind@winback.example", "Maria_Lind+emea-2@winback.example"])
def test_ordinary_owners_are_fine(owner: str) -> None:
    (account,) = load(owner=owner).accounts
    assert account.owner_handle == owner.split("@")[0].lower()


# ------------------------------------------------------------------ dates and numbers


@pytest.mark.parametrize("day", ["9999-12-31", "2201-01-01", "1899-12-31", "0001-01-01"])
def test_a_churn_year_outside_1900_2200_is_one_line(day: str) -> None:
    assert errors(churned_on=day) == [
        f"accounts.csv: row 2, column churned_on: '{day}' is out of range: the year must be "
        "1900-2200; write it as YYYY-MM-DD such as 2026-03-01, or leave it empty for an at-risk "
        "account"
    ]


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_ends_of_the_year_range_are_fine(day: str) -> None:
    assert load(churned_on=day).errors == ()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1" + "0" * 399, "'1000000000000000...' (400 characters)"),
        ("9" * 309, "'9999999999999999...' (309 characters)"),
        ("1000000000001", "'1000000000001'"),
        ("1,000,000,000,000.5", "'1,000,000,000,000.5'"),
    ],
)
def test_an_absurd_arr_is_one_line_not_a_t1_account(text: str, shown: str) -> None:
    assert errors(arr=text) == [
        f"accounts.csv: row 2, column arr: {shown} is more than 1,000,000,000,000, more than any "
        "company's ARR; write the ARR as a plain number such as 12000 (12,000 works too; leave "
        "out the currency)"
    ]


def test_an_arr_of_a_trillion_is_still_an_arr() -> None:
    (account,) = load(arr="1,000,000,000,000").accounts
    assert (account.arr, account.tier) == (1e12, "T1")
