"""A stray quote in the accounts CSV: refused at the row where it opens, as a problem of the
whole file (no row after it can be trusted), never as empty columns of one long row."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.accounts import load_accounts
from campaigns.errors import ConfigError
from tests.test_accounts import GOOD, csv_text

NEVER_CLOSES = (
    'a quote (") opens in column churn_detail and never closes, so the rest of the file would '
    "be read as one value; close the quote or remove it"
)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(count: int, **change: str) -> list[dict[str, str]]:
    return [{**GOOD, "account_id": f"ACC-{n}", **change} for n in range(1, count + 1)]


def refused(text: str) -> list[str]:
    Path("accounts.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_accounts(Path("accounts.csv"))
    return err.value.lines


def test_a_quote_that_never_closes_is_reported_where_it_opens() -> None:
    text = csv_text(rows(5)).replace(",needed SSO,", ',"needed SSO,', 1)  # in row 2
    assert refused(text) == [f"accounts.csv: row 2: {NEVER_CLOSES}"]


def test_the_rows_before_it_keep_their_own_problems() -> None:
    data = rows(5)
    data[0]["arr"] = "ten"
    text = csv_text(data)
    lines = text.split("\n")
    lines[3] = lines[3].replace(",needed SSO,", ',"needed SSO,')  # row 4
    assert refused("\n".join(lines)) == [
        "accounts.csv: row 2, column arr: 'ten' is not a number; write the ARR as a plain number "
        "such as 12000 (12,000 works too; leave out the currency)",
        f"accounts.csv: row 4: {NEVER_CLOSES}",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("last_newline", [True, False])
def test_in_the_last_row_too_however_the_file_ends(newline: str, last_newline: bool) -> None:
    lines = csv_text(rows(3)).splitlines()
    lines[-1] = lines[-1].replace(",needed SSO,", ',"needed SSO,')
    text = newline.join(lines) + (newline if last_newline else "")
    assert refused(text) == [f"accounts.csv: row 4: {NEVER_CLOSES}"]


def test_in_a_file_larger_than_the_csv_modules_field_limit() -> None:
    # The csv module refuses a value over 128 KB; that must not hide where the quote opened.
    text = csv_text(rows(2_000)).replace(",needed SSO,", ',"needed SSO,', 1)
    assert len(text) > 300_000
    assert refused(text) == [f"accounts.csv: row 2: {NEVER_CLOSES}"]


def test_a_quote_closed_only_by_another_stray_quote_rows_later() -> None:
    data = rows(6)
    data[4]["competitor"] = "Rival"
    text = csv_text(data).replace(",needed SSO,", ',"needed SSO,', 1)  # row 2
    text = text.replace(",Rival,", ',"Rival,')  # row 6
    assert refused(text) == [
        'accounts.csv: row 2: a quote (") opens in column churn_detail and closes only 4 lines '
        "further down, so those lines would be read as one value; close the quote where the "
        "value ends, or remove it"
    ]


def test_a_quote_in_the_header_that_never_closes() -> None:
    text = csv_text(rows(2)).replace(",churn_detail,", ',"churn_detail,', 1)
    assert refused(text) == [
        'accounts.csv: row 1: a quote (") opens in the header and never closes, so the rest of '
        "the file would be read as one value; close the quote or remove it"
    ]


def test_a_quoted_value_over_two_lines_is_one_bad_row_not_a_broken_file() -> None:
    # A note typed over two lines in the CRM: the rest of the file is read as it should be.
    data = rows(3)
    data[1]["churn_detail"] = "needed SSO,\nand SCIM, soon"
    data[2]["arr"] = "ten"
    Path("accounts.csv").write_text(csv_text(data), encoding="utf-8")
    result = load_accounts(Path("accounts.csv"))
    assert [a.account_id for a in result.accounts] == ["ACC-1"]
    assert result.errors == (
        "accounts.csv: row 3, column churn_detail: contains a line break; remove it in the CRM export",
        "accounts.csv: row 4, column arr: 'ten' is not a number; write the ARR as a plain number "
        "such as 12000 (12,000 works too; leave out the currency)",
    )


def test_quotes_that_open_and_close_are_fine() -> None:
    text = csv_text(rows(3, churn_detail='said "too slow", then left', company="Acme, Inc."))
    assert '"said ""too slow"", then left"' in text
    Path("accounts.csv").write_text(text, encoding="utf-8")
    result = load_accounts(Path("accounts.csv"))
    assert result.errors == ()
    assert [a.churn_detail for a in result.accounts] == ['said "too slow", then left'] * 3
