"""`winback web`: the HTTP side of Winback. For now a health check and one-click unsubscribe.

One-click unsubscribe (RFC 8058): every email carries `List-Unsubscribe: <{WINBACK_PUBLIC_URL}/u/TOKEN>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mailbox provider unsubscribes the
reader with one POST to that URL. A person who opens the link gets a page with a button that makes
the same POST. A GET never unsubscribes: mail scanners and link previews fetch every link they see.
The token (activities/unsubscribe.py) is signed over the campaign and the account, so a forged or
edited link changes nothing.

Starlette and uvicorn load only when the app is built, so registering this command keeps
`winback --help` fast. No email address is ever logged here: only account and campaign ids.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import click

from activities import unsubscribe
from campaigns.model import Account, Preference
from winback import settings as settings_mod
from winback.sequence_actions import TemporalSequences
from winback.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from winback.inbound_webhook import InboundReplies
    from winback.webhooks import SendGridEvents

log = logging.getLogger("winback.web")

RecordUnsubscribe = Callable[[str, str], Awaitable[None]]
"""`record(campaign_id, account_id)`: make the unsubscribe permanent; raise when it could not."""

# Security headers for every unsubscribe response: the token is in the URL, so it must not be
# cached, indexed or sent on as a referrer; the page loads nothing and posts only to itself.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

INVALID_LINK = (
    "This unsubscribe link is not valid: it may have been cut off or changed. "
    "Use the complete link from the email, or reply to it and ask us to stop."
)
NOT_RECORDED = "We could not record your request just now. Please try again in a few minutes."

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1f2328; }}
button {{ font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: .4rem;
          background: #1f2328; color: #fff; cursor: pointer; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


CONFIRM_PAGE = page(
    "Unsubscribe",
    "<p>Stop receiving these emails from us? This is permanent.</p>\n"
    # An empty action posts back to this very URL, wherever a proxy serves it.
    '<form method="post" action="">\n'
    '<input type="hidden" name="List-Unsubscribe" value="One-Click">\n'
    '<button type="submit">Unsubscribe</button>\n'
    "</form>",
)
DONE_PAGE = page("You are unsubscribed", "<p>You will not receive these emails from us again.</p>")


def create_app(
    settings: Settings,
    record_unsubscribe: RecordUnsubscribe | None = None,
    sendgrid_events: SendGridEvents | None = None,
    inbound_replies: InboundReplies | None = None,
) -> Starlette:
    """The ASGI app. Without `record_unsubscribe` it records into the store named by the settings."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    from winback import inbound_webhook, webhooks

    secret = settings.unsubscribe_secret()
    record = record_unsubscribe if record_unsubscribe is not None else store_recorder(settings)

    def signed(request: Request) -> tuple[str, str] | None:
        verified = unsubscribe.verify(secret, str(request.path_params["token"]))
        if verified is None or not all(verified):
            return None
        return verified

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def confirm(request: Request) -> Response:
        if signed(request) is None:
            return PlainTextResponse(INVALID_LINK, status_code=400, headers=_HEADERS)
        return HTMLResponse(CONFIRM_PAGE, headers=_HEADERS)

    async def unsubscribe_now(request: Request) -> Response:
        # RFC 8058 says the body is `List-Unsubscribe=One-Click`; the signed token is what
        # authorises the request, so a POST with any body counts: losing an unsubscribe over a
        # provider's formatting would be worse than honouring one.
        verified = signed(request)
        if verified is None:
            log.warning("refused an unsubscribe with an invalid token")
            return PlainTextResponse(INVALID_LINK, status_code=400, headers=_HEADERS)
        campaign_id, account_id = verified
        try:
            await record(campaign_id, account_id)
        except Exception as err:
            # The exception text may quote the address (SQL parameters): log only its type.
            log.error(
                "could not record the unsubscribe of account %s (campaign %s): %s",
                account_id,
                campaign_id,
                type(err).__name__,
            )
            return PlainTextResponse(NOT_RECORDED, status_code=500, headers=_HEADERS)
        log.info("accepted the one-click unsubscribe of account %s (campaign %s)", account_id, campaign_id)
        return HTMLResponse(DONE_PAGE, headers=_HEADERS)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/u/{token}", confirm, methods=["GET"]),
            Route("/u/{token}", unsubscribe_now, methods=["POST"]),
            *webhooks.routes(sendgrid_events or webhooks.from_settings(settings)),
            *inbound_webhook.routes(
                inbound_replies or inbound_webhook.from_settings(settings, TemporalSequences())
            ),
        ]
    )


