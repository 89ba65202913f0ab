"""Plain text out of the HTML that feeds and job boards put in titles, summaries and descriptions.

Events are matched on words and printed in a terminal, so markup, entities and runs of
whitespace (CDATA indented on its own lines, `&#160;`, `&nbsp;`) are noise. Inline tags vanish
without a space ("<b>Slack</b>'s" stays "Slack's"); block tags become a space so paragraphs do
not run together. Truncated HTML (unclosed tags) is fine: html.parser is lenient.
"""

from __future__ import annotations

import html
import re
from typing import Final

from bs4 import BeautifulSoup

__all__ = ["SUMMARY_LIMIT", "clip", "plain_text"]

SUMMARY_LIMIT: Final = 2000
_BLOCK_TAGS: Final = tuple(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
_DROPPED_TAGS: Final = ("script", "style", "template", "noscript", "head", "title")
# C1 control characters are, in practice, Windows-1252 punctuation (smart quotes, dashes,
# ellipsis) decoded as Latin-1 by a server that lied about its encoding.
_C1: Final = re.compile("[\x80-\x9f]")


def _cp1252(match: re.Match[str]) -> str:
    try:
        return match.group().encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are not cp1252 characters
        return ""


def clip(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """At most `limit` characters, cut at a word boundary when there is one, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def plain_text(markup: str | None, limit: int | None = None) -> str:
    """`markup` (HTML or text, entities and all) as one line of plain text."""
    if not markup:
        return ""
    if "<" in markup:
        soup = BeautifulSoup(markup, "html.parser")
        for tag in soup.find_all(_DROPPED_TAGS):
            tag.decompose()
        for tag in soup.find_all(_BLOCK_TAGS):
            tag.insert_before(" ")
            tag.insert_after(" ")
        text = soup.get_text()
    else:
        text = html.unescape(markup)  # no tags, so no parser: only entities to decode
    text = _C1.sub(_cp1252, text)
    text = " ".join(text.split())  # str.split() also splits on no-break and other Unicode spaces
    return clip(text, limit) if limit is not None else text
