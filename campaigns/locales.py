"""Which language a message is written in, and how its dates and money look.

A contact's `locale` column is a BCP 47 tag as a CRM exports it (`fi`, `zh-TW`, `pt_BR`); Babel
parses it and `resolve` maps it onto the locales Winback writes templates in (SUPPORTED):

- Chinese goes by script: `zh-TW`, `zh-HK`, `zh-MO` and `zh-Hant` -> zh-Hant; `zh-CN`, `zh-SG`
  and `zh-Hans` -> zh-Hans; a bare `zh` takes the script of the account's country.
- Otherwise the most specific supported form wins: `pt-BR` -> pt-BR, then `pt`, then `en`
  (a tag without a region borrows the account's country first, so `pt` in BR is pt-BR).
- An empty locale means the country's main business language (COUNTRY_LANGUAGE).
- A well-formed tag Babel does not know (`xx`), or a language we have no templates for, is en.
  The accounts loader refuses only tags that are not tags at all (campaigns/accounts.py):
  a typo such as "Finnish" is worth a line, an unsupported language is a decision.

Which template file then serves the touch is campaigns/templating.py's business (a missing
translation falls back along locale_chain); the locale recorded per touch is the one whose file
was used, so status never claims Japanese for an English email.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Final

from babel import Locale, UnknownLocaleError, localedata
from babel.numbers import get_territory_currencies, list_currencies

DEFAULT: Final = "en"
# Every locale with a template folder; the order is the order `winback templates check` reports in.
SUPPORTED: Final = ("en", "fi", "sv", "de", "ms", "ja", "zh-Hant", "zh-Hans", "pt-BR")

# The language business is done in, per ISO 3166 country, where it is not English: the locale
# of a contact whose row leaves `locale` empty. Countries not listed (US, GB, AU, IE, IN, SG ...)
# are English. Singapore is English on purpose: Chinese-speaking contacts there say so with
# zh-SG. Portugal is pt-PT, which resolves to English until a European Portuguese translation
# exists: Brazilian Portuguese reads as foreign there.
COUNTRY_LANGUAGE: Final[dict[str, str]] = {
    "FI": "fi",
    "AX": "sv",  # Åland is Swedish-speaking
    "SE": "sv",
    "DE": "de",
    "AT": "de",
    "CH": "de",  # the largest language region; French and Italian cantons set `locale`
    "LI": "de",
    "MY": "ms",
    "BN": "ms",
    "JP": "ja",
    "TW": "zh-Hant",
    "HK": "zh-Hant",
    "MO": "zh-Hant",
    "CN": "zh-Hans",
    "BR": "pt-BR",
    "PT": "pt-PT",
}

# Regions that write Chinese in traditional characters; every other region writes simplified.
_TRADITIONAL_REGIONS: Final = frozenset({"TW", "HK", "MO"})


# Touches whose text our own people read and act on, so it is in the owner's (CSM's) language:
# the call script is what the CSM says and asks, and the executive note is a draft our executive
# rewrites in their own voice before sending (its first line tells them so). Everything else is
# in the contact's language, the LinkedIn note included: the CSM sends its text to the contact
# as it stands, and a note in the wrong language reads as bulk outreach.
OWNER_CHANNELS: Final = frozenset({"call", "executive"})


def for_touch(channel: str, contact_locale: str, country: str, owner_locale: str) -> str:
    """The supported locale a touch on this channel is written in (emails and LinkedIn: the
    contact's; call and executive tasks: the owner's, default en)."""
    if channel in OWNER_CHANNELS:
        return resolve(owner_locale or DEFAULT)
    return resolve(contact_locale, country)


def for_country(country: str) -> str:
    """The country's main business language as a tag (en when it is not listed)."""
    return COUNTRY_LANGUAGE.get(country.upper(), DEFAULT)


@lru_cache(maxsize=1024)
def parse(tag: str) -> Locale | None:
    """Babel's Locale for a BCP 47 tag (`-` or `_` separated), or None when Babel knows no such
    language or the tag is malformed."""
    text = tag.strip().replace("_", "-")
    if not text:
        return None
    try:
        return Locale.parse(text, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=4096)
def resolve(tag: str, country: str = "") -> str:
    """The supported locale a contact with this tag (empty: the country's language) is written to."""
    loc = parse(tag.strip() or for_country(country))
    if loc is None:
        return DEFAULT
    region = loc.territory or country.upper() or None
    if loc.language == "zh":
        script = loc.script or ("Hant" if region in _TRADITIONAL_REGIONS else "Hans")
        return f"zh-{script}" if f"zh-{script}" in SUPPORTED else DEFAULT
    for candidate in (f"{loc.language}-{region}" if region else "", loc.language):
        if candidate in SUPPORTED:
            return candidate
    return DEFAULT


@lru_cache(maxsize=1024)
def format_locale(locale: str, country: str = "") -> Locale:
    """The Babel locale dates and money are formatted in: the template's language as written in
    the account's country when CLDR has that variant (en in US: "December 15", in GB:
    "15 December"; de in CH: "CHF 1’234.50"), else the language's own default."""
    base = parse(locale) or Locale.parse(DEFAULT)
    region = country.upper()
    if region and base.territory is None:
        name = "_".join(part for part in (base.language, base.script, region) if part)
        if localedata.exists(name):
            return Locale.parse(name)
    return base


@lru_cache(maxsize=512)
def currency_for(country: str) -> str:
    """The country's legal tender as an ISO 4217 code (CLDR's table); EUR when CLDR has none."""
    # A fixed day rather than today: the same account renders the same currency on every worker
    # and in every recorded golden output, whatever the date (changes of tender are rare enough
    # for the column to cover them).
    try:
        found = get_territory_currencies(country.upper(), start_date=date(2026, 1, 1), tender=True)
    except (KeyError, ValueError):
        found = []
    return found[0] if found else "EUR"


def is_currency(code: str) -> bool:
    return code in _CURRENCIES


_CURRENCIES: Final = frozenset(list_currencies())
