"""Where manual tasks (LinkedIn, call, executive outreach) go for the account owner.

The sequence itself is the source of truth for open tasks (its `status` query); the board is
the owner's inbox of prepared messages and call scripts, and of the tasks of saves.

One Markdown file per task, in `<folder>/<owner handle>/`, named so that a CSM browsing the
folder sees whose and what it is, and so that one task (one `TaskAssignment.key`) is always one
file, however often it is assigned (a retry rewrites the same content):

- a sequence's touch: `<account>-touch<N>-<channel>.md` (`ACC-1-touch3-call.md`), one per touch
  of the account's sequence, as the README names them;
- every other task (a save's, its follow-up's, a cancel intent's intervention, a new contact to
  find): `<account>-<channel>[-<which>]-<hash>.md`, where `<which>` is the task's id or kind
  (`ACC-1-save-issue-1-…`, `ACC-1-save-followup-health-3-…`,
  `ACC-1-save-intervention-cancel_flow_abandoned-…`) and `<hash>` the first 8 hex digits of the
  SHA-256 of the task's key: a second intervention for the account, or the same task id in the
  save of a later renewal, is another file beside the first, never over it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from activities.failures import inside, safe_part
from campaigns.model import MANUAL_CHANNELS, owner_handle
from contracts.sequence import TaskAssignment


class TaskBoard(Protocol):
    async def assign(self, task: TaskAssignment) -> str: ...


class FolderTaskBoard:
    """One Markdown file per task under `<folder>/<owner handle>/`, never anywhere else: a part
    that would climb out (an owner `../../x@…`) or a link that leads out raises UnsafeFileName."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def assign(self, task: TaskAssignment) -> str:
        return await asyncio.to_thread(self._write, task)

    def _write(self, task: TaskAssignment) -> str:
        handle = safe_part(owner_handle(task.owner), "the owner's handle")
        name = file_name(task)
        target = inside(self.folder, self.folder / handle / f"{name}.md", "the owner's handle")
        for folder in (self.folder, target.parent):  # owner only; mkstemp makes the file 0600
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        lines = [
            f"# {task.channel} task: {task.company} ({task.account_id})",
            "",
            f"- campaign: {task.campaign_id}",
            f"- touch: {task.touch}",
            f"- due: {task.due_local}",
            f"- report back: {task.report_back or _sequence_report(task)}",
            "",
        ]
        if task.subject:
            lines += [f"Subject: {task.subject}", ""]
        text = "\n".join(lines) + task.text
        # Same key, same file: a retried assignment rewrites identical content.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
        return str(target)


def file_name(task: TaskAssignment) -> str:
    """The task's file name without `.md` (see the module's docstring)."""
    account = safe_part(task.account_id, "the account id")
    channel = safe_part(task.channel, "the channel")
    if task.touch >= 1 and task.channel in MANUAL_CHANNELS:  # a sequence's touch
        return f"{account}-touch{task.touch}-{channel}"
    digest = hashlib.sha256(task.key.encode("utf-8")).hexdigest()[:8]
    which = _which(task.channel, task.template)
    return "-".join(part for part in (account, channel, which, digest) if part)


def _which(channel: str, template: str) -> str:
    """Which task of its channel, as a file name part: the template (a save's task id, the
    intent's kind) in letters, digits, `_` and `-`, without repeating the channel's last word
    (`save-issue` + `issue-1` → `1`); "" when it says nothing more."""
    words = re.sub(r"[^0-9A-Za-z_]+", "-", template).strip("-")[:40].strip("-")
    last = channel.rsplit("-", 1)[-1]
    if words == last:
        return ""
    return words.removeprefix(f"{last}-")


def _sequence_report(task: TaskAssignment) -> str:
    return f"winback task done {task.account_id} --outcome done|skipped|no_answer"
