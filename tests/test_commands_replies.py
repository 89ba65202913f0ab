"""`winback classify-reply FILE [--json]`, run as support staff run it: the JSON contract (kind,
return_date, language, evidence), the one human line, and one line with exit 2 for a file that
is no email."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import REPO, env_for, winback

# Each test runs the real `winback` command in a subprocess: end to end, so it runs in `make test`
# and CI, not in the quick `pytest -m "not integration"` run.
pytestmark = pytest.mark.integration

REPLIES = REPO.parent / "shared" / "fixtures" / "inbound_replies"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "sisimai_ooo_exchange_windows1252_qp.eml",
            {
                "kind": "out_of_office",
                "return_date": "2013-07-31",
                "language": "en",
                "evidence": "header X-Auto-Response-Suppress: All",
            },
        ),
        (
            "sisimai_auto_replied_but_actually_bounce_mailbox_full.eml",
            {
                "kind": "bounce",
                "return_date": None,
                "language": "en",
                "evidence": 'header Return-Path: <> and phrase "mailbox full"',
            },
        ),
        (
            "talon_reply_outlook_quoted_unsubscribe_link.eml",
            {
                "kind": "reply",
                "return_date": None,
                "language": "en",
                "evidence": "no auto-reply header and no phrase of another kind",
            },
        ),
        (
            "sisimai_autoreply_mimecast_mailbox_no_longer_in_use.eml",
            {
                "kind": "left_company",
                "return_date": None,
                "language": "en",
                "evidence": 'phrase "no longer in use"',
            },
        ),
    ],
)
async def test_json_is_one_object_with_the_contract_keys(
    name: str, expected: dict[str, object], tmp_path: Path
) -> None:
    done = await winback("classify-reply", str(REPLIES / name), "--json", env=env_for(None, tmp_path))
    assert done.code == 0, done.err
    assert json.loads(done.out) == expected
    assert list(json.loads(done.out)) == ["kind", "return_date", "language", "evidence"]


async def test_without_json_it_prints_one_line(tmp_path: Path) -> None:
    eml = tmp_path / "away.eml"
    eml.write_bytes(
        "From: contact@customer.example\nDate: Mon, 21 Dec 2026 09:14:00 +0200\n"
        "Subject: Automaattinen vastaus: Lyhyt kysymys\nAuto-Submitted: auto-replied\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Kiitos viestistäsi. Olen lomalla ja palaan toimistolle 15.1.2027.\n".encode()
    )
    done = await winback("classify-reply", str(eml), env=env_for(None, tmp_path))
    assert done.code == 0, done.err
    assert done.out == "out_of_office (until 2027-01-15, fi): header Auto-Submitted: auto-replied\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        (b"", "no email headers"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "no email headers"),
        (b"account_id,name\nacme,Acme\n", "no email headers"),
    ],
    ids=["missing", "empty", "binary", "csv"],
)
async def test_a_file_that_is_no_email_is_one_line_and_exit_2(
    content: bytes | None, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / "reply.eml"
    if content is not None:
        path.write_bytes(content)
    done = await winback("classify-reply", str(path), "--json", env=env_for(None, tmp_path))
    assert done.code == 2
    assert done.out == ""
    assert done.err.count("\n") == 1 and "Traceback" not in done.err
    assert done.err.startswith(f"{path}: {problem}")


async def test_a_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = await winback("classify-reply", str(tmp_path), env=env_for(None, tmp_path))
    assert (done.code, done.err) == (2, f"{tmp_path}: is a folder; give one .eml file\n")
