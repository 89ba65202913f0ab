"""Running the real `winback` command in a subprocess, as a user's shell would."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from winback import encryption

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "campaigns" / "examples"
# The codec keys of every test that runs `winback` next to the session's dev server: its client
# (tests/conftest.py `dev_env`) and the commands encrypt and decrypt with the same key.
CODEC_KEYS = "test-1:" + base64.b64encode(bytes(range(32))).decode()


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def env_for(
    temporal: WorkflowEnvironment | None, data_dir: Path, task_queue: str = "winback"
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WINBACK_", "DATABASE_URL"))}
    env["WINBACK_DATA_DIR"] = str(data_dir)
    env["WINBACK_TASK_QUEUE"] = task_queue
    env["WINBACK_CODEC_KEYS"] = CODEC_KEYS
    # An address nothing listens on, unless a test hands a real server: a command that should
    # not need Temporal proves it by succeeding (or failing cleanly) without one.
    env["TEMPORAL_ADDRESS"] = temporal.client.service_client.config.target_host if temporal else "127.0.0.1:1"
    return env


def codec_converter() -> DataConverter:
    """The codec with CODEC_KEYS, the keys `env_for` gives the commands."""
    return encryption.data_converter(encryption.parse_keys_variable(CODEC_KEYS, fallback="-"))


async def winback(*args: str, env: dict[str, str], timeout: float = 120) -> Run:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "winback",
        *args,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        # A hung command fails its test rather than outliving it.
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


def winback_blocking(*args: str, env: dict[str, str], timeout: float = 120) -> Run:
    """`winback` for a synchronous test (a Hypothesis property cannot be a coroutine)."""
    done = subprocess.run(
        [sys.executable, "-m", "winback", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout.decode(), done.stderr.decode())
