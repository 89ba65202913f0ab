"""What a reply is: a person's reply, a decline, an unsubscribe, an away note, a contact who has
left, or a bounce dressed as an auto-reply. Pure: the webhook and `winback classify-reply`
both call `classify` (docs/ARCHITECTURE.md, "Rules and where they live": reply kinds).

The order is the rule:
1. bounce: a delivery report, or a null sender / mail daemon with delivery-failure words (even
   when it says `Auto-Submitted: auto-replied`: a full mailbox is no holiday);
2. left_company: "no longer in use", "has left the company", before any away note, because an
   auto-reply saying so is the mailbox's last word;
3. out_of_office by header (RFC 3834 `Auto-Submitted`, `X-Autoreply`, `X-Apple-Action`,
   `X-Auto-Response-Suppress`, `Precedence`), then by a machine's subject ("Automatic reply:");
4. unsubscribe, then decline, then out_of_office by a person's away words in the body;
5. anything else is a reply.
Headers come before phrases, and phrases count only in what the writer wrote
(`inbound/quotes.py`): our quoted footer's "unsubscribe" is not theirs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from inbound import language as lang
from inbound import phrases, return_date
from inbound.message import InboundMessage
from inbound.phrases import Phrase
from inbound.quotes import unquoted

REPLY = "reply"
DECLINE = "decline"
OUT_OF_OFFICE = "out_of_office"
LEFT_COMPANY = "left_company"
BOUNCE = "bounce"
UNSUBSCRIBE = "unsubscribe"
KINDS = (REPLY, DECLINE, OUT_OF_OFFICE, LEFT_COMPANY, BOUNCE, UNSUBSCRIBE)

# The evidence of a reply: nothing said it is anything else.
NO_OTHER_KIND = "no auto-reply header and no phrase of another kind"
# An away note that states no return date (or one already past) pauses this long.
OUT_OF_OFFICE_PAUSE_DAYS = 14

# Local parts of the senders of delivery reports.
_DAEMONS = frozenset(
    {"postmaster", "mailer-daemon", "mailerdaemon", "mail-daemon", "mail-delivery-subsystem"}
)
# Subject prefixes of a reply or a forward: a subject without one was written by the contact.
_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|r|rif|ref|réf|rv|fw|fwd|wg|tr|balas|回复|回覆|答复)\s*[:：]", re.IGNORECASE
)
_ADDRESS = re.compile(r"\S+@\S+")
# A match this far back is judged by its own clause for a negation.
_NEGATION_REACH = 25


@dataclass(frozen=True)
class Verdict:
    kind: str
    # The last day the contact said they are away (out_of_office only), in their time zone.
    return_date: date | None = None
    language: str = lang.DEFAULT
    # The header or phrase that decided, short and without addresses.
    evidence: str = ""

    def to_json(self) -> dict[str, str | None]:
        """`winback classify-reply --json`: a contract, keys and values as written here."""
        return {
            "kind": self.kind,
            "return_date": self.return_date.isoformat() if self.return_date else None,
            "language": self.language,
            "evidence": self.evidence,
        }

    def summary(self) -> str:
        """One line for people: `out_of_office (until 2027-01-15, fi): header Auto-Submitted: ...`."""
        until = f"until {self.return_date.isoformat()}, " if self.return_date else ""
        return f"{self.kind} ({until}{self.language}): {self.evidence}"


def classify(
    message: InboundMessage, *, zone: tzinfo | None = None, received: datetime | None = None
) -> Verdict:
    """The verdict on `message`. `zone` is the contact's time zone (default: the offset of the
    message's Date header); `received` dates a message that has no Date header."""
    body = unquoted(message.text)
    subject = message.subject
    text = _normal(body)
    subject_text = _normal(subject)
    both = f"{subject_text}\n{text}"
    # What the writer wrote in their own subject counts too, never our subject they reply to.
    fresh = both if subject.strip() and not _REPLY_PREFIX.match(subject) else text
    written = body if body.strip() else subject

    bounce = _bounce(message, both)
    if bounce is not None:
        return Verdict(BOUNCE, None, _language(written, None), bounce)

    hit = _first(phrases.LEFT_COMPANY, both)
    if hit is not None:
        return Verdict(LEFT_COMPANY, None, _language(written, hit), _said(hit))

    evidence = _auto_reply_header(message)
    if evidence is None:
        subject_hit = _first(phrases.OUT_OF_OFFICE_SUBJECT, subject_text)
        evidence = f'subject phrase "{subject_hit.words}"' if subject_hit is not None else None
    if evidence is not None:
        away_hit = _first(phrases.OUT_OF_OFFICE, text)
        return _away(message, body, evidence, _language(written, away_hit), zone, received)

    for kind, table in ((UNSUBSCRIBE, phrases.UNSUBSCRIBE), (DECLINE, phrases.DECLINE)):
        hit = _first(table, fresh)
        if hit is not None:
            return Verdict(kind, None, _language(written, hit), _said(hit))

    hit = _first(phrases.OUT_OF_OFFICE, text)
    if hit is not None:
        return _away(message, body, _said(hit), _language(written, hit), zone, received)

    return Verdict(REPLY, None, _language(written, None), NO_OTHER_KIND)


