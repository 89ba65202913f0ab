"""Every shipped template rendered for accounts whose every text field is hostile: Jinja syntax,
HTML, control characters, very long text, any unicode.

Account data is data: the output holds it literally, never evaluated, or the render fails with
a TemplateError, which the render activity turns into a clear non-retryable failure. The check:
render once with a unique placeholder in each field and once with the hostile values, and the
hostile output must be the placeholder output with the values pasted in (up to the whitespace
that splitting off the subject line trims).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from jinja2 import TemplateError

from activities import unsubscribe
from activities.sequence import render_context
from campaigns import templating
from campaigns.accounts import _LOCALE_RE
from campaigns.model import Contact, Contacts, Offer, Sender, TriggerEvidence
from contracts.sequence import RenderRequest
from tests.factories import sequence_input
from tests.fuzz.support import fuzz, short

TEMPLATES = sorted(
    path.relative_to(templating.ROOT / templating.DEFAULT_LOCALE).as_posix()[: -len(templating.SUFFIX)]
    for path in (templating.ROOT / templating.DEFAULT_LOCALE).rglob(f"*{templating.SUFFIX}")
)
SECRET = b"secret-of-at-least-32-bytes-for-tests"
LINK = unsubscribe.url("https://winback.example", SECRET, "demo", "ACC-1", "winback-ACC-1", "a@b.example")

# Placeholders are private-use characters, which the hostile text never contains.
_OPEN, _CLOSE = "\ue000", "\ue001"

HOSTILE_TEXTS = [
    "{{ 7*7 }}",
    "{{7*7}}",
    "{% raw %}",
    "{% endraw %}",
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "{{ account.company }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{% include '/etc/passwd' %}",
    "{# unclosed comment",
    "#}",
    "{%- if true -%}yes{%- endif -%}",
    "${7*7}",
    "<script>alert(1)</script>",
    "&amp; &lt;b&gt;",
    "Subject: injected",
    "\r\nBcc: victim@example.com",
    "\n\nSubject: second",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\u202eevil",
    "Ω≈ç√ 🙂 מִשְׁפָּט",
    "",
    " ",
    "a" * 100_000,
]
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=40),
    st.text(max_size=6).map(lambda s: "{{ " + s + " }}"),
    st.text(max_size=6).map(lambda s: "{% " + s + " %}"),
    st.lists(st.sampled_from(HOSTILE_TEXTS), min_size=2, max_size=4).map("".join),
).filter(lambda s: _OPEN not in s and _CLOSE not in s)
LOCALES = st.one_of(
    st.sampled_from(["en", "fi", "pt-BR", "EN", "zz", "en-" + "-".join(["abcdefgh"] * 60)]),
    st.from_regex(_LOCALE_RE, fullmatch=True),
)


@st.composite
def hostile_requests(draw: st.DrawFn) -> RenderRequest:
    """A render request for an account whose free-text fields all come from HOSTILE."""
    base = sequence_input()

    def person(contact: Contact) -> Contact:
        return Contact(
            name=draw(HOSTILE), email=contact.email, title=draw(HOSTILE), linkedin_url=draw(HOSTILE)
        )

    account = replace(
        base.account,
        company=draw(HOSTILE),
        domain=draw(HOSTILE),
        churn_detail=draw(HOSTILE),
        competitor=draw(HOSTILE),
        churned_on=draw(st.sampled_from([None, "2026-02-15"])),
        owner=draw(HOSTILE) + "@winback.example",
    )
    executive = base.contacts.executive
    return RenderRequest(
        template="",
        locale=draw(LOCALES),
        channel="email",
        touch=1,
        total_touches=5,
        account=account,
        contacts=Contacts(
            primary=person(base.contacts.primary),
            executive=person(executive) if executive is not None and draw(st.booleans()) else None,
        ),
        sender=Sender(
            from_email=base.sender.from_email, from_name=draw(HOSTILE), postal_address=draw(HOSTILE)
        ),
        campaign_id=base.campaign_id,
        offer=Offer("discount", draw(HOSTILE), expires_in_days=30) if draw(st.booleans()) else None,
        offer_expires_on="2027-04-30",
        trigger=TriggerEvidence(kind="release", title=draw(HOSTILE), url=draw(HOSTILE))
        if draw(st.booleans())
        else None,
    )


# Keys whose values the templates compare or filter rather than print: the placeholder would
# change what they do, and they never hold free text (tier, reason, kind and channel are checked
# when the files are read). Dates, the country and the currency are formatted, not printed
# (campaigns/templating.py's filters), and the accounts file checks them.
_KEPT = {"tier", "churn_reason", "kind", "channel", "expires_on", "id", "churned_on", "country", "currency"}


def _placeholders(context: Any, values: dict[str, str], key: str = "") -> Any:
    """The context with each non-empty text replaced by a placeholder (recorded in `values`)."""
    if isinstance(context, dict):
        return {k: _placeholders(v, values, k) for k, v in context.items()}
    if isinstance(context, str) and context and key not in _KEPT and key != "unsubscribe_url":
        token = f"{_OPEN}{len(values)}{_CLOSE}"
        values[token] = context
        return token
    return context


def _squash(text: str) -> str:
    return "".join(text.split())


def check_render(name: str, req: RenderRequest) -> None:
    context = render_context(replace(req, template=name), LINK)
    try:
        out = templating.render(name, req.locale, context)
    except TemplateError as err:
        assert str(err), "a TemplateError without a message"
        return
    values: dict[str, str] = {}
    marked = templating.render(name, req.locale, _placeholders(context, values))
    expected = re.sub(f"{_OPEN}\\d+{_CLOSE}", lambda m: values[m.group(0)], marked.subject + marked.body)
    got = out.subject + out.body
    assert _squash(got) == _squash(expected), (
        f"{name}: account data was not rendered literally\n got: {short(got, 400)}\n"
        f" expected: {short(expected, 400)}"
    )


@fuzz(ci=60, long=3000)
@given(req=hostile_requests())
def test_every_template_renders_hostile_account_data_literally(req: RenderRequest) -> None:
    for name in TEMPLATES:
        check_render(name, req)


def test_jinja_in_a_company_name_is_printed_not_run() -> None:
    base = sequence_input()
    req = RenderRequest(
        template="product_gap/01_whats_new",
        locale="en",
        channel="email",
        touch=1,
        total_touches=5,
        account=replace(base.account, company="{{ 7*7 }} {% raw %}"),
        contacts=base.contacts,
        sender=base.sender,
        campaign_id=base.campaign_id,
    )
    out = templating.render(req.template, "en", render_context(req, LINK))
    assert "{{ 7*7 }} {% raw %}" in out.subject
    assert "49" not in out.subject + out.body
