"""The part of a reply its writer wrote: quoted history and the signature cut off.

A reply quotes our email, and our email says "unsubscribe" in its footer: judged whole, every
reply would read as an unsubscribe. So phrases count only above the first quote header
("On ... wrote:" in the languages we write to, an Outlook `From:`/`Sent:` block, an
"Original Message" rule), outside `>` lines and above the `-- ` signature delimiter. HTML
bodies lose their quoted containers (gmail_quote, blockquote) when turned into text
(`inbound/message.py`).

Our own rules rather than a library's: mail-parser-reply (the maintained one) knows no Finnish
or Malay quote headers, keeps a `-- ` signature when it follows a line without a blank, and
has no type hints.
"""

from __future__ import annotations

import re

# The last words of a quote header line ("On Mon, 2 Apr 2012, Ann <a@b.c> wrote:"), by
# language: en, de, fr, es, fi, ms, nl, it, pt, sv/da/no, ja, zh-Hans, zh-Hant.
_WROTE = re.compile(
    r"(?:\bwrote|\bschrieb|\ba\s+écrit|\bescribió|\bkirjoitti|\bmenulis|\bschreef|\bha\s+scritto"
    r"|\bescreveu|\bskrev|のメッセージ|写道|寫道|撰写|撰寫)\s*[:：]?\s*$",
    re.IGNORECASE,
)

# A line that carries an address in angle brackets and ends with a colon: Gmail's quote header
# in languages it words without a verb ("2027年1月12日(火) 9:14 Anna <a@b.jp>:").
_ADDRESS_COLON = re.compile(r"<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$")

# Outlook's quote header: a From line, then within a few lines a Sent/Date/To/Subject line.
_FROM_FIELD = re.compile(
    r"^\s*\*?(?:From|Von|De|Lähettäjä|Daripada|Dari|Van|Da|Från|Fra|差出人|发件人|寄件者|寄件人)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_OTHER_FIELD = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado(?:\s+el)?|Fecha"
    r"|Para|Asunto|Lähetetty|Päivämäärä|Vastaanottaja|Aihe|Dihantar|Tarikh|Kepada|Subjek|Perkara"
    r"|送信日時|宛先|件名|发送时间|发送日期|日期|收件人|主题|寄件日期|傳送時間|收件者|主旨)\s*\*?\s*[:：]",
    re.IGNORECASE,
)

# "-----Original Message-----" and its translations; Outlook's line of underscores.
# Written so that a long line cannot make the match backtrack: the words between the dashes
# are checked for a letter afterwards.
_RULE = re.compile(r"^\s*(?:-{3,}(?P<words>[^-\n]*)-{3,}|_{10,})\s*$")

# RFC 3676's signature delimiter ("-- "), as clients send it, with or without the space.
_SIGNATURE = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(
    r"^\s*(?:Sent from my |Get Outlook for |Von meinem .* gesendet|Envoyé de mon |Enviado desde mi )",
    re.IGNORECASE,
)


def unquoted(text: str) -> str:
    """`text` above its first quote header and signature, without `>` lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _starts_quote(lines, i) or _SIGNATURE.match(line) or _SENT_FROM.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _starts_quote(lines: list[str], i: int) -> bool:
    line = lines[i]
    rule = _RULE.match(line)
    if rule is not None and (rule["words"] is None or re.search(r"[^\W\d_]", rule["words"])):
        return True
    if _FROM_FIELD.match(line):
        return any(_OTHER_FIELD.match(other) for other in lines[i + 1 : i + 5])
    if _quote_header(line):
        return True
    # Clients wrap a long quote header: the line with the next one, unless the next one is a
    # quote header by itself (then this line is still the writer's).
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(nxt.strip()) and not _quote_header(nxt) and _quote_header(f"{line} {nxt}")


def _quote_header(line: str) -> bool:
    # A date or time in it tells a quote header from a sentence that ends in "wrote:".
    return bool(re.search(r"\d", line)) and bool(_WROTE.search(line) or _ADDRESS_COLON.search(line))
