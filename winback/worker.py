"""The worker: SequenceWorkflow plus the activities with their real clients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.email import OutboxTransport
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard
from campaigns import calendar
from winback.settings import Settings
from workflows.sequence import SequenceWorkflow

WORKFLOWS: Sequence[type] = (SequenceWorkflow,)

# Pure libraries the calendar calls from workflow code. `holidays` imports its country
# modules (and dateutil) lazily on first use; passed through, they load once per process
# outside the sandbox instead of inside a workflow task, where dateutil's import-time
# clock read is rightly forbidden.
PASSTHROUGH_MODULES = ("holidays", "dateutil", "six", "campaigns", "workflows.contracts")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


def activities_for(impl: SequenceActivities) -> list[Any]:
    return [impl.render_message, impl.send_email, impl.assign_task]


def local_activities(settings: Settings) -> SequenceActivities:
    return SequenceActivities(
        OutboxTransport(settings.outbox_dir),
        FolderTaskBoard(settings.tasks_dir),
        public_url=settings.public_url,
        unsubscribe_secret=settings.unsubscribe_secret(),
    )


def sequence_worker(client: Client, task_queue: str, impl: SequenceActivities) -> Worker:
    calendar.warm_up()
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(impl),
        workflow_runner=workflow_runner(),
    )


def build_worker(client: Client, settings: Settings, impl: SequenceActivities | None = None) -> Worker:
    return sequence_worker(client, settings.task_queue, impl or local_activities(settings))
