"""How each locale opens and closes a letter: the `greeting` and `sign_off` every template uses.

One class per locale, each the only place its salutation and closing are written, so a
translator never writes a salutation by hand and a fix to one market's manners is one edit
(docs/ARCHITECTURE.md, "Manners"). Both are whole lines, punctuation included; a greeting may
be several lines (Japanese: the company, then the person with 様).

We have no gender data and want none: every greeting works without it (German uses the full
name after "Guten Tag", Malay the "Tuan/Puan" slash form of Malaysian business letters).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final


@dataclass(frozen=True)
class Addressee:
    """The names a greeting may use, worked out once from the contact and account."""

    name: str  # as the CRM wrote it
    first_name: str
    family_name: str
    company: str


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in text)


def name_parts(name: str) -> tuple[str, str]:
    """(first name, family name) of a full name as one column holds it.

    Latin-script names are given-name first ("Aino Korhonen": Aino, Korhonen), so the family
    name is the last word. A name written in Chinese, Japanese or Korean characters is
    family-name first ("佐藤 陽翔"), so there it is the other way round; a CJK name without a
    space cannot be split safely and is used whole for both."""
    words = name.split()
    if not words:
        return name, name
    if _is_cjk(name):
        return words[-1], words[0]
    return words[0], words[-1]


def addressee(contact: Mapping[str, Any] | None, account: Mapping[str, Any] | None) -> Addressee:
    contact = contact or {}
    name = str(contact.get("name") or "")
    first, family = name_parts(name)
    return Addressee(
        name=name,
        first_name=str(contact.get("first_name") or first),
        family_name=str(contact.get("family_name") or family),
        company=str((account or {}).get("company") or ""),
    )


class Manners:
    """English, and the shape every locale's rules take."""

    locale: ClassVar[str] = "en"

    def greeting(self, to: Addressee) -> str:
        return f"Hi {to.first_name},"

    def sign_off(self, sender_name: str) -> str:
        return f"Best,\n{sender_name}"


class Finnish(Manners):
    # First names are normal in Finnish business email, and the closing is the standard one.
    locale = "fi"

    def greeting(self, to: Addressee) -> str:
        return f"Hei {to.first_name},"

    def sign_off(self, sender_name: str) -> str:
        return f"Ystävällisin terveisin\n{sender_name}"


class Swedish(Manners):
    # Du-form and first names; the exclamation mark is the usual friendly opening, not shouting.
    locale = "sv"

    def greeting(self, to: Addressee) -> str:
        return f"Hej {to.first_name}!"

    def sign_off(self, sender_name: str) -> str:
        return f"Vänliga hälsningar\n{sender_name}"


class German(Manners):
    # Sie-form; "Guten Tag" with the full name needs no Herr/Frau, which we cannot know.
    # The text after it starts in lower case, as after any German salutation with a comma.
    locale = "de"

    def greeting(self, to: Addressee) -> str:
        return f"Guten Tag {to.name},"

    def sign_off(self, sender_name: str) -> str:
        return f"Freundliche Grüße\n{sender_name}"


class Malay(Manners):
    # Bahasa Malaysia business register: "Tuan/Puan" is the normal form without gender data.
    locale = "ms"

    def greeting(self, to: Addressee) -> str:
        return f"Tuan/Puan {to.name},"

    def sign_off(self, sender_name: str) -> str:
        return f"Salam hormat,\n{sender_name}"


class Japanese(Manners):
    # A business letter opens with the company, then the person's family name with 様; the
    # body's first line is the opener ("ご無沙汰しております。"), written in the template.
    locale = "ja"

    def greeting(self, to: Addressee) -> str:
        return f"{to.company}\n{to.family_name}様"

    def sign_off(self, sender_name: str) -> str:
        return f"何卒よろしくお願い申し上げます。\n\n{sender_name}"


class TraditionalChinese(Manners):
    # Taiwan: polite 您 and the classic business closing 敬祝 商祺.
    locale = "zh-Hant"

    def greeting(self, to: Addressee) -> str:
        return f"{to.name} 您好："

    def sign_off(self, sender_name: str) -> str:
        return f"敬祝 商祺\n\n{sender_name}"


class SimplifiedChinese(Manners):
    # Mainland China and Singapore: simplified characters, 您, and 顺祝商祺.
    locale = "zh-Hans"

    def greeting(self, to: Addressee) -> str:
        return f"{to.name}您好："

    def sign_off(self, sender_name: str) -> str:
        return f"顺祝商祺\n\n{sender_name}"


class BrazilianPortuguese(Manners):
    # Warm but professional, você and the first name.
    locale = "pt-BR"

    def greeting(self, to: Addressee) -> str:
        return f"Olá, {to.first_name}!"

    def sign_off(self, sender_name: str) -> str:
        return f"Atenciosamente,\n{sender_name}"


MANNERS: Final[dict[str, Manners]] = {
    m.locale: m
    for m in (
        Manners(),
        Finnish(),
        Swedish(),
        German(),
        Malay(),
        Japanese(),
        TraditionalChinese(),
        SimplifiedChinese(),
        BrazilianPortuguese(),
    )
}


def for_locale(locale: str) -> Manners:
    """The locale's rules; English for a locale without its own (none today: tests keep
    MANNERS and locales.SUPPORTED equal, and the template check refuses other folders)."""
    return MANNERS.get(locale, MANNERS["en"])


def greeting(locale: str, contact: Mapping[str, Any] | None, account: Mapping[str, Any] | None) -> str:
    return for_locale(locale).greeting(addressee(contact, account))


def sign_off(locale: str, sender: Mapping[str, Any] | None) -> str:
    return for_locale(locale).sign_off(str((sender or {}).get("from_name") or ""))