# --- recording into the store ----------------------------------------------------------------


class UnsubscribeStore(Protocol):
    """The part of activities.store.Store this module uses."""

    def account(self, account_id: str) -> Account | None: ...

    def record_preference(self, pref: Preference) -> None: ...


def unsubscribed(account: Account, campaign_id: str, today: str) -> Preference | None:
    """The permanent preference for the account's primary contact; None when it has no address."""
    email = account.contact.email.strip().lower()
    if not email:
        return None
    return Preference(
        email=email,
        account_id=account.account_id,
        kind="unsubscribed",
        since=today,
        until=None,  # unsubscribe is permanent
        reason="one-click unsubscribe",
        campaign_id=campaign_id,
    )


def record_in_store(store: UnsubscribeStore, campaign_id: str, account_id: str) -> None:
    """Blocking: look the account up and record its primary contact as unsubscribed."""
    account = store.account(account_id)
    if account is None:
        # Nothing to suppress: no address we could write to. Say so, so it can be followed up.
        log.warning("unsubscribe of account %s (campaign %s): no such account", account_id, campaign_id)
        return
    preference = unsubscribed(account, campaign_id, datetime.now(UTC).date().isoformat())
    if preference is None:
        log.warning("unsubscribe of account %s (campaign %s): no contact email", account_id, campaign_id)
        return
    store.record_preference(preference)


def store_recorder(settings: Settings, store: UnsubscribeStore | None = None) -> RecordUnsubscribe:
    """The real `record_unsubscribe`: blocking store calls run in a worker thread."""
    opened = store if store is not None else settings.open_store()

    async def record(campaign_id: str, account_id: str) -> None:
        await asyncio.to_thread(record_in_store, opened, campaign_id, account_id)

    return record


# --- the command -----------------------------------------------------------------------------


@click.command("web")
@click.option(
    "--host",
    envvar="WINBACK_WEB_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (env WINBACK_WEB_HOST; the Docker image sets 0.0.0.0).",
)
@click.option(
    "--port",
    envvar="WINBACK_WEB_PORT",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (env WINBACK_WEB_PORT).",
)
def web_command(host: str, port: int) -> None:
    """Serve one-click unsubscribe links (WINBACK_PUBLIC_URL must reach this) and /healthz."""
    import uvicorn

    settings = settings_mod.load()
    logging.getLogger("winback.web").setLevel(logging.INFO)
    from activities.store import StoreError

    try:
        # Before the store opens: with a weak key the service must not start at all.
        settings.unsubscribe_secret()
    except settings_mod.SettingsError as err:
        click.echo(str(err), err=True)  # one line, never the secret
        sys.exit(2)
    try:
        record = store_recorder(settings)
    except StoreError as err:
        click.echo(str(err), err=True)  # one line, password masked
        sys.exit(1)
    click.echo(f"web on http://{host}:{port} (unsubscribe links: {settings.public_url}/u/...)")
    from winback import inbound_webhook, webhooks

    sequences = TemporalSequences()
    events = webhooks.from_settings(settings, stopper=sequences)
    replies = inbound_webhook.from_settings(settings, sequences)
    app = create_app(settings, record, sendgrid_events=events, inbound_replies=replies)
    uvicorn.run(app, host=host, port=port, log_level="info")
