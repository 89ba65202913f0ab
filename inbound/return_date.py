"""The return date an away note states, in the languages we write to.

`dateparser` reads the Latin-script dates ("15.1.2027", "15. Januar", "le 15 janvier",
"15 de enero", "15 Januari", "May 5th") with the languages we detected and the message's own
date as the reference; its Chinese and Japanese support misreads "1月15日" (a date weeks off, or
none), so those numeric forms are read here. A date without a year is the next such date on or
after the message's date. Several dates: the latest one near a return word ("back", "bis",
"palaan", "戻") wins, else the latest of all; a range ("July 10-31") stands for its end.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

# An away note states its return early; reading further only costs time (dateparser is slow on
# long text) and finds dates that are no return date.
READ_CHARS = 4000

# Dates further ahead than this are no return date (a contract year, a conference).
HORIZON = timedelta(days=366)

# Languages written day first; English keeps dateparser's month-first default.
_DAY_FIRST = frozenset({"de", "fr", "es", "fi", "ms"})
_DATEPARSER_LANGUAGES = frozenset({"en", "de", "fr", "es", "fi", "ms"})

_CUES = re.compile(
    r"\b(?:back|return|returning|until|till|through|thru|resume|wieder|zurück|bis|retour|jusqu|reviens"
    r"|vuelta|regreso|volveré|regresaré|hasta|palaan|asti|saakka|takaisin|paluu|kembali|sehingga|hingga"
    r"|sampai)\b|戻|出社|まで|復帰|返回|回到|回来|回來|上班|至",
    re.IGNORECASE,
)
# How far from a date its return word may stand.
_CUE_BEFORE, _CUE_AFTER = 60, 25

# "July 10-31", "10.–14.1.2027", "10-14 January": the range's last day.
_RANGE = re.compile(r"(?<![\d./:-])(\d{1,2})\.?\s*[-–—]\s*(\d{1,2})(?!\d)")
_CJK_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]")
_STATED_YEAR = re.compile(r"\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")


def find(texts: Iterable[str], languages: Sequence[str], sent_on: date | None) -> date | None:
    """The stated return date in `texts` (subject first, then the un-quoted body), or None."""
    candidates: list[tuple[bool, date]] = []
    for raw in texts:
        text = _RANGE.sub(r"\2", unicodedata.normalize("NFKC", raw[:READ_CHARS]))
        candidates += _cjk_dates(text, sent_on)
        wanted = [lang for lang in languages if lang in _DATEPARSER_LANGUAGES]
        if wanted:
            candidates += _latin_dates(text, wanted, sent_on)
    if sent_on is not None:
        candidates = [(cued, day) for cued, day in candidates if sent_on <= day <= sent_on + HORIZON]
    cued = [day for near, day in candidates if near]
    if cued:
        return max(cued)
    return max((day for _, day in candidates), default=None)


def _near_cue(text: str, start: int, end: int) -> bool:
    return bool(_CUES.search(text[max(0, start - _CUE_BEFORE) : end + _CUE_AFTER]))


def _cjk_dates(text: str, sent_on: date | None) -> list[tuple[bool, date]]:
    found: list[tuple[bool, date]] = []
    for match in _CJK_DATE.finditer(text):
        year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
        stated = _dated(int(year), month, day) if year else _next(month, day, sent_on)
        if stated is not None:
            found.append((_near_cue(text, match.start(), match.end()), stated))
    return found


def _latin_dates(text: str, languages: list[str], sent_on: date | None) -> list[tuple[bool, date]]:
    # Imported here: loading dateparser's language data costs a quarter of a second, which
    # every other `winback` command would pay at start.
    from dateparser.search import search_dates

    settings: dict[str, object] = {"REQUIRE_PARTS": ["day", "month"], "PREFER_DATES_FROM": "future"}
    if sent_on is not None:
        settings["RELATIVE_BASE"] = datetime(sent_on.year, sent_on.month, sent_on.day)
    if languages[0] in _DAY_FIRST:
        settings["DATE_ORDER"] = "DMY"
    try:
        results = search_dates(text, languages=languages, settings=settings) or []
    except Exception:
        # A parser bug on odd input must not lose the verdict; the 14-day default applies.
        return []
    found: list[tuple[bool, date]] = []
    at = 0
    for words, moment in results:
        start = text.find(words, at)
        if start < 0:
            start = text.find(words)
        end = start + len(words)
        at = max(at, end)
        if _CJK_DATE.search(words):
            continue  # read by _cjk_dates
        stated: date | None = moment.date()
        if not _STATED_YEAR.search(words):
            stated = _next(moment.month, moment.day, sent_on)
        if stated is not None:
            found.append((_near_cue(text, start, end), stated))
    return found


def _next(month: int, day: int, sent_on: date | None) -> date | None:
    """The first `month`/`day` on or after `sent_on`; None when nothing tells the year."""
    if sent_on is None:
        return None
    for year in (sent_on.year, sent_on.year + 1):
        stated = _dated(year, month, day)
        if stated is not None and stated >= sent_on:
            return stated
    return None


def _dated(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
