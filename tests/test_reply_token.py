"""Signed Reply-To addresses: a reply finds its sequence exactly, and nobody can make one up."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities import reply_token
from activities.email import OutboxTransport
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard
from tests.factories import sequence_input, temp_store
from tests.test_activities import SECRET, render_request, send_request

DOMAIN = "reply.winback.example"


def test_an_address_we_signed_names_its_account_and_a_changed_one_names_nothing() -> None:
    address = reply_token.reply_address(SECRET, "ACC-1001", "winback-ACC-1001", DOMAIN)
    local, _, domain = address.partition("@")
    assert domain == DOMAIN and local.startswith("reply+ACC-1001.") and len(local) <= 64
    assert reply_token.account_for(SECRET, address) == "ACC-1001"
    assert reply_token.account_for(SECRET, address.replace("ACC-1001", "ACC-1002")) is None
    assert reply_token.account_for(b"another-secret-of-at-least-32-bytes", address) is None
    assert reply_token.account_for(SECRET, "reply+winback-ACC-1001@" + DOMAIN) is None
    assert reply_token.account_for(SECRET, "aino@example.fi") is None


def test_no_domain_or_a_local_part_too_long_for_email_sends_no_reply_to() -> None:
    assert reply_token.reply_address(SECRET, "ACC-1", "winback-ACC-1", "") == ""
    long_id = "A" * 60
    assert reply_token.reply_address(SECRET, long_id, f"winback-{long_id}", DOMAIN) == ""


def test_an_empty_key_signs_nothing() -> None:
    with pytest.raises(ValueError):
        reply_token.reply_address(b"", "ACC-1", "winback-ACC-1", DOMAIN)


async def test_every_email_carries_the_signed_reply_to_of_its_sequence(tmp_path: Path) -> None:
    impl = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=SECRET,
        inbound_domain=DOMAIN,
    )
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id="winback-ACC-1")
    rendered = await env.run(impl.render_message, render_request(sequence_input().plan.touches[0].template))
    assert reply_token.account_for(SECRET, rendered.reply_to) == "ACC-1"
    await env.run(impl.send_email, send_request(reply_to=rendered.reply_to))
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Reply-To"] == rendered.reply_to
