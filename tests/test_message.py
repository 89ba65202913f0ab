"""Reading a reply's bytes: charsets, transfer encodings, RFC 2047 subjects, HTML-only bodies,
and refusing what is no email. The real-world inputs are the shared inbound fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

import pytest

from inbound.message import NotAnEmail, html_to_text, parse_email
from tests.cli import REPO

REPLIES = REPO.parent / "shared" / "fixtures" / "inbound_replies"


def fixture(name: str) -> bytes:
    return (REPLIES / name).read_bytes()


def test_windows_1252_quoted_printable_body_reads_as_the_writer_wrote_it() -> None:
    msg = parse_email(fixture("sisimai_ooo_exchange_windows1252_qp.eml"))
    assert msg.subject == "Automatic reply: Nyaan"
    # Soft line breaks joined: "i=\nntermittent" is one word again.
    assert "I will have intermittent access to email" in msg.text
    assert "=\n" not in msg.text
    assert msg.return_path == "<>"
    assert msg.header("X-Auto-Response-Suppress") == "All"
    assert msg.sent_at == datetime(2013, 3, 16, 23, 34, 45, tzinfo=UTC)


def test_rfc2047_subject_and_multipart_alternative_keep_the_text_part() -> None:
    msg = parse_email(fixture("sisimai_autoreply_mimecast_mailbox_no_longer_in_use.eml"))
    assert msg.subject == "AutoRespons :Nyaan?"
    assert msg.text.startswith("This email inbox")
    assert "someone else at Example" in msg.text  # the QP soft break inside "so=\nmeone"
    assert "<html>" not in msg.text
    assert msg.header("auto-submitted") == "auto-replied"
    assert msg.header("Precedence") == "bulk"


def test_an_mbox_from_line_on_top_is_not_a_header() -> None:
    msg = parse_email(fixture("sisimai_auto_replied_but_actually_bounce_mailbox_full.eml"))
    assert msg.sender == "postmaster@yyyyyy.de"
    assert msg.subject == "email bounce notification"
    assert msg.sent_at == datetime(2025, 10, 4, 8, 0, 7, tzinfo=timezone(timedelta(hours=2)))


def test_threading_ids_are_kept() -> None:
    msg = parse_email(fixture("sisimai_ooo_icloud_vacation_x_apple_action.eml"))
    assert msg.in_reply_to == ("<25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org>",)
    assert msg.references == ("<25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org>",)
    assert msg.header("X-Apple-Action") == "VACATION"


def test_a_message_without_date_or_message_id_still_reads() -> None:
    msg = parse_email(fixture("talon_reply_outlook_quoted_unsubscribe_link.eml"))
    assert msg.sent_at is None
    assert msg.message_id == ""
    assert msg.text.startswith("Hello\n")


def test_iso_8859_1_is_read_as_windows_1252_like_every_mail_client_does() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: Re: hi\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"Gr\xfc\xdfe, we\x92re not interested \x96 sorry\r\n"
    )
    assert parse_email(raw).text == "Grüße, we’re not interested – sorry\n"


def test_an_unknown_charset_falls_back_to_utf8() -> None:
    raw = "From: a@example.com\nContent-Type: text/plain; charset=x-klingon\n\nKiitos, ei kiinnosta\n"
    assert parse_email(raw.encode()).text == "Kiitos, ei kiinnosta\n"


def test_a_raw_utf8_subject_without_rfc2047_is_decoded() -> None:
    raw = "From: a@example.com\nSubject: Re: Grüße aus Köln\n\nHallo\n".encode()
    assert parse_email(raw).subject == "Re: Grüße aus Köln"


def test_an_html_only_reply_loses_its_gmail_quote_and_markup() -> None:
    msg = EmailMessage()
    msg["From"] = "Ann <ann@example.com>"
    msg["Subject"] = "Re: Renewal"
    msg.set_content(
        "<div dir=ltr>Thanks, let&#39;s talk on Tuesday.<br><p>Ann</div>"
        '<div class="gmail_quote"><div>On Mon, Dec 21, 2026 at 9:14 AM Team &lt;csm@example.com&gt; '
        "wrote:</div><blockquote>Hi Ann<br>Unsubscribe</blockquote></div>",
        subtype="html",
    )
    text = parse_email(msg.as_bytes()).text
    assert [line for line in text.splitlines() if line] == ["Thanks, let's talk on Tuesday.", "Ann"]


def test_html_to_text_survives_unclosed_tags_and_styles() -> None:
    html = "<html><head><style>p{color:red}</style></head><body><strong>Hello <p>there<blockquote><p>old"
    assert html_to_text(html) == "Hello\nthere"


@pytest.mark.parametrize(
    "data",
    [b"", b"just some words\nand more\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"{\"kind\": 1}"],
    ids=["empty", "text", "binary", "json"],
)
def test_what_has_no_email_headers_is_refused_with_one_line(data: bytes) -> None:
    with pytest.raises(NotAnEmail) as refused:
        parse_email(data)
    assert "\n" not in str(refused.value)
    assert ".eml" in str(refused.value)


def test_every_eml_fixture_parses() -> None:
    for path in sorted(REPLIES.glob("*.eml")):
        msg = parse_email(path.read_bytes())
        assert msg.sender, path.name
        assert msg.text or msg.subject, path.name
