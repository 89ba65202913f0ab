"""Finding and rendering the message templates (the files live in the `templates` package).

Templates live in `templates/<locale>/<name>.j2`, where a playbook names them without the
locale or suffix (`product_gap/01_whats_new`). A locale falls back to its language and
then to `en`, so a translation drops in file by file. An email's first line is
`Subject: ...`; a manual task's text is the prepared message or call script.

The environment is sandboxed and strict: a variable a template needs but the context lacks
fails the render, which happens before anything is sent.

Every render adds what the locale decides rather than the template: `greeting` and `sign_off`
(campaigns/manners.py, in the locale of the file that served), `contact.family_name`, and the
filters `day_month`, `date_long`, `money` and `number`, which format in that locale as written
in the account's country (campaigns/locales.py) and in the account's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Final

from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from campaigns import locales, manners

# The data package beside this one; campaigns imports no code of Winback's outside itself.
ROOT = Path(str(resources.files("templates")))
DEFAULT_LOCALE = "en"
SUFFIX = ".j2"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    template_path: str  # which file served it, after locale fallback
    locale: str = DEFAULT_LOCALE  # the folder of that file: the language the message is in


# Where a render keeps its locale and currency for the filters: not a template variable (the
# template check ignores names starting with "_", and the sandbox hides them from attribute access).
_FORMAT: Final = "_format"


@dataclass(frozen=True)
class _Format:
    locale: str  # the template's locale
    country: str
    currency: str


def _format_of(ctx: Context) -> _Format:
    found = ctx.get(_FORMAT)
    return found if isinstance(found, _Format) else _Format(DEFAULT_LOCALE, "", "EUR")


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


@pass_context
def day_month(ctx: Context, value: Any) -> str:
    """`15 December`, `15. joulukuuta`, `12月15日`: CLDR's day-and-month skeleton (MMMMd).
    Empty stays empty; a value that is not a date prints as it is (never a failed send)."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    fmt = _format_of(ctx)
    return format_skeleton("MMMMd", day, locale=locales.format_locale(fmt.locale, fmt.country))


@pass_context
def date_long(ctx: Context, value: Any) -> str:
    """`15 December 2027`, `15. joulukuuta 2027`, `2027年12月15日`: CLDR's long date."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    fmt = _format_of(ctx)
    return format_date(day, "long", locale=locales.format_locale(fmt.locale, fmt.country))


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


@pass_context
def money(ctx: Context, value: Any, currency: str = "") -> str:
    """An amount in the account's currency (or the one given), as the locale writes money:
    `1 234,50 €`, `€1,234.50`, `￥1,235`."""
    amount = _as_number(value)
    if amount is None:
        return "" if value is None else str(value)
    fmt = _format_of(ctx)
    return format_currency(
        amount, currency or fmt.currency, locale=locales.format_locale(fmt.locale, fmt.country)
    )


@pass_context
def number(ctx: Context, value: Any) -> str:
    """A plain number with the locale's grouping and decimal marks."""
    amount = _as_number(value)
    if amount is None:
        return "" if value is None else str(value)
    fmt = _format_of(ctx)
    return format_decimal(amount, locale=locales.format_locale(fmt.locale, fmt.country))


FILTERS: Final = {"day_month": day_month, "date_long": date_long, "money": money, "number": number}


def _environment(root: Path) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(root)),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text email; nothing here is served as HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def environment(root: Path = ROOT) -> ImmutableSandboxedEnvironment:
    """The environment templates under `root` render in (the template check parses with it)."""
    return _ENV if root == ROOT else _environment(root)


_ENV = _environment(ROOT)


def locale_chain(locale: str) -> list[str]:
    """`pt-BR` -> [`pt-BR`, `pt`, `en`]: the most specific translation that exists wins."""
    chain: list[str] = []
    loc = (locale or DEFAULT_LOCALE).replace("_", "-")
    parts = loc.split("-")
    for i in range(len(parts), 0, -1):
        candidate = "-".join(parts[:i])
        if candidate and candidate not in chain:
            chain.append(candidate)
    if DEFAULT_LOCALE not in chain:
        chain.append(DEFAULT_LOCALE)
    return chain