def resume_on(verdict: Verdict, received_on: date) -> date | None:
    """The day an away note's pause ends: the day after its return date, or
    OUT_OF_OFFICE_PAUSE_DAYS after it came when it states none (or one already past: the
    auto-reply is still on, so the contact is still away). None for other kinds."""
    if verdict.kind != OUT_OF_OFFICE:
        return None
    if verdict.return_date is not None and verdict.return_date >= received_on:
        return verdict.return_date + timedelta(days=1)
    return received_on + timedelta(days=OUT_OF_OFFICE_PAUSE_DAYS)


@dataclass(frozen=True)
class _Hit:
    language: str
    words: str


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip()


def _first(table: tuple[Phrase, ...], text: str) -> _Hit | None:
    """The first phrase of `table` (in its order) that `text` says, and not negated."""
    for phrase in table:
        for match in phrase.pattern.finditer(text):
            if not _negated(text, match.start(), phrase.language):
                return _Hit(phrase.language, match.group(0))
    return None


def _negated(text: str, start: int, language: str) -> bool:
    negation = phrases.NEGATIONS.get(language)
    if negation is None:
        return False
    before = text[max(0, start - _NEGATION_REACH) : start]
    clause = re.split(r"[.,;:!?。，、！？\n]", before)[-1]
    return bool(negation.search(clause))


def _said(hit: _Hit) -> str:
    return f'phrase "{_ADDRESS.sub("<address>", hit.words)}"'


def _shown(value: str) -> str:
    """A header value as evidence: addresses out, at most 60 characters."""
    value = _ADDRESS.sub("<address>", " ".join(value.split()))
    return value if len(value) <= 60 else value[:57] + "..."


def _bounce(message: InboundMessage, text: str) -> str | None:
    content_type = (message.header("Content-Type") or "").lower()
    if content_type.startswith("multipart/report") and "delivery-status" in content_type:
        return "header Content-Type: multipart/report; report-type=delivery-status"
    if message.header("X-Failed-Recipients") is not None:
        return "header X-Failed-Recipients"
    local = message.sender.partition("@")[0]
    if message.return_path == "<>":
        origin = "header Return-Path: <>"
    elif local in _DAEMONS:
        origin = f"sender {local}"
    else:
        return None
    hit = _first(phrases.BOUNCE, text)
    return f'{origin} and phrase "{hit.words}"' if hit is not None else None


def _auto_reply_header(message: InboundMessage) -> str | None:
    """The header that marks `message` as sent by a machine on the contact's behalf."""
    auto = message.header("Auto-Submitted")
    if auto is not None and auto.strip().lower() not in ("", "no"):
        return f"header Auto-Submitted: {_shown(auto)}"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = message.header(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return f"header {name}: {_shown(value)}"
    apple = message.header("X-Apple-Action")
    if apple is not None and apple.strip().lower() == "vacation":
        return f"header X-Apple-Action: {_shown(apple)}"
    suppress = message.header("X-Auto-Response-Suppress")
    if suppress is not None and re.search(r"\b(?:all|oof|autoreply)\b", suppress, re.I):
        return f"header X-Auto-Response-Suppress: {_shown(suppress)}"
    precedence = message.header("Precedence")
    if precedence is not None and precedence.strip().lower() in ("auto_reply", "bulk", "junk"):
        return f"header Precedence: {_shown(precedence)}"
    return None


def _language(written: str, hit: _Hit | None) -> str:
    """The script first (it tells ja from zh, and which zh), then the deciding phrase's
    language, then the words."""
    by_script = lang.script_language(written)
    if by_script is not None:
        return by_script
    if hit is not None and hit.language not in ("ja", "zh"):
        return hit.language
    return lang.detect(written)


def _away(
    message: InboundMessage,
    body: str,
    evidence: str,
    language: str,
    zone: tzinfo | None,
    received: datetime | None,
) -> Verdict:
    moment = message.sent_at or received
    local = moment.astimezone(zone) if moment is not None and zone is not None else moment
    sent_on = local.date() if local is not None else None
    stated = _apple_end(message, zone) or return_date.find(
        (message.subject, body), _date_languages(language), sent_on
    )
    return Verdict(OUT_OF_OFFICE, stated, language, evidence)


def _date_languages(language: str) -> list[str]:
    # Away notes are often bilingual, the second language English.
    base = language.split("-")[0]
    return [base] if base == "en" else [base, "en"]


def _apple_end(message: InboundMessage, zone: tzinfo | None) -> date | None:
    """iCloud states the away period in a header: `X-Apple-Criteria: {kind=VACATION,
    startDate=...,endDate=2020-01-10T14:59:59Z}`; the end is an instant, dated in `zone`."""
    criteria = message.header("X-Apple-Criteria") or ""
    found = re.search(r"endDate=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})Z?", criteria)
    if found is None:
        return None
    end = datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
    if zone is not None:
        return end.astimezone(zone).date()
    if message.sent_at is not None:
        return end.astimezone(message.sent_at.tzinfo).date()
    return end.date()
