"""`winback web`: the HTTP side of Winback: a health check, one-click unsubscribe, the SendGrid
webhooks (winback/webhooks.py, winback/inbound_webhook.py), the product's cancel intents
(winback/intent_webhook.py) and the codec endpoint the Temporal UI
and CLI decrypt workflow data with (winback/codec_server.py).

One-click unsubscribe (RFC 8058): every email carries `List-Unsubscribe: <{WINBACK_PUBLIC_URL}/u/TOKEN>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mailbox provider unsubscribes the
reader with one POST to that URL. A person who opens the link gets a page with a button that makes
the same POST. A GET never unsubscribes: mail scanners and link previews fetch every link they see.
The token (activities/unsubscribe.py) is signed over the campaign, the account, the sequence's
workflow id and a keyed hash of the address the email went to, so a forged or edited link changes
nothing, and a click unsubscribes the person the email was sent to, not whoever the account's
primary contact is today. A POST stores the unsubscribe first and answers only then; it then
signals the sequence to stop (a signal that fails is logged: the send path asks the store too).

Starlette and uvicorn load only when the app is built, so registering this command keeps
`winback --help` fast. No email address is ever logged here: only account, campaign and workflow ids.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final, Literal, Protocol

import click

from activities import unsubscribe
from activities.unsubscribe import SignedUnsubscribe
from campaigns import locales
from campaigns.contactability import hashed_address, normalise_address, suppression
from campaigns.model import Account, Preference
from contracts import ids
from contracts.sequence import UNSUBSCRIBED
from winback import settings as settings_mod
from winback import unsubscribe_text
from winback.sequence_actions import TemporalSequences
from winback.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from winback.codec_server import CodecEndpoint
    from winback.inbound_webhook import InboundReplies
    from winback.intent_webhook import CancelIntents
    from winback.webhooks import SendGridEvents, SequenceStopper

log = logging.getLogger("winback.web")

Recorded = Literal["address", "address_hash", "nothing"]
"""What an unsubscribe could be stored as: the address itself; only the keyed hash of an address
this store does not know (campaigns/contactability.py keeps it out all the same); nothing (an old
token for an account this store does not have)."""

RecordUnsubscribe = Callable[[SignedUnsubscribe, bytes], Awaitable[Recorded]]
"""`record(signed, secret)`: make the unsubscribe permanent; raise when it could not be stored."""

PageLocale = Callable[[str], Awaitable[str]]
"""`locale_of(account_id)`: the supported locale the account's emails are written in, for the page."""

STOP_TIMEOUT_S: Final = 5.0
STOP_REASON: Final = "one-click unsubscribe"

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
NOT_RECORDED = unsubscribe_text.text("en", "not_recorded")

