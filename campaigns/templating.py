"""Finding and rendering the message templates (the files live in the `templates` package).

Templates live in `templates/<locale>/<name>.j2`, where a playbook names them without the
locale or suffix (`product_gap/01_whats_new`). A locale falls back to its language and
then to `en`, so a translation drops in file by file. An email's first line is
`Subject: ...`; a manual task's text is the prepared message or call script.

The environment is sandboxed and strict: a variable a template needs but the context lacks
fails the render, which happens before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The data package beside this one; campaigns imports no code of Winback's outside itself.
ROOT = Path(str(resources.files("templates")))
DEFAULT_LOCALE = "en"
SUFFIX = ".j2"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    template_path: str  # which file served it, after locale fallback


def _environment(root: Path) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(root)),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text email; nothing here is served as HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
        if _is_file(root / rel):
            return rel
    return None


def _is_file(path: Path) -> bool:
    # A locale or name the file system refuses (longer than a file name may be) is one no
    # template has: the chain falls back to the next locale instead of failing the render.
    try:
        return path.is_file()
    except OSError:
        return False


def exists(name: str, locale: str = DEFAULT_LOCALE, root: Path = ROOT) -> bool:
    return resolve(name, locale, root) is not None


def render(name: str, locale: str, context: dict[str, Any], root: Path = ROOT) -> Rendered:
    """Render a template; raises jinja2 errors (UndefinedError etc.) or TemplateNotFound."""
    rel = resolve(name, locale, root)
    if rel is None:
        raise TemplateNotFound(f"{name} (locale {locale}, looked in {', '.join(locale_chain(locale))})")
    env = _ENV if root == ROOT else _environment(root)
    text = env.get_template(rel).render(**context)
    subject = ""
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].startswith("Subject:"):
        subject = lines[0][len("Subject:") :].strip()
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    body = "\n".join(lines).rstrip() + "\n"
    return Rendered(subject=subject, body=body, template_path=rel)


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
        },
        "contact": {
            "name": "Sam Example",
            "first_name": "Sam",
            "title": "Head of Operations",
            "linkedin_url": "https://www.linkedin.com/in/example",
        },
        "executive": {
            "name": "Alex Example",
            "first_name": "Alex",
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
