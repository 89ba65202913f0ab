"""The sequence's activities, run as Temporal runs them (ActivityEnvironment), with real files."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import unsubscribe
from activities.email import OutboxTransport, build_message
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard
from campaigns.model import Contacts
from contracts.sequence import RenderRequest, SendRequest, TaskAssignment
from tests.factories import make_account, sequence_input, temp_store

SECRET = b"test-secret"


def activities(tmp_path: Path, template_root: Path | None = None) -> SequenceActivities:
    extra = {"template_root": template_root} if template_root else {}
    return SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=SECRET,
        **extra,
    )


def render_request(template: str, **overrides: object) -> RenderRequest:
    inp = sequence_input()
    base = {
        "template": template,
        "locale": "en",
        "channel": "email",
        "touch": 1,
        "total_touches": 5,
        "account": inp.account,
        "contacts": inp.contacts,
        "sender": inp.sender,
        "campaign_id": inp.campaign_id,
    }
    base.update(overrides)
    return RenderRequest(**base)  # type: ignore[arg-type]


def send_request(key: str = "winback-ACC-1/run-1/touch-1", **overrides: object) -> SendRequest:
    inp = sequence_input()
    base = {
        "key": key,
        "account_id": "ACC-1",
        "campaign_id": "test-campaign",
        "touch": 1,
        "to_name": "Aino Korhonen",
        "to_email": "aino@revontuli.example",
        "sender": inp.sender,
        "subject": "What changed since you left",
        "body": "Hi Aino,\n\nWe shipped the Salesforce sync.\n",
        "unsubscribe_url": "https://winback.example/u/abc",
    }
    base.update(overrides)
    return SendRequest(**base)  # type: ignore[arg-type]


def read(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parse(message: EmailMessage) -> EmailMessage:
    """The message as a mail client reads it: written out, then parsed."""
    msg = email.message_from_bytes(bytes(message), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


async def test_render_uses_the_shipped_template_and_signs_the_unsubscribe_link(tmp_path: Path) -> None:
    first = sequence_input().plan.touches[0]
    out = await ActivityEnvironment().run(activities(tmp_path).render_message, render_request(first.template))
    assert out.subject
    assert "Winback Oy" in out.body or "{{" not in out.body
    token = out.unsubscribe_url.rsplit("/", 1)[-1]
    assert unsubscribe.verify(SECRET, token) == ("test-campaign", "ACC-1")


async def test_render_falls_back_to_english_for_a_locale_without_translation(tmp_path: Path) -> None:
    first = sequence_input().plan.touches[0]
    out = await ActivityEnvironment().run(
        activities(tmp_path).render_message, render_request(first.template, locale="pt-BR")
    )
    assert out.template_path.startswith("en/")


async def test_render_falls_back_to_english_for_a_locale_longer_than_a_file_name(tmp_path: Path) -> None:
    # The accounts file accepts any well-formed language tag, however many subtags it has.
    first = sequence_input().plan.touches[0]
    long_tag = "en-" + "-".join(["abcdefgh"] * 60)
    out = await ActivityEnvironment().run(
        activities(tmp_path).render_message, render_request(first.template, locale=long_tag)
    )
    assert out.template_path.startswith("en/")


async def test_a_missing_variable_fails_the_render_and_is_not_retried(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    (root / "en" / "custom").mkdir(parents=True)
    (root / "en" / "custom" / "exec.j2").write_text(
        "Subject: A note from our CEO\n\nDear {{ executive.first_name }},\n"
    )
    request = render_request(
        "custom/exec", contacts=Contacts(primary=sequence_input().contacts.primary, executive=None)
    )
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(activities(tmp_path, root).render_message, request)
    assert info.value.non_retryable
    assert info.value.type == "TemplateError"
    assert "custom/exec" in info.value.message
    assert not (tmp_path / "outbox").exists()


async def test_send_writes_one_rfc5322_message_with_one_click_unsubscribe(tmp_path: Path) -> None:
    result = await ActivityEnvironment().run(activities(tmp_path).send_email, send_request())
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    msg = read(files[0])
    assert msg["Message-ID"] == result.message_id
    assert msg["From"] == "Maria Lind <maria.lind@winback.example>"
    assert msg["To"] == "Aino Korhonen <aino@revontuli.example>"
    assert msg["Date"]
    assert msg["List-Unsubscribe"].startswith("<https://winback.example/u/abc>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Mannerheimintie 1, 00100 Helsinki" in msg.get_content()
    assert "In-Reply-To" not in msg


def test_a_non_ascii_name_holding_an_address_still_goes_to_the_contact_alone() -> None:
    msg = parse(build_message(send_request(to_name='Jörg "Boss" <boss@evil.example>')))
    assert [a.addr_spec for a in msg["To"].addresses] == ["aino@revontuli.example"]
    assert msg["To"].addresses[0].display_name == 'Jörg "Boss" <boss@evil.example>'


@pytest.mark.parametrize(
    "overrides",
    [
        # An encoded word that decodes to a line break and a header (say from a company name).
        {"subject": "We built what =?utf-8?q?Acme=0ABcc=3A_victim=40evil.example?= was missing"},
        # One that decodes to a name the email package writes out unquoted: '"Quoted, Name"
        # <victim@evil.example>', which a mail client reads as the address.
        {"to_name": "=?utf-8?b?IlF1b3RlZCwgTmFtZSIgPHZpY3RpbUBldmlsLmV4YW1wbGU+?="},
        {"to_email": ""},
    ],
    ids=["bcc-in-subject", "address-in-name", "empty-address"],
)
def test_a_message_whose_headers_would_not_read_back_is_refused(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"refusing|not a plain address"):
        build_message(send_request(**overrides))


async def test_a_retried_send_finds_its_message_and_writes_no_second_one(tmp_path: Path) -> None:
    acts = activities(tmp_path)
    first = await ActivityEnvironment().run(acts.send_email, send_request())
    again = await ActivityEnvironment().run(acts.send_email, send_request())
    assert not first.already_sent and again.already_sent
    assert first.message_id == again.message_id
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    # Another touch (or another run of the sequence) is another message.
    await ActivityEnvironment().run(acts.send_email, send_request("winback-ACC-1/run-1/touch-2", touch=2))
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


async def test_follow_ups_thread_on_the_first_message(tmp_path: Path) -> None:
    root_id = "<abc@winback.example>"
    await ActivityEnvironment().run(
        activities(tmp_path).send_email,
        send_request("k/2", touch=2, subject="Re: What changed", thread_root_id=root_id),
    )
    msg = read(next((tmp_path / "outbox").glob("*.eml")))
    assert msg["In-Reply-To"] == root_id
    assert msg["References"] == root_id
    assert msg["Subject"] == "Re: What changed"


async def test_assign_task_files_the_prepared_message_for_the_owner(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    account = make_account()
    receipt = await ActivityEnvironment().run(
        activities(tmp_path).assign_task,
        TaskAssignment(
            key="k",
            workflow_id="winback-ACC-1",
            account_id="ACC-1",
            company=account.company,
            campaign_id="test-campaign",
            owner=account.owner,
            touch=3,
            channel="call",
            template="product_gap/03_call",
            due_utc=datetime(2027, 1, 20, 7, tzinfo=UTC),
            due_local="2027-01-20T09:00:00+02:00",
            subject="",
            text="Talking points: the Salesforce sync.\n",
        ),
    )
    path = Path(receipt.location)
    assert path.parent == tmp_path / "tasks" / "maria.lind"
    text = path.read_text()
    assert "Talking points" in text and "due: 2027-01-20T09:00:00+02:00" in text
