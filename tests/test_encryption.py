"""The payload codec and its keys: what Temporal stores is ciphertext, keys rotate by adding, and
nothing ever prints a key."""

from __future__ import annotations

import base64
import multiprocessing
import os
import stat
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.email import Delivery, OutboxTransport
from campaigns.model import MANUAL_CHANNELS
from contracts import ids
from contracts.sequence import COMPLETED_NO_REPLY, SequenceInput
from tests.factories import sequence_input
from tests.test_sequence import running_worker, start
from winback import binaries, encryption
from winback.encryption import CodecError, EncryptionCodec, Keyring, load_keyring, parse_keys_variable
from winback.settings import Settings, SettingsError
from winback.simulate import InstantTaskBoard, register_search_attributes
from winback.worker import WORKFLOWS, workflow_runner
from workflows.sequence import SequenceWorkflow

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
OLD = f"old:{base64.b64encode(OLD_KEY).decode()}"
NEW = f"new:{base64.b64encode(NEW_KEY).decode()}"
EMAIL = "aino@revontuli.example"


def keyring(value: str) -> Keyring:
    return parse_keys_variable(value, fallback="codec.keys")


def codec(value: str) -> EncryptionCodec:
    return EncryptionCodec(keyring(value))


def json_payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'"{text}"'.encode())


def settings_in(folder: Path) -> Settings:
    return Settings(data_dir=folder, task_queue="winback", public_url="https://winback.example")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def no_keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.KEYS_VAR, raising=False)


# --- the codec ----------------------------------------------------------------------------------


async def test_a_payload_round_trips_and_is_stored_as_nonce_and_aes_gcm_of_the_original() -> None:
    original = json_payload(EMAIL)
    [sealed] = await codec(OLD).encode([original])
    assert dict(sealed.metadata) == {"encoding": b"binary/encrypted", "encryption-key-id": b"old"}
    assert EMAIL.encode() not in sealed.SerializeToString()
    # The samples' format exactly: 12-byte nonce, then AES-GCM of the serialized Payload.
    opened = AESGCM(OLD_KEY).decrypt(sealed.data[:12], sealed.data[12:], None)
    assert Payload.FromString(opened) == original
    assert await codec(OLD).decode([sealed]) == [original]


async def test_each_encryption_takes_a_fresh_nonce() -> None:
    first, second = await codec(OLD).encode([json_payload(EMAIL), json_payload(EMAIL)])
    assert first.data[:12] != second.data[:12] and first.data != second.data


async def test_plain_payloads_pass_through_decode_unchanged() -> None:
    plain = [json_payload(EMAIL), Payload(metadata={"encoding": b"binary/null"}), Payload()]
    assert await codec(OLD).decode(plain) == plain


async def test_none_stays_plain_so_the_server_can_delete_a_memo_key() -> None:
    null = Payload(metadata={"encoding": b"binary/null"})
    [encoded] = await codec(OLD).encode([null])
    assert encoded == null
    [value] = await codec(OLD).encode([json_payload("")])
    assert value.metadata["encoding"] == b"binary/encrypted"


async def test_rotation_encrypts_with_the_first_key_and_still_decrypts_with_the_old_one() -> None:
    [before] = await codec(OLD).encode([json_payload(EMAIL)])
    rotated = codec(f"{NEW},{OLD}")
    assert await rotated.decode([before]) == [json_payload(EMAIL)]
    [after] = await rotated.encode([json_payload(EMAIL)])
    assert after.metadata["encryption-key-id"] == b"new"
    with pytest.raises(CodecError) as unknown:
        await codec(OLD).decode([after])
    message = str(unknown.value)
    assert "'new'" in message and "WINBACK_CODEC_KEYS (old)" in message
    assert base64.b64encode(OLD_KEY).decode() not in message


