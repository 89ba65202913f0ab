"""The data folder is its owner's alone: it holds contact emails (the store, the outbox, tasks, the
Temporal database), the unsubscribe secret and the codec's keys and token. Folders are 0700 and files 0600
(docs/ARCHITECTURE.md, "Rules and where they live")."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Final

# Set once in winback/cli.py main, so files made by libraries (SQLite, logging) and by child
# processes (the Temporal dev server) are private too, not only the ones created here.
UMASK: Final = 0o077
FOLDER_MODE: Final = 0o700
FILE_MODE: Final = 0o600


def tighten(folder: Path) -> None:
    """Take group and other access off an existing folder of ours; anything else is left alone.

    A data folder from before this rule, or one made under umask 022, is 0755: its files' names
    and any file made readable by mistake would show."""
    with contextlib.suppress(OSError):  # missing, or not ours to change: the owner's business
        st = folder.stat()
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077:
            folder.chmod(stat.S_IMODE(st.st_mode) & ~0o077)


def make_folder(folder: Path) -> None:
    """Create `folder` and any missing parents 0700, or tighten it when it exists."""
    # mkdir(parents=True) gives the parents the umask's mode, not `mode`: make each level here.
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            level.mkdir(mode=FOLDER_MODE)
    tighten(folder)


def open_file(path: Path, flags: int) -> int:
    """os.open with `flags | O_CREAT` and the private mode a new file gets."""
    return os.open(path, flags | os.O_CREAT, FILE_MODE)


def write_text(path: Path, text: str) -> None:
    """Path.write_text, but a new file is 0600 whatever the umask."""
    with os.fdopen(open_file(path, os.O_WRONLY | os.O_TRUNC), "w") as fh:
        fh.write(text)


def create_once(path: Path, text: str) -> None:
    """`text` in a new private file at `path`, unless another process puts one there first.

    Readers never see a partial file: the text is written and synced under a temporary name,
    then linked into place. link() refuses to replace a file, so the first process to get there
    wins and every other one reads that same file."""
    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    # The new name itself must survive a crash, or the next start makes a different one.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
