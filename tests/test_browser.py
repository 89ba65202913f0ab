"""The Web UI as a CSM uses it (README, "For CSMs"): Playwright drives Debian's chromium against
a whole local stack (`winback up` on free ports in a temporary folder) running the demo.

It filters the list by owner, opens a sequence and reads its current details, pauses it through
"Send an Update" (a bad date first: the dialog shows the refusal), resumes it, completes a call
task, marks a reply, requests the cancellation of another sequence, and checks each list-view URL
the README gives. The screenshots it takes are the README's (docs/screenshots/, overwritten each
run). It skips only when /usr/bin/chromium is absent, and fails then when CI is set (.ci/run
installs it). The Web UI's facts it relies on are in docs/ARCHITECTURE.md ("Facts about the
Temporal parts we run on"): it waits for content with Playwright's auto-waiting locators, never
for network idle.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect
from temporalio.client import Client

from tests.cli import EXAMPLES, REPO, env_for, winback

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "docs" / "screenshots"
NAMESPACE = "default"
OWNER = "maria.lind"  # owns ACC-1001, ACC-1004, ACC-1007, ACC-1010 of the demo and the call below
# The Winback columns of the workflow list, as the README tells a CSM to set them: the Web UI
# (2.x) keeps its columns per namespace in this localStorage key.
COLUMNS_KEY = "namespace-workflow-table-columns"
COLUMNS = [
    "Status",
    "Workflow ID",
    "WinbackState",
    "WinbackOwner",
    "WinbackCampaign",
    "WinbackTier",
    "WinbackChurnReason",
    "Start",
]
# The README's console line that sets them, run as is before every page of the test.
COLUMNS_SNIPPET = (
    f'localStorage.setItem("{COLUMNS_KEY}", JSON.stringify({{{NAMESPACE}: '
    f"[{', '.join(json.dumps(label) for label in COLUMNS)}].map((label) => ({{label}}))}}))"
)
README = REPO / "README.md"
# The README's list views, checked in the browser below (the campaign one on this test's own
# campaign, the replied one on this week's Monday).
README_VIEWS = (
    f'WinbackOwner="{OWNER}"',
    f'WinbackState="task_open" AND WinbackOwner="{OWNER}"',
    'WinbackState="paused"',
    'WinbackCampaign="demo"',
    'WinbackCampaign="demo" AND WorkflowType="SequenceWorkflow"',
)

# A second, one-account campaign beside the demo whose first touch is a call task, so that a
# task is open at once (the demo's calls come weeks in).
CALL_PLAYBOOK = """\
id: call_first
name: Call first
description: >
  The owner calls at once; two emails follow.
touches:
  - channel: call
    wait: "0 days"
    template: product_gap/04_call_script
    tiers: [T1, T2, T3]
    deadline: "2 business days"
  - channel: email
    wait: "1 week"
    template: product_gap/01_whats_new
    tiers: [T1, T2, T3]
  - channel: email
    wait: "3 weeks"
    template: product_gap/06_close_the_loop
    tiers: [T1, T2, T3]
"""
CALL_CAMPAIGN = """\
id: call-day
name: Call day
playbooks:
  default: playbooks/call-first.yaml
audience:
  months_since_churn: {min: 0, max: 120}
schedule:
  window: "00:00-24:00"
  weekdays: [mon, tue, wed, thu, fri, sat, sun]
  quarter_end_blackout_days: 0
sender:
  from: "Aino Virtanen <aino@winback.example>"
  postal_address: "Winback Demo Oy, Esimerkkikatu 1, 00100 Helsinki, Finland"
