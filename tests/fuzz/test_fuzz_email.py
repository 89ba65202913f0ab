"""The email builder with hostile names, subjects, bodies and addresses.

`build_message` either refuses (ValueError, or the activity's ApplicationError) or builds a
message that serialises, parses back with the standard library into exactly the headers Winback
writes, one sender and one recipient: never a message carrying a header of the data's making.
"""

from __future__ import annotations

import base64
from collections import Counter
from email import policy
from email.headerregistry import AddressHeader
from email.parser import BytesParser

from hypothesis import example, given
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError

from activities.email import build_message
from campaigns.cells import EMAIL_RE
from campaigns.model import Sender
from contracts.sequence import SendRequest
from tests.fuzz.support import fuzz, short

HEADERS = Counter(
    name.lower()
    for name in [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "X-Winback-Campaign",
        "X-Winback-Touch",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
    ]
)
THREAD_HEADERS = Counter(["in-reply-to", "references"])

INJECTIONS = [
    "\r\nBcc: victim@evil.example",
    "\nBcc: victim@evil.example",
    "\rBcc: victim@evil.example",
    "x\x85Bcc: victim@evil.example",
    "x\u2028Bcc: victim@evil.example",
    "\x00",
    '"Quoted, Name" <other@evil.example>',
    "a@b.example, c@evil.example",
    "name <a@b.example>",
    "=?utf-8?q?Hi=0D=0ABcc=3A_victim=40evil.example?=",
    "Subject: second",
    "x" * 2000,
    "Ω≈ç√ 🙂",
    "",
    " ",
]


def _encoded_word(text: str) -> str:
    # RFC 2047: mail software decodes these in subjects and names, line breaks included.
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8', 'surrogatepass')).decode()}?="


HOSTILE = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=40),
    st.lists(st.sampled_from(INJECTIONS) | st.text(max_size=8), min_size=2, max_size=4).map(" ".join),
    st.builds(_encoded_word, st.sampled_from(INJECTIONS) | st.text(max_size=20)),
    st.builds("We built what {} was missing".format, st.builds(_encoded_word, st.sampled_from(INJECTIONS))),
)
ADDRESSES = st.one_of(
    st.sampled_from(["aino@revontuli.example", "a.b-c+d@sub.example.fi", "ü@example.com"]),
    st.from_regex(EMAIL_RE, fullmatch=True),
    HOSTILE,
)


@st.composite
def send_requests(draw: st.DrawFn) -> SendRequest:
    return SendRequest(
        key="winback-ACC-1/run-1/touch-2",
        account_id="ACC-1",
        campaign_id="spring-2027",
        touch=2,
        to_name=draw(HOSTILE),
        to_email=draw(ADDRESSES),
        sender=Sender(
            from_email=draw(st.just("aino@winback.example") | ADDRESSES),
            from_name=draw(HOSTILE),
            postal_address=draw(HOSTILE),
        ),
        subject=draw(HOSTILE),
        body=draw(HOSTILE),
        unsubscribe_url="https://winback.example/u/abc",
        thread_root_id=draw(st.sampled_from(["", "<0123abcd@winback.example>"])),
    )


def _single(header: object, email: str, what: str) -> None:
    assert isinstance(header, AddressHeader), f"{what}: {header!r}"
    addresses = header.addresses
    assert len(addresses) == 1, f"{what} names {len(addresses)} addresses: {short(str(header))}"
    assert addresses[0].addr_spec == email, f"{what} is {short(addresses[0].addr_spec)}, not {short(email)}"


def check_message(req: SendRequest) -> None:
    try:
        raw = bytes(build_message(req))
    except (ValueError, ApplicationError):
        return  # refused, before anything was written or sent
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    names = Counter(name.lower() for name in parsed)
    expected = HEADERS + (THREAD_HEADERS if req.thread_root_id else Counter())
    assert names == expected, f"headers {sorted(names - expected)} added, {sorted(expected - names)} lost"
    _single(parsed["To"], req.to_email, "To")
    _single(parsed["From"], req.sender.from_email, "From")
    subject = str(parsed["Subject"])
    assert "\n" not in subject and "\r" not in subject
    if "=?" not in req.subject:  # encoded words are decoded on reading, by design
        assert subject.split() == req.subject.split(), f"subject {short(subject)} for {short(req.subject)}"


@fuzz(ci=300, long=10_000)
@given(req=send_requests())
@example(
    req=SendRequest(
        key="k",
        account_id="ACC-1",
        campaign_id="spring-2027",
        touch=1,
        to_name="Aino",
        to_email="aino@revontuli.example",
        sender=Sender("aino@winback.example", "Aino", "Street 1"),
        subject="We built what =?utf-8?q?Acme=0ABcc=3A_victim=40evil.example?= was missing",
        body="Hi",
        unsubscribe_url="https://winback.example/u/abc",
    )
)
def test_a_message_is_refused_or_carries_exactly_our_headers(req: SendRequest) -> None:
    check_message(req)