def resolve(name: str, locale: str = DEFAULT_LOCALE, root: Path = ROOT) -> str | None:
    """The template path (relative to root) that serves `name` in `locale`, or None."""
    for loc in locale_chain(locale):
        rel = f"{loc}/{name}{SUFFIX}"
        try:
            if (root / rel).is_file():
                return rel
        except (OSError, ValueError):
            continue  # e.g. a name longer than the file system allows: no such template
    return None


def exists(name: str, locale: str = DEFAULT_LOCALE, root: Path = ROOT) -> bool:
    return resolve(name, locale, root) is not None


def render(name: str, locale: str, context: dict[str, Any], root: Path = ROOT) -> Rendered:
    """Render a template; raises jinja2 errors (UndefinedError etc.) or TemplateNotFound."""
    rel = resolve(name, locale, root)
    if rel is None:
        raise TemplateNotFound(f"{name} (locale {locale}, looked in {', '.join(locale_chain(locale))})")
    used = rel.split("/", 1)[0]
    text = environment(root).get_template(rel).render(**localised(context, used))
    subject = ""
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].startswith("Subject:"):
        subject = lines[0][len("Subject:") :].strip()
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    body = "\n".join(lines).rstrip() + "\n"
    return Rendered(subject=subject, body=body, template_path=rel, locale=used)


def localised(context: dict[str, Any], locale: str) -> dict[str, Any]:
    """The context plus what the locale decides: greeting, sign-off, the contact's family name
    and the filters' locale and currency. The caller's dicts are not changed."""
    out = dict(context)
    found = context.get("account")
    account: dict[str, Any] = found if isinstance(found, dict) else {}
    contact = context.get("contact")
    if isinstance(contact, dict) and "family_name" not in contact:
        out["contact"] = contact = {**contact, "family_name": manners.addressee(contact, account).family_name}
    contact_map = contact if isinstance(contact, dict) else None
    country = str(account.get("country") or "")
    currency = str(account.get("currency") or "") or locales.currency_for(country)
    return {
        **out,
        "greeting": manners.greeting(locale, contact_map, account),
        "sign_off": manners.sign_off(locale, context.get("sender")),
        _FORMAT: _Format(locale=locale, country=country, currency=currency),
    }


def sample_context() -> dict[str, Any]:
    """A complete context: what every template may use. Validation renders with it."""
    return {
        "account": {
            "account_id": "ACME-1",
            "company": "Example Oy",
            "domain": "example.com",
            "country": "FI",
            "tier": "T1",
            "churn_reason": "product_gap",
            "churn_detail": "needed a Salesforce integration",
            "competitor": "Rivalsoft",
            "churned_on": "2026-03-01",
            "currency": "EUR",
        },
        "contact": {
            "name": "Sam Example",
            "first_name": "Sam",
            "family_name": "Example",
            "title": "Head of Operations",
            "linkedin_url": "https://www.linkedin.com/in/example",
        },
        "executive": {
            "name": "Alex Example",
            "first_name": "Alex",
            "family_name": "Example",
            "title": "COO",
            "linkedin_url": "",
        },
        "sender": {
            "from_name": "Aino at Winback",
            "from_email": "aino@winback.example",
            "postal_address": "Example street 1, 00100 Helsinki, Finland",
        },
        "owner": {"email": "csm@winback.example", "handle": "csm"},
        "offer": {"kind": "discount", "value": "20%", "expires_in_days": 30, "expires_on": "2027-04-30"},
        "trigger": {"kind": "release", "title": "Salesforce sync is live", "url": "https://example.com/r"},
        "campaign": {"id": "demo", "name": "Demo campaign"},
        "touch": {"number": 1, "total": 5, "channel": "email"},
        "unsubscribe_url": "https://winback.example/u/token",
    }
