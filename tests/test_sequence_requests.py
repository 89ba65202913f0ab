"""The requests a sequence hands its activities, built from its input and state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from campaigns.model import Offer, PlannedTouch
from contracts.sequence import RenderedMessage
from tests.factories import make_account, make_campaign, sequence_input
from workflows import sequence_requests as requests
from workflows.sequence_state import SequenceState

STARTED = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
EMAIL = PlannedTouch(number=2, channel="email", waits=(), template="product_gap/02_case_study")
RENDERED = RenderedMessage("What changed", "Hello", "https://winback.example/u/t", "en/x.j2")


def test_an_offer_expires_a_fixed_number_of_days_after_the_sequence_started() -> None:
    inp = replace(sequence_input(), offer=Offer(kind="discount", value="20%", expires_in_days=30))
    req = requests.render_request(inp, EMAIL, started=STARTED)
    assert req.offer_expires_on == "2027-04-21"
    assert req.total_touches == len(inp.plan.touches)
    assert requests.render_request(replace(inp, offer=None), EMAIL, started=STARTED).offer_expires_on is None


def test_later_emails_reply_in_the_first_emails_thread() -> None:
    inp = sequence_input()
    s = SequenceState(tz="UTC")
    first = requests.send_request(inp, s, EMAIL, RENDERED, key="k1")
    assert (first.subject, first.thread_root_id) == ("What changed", "")
    s.thread_root_id, s.thread_subject = "<m1@winback.example>", "We built it"
    later = requests.send_request(inp, s, EMAIL, RENDERED, key="k2")
    assert (later.subject, later.thread_root_id) == ("Re: We built it", "<m1@winback.example>")
    assert later.to_email == inp.contacts.primary.email


def test_an_outcome_counts_only_the_touches_that_happened() -> None:
    inp = sequence_input(make_account(), make_campaign())
    s = SequenceState(tz="UTC")
    for status in ("sent", "skipped", "failed", "task_done"):
        s.record(EMAIL, status, at=STARTED)
    s.finish("completed_no_reply", "all done")
    rec = requests.outcome_record(
        inp, s, workflow_id="winback-ACC-1", first_run_id="r1", started_at=STARTED, ended_at=STARTED
    )
    assert rec.touches_done == 2
    assert (rec.outcome, rec.cool_off) == ("completed_no_reply", inp.cool_off)