_PAGE = """<!doctype html>
<html lang="{lang}">
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


def page(title: str, body: str, lang: str = "en") -> str:
    return _PAGE.format(title=html.escape(title), body=body, lang=html.escape(lang))


def _paragraph(locale: str, key: str) -> str:
    return f"<p>{html.escape(unsubscribe_text.text(locale, key))}</p>"


def confirm_page(locale: str) -> str:
    t = unsubscribe_text.text
    return page(
        t(locale, "confirm_title"),
        _paragraph(locale, "confirm_body") + "\n"
        # An empty action posts back to this very URL, wherever a proxy serves it.
        '<form method="post" action="">\n'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">\n'
        f'<button type="submit">{html.escape(t(locale, "button"))}</button>\n'
        "</form>",
        locale,
    )


def done_page(locale: str) -> str:
    return page(unsubscribe_text.text(locale, "done_title"), _paragraph(locale, "done_body"), locale)


# Stored under the address's keyed hash only: later sends to that address are refused, but we
# cannot show the person an address we do not have, so we say what we did and how to be sure.
def noted_page(locale: str) -> str:
    return page(unsubscribe_text.text(locale, "noted_title"), _paragraph(locale, "noted_body"), locale)


def not_found_page(locale: str) -> str:
    return page(
        unsubscribe_text.text(locale, "not_found_title"), _paragraph(locale, "not_found_body"), locale
    )


CONFIRM_PAGE = confirm_page("en")
DONE_PAGE = done_page("en")
NOTED_PAGE = noted_page("en")
NOT_FOUND_PAGE = not_found_page("en")


async def _english(account_id: str) -> str:
    return locales.DEFAULT


def store_locale(store: UnsubscribeStore) -> PageLocale:
    """The page's locale from the store: the account's contact's, resolved as the emails are;
    English when the account is unknown or the store cannot be read (the page must still work)."""

    def lookup(account_id: str) -> str:
        try:
            account = store.account(account_id)
        except Exception:
            return locales.DEFAULT
        return locales.DEFAULT if account is None else locales.resolve(account.locale, account.country)

    async def locale_of(account_id: str) -> str:
        return await asyncio.to_thread(lookup, account_id)

    return locale_of


def create_app(
    settings: Settings,
    record_unsubscribe: RecordUnsubscribe | None = None,
    sendgrid_events: SendGridEvents | None = None,
    sequences: SequenceStopper | None = None,
    inbound_replies: InboundReplies | None = None,
    codec: CodecEndpoint | None = None,
    page_locale: PageLocale | None = None,
    cancel_intents: CancelIntents | None = None,
) -> Starlette:
    """The ASGI app. Without `record_unsubscribe` it records into the store named by the settings;
    without `sequences` it signals through a Temporal client connected on first use; without
    `codec` the codec endpoint uses the settings' keys and token (bad ones raise SettingsError);
    without `page_locale` the unsubscribe pages take the account's locale from the store that
    records the unsubscribe (English when a custom `record_unsubscribe` comes without one)."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    from winback import codec_server, inbound_webhook, intent_webhook, webhooks

    secret = settings.unsubscribe_secret()
    if record_unsubscribe is None:
        opened = settings.open_store()
        record = store_recorder(settings, opened)
        locale_of = page_locale if page_locale is not None else store_locale(opened)
    else:
        record = record_unsubscribe
        locale_of = page_locale if page_locale is not None else _english
    stopper: SequenceStopper = sequences if sequences is not None else TemporalSequences()

    def signed(request: Request) -> SignedUnsubscribe | None:
        verified = unsubscribe.verify(secret, str(request.path_params["token"]))
        if verified is None or not (verified.campaign_id and verified.account_id):
            return None
        return verified

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def confirm(request: Request) -> Response:
        verified = signed(request)
        if verified is None:
            return PlainTextResponse(INVALID_LINK, status_code=400, headers=_HEADERS)
        return HTMLResponse(confirm_page(await locale_of(verified.account_id)), headers=_HEADERS)

    async def unsubscribe_now(request: Request) -> Response:
        # RFC 8058 says the body is `List-Unsubscribe=One-Click`; the signed token is what
        # authorises the request, so a POST with any body counts: losing an unsubscribe over a
        # provider's formatting would be worse than honouring one.
        verified = signed(request)
        if verified is None:
            log.warning("refused an unsubscribe with an invalid token")
            return PlainTextResponse(INVALID_LINK, status_code=400, headers=_HEADERS)
        account_id, campaign_id = verified.account_id, verified.campaign_id
        # The language of the email the person clicked in (English if it cannot be known).
        locale = await locale_of(account_id)
        try:
            recorded = await record(verified, secret)
        except Exception as err:
            # The exception text may quote the address (SQL parameters): log only its type.
            log.error(
                "could not record the unsubscribe of account %s (campaign %s): %s",
                account_id,
                campaign_id,
                type(err).__name__,
            )
            # 503: the store is what is down; the provider (or the person) should try again.
            return PlainTextResponse(
                unsubscribe_text.text(locale, "not_recorded"), status_code=503, headers=_HEADERS
            )
        # An old token names no sequence: the account's one running sequence is the one that
        # emails its primary contact, whom an old token unsubscribes.
        workflow_id = verified.workflow_id or ids.workflow_id_for(account_id)
        await _stop(stopper, workflow_id)
        if recorded == "address":
            log.info(
                "accepted the one-click unsubscribe of account %s (campaign %s)", account_id, campaign_id
            )
            return HTMLResponse(done_page(locale), headers=_HEADERS)
        if recorded == "address_hash":
            log.warning(
                "one-click unsubscribe of account %s (campaign %s) stored by address hash only: "
                "no address of this account or sequence here matches",
                account_id,
                campaign_id,
            )
            return HTMLResponse(noted_page(locale), status_code=202, headers=_HEADERS)
        log.warning(
            "one-click unsubscribe of account %s (campaign %s) NOT stored: no such account or no "
            "contact address here; follow it up by hand",
            account_id,
            campaign_id,
        )
        return HTMLResponse(not_found_page(locale), status_code=404, headers=_HEADERS)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/u/{token}", confirm, methods=["GET"]),
            Route("/u/{token}", unsubscribe_now, methods=["POST"]),
            *webhooks.routes(sendgrid_events or webhooks.from_settings(settings)),
            *inbound_webhook.routes(
                inbound_replies or inbound_webhook.from_settings(settings, TemporalSequences())
            ),
            *codec_server.routes(codec or codec_server.from_settings(settings)),
            *intent_webhook.routes(
                cancel_intents or intent_webhook.from_settings(settings, TemporalSequences())
            ),
        ]
    )


