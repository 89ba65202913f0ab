"""SendGrid Inbound Parse posts (the shared fixtures are real multipart/form-data bodies) turn
into the same message the classifier reads from an .eml file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from inbound.classify import DECLINE, REPLY, classify
from inbound.inbound_parse import form_fields, from_inbound_parse
from inbound.message import NotAnEmail
from tests.cli import REPO

REPLIES = REPO.parent / "shared" / "fixtures" / "inbound_replies"
FORM = "multipart/form-data; boundary=xYzZY"


def posted(name: str) -> dict[str, bytes]:
    return form_fields((REPLIES / name).read_bytes(), FORM)


def test_parsed_mode_reads_headers_text_and_the_header_subject() -> None:
    fields = posted("sendgrid_python_inbound_default_data.txt")
    assert fields["subject"] == b"Testing non-raw"
    msg = from_inbound_parse(fields)
    # The header block is the message's own subject; the form's `subject` field is a copy.
    assert msg.subject == "Inbound Parse Test Data"
    assert msg.sender == "test@example.com"
    assert msg.text == "Hello Twilio SendGrid!\n"
    assert msg.sent_at == datetime(2016, 8, 10, 18, 10, 13, tzinfo=timezone(timedelta(hours=-7)))
    assert classify(msg).kind == REPLY


def test_raw_mode_parses_the_whole_message_in_the_email_field() -> None:
    fields = posted("sendgrid_python_inbound_raw_data.txt")
    assert "text" not in fields and "headers" not in fields
    msg = from_inbound_parse(fields)
    assert msg.subject == "Inbound Parse Test Raw Data"
    assert msg.text == "Hello Twilio SendGrid!\n"
    assert classify(msg).kind == REPLY


def test_a_gmail_post_with_crlf_fields_and_no_attachment_parts_reads() -> None:
    fields = posted("sendgrid_docs_inbound_default_gmail_2attachments.multipart.txt")
    assert fields["attachments"] == b"2"
    msg = from_inbound_parse(fields)
    assert msg.subject == "Different File Types"
    assert msg.sender == "example@example.com"
    assert msg.text.strip() == "Here's an email with multiple attachments"
    assert msg.message_id.startswith("<CAN_P_JMvV7Z")


def test_charsets_are_honoured_field_by_field() -> None:
    fields: dict[str, str | bytes] = {
        "headers": b"From: Anna <anna@customer.example>\nSubject: Re: Angebot\n",
        "text": "Nein danke, kein Interesse. Grüße".encode("iso-8859-1"),
        "charsets": b'{"text":"iso-8859-1","subject":"UTF-8"}',
    }
    msg = from_inbound_parse(fields)
    assert msg.text == "Nein danke, kein Interesse. Grüße"
    assert classify(msg).kind == DECLINE


def test_html_stands_in_for_a_missing_text_field() -> None:
    fields: dict[str, str | bytes] = {
        "from": "Anna <anna@customer.example>",
        "subject": "Re: Offer",
        "html": "<p>Not interested, thanks.</p><div class='gmail_quote'>On Mon ... wrote: unsubscribe</div>",
    }
    msg = from_inbound_parse(fields)
    assert (msg.sender, msg.subject) == ("anna@customer.example", "Re: Offer")
    assert msg.text == "Not interested, thanks."


def test_a_form_without_a_message_is_refused() -> None:
    with pytest.raises(NotAnEmail, match="email"):
        from_inbound_parse({"SPF": b"pass", "dkim": b"{}"})


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_a_body_that_is_no_form_is_refused(content_type: str) -> None:
    with pytest.raises(NotAnEmail):
        form_fields(b'{"email": "x"}', content_type)