async def test_a_changed_or_cut_payload_fails_naming_its_key_id_never_a_key() -> None:
    [sealed] = await codec(OLD).encode([json_payload(EMAIL)])
    flipped = bytearray(sealed.data)
    flipped[20] ^= 1
    changed = Payload(metadata=sealed.metadata, data=bytes(flipped))
    cut = Payload(metadata=sealed.metadata, data=sealed.data[:20])
    for bad in (changed, cut):
        with pytest.raises(CodecError) as refused:
            await codec(OLD).decode([bad])
        message = str(refused.value)
        assert "'old'" in message and "fails authentication" in message
        assert base64.b64encode(OLD_KEY).decode() not in message and OLD_KEY.hex() not in message
    # The right id with the wrong key under it is the same failure.
    with pytest.raises(CodecError, match="fails authentication"):
        await codec(f"old:{base64.b64encode(NEW_KEY).decode()}").decode([sealed])


async def test_an_encrypted_payload_without_a_key_id_is_refused() -> None:
    [sealed] = await codec(OLD).encode([json_payload(EMAIL)])
    del sealed.metadata["encryption-key-id"]
    with pytest.raises(CodecError, match="names no codec key"):
        await codec(OLD).decode([sealed])


def test_a_key_never_shows_in_a_repr() -> None:
    ring = keyring(OLD)
    assert base64.b64encode(OLD_KEY).decode() not in repr(ring) and repr(OLD_KEY) not in repr(ring)


# --- the data converter -------------------------------------------------------------------------


async def test_the_converter_encrypts_values_and_decodes_them_back() -> None:
    converter = encryption.data_converter(keyring(OLD))
    [payload] = await converter.encode([{"to_email": EMAIL}])
    assert payload.metadata["encoding"] == b"binary/encrypted" and EMAIL.encode() not in payload.data
    assert await converter.decode([payload], [dict]) == [{"to_email": EMAIL}]


async def test_failure_messages_and_stack_traces_are_encrypted_and_read_back() -> None:
    converter = encryption.data_converter(keyring(OLD))
    try:
        raise ApplicationError(f"the relay refused {EMAIL}", non_retryable=True)
    except ApplicationError as err:
        failure = Failure()
        await converter.encode_failure(err, failure)
    assert failure.message == "Encoded failure" and not failure.stack_trace
    assert failure.encoded_attributes.metadata["encoding"] == b"binary/encrypted"
    assert EMAIL.encode() not in failure.SerializeToString()
    back = await converter.decode_failure(failure)
    assert isinstance(back, ApplicationError) and back.message == f"the relay refused {EMAIL}"


async def test_a_refused_action_s_message_stays_readable_without_the_codec() -> None:
    """What the CSM reads in the UI's update dialog or `temporal workflow update` with no codec
    endpoint: the refusal names the field and shows what to type."""
    converter = encryption.data_converter(keyring(OLD))
    said = 'pause refused: "until" must be a date like 2026-12-15'
    failure = Failure()
    try:
        raise ApplicationError(said, type=ids.REFUSED_ERROR)
    except ApplicationError as err:
        await converter.encode_failure(err, failure)
    assert failure.message == said and not failure.HasField("encoded_attributes")
    assert failure.stack_trace == ""  # the UI's dialog would show the worker's file paths
    back = await converter.decode_failure(failure)
    assert isinstance(back, ApplicationError) and back.message == said and back.type == ids.REFUSED_ERROR


class RelayRefuses(OutboxTransport):
    """A mail relay whose refusal quotes the address, as a provider's error may."""

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        raise ApplicationError(f"the relay refused {message['To']}", non_retryable=True)


def email_only(inp: SequenceInput) -> SequenceInput:
    emails = tuple(t for t in inp.plan.touches if t.channel not in MANUAL_CHANNELS)[:1]
    return replace(inp, plan=replace(inp.plan, touches=emails))


@pytest.fixture
async def codec_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server whose client (and so its worker) has the codec."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=encryption.data_converter(keyring(OLD)),
        test_server_existing_path=str(binaries.test_server()),
    )
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()