"""
CALL_ACCOUNT = "ACC-2001"


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser test (.ci/run installs `chromium`)")
    pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser test")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True)
class Stack:
    env: dict[str, str]
    ui: str
    client: Client
    folder: Path


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """`winback up --detach` in a temporary folder on free ports, as `make demo` runs it."""
    port, ui_port, web_port = free_ports(3)
    env = env_for(None, tmp_path / "data")
    env.update(
        TEMPORAL_ADDRESS=f"127.0.0.1:{port}",
        WINBACK_TEMPORAL_PORT=str(port),
        WINBACK_UI_PORT=str(ui_port),
        WINBACK_WEB_PORT=str(web_port),
        WINBACK_PUBLIC_URL=f"http://127.0.0.1:{web_port}",
        # No WINBACK_UI_ORIGIN: `winback up` gives its codec endpoint its own UI's origin.
    )
    up = await winback("up", "--detach", env=env)
    assert up.code == 0, up.out + up.err
    try:
        # Search attributes and workflow ids only: they are never encoded by a payload codec.
        client = await Client.connect(f"127.0.0.1:{port}")
        yield Stack(env=env, ui=f"http://localhost:{ui_port}", client=client, folder=tmp_path)
    finally:
        down = await winback("down", env=env)
        assert down.code == 0, down.out + down.err


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    path = chromium()
    async with async_playwright() as playwright:
        # Playwright passes --headless (Chromium's new headless) and, by default, --no-sandbox,
        # which Chromium needs when it runs as root (docs/ARCHITECTURE.md).
        launched = await playwright.chromium.launch(executable_path=str(path))
        try:
            yield launched
        finally:
            await launched.close()


def list_url(ui: str, query: str) -> str:
    """A list-view URL as the UI writes it (encodeURIComponent of the visibility query)."""
    return f"{ui}/namespaces/{NAMESPACE}/workflows?query={quote(query, safe='')}"


async def listed(client: Client, query: str, expected: set[str]) -> None:
    """Wait until visibility (eventually consistent) answers `query` with exactly `expected`."""
    ids: set[str] = set()
    for _ in range(150):
        ids = {wf.id async for wf in client.list_workflows(query)}
        if ids == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query}: {sorted(ids)} instead of {sorted(expected)}")


async def show_list(page: Page, stack: Stack, query: str, expected: set[str]) -> None:
    """Open a list-view URL once visibility has the answer, and see exactly those sequences."""
    await listed(stack.client, query, expected)
    await page.goto(list_url(stack.ui, query))
    count = "1 Workflow" if len(expected) == 1 else f"{len(expected)} Workflows"
    await expect(page.get_by_role("heading", level=1)).to_have_text(count)
    rows = page.locator("table tbody tr")
    await expect(rows).to_have_count(len(expected))
    for workflow_id in expected:
        await expect(rows.get_by_role("link", name=workflow_id, exact=True)).to_be_visible()


async def status(stack: Stack, account: str) -> dict[str, Any]:
    shown = await winback("status", account, "--json", env=stack.env)
    assert shown.code == 0, shown.err
    result: dict[str, Any] = json.loads(shown.out)
    return result


async def open_sequence(page: Page, stack: Stack, workflow_id: str) -> None:
    await page.goto(f"{stack.ui}/namespaces/{NAMESPACE}/workflows/{workflow_id}")
    await expect(page.get_by_test_id("workflow-id-heading")).to_contain_text(workflow_id)


async def current_details(page: Page) -> str:
    """The "User Metadata" tab's current details: the text of the sandboxed frame that renders
    them as Markdown (which shows "2/5" as "2⁄5"), read from its source, exactly as set."""
    await page.get_by_test_id("user-metadata-tab").click()
    frame = page.locator("iframe#user-metadata-current-details")
    await expect(frame).to_be_visible()
    await expect(page.frame_locator("iframe#user-metadata-current-details").locator("body")).not_to_be_empty()
    src = await frame.get_attribute("src")
    assert src is not None
    return parse_qs(urlparse(src).query)["content"][0]


async def details_become(page: Page, want: str) -> None:
    """The page draws what it last fetched: a sequence that just changed (a pause, an end) shows
    its new details after a reload, which this waits for (no fixed sleep)."""
    for _ in range(20):
        if await current_details(page) == want:
            return
        await page.reload()
    assert await current_details(page) == want


async def send_update(page: Page, name: str, payload: dict[str, Any]) -> Locator:
    """More Actions > Send an Update: pick the described update and type its JSON."""
    await page.get_by_role("button", name="More Actions").click()
    await page.get_by_role("menuitem", name="Send an Update").click()
    dialog = page.get_by_role("dialog", name="Send an Update")
    await dialog.get_by_test_id("update-select-button").click()
    await dialog.get_by_role("option", name=re.compile(rf"^{re.escape(name)}\b")).click()
    editor = dialog.get_by_role("textbox", name="Data")  # a CodeMirror editor (contenteditable)
    # Typed as the editor formats it on blur: the reformatting would otherwise grow the dialog
    # between the press and the release of a click on Submit, and the click would be lost.
    await editor.fill(json.dumps(payload, indent=2, ensure_ascii=False))
    await editor.blur()
    await dialog.get_by_role("button", name="Submit").click()
    return dialog


async def updated(page: Page, dialog: Locator) -> None:
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_text("Update successful").first).to_be_visible()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=SCREENSHOTS / name)


def test_the_readme_gives_the_columns_and_list_views_the_browser_test_uses() -> None:
    readme = README.read_text()
    assert COLUMNS_SNIPPET in readme
    for query in README_VIEWS:
        assert f"`{query}`" in readme and list_url("", query) in readme, query
    for name in ("list-by-owner", "sequence-details", "update-refused", "paused", "canceled"):
        assert f"](docs/screenshots/{name}.png)" in readme, name


def monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


@pytest.mark.integration
async def test_a_csm_steers_sequences_from_the_web_ui(browser: Browser, stack: Stack) -> None:
    expect.set_options(timeout=20_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # --- the demo, and one call task ---------------------------------------------------------
    demo = await winback(
        "launch",
        str(EXAMPLES / "demo-campaign.yaml"),
        "--accounts",
        str(EXAMPLES / "accounts.csv"),
        env=stack.env,
    )
    assert demo.code == 0, demo.err
    calls = stack.folder / "calls"
    (calls / "playbooks").mkdir(parents=True)
    (calls / "playbooks" / "call-first.yaml").write_text(CALL_PLAYBOOK)
    (calls / "campaign.yaml").write_text(CALL_CAMPAIGN)
    header, *rows = (EXAMPLES / "accounts.csv").read_text().splitlines()
    row = next(r for r in rows if r.startswith("ACC-1001,"))
    row = row.replace("ACC-1001", CALL_ACCOUNT).replace("Revontuli Analytics Oy", "Kuura Data Oy")
    row = row.replace("revontuli", "kuura").replace("Revontuli;Revontuli Analytics", "Kuura")
    (calls / "accounts.csv").write_text(f"{header}\n{row}\n")
    launched = await winback(
        "launch", str(calls / "campaign.yaml"), "--accounts", str(calls / "accounts.csv"), env=stack.env
    )
    assert launched.code == 0, launched.err

    mine = {f"winback-ACC-{n}" for n in (1001, 1004, 1007, 1010, 2001)}
    await listed(
        stack.client, f'WinbackOwner="{OWNER}" AND WinbackState="waiting"', mine - {"winback-ACC-2001"}
    )
    await listed(stack.client, 'WinbackState="task_open"', {"winback-ACC-2001"})

    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="Europe/Helsinki"
    )
    await context.add_init_script(COLUMNS_SNIPPET)
    page = await context.new_page()
    try:
        # --- my sequences, with the Winback columns ----------------------------------------
        await show_list(page, stack, f'WinbackOwner="{OWNER}"', mine)
        header_row = page.locator("table thead")
        for label in COLUMNS[2:]:
            await expect(header_row).to_contain_text(label)
        await expect(page.get_by_role("row").filter(has_text="winback-ACC-2001")).to_contain_text("task_open")
        await shot(page, "list-by-owner.png")

        # --- waiting on my task; by campaign ----------------------------------------------
        await show_list(
            page, stack, f'WinbackState="task_open" AND WinbackOwner="{OWNER}"', {"winback-ACC-2001"}
        )
        await show_list(
            page, stack, 'WinbackCampaign="call-day"', {"winback-ACC-2001", "winback-launch-call-day"}
        )
        await show_list(
            page,
            stack,
            'WinbackCampaign="call-day" AND WorkflowType="SequenceWorkflow"',
            {"winback-ACC-2001"},
        )

        # --- open a sequence from the list and read its current details --------------------
        await page.goto(list_url(stack.ui, f'WinbackOwner="{OWNER}"'))
        await page.get_by_role("link", name="winback-ACC-1001", exact=True).click()
        await expect(page.get_by_test_id("workflow-id-heading")).to_contain_text("winback-ACC-1001")
        await expect(page.get_by_test_id("execution-status").first).to_have_text(re.compile("running", re.I))
        details = await current_details(page)
        assert details == (await status(stack, "ACC-1001"))["details"]
        assert details.startswith("touch ") and "/5: " in details
        # The static summary, set when the sequence started, in a frame of its own.
        summary = page.frame_locator("iframe#user-metadata-summary").locator("body")
        await expect(summary).to_contain_text("Win-back · ACC-1001 · T1 · product gap · demo")
        await shot(page, "sequence-details.png")

        # --- pause: a bad date is refused in the dialog, a good one pauses -----------------
        dialog = await send_update(
            page, "pause", {"until": "2026-13-45", "reason": "customer asked for quiet"}
        )
        refusal = dialog.get_by_role("alert").filter(has_text="2026-13-45")
        await expect(refusal).to_be_visible()
        # The refusal says what to type instead.
        await expect(refusal).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}|YYYY-MM-DD"))
        await shot(page, "update-refused.png")
        await dialog.get_by_role("button", name="Cancel").last.click()
        await expect(dialog).to_be_hidden()
        assert (await status(stack, "ACC-1001"))["state"] == "waiting"

        until = datetime.now(UTC).date() + timedelta(days=14)
        dialog = await send_update(
            page, "pause", {"until": until.isoformat(), "reason": "customer asked for quiet"}
        )
        await updated(page, dialog)
        paused = await status(stack, "ACC-1001")
        assert paused["state"] == "paused" and paused["paused"]
        assert paused["details"].startswith(f"paused until {until:%a} {until.day} {until:%b}")
        assert "(customer asked for quiet); then touch " in paused["details"]
        await page.reload()
        await expect(page.get_by_test_id("workflow-id-heading")).to_contain_text("winback-ACC-1001")
        await details_become(page, paused["details"])
        await expect(
            page.frame_locator("iframe#user-metadata-current-details").locator("body")
        ).to_contain_text("paused until")
        await shot(page, "paused.png")
        # The status query, run from the Queries tab, says so too.
        await page.get_by_test_id("queries-tab").click()
        await page.get_by_test_id("query-select-button").click()
        await page.get_by_role("option", name=re.compile(r"^status\b")).click()
        await page.get_by_role("button", name="Run Query").click()
        result = page.get_by_test_id("query-result")
        await expect(result).to_contain_text('"state": "paused"')
        await result.locator(".cm-line", has_text='"state": "paused"').scroll_into_view_if_needed()
        await shot(page, "status-query.png")
        await show_list(page, stack, 'WinbackState="paused"', {"winback-ACC-1001"})
        await shot(page, "list-paused.png")

        # --- resume ------------------------------------------------------------------------
        await open_sequence(page, stack, "winback-ACC-1001")
        await updated(page, await send_update(page, "resume", {}))
        resumed = await status(stack, "ACC-1001")
        assert resumed["state"] == "waiting" and not resumed["paused"]
        assert resumed["details"].startswith("touch ")
        await listed(stack.client, 'WinbackState="paused"', set())

        # --- complete the call task --------------------------------------------------------
        await open_sequence(page, stack, "winback-ACC-2001")
        assert (await current_details(page)).startswith("touch 1/3: call task for the owner, due ")
        await updated(
            page,
            await send_update(
                page,
                "complete_task",
                {"outcome": "done", "note": "spoke with Aino: a walkthrough in January", "touch": 1},
            ),
        )
        done = await status(stack, CALL_ACCOUNT)
        assert done["touches"][0]["status"] == "task_done"
        assert done["touches"][0]["note"] == "spoke with Aino: a walkthrough in January"
        assert done["state"] == "waiting" and done["details"].startswith("touch 2/3: ")
        await listed(stack.client, 'WinbackState="task_open"', set())

        # --- a reply the CSM heard of: replied this week -----------------------------------
        await open_sequence(page, stack, "winback-ACC-1007")
        await updated(page, await send_update(page, "mark_replied", {"note": "answered on a call"}))
        this_week = monday(datetime.now(UTC).date()).isoformat()
        await show_list(
            page,
            stack,
            f'WinbackState="replied" AND CloseTime > "{this_week}T00:00:00Z"',
            {"winback-ACC-1007"},
        )

        # --- request cancellation of another: Canceled ------------------------------------
        await open_sequence(page, stack, "winback-ACC-1004")
        await page.get_by_role("button", name="Request Cancellation").click()
        confirm = page.get_by_role("dialog", name="Cancel Workflow")
        await confirm.get_by_role("button", name="Confirm").click()
        await expect(page.get_by_test_id("execution-status").first).to_have_text(
            re.compile(r"^\s*canceled\s*$", re.I)
        )
        cancelled = await status(stack, "ACC-1004")
        assert cancelled["outcome"] == "cancelled" and cancelled["state"] == "cancelled"
        await details_become(page, cancelled["details"])
        await shot(page, "canceled.png")
        await listed(stack.client, 'WinbackState="cancelled"', {"winback-ACC-1004"})
        await listed(stack.client, 'ExecutionStatus="Canceled"', {"winback-ACC-1004"})
    finally:
        await context.close()
