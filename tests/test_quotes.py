"""Only what the writer wrote counts: quote headers in the languages we write to, Outlook blocks,
"Original Message" rules, `>` lines and signatures are cut off."""

from __future__ import annotations

import pytest

from inbound.message import parse_email
from inbound.quotes import unquoted
from tests.cli import REPO

REPLIES = REPO.parent / "shared" / "fixtures" / "inbound_replies"

OUR_EMAIL = "> Hi Anna,\n> shall we talk about your renewal?\n> Unsubscribe: https://winback.example.com/u/t0k3n\n"


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, Dec 21, 2026 at 9:14 AM Maria Lind <csm@example.com> wrote:",
        "Am Mo., 21. Dez. 2026 um 09:14 Uhr schrieb Maria Lind <csm@example.com>:",
        "Le lun. 21 déc. 2026 à 09:14, Maria Lind <csm@example.com> a écrit :",
        "El lun, 21 dic 2026 a las 9:14, Maria Lind (<csm@example.com>) escribió:",
        "ma 21.12.2026 klo 9.14 Maria Lind <csm@example.com> kirjoitti:",
        "Pada Isn, 21 Dis 2026 pada 9:14 PG Maria Lind <csm@example.com> menulis:",
        "2026年12月21日(月) 9:14 Maria Lind <csm@example.com>:",
        "Maria Lind <csm@example.com> 于2026年12月21日周一 09:14写道：",
        "Maria Lind <csm@example.com> 於 2026年12月21日 週一 上午9:14寫道：",
    ],
    ids=["en", "de", "fr", "es", "fi", "ms", "ja", "zh-Hans", "zh-Hant"],
)
def test_a_quote_header_in_each_language_ends_the_reply(header: str) -> None:
    text = f"Sounds good, Tuesday works.\n\n{header}\n\n{OUR_EMAIL}"
    assert unquoted(text) == "Sounds good, Tuesday works."


def test_a_quote_header_wrapped_over_two_lines_is_still_one() -> None:
    text = "Yes please.\n\nOn Mon, Dec 21, 2026 at 9:14 AM Maria Lind <\ncsm@example.com> wrote:\n\nHi Anna"
    assert unquoted(text) == "Yes please."


def test_the_line_before_a_quote_header_stays_the_writers() -> None:
    text = "See you on the 15th!\nOn Mon, Dec 21, 2026 at 9:14 AM Maria <csm@example.com> wrote:\n> Hi"
    assert unquoted(text) == "See you on the 15th!"


@pytest.mark.parametrize(
    "block",
    [
        "From: Maria Lind <csm@example.com>\nSent: Monday, December 21, 2026 9:14 AM\nTo: Anna\nSubject: Hi",
        "*From:* Maria Lind <csm@example.com>\n*Sent:* Monday, December 21, 2026 9:14 AM",
        "Von: Maria Lind <csm@example.com>\nGesendet: Montag, 21. Dezember 2026 09:14\nAn: Anna",
        "De : Maria Lind <csm@example.com>\nEnvoyé : lundi 21 décembre 2026 09:14\nÀ : Anna",
        "Lähettäjä: Maria Lind <csm@example.com>\nLähetetty: maanantai 21. joulukuuta 2026 9.14",
        "差出人: Maria Lind <csm@example.com>\n送信日時: 2026年12月21日 9:14\n宛先: Anna",
        "发件人: Maria Lind <csm@example.com>\n发送时间: 2026年12月21日 9:14\n收件人: Anna",
        "-----Original Message-----\nFrom: Maria Lind <csm@example.com>",
        "----- Ursprüngliche Nachricht -----\nVon: Maria",
        "________________________________\nFrom: Maria Lind <csm@example.com>",
    ],
    ids=["outlook", "outlook-bold", "de", "fr", "fi", "ja", "zh", "original", "original-de", "rule"],
)
def test_an_outlook_block_ends_the_reply(block: str) -> None:
    assert unquoted(f"Not interested, thanks.\n\n{block}\n\n{OUR_EMAIL}") == "Not interested, thanks."


def test_a_from_line_alone_is_the_writers_text() -> None:
    text = "From: the finance team's point of view, it's too early.\nLet's talk in March."
    assert unquoted(text) == text


def test_quoted_lines_in_between_are_dropped_and_the_answers_kept() -> None:
    text = "> shall we talk?\nYes, Tuesday.\n> which product?\nThe analytics one."
    assert unquoted(text) == "Yes, Tuesday.\nThe analytics one."


@pytest.mark.parametrize("delimiter", ["-- ", "--"])
def test_the_signature_after_its_delimiter_is_cut(delimiter: str) -> None:
    text = f"Please remove me.\n{delimiter}\nAnna Virtanen\nHead of Finance | Unsubscribe from our newsletter"
    assert unquoted(text) == "Please remove me."


def test_a_sent_from_my_phone_line_ends_the_reply() -> None:
    assert unquoted("Call me tomorrow.\n\nSent from my iPhone\n\nOn 21 Dec...") == "Call me tomorrow."


def test_the_outlook_fixture_keeps_only_its_hello() -> None:
    msg = parse_email((REPLIES / "talon_reply_outlook_quoted_unsubscribe_link.eml").read_bytes())
    assert unquoted(msg.text) == "Hello"


def test_the_gmail_fixture_keeps_only_its_hello() -> None:
    msg = parse_email((REPLIES / "talon_reply_gmail.eml").read_bytes())
    assert unquoted(msg.text) == "Hello"


def test_a_plain_dashed_separator_is_the_writers() -> None:
    text = "Agenda for Tuesday:\n--------------------\n1. pricing\n2. rollout"
    assert unquoted(text) == text
