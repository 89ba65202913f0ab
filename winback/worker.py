"""The worker: SequenceWorkflow, LaunchWorkflow, WatchWorkflow, ReconcileWorkflow, SaveWorkflow and
SaveFollowUpWorkflow plus the activities with their real clients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.email import EmailTransport, OutboxTransport
from activities.launch import LaunchActivities
from activities.reconcile import ReconcileActivities
from activities.save_followup import SaveFollowUpActivities
from activities.saves import SaveActivities
from activities.sendgrid import SendGridTransport
from activities.sequence import SequenceActivities
from activities.store import Store
from activities.tasks import FolderTaskBoard
from activities.watch import WatchActivities
from campaigns import calendar
from winback.settings import Settings
from workflows.launch import LaunchWorkflow
from workflows.reconcile import ReconcileWorkflow
from workflows.save import SaveWorkflow
from workflows.save_followup import SaveFollowUpWorkflow
from workflows.sequence import SequenceWorkflow
from workflows.watch import WatchWorkflow

WORKFLOWS: Sequence[type] = (
    SequenceWorkflow,
    LaunchWorkflow,
    WatchWorkflow,
    ReconcileWorkflow,
    SaveWorkflow,
    SaveFollowUpWorkflow,
)

# Pure libraries the calendar calls from workflow code. `holidays` imports its country
# modules (and dateutil) lazily on first use; passed through, they load once per process
# outside the sandbox instead of inside a workflow task, where dateutil's import-time
# clock read is rightly forbidden.
PASSTHROUGH_MODULES = ("holidays", "dateutil", "six", "campaigns", "contracts")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


def activities_for(
    impl: SequenceActivities,
    launch: LaunchActivities | None = None,
    watch: WatchActivities | None = None,
    reconcile: ReconcileActivities | None = None,
    follow_up: SaveFollowUpActivities | None = None,
) -> list[Any]:
    found: list[Any] = [impl.render_message, impl.send_email, impl.assign_task, impl.record_outcome]
    # Saves share the task board and the store with sequences; their one activity of their own
    # needs nothing else, so every worker runs it.
    found.append(SaveActivities(impl.store).record_save_outcome)
    if follow_up is not None:
        found += [follow_up.record_follow_up, follow_up.start_save_winback]
    if launch is not None:
        found.append(launch.start_batch)
    if watch is not None:
        found.append(watch.poll_source)
    if reconcile is not None:
        found.append(reconcile.reconcile_outcomes)
    return found


def transport_for(settings: Settings, store: Store) -> EmailTransport:
    """SendGrid when SENDGRID_API_KEY is set (its send ledger in the store), else the outbox."""
    api_key = settings.sendgrid_api_key()
    if api_key is None:
        return OutboxTransport(settings.outbox_dir)
    return SendGridTransport(api_key, store)


def local_activities(settings: Settings, store: Store) -> SequenceActivities:
    return SequenceActivities(
        transport_for(settings, store),
        FolderTaskBoard(settings.tasks_dir),
        store,
        public_url=settings.public_url,
        unsubscribe_secret=settings.unsubscribe_secret(),
        inbound_domain=settings.inbound_domain(),
    )


def sequence_worker(
    client: Client,
    task_queue: str,
    impl: SequenceActivities,
    launch: LaunchActivities | None = None,
    watch: WatchActivities | None = None,
    reconcile: ReconcileActivities | None = None,
) -> Worker:
    calendar.warm_up()
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        # A save's follow-up starts win-back sequences with the worker's own client, as a
        # launch does; every worker runs it, so a save never waits for a special one.
        activities=activities_for(
            impl, launch, watch, reconcile, SaveFollowUpActivities(client, impl.store, task_queue=task_queue)
        ),
        workflow_runner=workflow_runner(),
        # A launch creates thousands of workflows whose first tasks wait on the queue; the
        # default fixed pollers fetch them one at a time (~55 tasks/s on the dev server, measured
        # with bench/launch.py). Autoscaling pollers follow the backlog.
        workflow_task_poller_behavior=PollerBehaviorAutoscaling(),
    )


def build_worker(
    client: Client,
    settings: Settings,
    store: Store,
    impl: SequenceActivities | None = None,
) -> Worker:
    impl = impl or local_activities(settings, store)
    launch = LaunchActivities(client, store, task_queue=settings.task_queue)
    watch = WatchActivities(client, store, task_queue=settings.task_queue)
    reconcile = ReconcileActivities(client, store, task_queue=settings.task_queue)
    return sequence_worker(client, settings.task_queue, impl, launch, watch, reconcile)
