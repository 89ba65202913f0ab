"""Company names folded to one comparable form, so "Revontuli Analytics Oy", "REVONTULI
ANALYTICS" and "Révontuli Analytics, Inc." are the same key, and a headline's words can be
compared with a CRM's names without caring about case, accents, punctuation or legal form.

Matching a story to a real person's former company must not guess, so this module also says
which names are too weak to match on their own (`is_common_word`): a single ordinary English
word ("Box", "Notion", "Monday") appears in headlines far more often as a word than as the
company, and matching then needs corroboration (signals/matching.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["COMMON_WORDS", "LEGAL_SUFFIXES", "fold", "is_common_word", "normalise", "script_of"]

# Letters NFKD leaves whole but readers treat as accented Latin ("Ørsted" is searched as "orsted").
_LATIN_FOLDS: Final = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"})
# Everything that is not a letter or digit separates words; "&" and "+" read as "and".
_AMPERSAND: Final = re.compile(r"\s*[&+]\s*")
_POSSESSIVE: Final = re.compile(r"(?<=\w)['’]s\b")
_APOSTROPHE: Final = re.compile(r"(?<=\w)['’](?=\w)")
_SEPARATORS: Final = re.compile(r"[\W_]+", re.UNICODE)

# Legal forms, as token sequences after folding (so "L.L.C." is "l l c", "A/S" is "a s").
# Only whole trailing (or, for a few, leading) tokens are removed, never the last word left.
LEGAL_SUFFIXES: Final = frozenset(
    {
        "inc", "incorporated", "llc", "l l c", "llp", "lp", "ltd", "limited", "corp", "corporation",
        "co", "company", "co ltd", "co inc", "plc", "pbc",
        "gmbh", "gmbh co kg", "gmbh and co kg", "ag", "kg", "kgaa", "se", "ug", "e v", "ev",
        "oy", "oyj", "ab", "publ", "ab publ", "as", "asa", "a s", "aps", "hf", "ehf",
        "sa", "s a", "sas", "s a s", "sarl", "s a r l", "sasu", "sca", "scs",
        "bv", "b v", "nv", "n v", "vof",
        "srl", "s r l", "spa", "s p a", "sl", "s l", "slu",
        "ltda", "s a de c v", "sa de cv", "s de r l", "sapi de cv", "s a p i de c v",
        "sdn bhd", "bhd", "berhad", "pte ltd", "pte", "pty ltd", "pty", "pvt ltd", "pvt", "private limited",
        "kk", "k k", "gk", "g k", "tbk", "pt", "jsc", "ojsc", "pjsc", "ooo", "zao",
        "sp z o o", "s r o", "a s a",
    }
)  # fmt: skip
# Forms that stand before the name ("PT Bank Mandiri", "OOO Yandex").
_LEADING_FORMS: Final = frozenset({"pt", "ooo", "zao", "kk", "k k"})
_LONGEST_FORM: Final = max(len(s.split()) for s in LEGAL_SUFFIXES)
# Scripts without spaces: legal forms are removed as characters at either end.
_CJK_FORMS: Final = (
    "股份有限公司",
    "有限責任公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "公司",
)

# Single-word names that are ordinary English words. A few hundred: the words brands borrow
# most (objects, tools, weather, shapes, motion), months and weekdays, and the words headlines
# are made of. Chosen by hand rather than from a dictionary file so a reviewer can see why a
# name is weak; a name missing here is only treated as strong, which the subject and
# whole-word checks of matching still guard.
_COMMON_WORDS_TEXT: Final = """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today tomorrow weekend week month year
    box notion slack square apple zoom loom front linear segment amplitude signal bolt ramp
    block stripe chime mint plaid lattice mercury pitch wave sentry harvest forge guild gem
    honeycomb bamboo oracle target gap shell visa chase ally sprint snap twitch discord ping
    pilot anchor arrow atlas beacon bridge canvas compass crest echo edge ember flux frame
    glow grid harbor harbour helix hive horizon hub jet key kite lens level lift light lime
    link loop lumen maple matter meridian mesh mosaic motion nest nova oak orbit origin pulse
    quest radar range relay ridge river rocket root sage scale scout shift sky spark sphere
    spring spruce stack star stream summit swift tide trail tribe true unity vault vector
    venture vertex vista wise yield zen zest base core cube dash dot drop flow fuel gate glass
    hatch hint jolt keep kin lever lift loft mark metric mode note open pace path peak pier
    plan plot pod point post prime probe quill rally reach realm rise scope seed sense shape
    side sign silk slate snow sol spot stage steady step stone sum sun tally task tempo thread
    tile token tone track trust turn unit urban verse view vine vivid volt ward wing word yard
    amazon bloom blossom branch breeze brick brook cabin cable candle carbon cedar chord cipher
    circle cloud clover coral cove craft current dawn delta desk dial dune eagle elm fable
    falcon fern field flame fleet flint forest fox garden ginger granite hawk heart hero hill
    iris ivy jade jasper juniper lake lantern laurel leaf lemon lily lotus lunar magnet marble
    meadow moon mountain nectar north ocean olive onyx opal orchid otter owl palm panda pearl
    pebble pepper phoenix pine planet plum polar pond poppy quartz rain raven reef robin rose
    ruby saffron salt sand sapphire shadow shore silver slope solar south spice stellar storm
    sugar tiger timber topaz tower valley velvet violet walnut water west willow wind winter
    wolf zephyr east summer autumn fall
    the a an and or of for to in on at by with from new now next first last best good great
    big small high low top one two three all any every more most news report update people
    company business market markets money deal deals fund funding round data cloud labs lab
    health care home work life time world city group partners capital ventures bank pay cash
    office record records sales store shop service services system systems network digital
    smart tech technology software media studio studios design energy green blue red black
    white gold golden orange yellow purple pink grey gray brown clear bright simple easy
    fast quick live direct global local national united general standard classic modern
    notion notions idea ideas form forms sheet sheets book books page pages letter letters
    message messages chat call calls meet meeting mail post paper pen ink table chair door
    window floor roof wall room house road street station port air fire earth metal wood
    rock iron steel copper coin coins card cards ticket tickets game games play player team
    club league sport sports music song film movie show shows story stories camera phone
    voice vision focus insight impact access action balance benefit change choice control
    culture energy future growth guide image input journey launch legacy logic mission motive
    order output power process progress project purpose reason result return safety select
    share signal source spirit status strategy success support system talent value