async def _stop(stopper: SequenceStopper, workflow_id: str) -> None:
    try:
        # Bounded: the person (or their mailbox provider) is waiting for the answer.
        await asyncio.wait_for(stopper.stop(workflow_id, UNSUBSCRIBED, STOP_REASON), STOP_TIMEOUT_S)
    except Exception as err:
        # Still a success for the person: the unsubscribe is stored, and a send asks the store.
        log.error(
            "could not stop sequence %s after a one-click unsubscribe: %s", workflow_id, type(err).__name__
        )
    else:
        log.info("asked sequence %s to stop after a one-click unsubscribe", workflow_id)


# --- recording into the store ----------------------------------------------------------------


class UnsubscribeStore(Protocol):
    """The part of activities.store.Store this module uses."""

    def account(self, account_id: str) -> Account | None: ...

    def known_addresses(self, *, account_id: str, workflow_id: str = "") -> list[str]: ...

    def record_preference(self, pref: Preference) -> None: ...


def unsubscribed(email: str, account_id: str, campaign_id: str, today: str) -> Preference:
    """The permanent preference for one address (or hashed_address key)."""
    return suppression(
        "unsubscribed",
        email,
        account_id=account_id,
        campaign_id=campaign_id,
        since=date.fromisoformat(today),
        reason=STOP_REASON,
    )


def whom(store: UnsubscribeStore, signed: SignedUnsubscribe, secret: bytes) -> str:
    """The address the token was sent to, if this store knows it: its hash among the account's
    contacts and the addresses the sequence's (and account's) messages went to; "" if none."""
    if not signed.binds_address:
        # An old token: as before, the account's current primary contact.
        account = store.account(signed.account_id)
        return "" if account is None else normalise_address(account.contact.email)
    candidates = store.known_addresses(account_id=signed.account_id, workflow_id=signed.workflow_id)
    return next((a for a in candidates if unsubscribe.address_hash(secret, a) == signed.address_hash), "")


def record_in_store(store: UnsubscribeStore, signed: SignedUnsubscribe, secret: bytes) -> Recorded:
    """Blocking: record the address the token names as unsubscribed for good."""
    today = datetime.now(UTC).date().isoformat()
    address = whom(store, signed, secret)
    if address:
        store.record_preference(unsubscribed(address, signed.account_id, signed.campaign_id, today))
        return "address"
    if signed.binds_address:
        # Not known here (another store, or the rows are gone): keep the hash, so the sender,
        # which hashes every address before it emails it, still refuses this one.
        key = hashed_address(signed.address_hash)
        store.record_preference(unsubscribed(key, signed.account_id, signed.campaign_id, today))
        return "address_hash"
    return "nothing"


def store_recorder(settings: Settings, store: UnsubscribeStore | None = None) -> RecordUnsubscribe:
    """The real `record_unsubscribe`: blocking store calls run in a worker thread."""
    opened = store if store is not None else settings.open_store()

    async def record(signed: SignedUnsubscribe, secret: bytes) -> Recorded:
        return await asyncio.to_thread(record_in_store, opened, signed, secret)

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
    from winback import codec_server

    try:
        # Before the store opens: with a weak key the service must not start at all.
        settings.unsubscribe_secret()
        settings.intent_secret()
        codec = codec_server.from_settings(settings)
    except settings_mod.SettingsError as err:
        click.echo(str(err), err=True)  # one line, never the secret
        sys.exit(2)
    try:
        record = store_recorder(settings)
    except StoreError as err:
        click.echo(str(err), err=True)  # one line, password masked
        sys.exit(1)
    click.echo(f"web on http://{host}:{port} (unsubscribe links: {settings.public_url}/u/...)")
    # Never the token itself: it decrypts every workflow's data.
    click.echo(
        f"codec endpoint: http://{host}:{port}{codec_server.PREFIX} (Authorization: Bearer <token>, "
        f"or {codec_server.PREFIX}/<token>; the token is WINBACK_CODEC_TOKEN or {settings.codec_token_file})"
    )
    from winback import inbound_webhook, intent_webhook, webhooks

    sequences = TemporalSequences()
    events = webhooks.from_settings(settings, stopper=sequences)
    replies = inbound_webhook.from_settings(settings, sequences)
    intents = intent_webhook.from_settings(settings, sequences)
    app = create_app(
        settings,
        record,
        sendgrid_events=events,
        sequences=sequences,
        inbound_replies=replies,
        codec=codec,
        cancel_intents=intents,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