async def test_a_workflow_reads_an_activity_failure_s_message_through_the_codec(
    codec_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    inp = email_only(sequence_input())
    async with running_worker(
        codec_env, tmp_path / "outbox", InstantTaskBoard(codec_env.client), RelayRefuses(tmp_path / "outbox")
    ) as tq:
        handle = await start(codec_env, tq, inp)
        result = await handle.result()
        status = await handle.query(SequenceWorkflow.status)

    # workflows/sequence_text.py failure_note read ApplicationError.message inside the workflow.
    assert result.outcome == COMPLETED_NO_REPLY
    assert result.touches[0].status == "failed"
    assert result.touches[0].note == f"the relay refused Aino Korhonen <{EMAIL}>"
    assert status.touches[0].note == result.touches[0].note
    # The history holds neither the message nor any input, result or memo in the clear.
    failures = []
    async for event in handle.fetch_history_events():
        assert EMAIL.encode() not in event.SerializeToString(), event.event_type
        assert b"Aino Korhonen" not in event.SerializeToString(), event.event_type
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            failures.append(event.activity_task_failed_event_attributes.failure)
    assert [f.message for f in failures] == ["Encoded failure"]

    # The encrypted history replays with the keys rotated (the old one now second).
    replayer = Replayer(
        workflows=list(WORKFLOWS),
        workflow_runner=workflow_runner(),
        data_converter=encryption.data_converter(keyring(f"{NEW},{OLD}")),
    )
    replayed = await replayer.replay_workflow(await handle.fetch_history(), raise_on_replay_failure=True)
    assert replayed.replay_failure is None


# --- keys from the environment ------------------------------------------------------------------


def test_the_variable_lists_keys_the_first_one_encrypting(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("WINBACK_CODEC_KEYS", f" {NEW} , {OLD},k.3_x-y:{base64.b64encode(bytes(16)).decode()}")
    ring = load_keyring(settings_in(tmp_path / "data"))
    assert ring.ids == ("new", "old", "k.3_x-y") and ring.current.secret == NEW_KEY
    assert ring.source == "WINBACK_CODEC_KEYS"
    assert not (tmp_path / "data").exists(), "keys from the variable still made a key file"


def test_url_safe_base64_and_24_byte_keys_are_accepted(tmp_path: Path, monkeypatch: Any) -> None:
    key = bytes([251] * 24)  # base64 "+/" in the standard alphabet, "-_" in the URL-safe one
    monkeypatch.setenv("WINBACK_CODEC_KEYS", f"k1:{base64.urlsafe_b64encode(key).decode()}")
    assert load_keyring(settings_in(tmp_path)).current.secret == key


SECRET_LOOKING = base64.b64encode(b"s" * 32).decode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),
        (" , ", "is empty"),
        (SECRET_LOOKING, "no ':'"),
        (f"k1:{SECRET_LOOKING[:-3]}", "not base64"),
        (f"k1:{base64.b64encode(b'x' * 31).decode()}", "31 bytes"),
        (f"k1:{base64.b64encode(b'x' * 64).decode()}", "64 bytes"),
        (f"k1:{SECRET_LOOKING},k1:{base64.b64encode(NEW_KEY).decode()}", "'k1' twice"),
        (f":{SECRET_LOOKING}", "key id"),
        (f"{SECRET_LOOKING}:k1", "key id"),
        (f"bad id:{SECRET_LOOKING}", "key id"),
        ("k1:", "0 bytes"),
    ],
)
def test_bad_keys_in_the_variable_are_one_line_naming_it_never_a_key(
    tmp_path: Path, monkeypatch: Any, value: str, problem: str
) -> None:
    monkeypatch.setenv("WINBACK_CODEC_KEYS", value)
    with pytest.raises(SettingsError) as refused:
        load_keyring(settings_in(tmp_path / "data"))
    line = str(refused.value)
    assert "\n" not in line and line.startswith("WINBACK_CODEC_KEYS") and problem in line, line
    assert "openssl rand -base64 32" in line and str(tmp_path / "data" / "codec.keys") in line
    assert SECRET_LOOKING not in line and SECRET_LOOKING[:-3] not in line, "the error printed a key"
    assert not (tmp_path / "data").exists()


# --- keys from the data folder ------------------------------------------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022, so a private mode proves Winback asked for it rather than inherited it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_key_file_is_made_once_privately_and_kept(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    first = load_keyring(settings_in(data))
    key_file = data / "codec.keys"
    assert first.source == str(key_file) and len(first.keys) == 1 and len(first.current.secret) == 32
    assert load_keyring(settings_in(data)) == first
    assert (mode(data), mode(key_file)) == (0o700, 0o600)
    assert [p.name for p in data.iterdir()] == ["codec.keys"], "a temp file was left"
    lines = [line for line in key_file.read_text().splitlines() if not line.startswith("#")]
    assert lines == [f"{first.current.key_id} {base64.b64encode(first.current.secret).decode()}"]


