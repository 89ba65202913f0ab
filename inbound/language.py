"""Which language a reply is written in, as a BCP 47 tag, for support staff and date parsing.

Simple on purpose: the script tells Japanese (kana) and Chinese (Han, traditional or simplified
by the characters that differ), and a count of very common words tells the Latin-script
languages we write to. When a phrase decided the verdict, its language wins (classify.py).
"""

from __future__ import annotations

import re

DEFAULT = "en"
READ_CHARS = 2000

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Everyday characters whose simplified and traditional forms differ, pair by pair.
_SIMPLIFIED = set(
    "们来这为说请谢联与后门开关发电话邮间时会个没兴趣选择应经"
    "从无处复离让还问题动长达进过对单数业产将于办约议见认识给"
)
_TRADITIONAL = set(
    "們來這為說請謝聯與後門開關發電話郵間時會個沒興趣選擇應經"
    "從無處復離讓還問題動長達進過對單數業產將於辦約議見認識給"
)
# Characters written the same in both forms leave the sets.
_SHARED = _SIMPLIFIED & _TRADITIONAL
_SIMPLIFIED -= _SHARED
_TRADITIONAL -= _SHARED


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words that are distinctive enough between these six languages.
_COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the and you is are for with will this that thanks thank have be to of we our your am i"),
    "ms": _words("saya dan yang untuk akan dengan pada tidak kami ini terima kasih anda di ke dari sedang"),
    "fi": _words("ja on olen ei että kiitos viestistä mutta se ole emme meillä tämä olemme voit"),
    "de": _words("und ich der die das ist nicht sie mit für wir bin ihre vielen dank im bis wieder"),
    "fr": _words("je le la les et est vous pour des suis pas nous merci du au une avec votre"),
    "es": _words("el la los las y es que por para del estoy gracias con una nosotros hasta su"),
}


def script_language(text: str) -> str | None:
    """ja, zh-Hant, zh-Hans or zh for text in those scripts; None for anything else."""
    if _KANA.search(text):
        return "ja"
    if not _HAN.search(text):
        return None
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    traditional = sum(ch in _TRADITIONAL for ch in text)
    if simplified > traditional:
        return "zh-Hans"
    if traditional > simplified:
        return "zh-Hant"
    return "zh"


def detect(text: str) -> str:
    """The text's language; DEFAULT when nothing tells."""
    by_script = script_language(text)
    if by_script is not None:
        return by_script
    # The opening tells the language; counting a long message through adds nothing.
    words = re.findall(r"[^\W\d_]+", text[:READ_CHARS].lower())
    scores = {lang: sum(word in common for word in words) for lang, common in _COMMON_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else DEFAULT