"""
COMMON_WORDS: Final = frozenset(_COMMON_WORDS_TEXT.split())

# Chinese, Japanese (kana) and Korean letters; one regex search is far cheaper than a loop.
_CJK: Final = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002ffff]"
)
_LATIN: Final = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


def script_of(text: str) -> str:
    """The script of a text: "cjk" if it has any Chinese, Japanese or Korean letter (these
    scripts write words without spaces, so matching compares characters, not words), else
    "latin" if it has a Latin letter, "other" for other scripts, "" for none at all."""
    if _CJK.search(text):
        return "cjk"
    if _LATIN.search(text):
        return "latin"
    return "other" if any(ch.isalpha() for ch in text) else ""


def _strip_accents(text: str) -> str:
    # Only marks on Latin letters go: the Japanese voicing marks (が = か + ゙) change the word.
    out: list[str] = []
    keep_marks = True
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if keep_marks:
                out.append(ch)
            continue
        keep_marks = not (ch.isascii() or 0x00C0 <= ord(ch) <= 0x024F)
        out.append(ch)
    return unicodedata.normalize("NFKC", "".join(out))


def fold(text: str) -> str:
    """The text as matching compares it: NFKC, case-folded, Latin accents removed, "&" read as
    "and", every run of punctuation and spacing one space. Legal forms are kept (see
    `normalise`); the words of a headline stay where they were."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _strip_accents(text).translate(_LATIN_FOLDS)
    text = _AMPERSAND.sub(" and ", text)
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text)  # "O'Reilly" is one word
    return _SEPARATORS.sub(" ", text).strip()


def _strip_cjk_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for form in _CJK_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)].rstrip(), True
            elif text.startswith(form) and len(text) > len(form):
                text, changed = text[len(form) :].lstrip(), True
    return text


def normalise(name: str) -> str:
    """A company name's comparison key: `fold` plus the legal form removed from either end
    ("Nordlicht Maschinenbau GmbH & Co. KG" -> "nordlicht maschinenbau"; "株式会社さくらデータ" ->
    "さくらデータ"). A name that is nothing but a legal form keeps it ("AB" stays "ab")."""
    text = unicodedata.normalize("NFKC", name)
    # The bracketed forms ("(株)") must go before fold turns the brackets into spaces.
    text = _strip_cjk_forms(text.strip())
    tokens = fold(text).split()
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_LONGEST_FORM, len(tokens) - 1), 0, -1):
            if " ".join(tokens[-size:]) in LEGAL_SUFFIXES:
                tokens, changed = tokens[:-size], True
                break
        if not changed and len(tokens) > 1:
            for size in (2, 1):
                if size < len(tokens) and " ".join(tokens[:size]) in _LEADING_FORMS:
                    tokens, changed = tokens[size:], True
                    break
    joined = " ".join(tokens)
    if script_of(joined) == "cjk":
        joined = _strip_cjk_forms(joined)
    return joined


def is_common_word(normalised_name: str) -> bool:
    """True for a name too weak to match without corroboration: one ordinary English word
    ("box", "monday", "notion"), or one or two letters ("hp", "ab"). Takes `normalise`d text."""
    if not normalised_name or " " in normalised_name:
        return False
    if script_of(normalised_name) == "cjk":
        return len(normalised_name) < 2
    return len(normalised_name) <= 2 or normalised_name in COMMON_WORDS
