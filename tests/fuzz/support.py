"""What every fuzz target shares: the two budgets, the guard against hangs and stray writes, and
what a problem line must look like.

Budgets: `make test` runs the "ci" profile (few examples, derandomized so a red build reproduces
on any machine, no example database); `make fuzz` sets WINBACK_FUZZ_PROFILE=long (thousands of
examples, fresh randomness each run, failures kept in a database outside the repository).
The profiles have their own names and are applied per test, so the other property tests keep
Hypothesis's defaults and its built-in "ci" profile.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILE_ENV = "WINBACK_FUZZ_PROFILE"
MAX_LINE = 500
# A loader may take a few seconds per megabyte; inputs here stay near a megabyte at most, so one
# generous deadline serves. The alarm turns a real hang (which a deadline only reports once the
# call returns) into a failure instead of a stuck build.
DEADLINE = timedelta(seconds=10)
HANG_SECONDS = 60.0

_SLOW_INPUTS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# No "explain" phase: it traces every line the failing example runs, which makes a deep YAML
# recursion take minutes, and the shrunk example already says what went wrong.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]

settings.register_profile(
    "winback-fuzz-ci",
    deadline=DEADLINE,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=_SLOW_INPUTS,
    phases=_PHASES,
)
settings.register_profile(
    "winback-fuzz-long",
    deadline=DEADLINE,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(Path(tempfile.gettempdir()) / "winback-fuzz-examples"),
    print_blob=True,
    suppress_health_check=_SLOW_INPUTS,
    phases=_PHASES,
)
PROFILE = "winback-fuzz-long" if os.environ.get(PROFILE_ENV) == "long" else "winback-fuzz-ci"


def fuzz(ci: int, long: int, **overrides: Any) -> settings:
    """The budget of one target: its number of examples under each profile (a target that runs a
    subprocess affords fewer than one that calls a function)."""
    parent = settings.get_profile(PROFILE)
    examples = long if PROFILE == "winback-fuzz-long" else ci
    return settings(parent, max_examples=examples, **overrides)


# --- the guard: no hang, no file written outside the example's own folder -------------------


class Hang(Exception):
    """The call under test ran for HANG_SECONDS."""


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change the file system, and which of their arguments are paths.
_PATH_EVENTS = {
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.copyfile": (1,),
    "shutil.rmtree": (0,),
}


class _Watch:
    allowed: str | None = None
    writes: ClassVar[list[str]] = []
    installed = False


def _outside(path: object) -> str | None:
    if isinstance(path, int) or path is None:
        return None  # an already open descriptor: its open was checked
    name = os.fsdecode(path) if isinstance(path, bytes | os.PathLike) else str(path)
    full = os.path.realpath(name)
    if "__pycache__" in full:
        return None  # Python caching the bytecode of a module imported for the first time
    assert _Watch.allowed is not None
    return None if full == _Watch.allowed or full.startswith(_Watch.allowed + os.sep) else full


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _Watch.allowed is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        targets: tuple[object, ...] = (path,) if writing else ()
    elif event in _PATH_EVENTS:
        targets = tuple(args[i] for i in _PATH_EVENTS[event] if i < len(args))
    else:
        return
    for target in targets:
        outside = _outside(target)
        if outside is not None:
            _Watch.writes.append(f"{event} {outside}")


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"still running after {HANG_SECONDS:.0f} s: a hang")


@contextmanager
def guarded(folder: Path) -> Iterator[None]:
    """Run the block with a hard time limit, then fail if it wrote anywhere but `folder`."""
    if not _Watch.installed:
        sys.addaudithook(_audit)  # hooks cannot be removed; _Watch.allowed switches it off
        _Watch.installed = True
    _Watch.allowed = os.path.realpath(folder)
    _Watch.writes = []
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _Watch.allowed = None
    assert not _Watch.writes, f"wrote outside the example's folder {folder}: {_Watch.writes[:5]}"


# --- problem lines ----------------------------------------------------------------------------


def short(text: str, limit: int = 160) -> str:
    """A value as an assertion message may quote it: its repr, cut to a readable length."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[:limit]}... ({len(text)} characters)"


def assert_one_line(line: str, what: str = "problem line") -> None:
    assert "\n" not in line and "\r" not in line, f"{what} spans lines: {short(line)}"
    assert len(line) <= MAX_LINE, f"{what} of {len(line)} characters (at most {MAX_LINE}): {short(line)}"


def assert_problem_lines(lines: Sequence[str], sources: Sequence[str]) -> None:
    """One line per problem: no line break inside, readable length, starting with the file's name."""
    assert lines, "refused with no problem line"
    for line in lines:
        assert_one_line(line)
        assert any(line.startswith(f"{source}: ") for source in sources), (
            f"problem line does not start with the file's name ({', '.join(sources)}): {short(line)}"
        )


@contextmanager
def example_folder() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is one per test, shared by all its examples)."""
    with tempfile.TemporaryDirectory(prefix="winback-fuzz-") as name:
        yield Path(name)
