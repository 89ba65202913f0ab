"""What a launch exchanges: its input and progress, a batch of starts, the states of its items.

Part of workflow histories and of stored launch items: add fields only with defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# The state of one launch item, as the store keeps it and a batch reports it.
ITEM_PENDING: Final = "pending"
ITEM_STARTED: Final = "started"
ITEM_ALREADY_RUNNING: Final = "already_running"
ITEM_FAILED: Final = "failed"
# States an item can be marked with once its start was attempted.
ITEM_RESULT_STATES: Final = (ITEM_STARTED, ITEM_ALREADY_RUNNING, ITEM_FAILED)
ITEM_STATES: Final = (ITEM_PENDING, *ITEM_RESULT_STATES)


@dataclass
class LaunchProgress:
    """Where a launch stands; the `progress` query returns it and it survives continue-as-new."""

    planned: int
    started: int = 0
    already_running: int = 0
    failed: int = 0
    done: bool = False
    # The first few failures, "ACC-1: reason", so a person sees what went wrong.
    failures: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.started + self.already_running + self.failed


@dataclass
class LaunchInput:
    launch_id: str  # the store's key for this launch's items
    campaign_id: str
    total: int  # items in the launch, positions 0..total-1
    batch_size: int = 100
    # Where a continued run picks up; a new launch leaves them at their defaults.
    next_position: int = 0
    progress: LaunchProgress | None = None


@dataclass(frozen=True)
class BatchRequest:
    launch_id: str
    campaign_id: str
    start: int  # first position
    count: int


@dataclass(frozen=True)
class BatchResult:
    """Every item of the batch by its final state, including those an earlier attempt of the
    same activity already handled (so a retried batch is counted once)."""

    started: int
    already_running: int
    failed: int
    failures: list[str] = field(default_factory=list)