def test_a_new_line_on_top_of_the_key_file_rotates(tmp_path: Path) -> None:
    key_file = tmp_path / "codec.keys"
    key_file.write_text(f"# rotated in May\n\n{NEW.replace(':', ' ')}\n  {OLD.replace(':', '   ')}  \n")
    ring = load_keyring(settings_in(tmp_path))
    assert ring.ids == ("new", "old") and ring.current.secret == NEW_KEY


def test_the_variable_wins_over_the_key_file(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "codec.keys").write_text(OLD.replace(":", " ") + "\n")
    monkeypatch.setenv("WINBACK_CODEC_KEYS", NEW)
    assert load_keyring(settings_in(tmp_path)).ids == ("new",)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "holds no codec key"),
        ("# only a comment\n\n", "holds no codec key"),
        (f"{SECRET_LOOKING}\n", "line 1 is not `keyid base64key` (1 fields)"),
        (f"k1 {SECRET_LOOKING} extra\n", "(3 fields)"),
        (f"# c\nk1 {SECRET_LOOKING[:-3]}\n", "line 2: the key is not base64"),
        (f"k1 {base64.b64encode(b'x' * 20).decode()}\n", "20 bytes"),
        (f"k1 {SECRET_LOOKING}\nk1 {base64.b64encode(NEW_KEY).decode()}\n", "'k1' twice"),
        (f"{SECRET_LOOKING} k1\n", "the key id is not"),
        ("\x00\x01 garbage\n", "the key id is not"),
    ],
)
def test_a_bad_key_file_is_one_line_naming_it_and_is_left_alone(
    tmp_path: Path, content: str, problem: str
) -> None:
    key_file = tmp_path / "codec.keys"
    key_file.write_text(content)
    with pytest.raises(SettingsError) as refused:
        load_keyring(settings_in(tmp_path))
    line = str(refused.value)
    assert "\n" not in line and str(key_file) in line and problem in line, line
    assert SECRET_LOOKING not in line and SECRET_LOOKING[:-3] not in line, "the error printed a key"
    assert key_file.read_text() == content, "the file was changed behind the user's back"


def test_a_key_file_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "codec.keys").mkdir()
    with pytest.raises(SettingsError) as refused:
        load_keyring(settings_in(tmp_path))
    line = str(refused.value)
    assert "\n" not in line and str(tmp_path / "codec.keys") in line and "WINBACK_CODEC_KEYS" in line


def _load_in_a_process(folder: str, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        ring = load_keyring(settings_in(Path(folder)))
        results.put(("ok", f"{ring.current.key_id}:{ring.current.secret.hex()}"))
    except Exception as err:  # reported to the test, which names it
        results.put(("error", f"{type(err).__name__}: {err}"))


def test_processes_starting_together_on_a_new_folder_all_get_the_same_key(tmp_path: Path) -> None:
    # Fork: a spawned interpreter takes a second to import; the race needs them all at once.
    ctx = multiprocessing.get_context("fork")
    processes = 8
    for n in range(3):
        folder = tmp_path / f"round-{n}" / "data"
        barrier = ctx.Barrier(processes)
        results = ctx.Queue()
        workers = [
            ctx.Process(target=_load_in_a_process, args=(str(folder), barrier, results))
            for _ in range(processes)
        ]
        for worker in workers:
            worker.start()
        answers = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert all(kind == "ok" for kind, _ in answers), answers
        assert len({text for _, text in answers}) == 1, f"round {n}: the processes got different keys"


def test_converter_for_uses_the_settings_keys(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("WINBACK_CODEC_KEYS", OLD)
    converter: DataConverter = encryption.converter_for(settings_in(tmp_path))
    assert isinstance(converter.payload_codec, EncryptionCodec)
    assert converter.payload_codec.keyring.ids == ("old",)
