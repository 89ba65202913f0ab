"""Where manual tasks (LinkedIn, call, executive outreach) go for the account owner.

The sequence itself is the source of truth for open tasks (its `status` query); the board is
the owner's inbox of prepared messages and call scripts.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol

from activities.failures import inside, safe_part
from campaigns.model import owner_handle
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
        name = "-".join(
            (
                safe_part(task.account_id, "the account id"),
                f"touch{task.touch}",
                safe_part(task.channel, "the channel"),
            )
        )
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


def _sequence_report(task: TaskAssignment) -> str:
    return f"winback task done {task.account_id} --outcome done|skipped|no_answer"
