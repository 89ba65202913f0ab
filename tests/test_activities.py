"""The sequence's activities, run as Temporal runs them (ActivityEnvironment), with real files."""

from __future__ import annotations

import dataclasses
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
from contracts.sequence import OutcomeRecord, RenderRequest, SendRequest, TaskAssignment
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
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id="winback-ACC-1")
    request = render_request(first.template)
    out = await env.run(activities(tmp_path).render_message, request)
    assert out.subject
    assert "Winback Oy" in out.body or "{{" not in out.body
    token = out.unsubscribe_url.rsplit("/", 1)[-1]
    # The link names the sequence that sent it and the address it went to (as a keyed hash).
    assert unsubscribe.verify(SECRET, token) == unsubscribe.SignedUnsubscribe(
        "test-campaign",
        "ACC-1",
        "winback-ACC-1",
        unsubscribe.address_hash(SECRET, request.contacts.primary.email),
    )


async def test_render_falls_back_to_english_for_a_locale_without_translation(tmp_path: Path) -> None:
    first = sequence_input().plan.touches[0]
    out = await ActivityEnvironment().run(
        activities(tmp_path).render_message, render_request(first.template, locale="ko-KR")
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
    with pytest.raises(ValueError, match=r"refusing|not a plain address|not a valid email address"):
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


# --- failures: bad data fails once, a dead store is retried, files stay in their folder ----

POISONED_NAME = "Aino Korhonen\r\nBcc: x@evil.example"


def assert_names_nobody(message: str) -> None:
    """Failure messages reach histories and logs: ids and field names only, never a person."""
    assert "@" not in message
    for word in ("Aino", "Korhonen", "maria", "evil"):
        assert word not in message


def data_folder_activities(tmp_path: Path) -> SequenceActivities:
    """Activities whose outbox and task board sit two levels down, as in `data/outbox`, so a
    path that climbs two levels would land in tmp_path, where the tests look for it."""
    return SequenceActivities(
        OutboxTransport(tmp_path / "data" / "outbox"),
        FolderTaskBoard(tmp_path / "data" / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=SECRET,
    )


def files_outside(tmp_path: Path, folder: Path) -> list[Path]:
    return [
        p
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.is_relative_to(folder) and not p.name.startswith("winback.db")
    ]


def eml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml"))


def task_assignment(**overrides: object) -> TaskAssignment:
    from datetime import UTC, datetime

    base: dict[str, object] = {
        "key": "k",
        "workflow_id": "winback-ACC-1",
        "account_id": "ACC-1",
        "company": "Revontuli Analytics Oy",
        "campaign_id": "test-campaign",
        "owner": "maria.lind@winback.example",
        "touch": 3,
        "channel": "call",
        "template": "product_gap/03_call",
        "due_utc": datetime(2027, 1, 20, 7, tzinfo=UTC),
        "due_local": "2027-01-20T09:00:00+02:00",
        "subject": "",
        "text": "Talking points: the Salesforce sync.\n",
    }
    base.update(overrides)
    return TaskAssignment(**base)  # type: ignore[arg-type]


async def test_a_header_injection_in_the_contact_name_fails_the_send_for_good(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(activities(tmp_path).send_email, send_request(to_name=POISONED_NAME))
    err = info.value
    assert err.non_retryable
    assert err.type == "InvalidMessage"
    assert "ACC-1" in err.message and "touch 1" in err.message
    assert "contact's name" in err.message and "line break" in err.message
    assert_names_nobody(err.message)
    assert eml_files(tmp_path / "outbox") == []


async def test_an_invalid_recipient_address_fails_the_send_for_good(tmp_path: Path) -> None:
    for bad in ("not an address", "", "aino@", "aino@revontuli.example, x@evil.example"):
        with pytest.raises(ApplicationError) as info:
            await ActivityEnvironment().run(activities(tmp_path).send_email, send_request(to_email=bad))
        assert info.value.non_retryable, bad
        assert info.value.type == "InvalidMessage"
        assert "ACC-1" in info.value.message and "contact's email address" in info.value.message
        assert_names_nobody(info.value.message)
    assert eml_files(tmp_path / "outbox") == []


async def test_a_task_owner_that_climbs_out_of_the_task_folder_writes_nothing_outside(tmp_path: Path) -> None:
    acts = data_folder_activities(tmp_path)
    for owner in ("../../x@winback.example", "..@winback.example", "a/b@winback.example", "@winback.example"):
        with pytest.raises(ApplicationError) as info:
            await ActivityEnvironment().run(acts.assign_task, task_assignment(owner=owner))
        assert info.value.non_retryable, owner
        assert info.value.type == "UnsafeFileName"
        assert "ACC-1" in info.value.message and "owner" in info.value.message
        assert "not a safe file name part" in info.value.message
        assert_names_nobody(info.value.message)
    assert files_outside(tmp_path, tmp_path / "data" / "tasks") == []
    assert not (tmp_path / "x").exists()


async def test_an_account_id_that_climbs_out_of_the_task_folder_writes_nothing_outside(
    tmp_path: Path,
) -> None:
    acts = data_folder_activities(tmp_path)
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(acts.assign_task, task_assignment(account_id="../../../ACC-1"))
    assert info.value.non_retryable and info.value.type == "UnsafeFileName"
    assert "account id" in info.value.message
    assert files_outside(tmp_path, tmp_path / "data" / "tasks") == []


async def test_a_task_folder_that_is_a_link_out_of_the_data_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "data" / "tasks").mkdir(parents=True)
    (tmp_path / "data" / "tasks" / "maria.lind").symlink_to(outside)
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(data_folder_activities(tmp_path).assign_task, task_assignment())
    assert info.value.non_retryable and info.value.type == "UnsafeFileName"
    assert not list(outside.iterdir())


async def test_a_campaign_id_that_climbs_out_of_the_outbox_writes_nothing_outside(tmp_path: Path) -> None:
    acts = data_folder_activities(tmp_path)
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(acts.send_email, send_request(campaign_id="../../escape"))
    assert info.value.non_retryable and info.value.type == "UnsafeFileName"
    assert "ACC-1" in info.value.message and "campaign id" in info.value.message
    assert files_outside(tmp_path, tmp_path / "data" / "outbox") == []


class DownStore:
    """A store whose database answers every write with the error a locked SQLite file gives;
    SQLAlchemy's message carries the statement's parameters, an email address among them."""

    def __init__(self) -> None:
        import sqlite3

        from sqlalchemy.exc import OperationalError

        self.error = OperationalError(
            "INSERT INTO enrolments ...",
            {"contact_email": "aino@revontuli.example"},
            sqlite3.OperationalError("database is locked"),
        )

    def record_outcome(self, rec: object) -> object:
        raise self.error

    def preferences_about(self, **query: object) -> object:
        # A send asks the store whom it may email first: down, it is the first thing to fail.
        raise self.error

    def log_message(self, entry: object) -> None:
        raise self.error


def outcome_record(**overrides: object) -> OutcomeRecord:
    from datetime import UTC, datetime

    base: dict[str, object] = {
        "workflow_id": "winback-ACC-1",
        "run_id": "run-1",
        "account_id": "ACC-1",
        "campaign_id": "test-campaign",
        "playbook_id": "product_gap",
        "outcome": "declined",
        "reason": "built it in-house",
        "contact_email": "aino@revontuli.example",
        "started_at": datetime(2027, 1, 11, 7, tzinfo=UTC),
        "ended_at": datetime(2027, 2, 1, 7, tzinfo=UTC),
        "touches_done": 2,
    }
    base.update(overrides)
    return OutcomeRecord(**base)  # type: ignore[arg-type]


async def test_a_store_that_is_down_is_retried_and_its_error_names_nobody(tmp_path: Path) -> None:
    acts = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        DownStore(),  # type: ignore[arg-type]
        public_url="https://winback.example",
        unsubscribe_secret=SECRET,
    )
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(acts.record_outcome, outcome_record())
    assert not info.value.non_retryable
    assert info.value.type == "StoreUnavailable"
    assert "ACC-1" in info.value.message and "database is locked" in info.value.message
    assert_names_nobody(info.value.message)
    assert info.value.__cause__ is None  # the cause's text would carry the address into the history

    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(acts.send_email, send_request())
    assert not info.value.non_retryable and info.value.type == "StoreUnavailable"
    assert_names_nobody(info.value.message)


async def test_an_outcome_the_store_cannot_take_is_not_retried(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(activities(tmp_path).record_outcome, outcome_record(outcome="maybe"))
    assert info.value.non_retryable
    assert "ACC-1" in info.value.message and "maybe" in info.value.message
    assert_names_nobody(info.value.message)
