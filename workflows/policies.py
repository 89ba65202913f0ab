"""How long each activity may take and how often it is retried, for both workflows.

Every policy is bounded: a permanent failure (activities/failures.py) fails at once, a
transient one is retried for a time that suits what the activity does, then the workflow goes
on or fails with the last error (docs/ARCHITECTURE.md, "Rules and where they live"). Changing a
policy does not change the commands a workflow issues, so histories still replay.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from temporalio.common import RetryPolicy

# --- the sequence ----------------------------------------------------------------------------

ACTIVITY_TIMEOUT: Final = timedelta(minutes=2)
# How late a touch may still go out as scheduled (a worker restart); later than this it is
# placed in the next allowed slot again.
LATE: Final = timedelta(minutes=15)
# Bounded retries for transient failures; permanent ones are non-retryable and fail at once
# (activities/failures.py, docs/ARCHITECTURE.md). A touch rides out a store or disk that is
# down for about ten minutes (waits 5 s, 10 s ... 2 min; ten attempts); past that it is
# recorded "failed" with the last error and the sequence goes on, rather than landing hours
# late outside the recipient's sending hours.
TOUCH_RETRY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=10,
)
# The outcome carries the decline or silence the next campaigns must respect, and the sequence
# has nothing else left to do: it waits out a store that is down for a day (waits up to 10 min;
# 150 attempts, about 24 h) before the workflow fails with the last error. The record it
# could not write stays in the history as the activity's input.
OUTCOME_RETRY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=150,
)


# --- the launch ------------------------------------------------------------------------------

# A batch of starts takes seconds; the heartbeat notices a dead worker long before the
# start-to-close timeout would.
BATCH_TIMEOUT: Final = timedelta(minutes=10)
BATCH_HEARTBEAT: Final = timedelta(seconds=30)
# Bounded: a batch rides out a store or frontend that is down for well over an hour (waits
# 1 s, 2 s ... 5 min; 30 attempts, about 1 h 50 min), then the launch fails with the last
# error. Waiting longer would start the late sequences all at once, past the stagger's
# daily cap; a new launch re-plans them with a fresh stagger instead. A permanent failure
# (activities/failures.py) fails at once.
LAUNCH_RETRY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=30,
)


# --- signal watchers ---------------------------------------------------------------------------

# One poll: fetch (20 s timeout, 10 MB cap), parse, match, start a few sequences.
POLL_TIMEOUT: Final = timedelta(minutes=5)
# A few quick retries only: the Schedule fires again at the next interval anyway, and a source
# that cannot be read is recorded by the activity without failing it.
POLL_RETRY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=5,
)


# --- the reconciler --------------------------------------------------------------------------

# A week of closed sequences is a few visibility pages and, for the few the store has no
# outcome for, one history each: seconds, minutes for thousands terminated at once. The
# heartbeat after each page notices a dead worker long before the timeout would.
RECONCILE_TIMEOUT: Final = timedelta(minutes=30)
RECONCILE_HEARTBEAT: Final = timedelta(minutes=1)
# A few quick retries only: the Schedule fires again within minutes, and its look-back window
# covers whatever a failed run left; writing an outcome twice changes nothing.
RECONCILE_RETRY: Final = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=3,
)
