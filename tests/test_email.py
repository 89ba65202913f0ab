"""RFC 5322 messages and the outbox: what a recipient's mail client and a retried send would see.

The send_email activity around these (its message log, its retries) is tested in test_activities.py.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.email import MemoryTransport, OutboxTransport, build_message, message_id_for
from campaigns.model import Sender
from contracts.sequence import SendRequest

SENDER = Sender(
    from_email="maria.lind@winback.example",
    from_name="Maria Lind",
    postal_address="Winback Oy, Mannerheimintie 1, 00100 Helsinki, Finland",
)
KEY = "winback-ACC-1/run-1/touch-1"


def request(**overrides: object) -> SendRequest:
    base = SendRequest(
        key=KEY,
        account_id="ACC-1",
        campaign_id="spring-2026",
        touch=1,
        to_name="Aino Korhonen",
        to_email="aino@revontuli.example",
        sender=SENDER,
        subject="What changed since you left",
        body="Hi Aino,\n\nWe shipped the Salesforce sync.\n",
        unsubscribe_url="https://winback.example/u/abc",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def parsed(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def eml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml"))


# --- the message ---------------------------------------------------------------------------


def test_the_message_has_the_headers_a_mail_client_shows() -> None:
    msg = parsed(bytes(build_message(request())))
    assert msg["From"] == "Maria Lind <maria.lind@winback.example>"
    assert msg["To"] == "Aino Korhonen <aino@revontuli.example>"
    assert msg["Subject"] == "What changed since you left"
    assert msg["Date"]
    assert msg["Message-ID"] == message_id_for(KEY, SENDER.from_email)
    assert "In-Reply-To" not in msg and "References" not in msg
    assert (msg["X-Winback-Campaign"], msg["X-Winback-Touch"]) == ("spring-2026", "1")


def test_one_click_unsubscribe_offers_the_https_link_and_a_mailto() -> None:
    msg = parsed(bytes(build_message(request())))
    assert msg["List-Unsubscribe"] == (
        "<https://winback.example/u/abc>, <mailto:unsubscribe@winback.example?subject=unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_non_ascii_subjects_and_names_survive_the_round_trip() -> None:
    msg = parsed(bytes(build_message(request(subject="Mitä uutta, Äino?", to_name="Äino Kórhonen"))))
    assert msg["Subject"] == "Mitä uutta, Äino?"
    assert msg["To"].addresses[0].display_name == "Äino Kórhonen"


def test_the_postal_address_is_added_once() -> None:
    without = build_message(request()).get_content()
    assert without.rstrip("\n").endswith(f"--\nMaria Lind\n{SENDER.postal_address}")

    body = f"Hi Aino,\n\nBest,\nMaria\n{SENDER.postal_address}\n"
    already = build_message(request(body=body)).get_content()
    assert already.count(SENDER.postal_address) == 1


def test_a_follow_up_threads_on_the_first_message() -> None:
    root = "<0123@winback.example>"
    msg = parsed(bytes(build_message(request(key="k/2", touch=2, subject="Re: What", thread_root_id=root))))
    assert (msg["In-Reply-To"], msg["References"]) == (root, root)


def test_the_message_id_is_the_same_for_the_same_key_and_differs_per_key() -> None:
    first = build_message(request())
    again = build_message(request())
    other = build_message(request(key="winback-ACC-1/run-1/touch-2", touch=2))
    assert first["Message-ID"] == again["Message-ID"]
    assert other["Message-ID"] != first["Message-ID"]
    assert str(first["Message-ID"]).endswith("@winback.example>")
    assert message_id_for(KEY, "someone@other.example").endswith("@other.example>")


def test_the_message_id_carries_no_personal_data() -> None:
    message_id = message_id_for("winback-ACC-1/run-1/touch-1", SENDER.from_email)
    local = message_id.strip("<>").split("@")[0]
    assert all(c in "0123456789abcdef" for c in local)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: everyone@victims.example"),
        ("subject", "Hello\nBcc: everyone@victims.example"),
        ("to_name", "Aino\r\nBcc: everyone@victims.example"),
        ("to_email", "aino@revontuli.example\r\nBcc: everyone@victims.example"),
        ("sender", replace(SENDER, from_name="Maria\r\nBcc: everyone@victims.example")),
    ],
    ids=["subject-crlf", "subject-lf", "to-name", "to-email", "from-name"],
)
def test_a_header_injection_is_refused_and_nothing_is_written(
    tmp_path: Path, field: str, value: object
) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    with pytest.raises((ValueError, ApplicationError)):
        outbox.deliver(KEY, build_message(request(**{field: value})))
    assert eml_files(tmp_path / "outbox") == []


# --- the outbox ----------------------------------------------------------------------------


def test_the_outbox_writes_one_eml_file_a_mail_client_opens(tmp_path: Path) -> None:
    message = build_message(request())
    delivery = OutboxTransport(tmp_path / "outbox").deliver(KEY, message)

    [path] = eml_files(tmp_path / "outbox")
    assert delivery.location == str(path)
    assert not delivery.already_sent
    assert delivery.message_id == message["Message-ID"]
    assert path.name.startswith("spring-2026-touch1-")
    written = parsed(path.read_bytes())
    assert written["Message-ID"] == delivery.message_id
    assert "We shipped the Salesforce sync." in written.get_content()


def test_a_second_delivery_of_a_key_is_already_sent_and_writes_no_second_file(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    first = outbox.deliver(KEY, build_message(request()))
    # A retry rebuilds the message (a new Date, even a changed subject): the first one stands.
    again = outbox.deliver(KEY, build_message(request(subject="Something else")))

    assert (first.already_sent, again.already_sent) == (False, True)
    assert (again.message_id, again.location) == (first.message_id, first.location)
    [path] = eml_files(tmp_path / "outbox")
    assert parsed(path.read_bytes())["Subject"] == "What changed since you left"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [path.name]  # no temporary files left


def test_each_key_is_its_own_message(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    outbox.deliver(KEY, build_message(request()))
    outbox.deliver("winback-ACC-1/run-1/touch-2", build_message(request(key="winback-ACC-1/run-1/touch-2")))
    # Another run of the same account's sequence is another message too.
    outbox.deliver("winback-ACC-1/run-2/touch-1", build_message(request(key="winback-ACC-1/run-2/touch-1")))
    assert len(eml_files(tmp_path / "outbox")) == 3


def test_the_memory_transport_is_idempotent_per_key_too() -> None:
    transport = MemoryTransport()
    first = transport.deliver(KEY, build_message(request()))
    again = transport.deliver(KEY, build_message(request(subject="Something else")))
    assert (first.already_sent, again.already_sent) == (False, True)
    assert list(transport.messages) == [KEY]
    assert transport.messages[KEY]["Subject"] == "What changed since you left"


def test_a_long_subject_that_is_not_ascii_reads_back_with_single_spaces() -> None:
    """Python 3.11 folded "… usam o que lançamos" as "que \\n =?utf-8?q?lan…?=": a reader saw
    "que  lançamos". The whole subject now goes out as encoded words."""
    subject = "Como equipes como a da Revontuli Analytics Oy usam o que lançamos"
    msg = build_message(replace(request(), subject=subject))
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert back["Subject"] == subject
    assert max(len(line) for line in msg.as_bytes().splitlines()) <= 78
