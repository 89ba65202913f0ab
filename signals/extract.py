"""Headlines and job boards turned into typed events: what happened, and to which company.

A story starts outreach to a real person, so extraction is deliberately narrow: a headline
yields an event only when one of a small set of verb patterns reads it ("X raises $20M",
"Y acquired by X", "X names new CEO"), and the event's `company` is the grammatical subject
of that verb (or, for passives and "X acquires Y", the company the story happened to), with
lead-ins, descriptors and appositives stripped. A company that is only mentioned ("Acme
customers react as Globex raises $5M") is never the subject. Anything else yields no event:
a missed story costs one outreach, a wrong one costs trust.

Facts never hold personal names: an executive change records the role and whether someone
was appointed or departed, not who.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from signals.names import fold, normalise, script_of
from signals.records import Entry, Event, JobPosting, story_key

__all__ = ["events_of", "job_events", "money_of", "release_event", "round_of"]

Facts = dict[str, str]

# -- money and rounds ---------------------------------------------------------------------------

_CURRENCY_SYMBOLS: Final = {
    "us$": "USD", "usd": "USD", "$": "USD", "dollars": "USD", "dollar": "USD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD", "a$": "AUD", "au$": "AUD", "aud": "AUD",
    "nt$": "TWD", "twd": "TWD", "s$": "SGD", "sgd": "SGD", "hk$": "HKD", "hkd": "HKD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY", "円": "JPY",
    "元": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "人民币": "CNY", "人民幣": "CNY",
    "₹": "INR", "inr": "INR", "rs": "INR", "₩": "KRW", "krw": "KRW", "won": "KRW",
    "rm": "MYR", "myr": "MYR", "euroa": "EUR", "dólares": "USD", "reais": "BRL",
    "chf": "CHF", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "isk": "ISK", "pln": "PLN",
    "kr": "SEK", "kronor": "SEK", "kroner": "NOK", "brl": "BRL", "r$": "BRL", "mxn": "MXN",
}  # fmt: skip
_MULTIPLIERS: Final = {
    "k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "mm": 10**6, "mio": 10**6,
    "million": 10**6, "millions": 10**6, "miljoonaa": 10**6, "millionen": 10**6,
    "miljoner": 10**6, "millioner": 10**6, "milioni": 10**6, "millones": 10**6, "milhões": 10**6,
    "miljard": 10**9, "miljarder": 10**9,
    "b": 10**9, "bn": 10**9, "billion": 10**9, "mrd": 10**9, "milliarden": 10**9,
    "tn": 10**12, "trillion": 10**12, "crore": 10**7, "lakh": 10**5,
    "万": 10**4, "萬": 10**4, "億": 10**8, "亿": 10**8,
}  # fmt: skip
_PREFIX_CUR: Final = r"(?:US\$|NT\$|CA\$|C\$|AU\$|A\$|S\$|HK\$|R\$|\$|€|£|¥|₹|₩|USD|EUR|GBP|JPY|SEK|NOK|DKK|CHF|CAD|AUD|INR|RMB|CNY|ISK|PLN|TWD|SGD|HKD|BRL|MXN|RM|Rs\.?)"  # noqa: E501
_SUFFIX_CUR: Final = r"(?:USD|EUR|GBP|JPY|SEK|NOK|DKK|CHF|CAD|AUD|INR|RMB|CNY|ISK|PLN|TWD|SGD|HKD|BRL|MXN|dollars?|dólares|euroa|euros?|pounds?|yen|yuan|kronor|kroner|kr|reais|€|円|元|人民币|人民幣)"  # noqa: E501
_MULT: Final = r"(?:thousand|millions?|million|miljoonaa|millionen|milliarden|miljoner|millioner|milioni|millones|milhões|miljard(?:er)?|billion|trillion|crore|lakh|mio\.?|mrd\.?|mn|mm|bn|tn|[kmb]|万|萬|億|亿)"  # noqa: E501
_NUMBER: Final = r"\d+(?:[.,]\d+)*"
_MONEY: Final = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<pre>{_PREFIX_CUR})?\s?(?P<num>{_NUMBER})\s?(?P<mult>{_MULT})?(?![a-z])\s?(?:(?:de|di|d')\s?)?(?P<post>{_SUFFIX_CUR})?(?![a-z])",
    re.IGNORECASE,
)


def _number(text: str) -> Decimal | None:
    # "1,5" is a European decimal, "1,500" a thousands group; "1.500.000" groups too.
    if "," in text and "." not in text:
        head, _, tail = text.rpartition(",")
        text = text.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    elif text.count(".") > 1:
        text = text.replace(".", "")
    else:
        text = text.replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def money_of(text: str) -> tuple[str, str] | None:
    """The first sum of money in the text as (whole units, ISO currency): "$20M" -> ("20000000",
    "USD"), "€1.5 million" -> ("1500000", "EUR"), "SEK 50m", "10億円". A bare number is not money:
    it needs a currency or a multiplier with a currency nearby."""
    for m in _MONEY.finditer(text):
        pre, post, mult = m.group("pre"), m.group("post"), m.group("mult")
        if not pre and not post:
            continue
        value = _number(m.group("num"))
        if value is None:
            continue
        factor = _MULTIPLIERS.get(mult.lower().rstrip(".")) if mult else 1
        if factor is None:
            continue
        cur = (pre or post).lower().rstrip(".")
        code = _CURRENCY_SYMBOLS.get(cur) or _CURRENCY_SYMBOLS.get(cur.rstrip("s"), "")
        if not code and len(cur) == 3 and cur.isalpha():
            code = cur.upper()
        if not code:
            continue
        return str(int(value * factor)), code
    return None


_ROUND: Final = re.compile(
    r"\b(?P<pre>pre[- ]?seed|pre[- ]series\s+[a-h]|seed|series\s+[a-h]\d?|angel|growth|bridge|"
    r"venture\s+debt|debt|mezzanine|ipo)\b(?P<ext>\s+(?:extension|expansion|top[- ]?up|plus|\+))?",
    re.IGNORECASE,
)
_CJK_ROUND: Final = re.compile(
    r"(?:シリーズ\s?(?P<jp>[A-H])|(?P<zh>[A-H])\s?[輪轮]|(?P<angel>天使[輪轮])|(?P<seed>シード|种子[輪轮]|種子[輪轮]))"
)


def round_of(text: str) -> str:
    """The round a funding headline names, in one spelling: "Series B", "Seed", "Pre-seed",
    "Series A extension", "Growth round", "Debt"; "" when it names none."""
    m = _ROUND.search(text)
    if m:
        word = m.group("pre").lower()
        if word.startswith("pre") and "seed" in word:
            name = "Pre-seed"
        elif word.startswith("pre"):
            name = "Pre-Series " + word[-1].upper()
        elif word.startswith("series"):
            name = "Series " + word.split()[-1].upper()
        elif word in ("growth", "bridge", "mezzanine"):
            name = word.capitalize() + " round"
        elif "debt" in word:
            name = "Debt"
        elif word == "ipo":
            name = "IPO"
        else:
            name = word.capitalize()
        if m.group("ext"):
            name += " extension"
        if word not in ("growth", "bridge", "debt", "ipo") or re.search(
            rf"{word}\s+(?:round|funding|financing|equity|capital|investment)", text, re.IGNORECASE
        ):
            return name
    c = _CJK_ROUND.search(text)
    if c:
        if c.group("jp") or c.group("zh"):
            return "Series " + (c.group("jp") or c.group("zh"))
        return "Angel" if c.group("angel") else "Seed"
    return ""


# -- the subject of a headline --------------------------------------------------------------------

_DASHES: Final = re.compile(r"\s*[–—]\s*|\s+-\s+")
_SPACES: Final = re.compile(r"\s+")
_LEAD_TAG: Final = re.compile(
    r"^(?:exclusive|breaking(?: news)?|report|reports|update[d]?|scoop|watch|video|analysis|"
    r"confirmed|official|just in|deal|deals|funding|funding news|m&a|people moves?|moves|"
    r"startup news|tech news|[a-z]+ roundup|roundup|in brief|briefly|alert|press release|pr)\s*[:|]\s*",
    re.IGNORECASE,
)
_SOURCE_TAIL: Final = re.compile(r"\s+(?:-|\||—|–)\s+[^-|—–]{2,40}$")
_LEAD_TIME: Final = re.compile(
    r"^(?:on\s+)?(?:(?:this|last|earlier|late|early)\s+)?(?:today|yesterday|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|week|month|morning|evening|year)\b[^,]{0,20},\s*",
    re.IGNORECASE,
)
_LEAD_CLAUSE: Final = re.compile(
    r"^(?:after|amid|despite|following|with|in|as|on|while|weeks?|months?|days?|just|"
    r"less than|more than|two|three|a year)\b[^,]{0,80},\s*",
    re.IGNORECASE,
)
# Words that end a description of the company that follows: "Finnish startup Revontuli",
# "Acme's rival Globex", "fintech unicorn Brex".
_DESCRIPTOR_END: Final = (
    r"startup|start-up|unicorn|firm|company|giant|maker|provider|platform|developer|specialist|"
    r"player|scale-?up|upstart|darling|rival|competitor|challenger|business|outfit|operator|"
    r"retailer|lender|insurer|insurtech|fintech|proptech|healthtech|edtech|app|brand|vendor|"
    r"supplier|manufacturer|carrier|group|spinout|spin-off|spinoff|subsidiary|unit|owner|parent|"
    r"service|tool|software|marketplace|network|chain|agency|studio|consultancy|house|bank"
)
_DESCRIPTOR: Final = re.compile(
    rf"^.*?\b(?:{_DESCRIPTOR_END})\s+(?=(?-i:[A-Z0-9\u3040-\u9fff]))", re.IGNORECASE
)
_DESCRIPTIVE_WORD: Final = re.compile(
    r"^(?:[\w.&'’]+-(?:based|backed|owned|focused|powered|native|born|led|headquartered|founded)|(?:the|a|an|former|ex|rival|embattled|troubled|beleaguered|struggling|fast-growing|popular|buzzy|hot))\s+",
    re.IGNORECASE,
)
_NATIONALITY: Final = re.compile(
    r"^(?:finnish|swedish|norwegian|danish|icelandic|estonian|german|austrian|swiss|dutch|belgian|"
    r"french|spanish|portuguese|italian|irish|british|uk|us|u\.s\.|american|canadian|japanese|"
    r"chinese|taiwanese|korean|indian|singaporean|malaysian|indonesian|australian|brazilian|"
    r"mexican|israeli|polish|nordic|european|asian|latin american|african|berlin|london|"
    r"helsinki|stockholm|paris|tokyo|taipei|new york|sf|bay area|silicon valley)\s+",
    re.IGNORECASE,
)
_CLAUSE_BREAK: Final = re.compile(
    r"\s+(?:as|while|after|when|because|since|even as|so|says|said|say|reports?|"
    r"report says|claims|thinks|believes|hopes|:)\s+|:\s+",
    re.IGNORECASE,
)
_TRAILING_NOISE: Final = re.compile(
    r"(?:\s+(?:has|have|had|is|was|will|would|could|may|might|reportedly|officially|quietly|"
    r"finally|now|also|just|today|formally|successfully|again|to|set to|plans? to|looks? to|"
    r"seeks? to|moves? to|agrees? to|in talks to|said to|expected to|is set to|is said to|"
    r"announced|announces|confirms?|said|says|co-founder and|founder and|cofounder and|and|"
    r"its|their|the|a|an|new|former|longtime|interim|outgoing|incoming))+$",
    re.IGNORECASE,
)


def clean_title(title: str) -> str:
    """The headline as the patterns read it: one kind of dash and quote, no "Exclusive:" tag,
    no trailing " - Publisher", no leading "On Monday,"."""
    text = title.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = _SPACES.sub(" ", text).strip()
    # The cheap `in` tests keep the regexes off most headlines (bench/match.py).
    if script_of(text) != "cjk" and any(d in text for d in (" - ", " | ", " — ", " – ")):
        text = _SOURCE_TAIL.sub("", text)
    for _ in range(3):
        before = text
        if ":" in text or "|" in text:
            text = _LEAD_TAG.sub("", text)
        if "," in text:
            text = _LEAD_TIME.sub("", text)
            text = _LEAD_CLAUSE.sub("", text)
        if text == before:
            break
    return _DASHES.sub(" - ", text) if "-" in text or "—" in text or "–" in text else text


def subject_of(phrase: str) -> str:
    """The company a noun phrase before the verb names: the last clause, lead-ins,
    descriptors ("Helsinki-based", "fintech unicorn"), appositives and auxiliaries gone."""
    text = phrase.strip(" ,;-\"'")
    parts = _CLAUSE_BREAK.split(text)
    text = parts[-1].strip(" ,;-\"'")
    if " - " in text:
        text = text.rsplit(" - ", 1)[-1]
    # "Acme, the Helsinki-based analytics company," -> "Acme"
    if ", " in text:
        text = text.split(", ", 1)[0]
    text = _TRAILING_NOISE.sub("", text).strip(" ,;-\"'")
    for _ in range(4):
        before = text
        text = _DESCRIPTOR.sub("", text)
        text = _DESCRIPTIVE_WORD.sub("", text)
        text = _NATIONALITY.sub("", text)
        if text == before:
            break
    text = re.sub(r"['’]s?$", "", text).strip(" ,;-\"'")
    return text


def _object_of(text: str) -> str:
    """The company a phrase after a verb names: up to the first "for $", "in a", "to", comma..."""
    cut = re.split(
        r"\s+(?:for|in|at|to|as|amid|after|from|with|over|on|into|-|valued|worth|reportedly|hits?|affects?|"
        r"impacts?|amid|while|and\s+(?:names|appoints|plans|says)|"
        r"deal|says|report|sources|in a deal)\b|[,;:(]|\s+-\s+",
        text.strip(),
        maxsplit=1,
    )[0]
    cut = re.sub(r"^(?:the\s+|rival\s+|its\s+rival\s+|startup\s+)", "", cut.strip(), flags=re.IGNORECASE)
    for _ in range(3):
        before = cut
        cut = _DESCRIPTOR.sub("", cut)
        cut = _DESCRIPTIVE_WORD.sub("", cut)
        cut = _NATIONALITY.sub("", cut)
        if cut == before:
            break
    return re.sub(r"['’]s$", "", cut).strip(" ,;-\"'.")


def _plausible(company: str) -> bool:
    """A subject that can be a company: a few words, not a pronoun or a generic noun phrase."""
    if not company or len(company) > 60:
        return False
    if script_of(company) == "cjk":
        return len(company) >= 2
    words = company.split()
    if len(words) > 6:
        return False
    if fold(company) in _NOT_COMPANIES:
        return False
    # A company's name is written with a capital or a digit somewhere ("Box", "monday.com" is
    # an exception we accept with a dot).
    return any(ch.isupper() or ch.isdigit() for ch in company) or "." in company


_NOT_COMPANIES: Final = frozenset(
    {
        "it", "they", "we", "he", "she", "this", "that", "company", "the company", "startup",
        "the startup", "firm", "the firm", "investors", "vcs", "who", "which", "report",
        "sources", "analysts", "everyone", "nobody", "stocks", "shares", "markets",
    }
)  # fmt: skip


# -- rules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    # (match, cleaned title) -> (company, facts), or None when the reading falls apart.
    read: Callable[[re.Match[str], str], tuple[str, Facts] | None]


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_AUX: Final = r"(?:(?:has|have|is|was|will|reportedly|officially|quietly|finally|now|just|to|set to|plans to|looks to|in talks to|is in talks to|said to|agrees to|agreed to|moves to|is set to)\s+)*"  # noqa: E501
_NOT_FUNDING_OBJECT: Final = re.compile(
    r"^(?:its\s+|their\s+|the\s+)?(?:prices?|pricing|fees?|rates?|subscription|concerns?|questions?|"
    r"eyebrows|alarm|awareness|the bar|bar|guidance|forecast|outlook|stakes|doubts|hopes|"
    r"expectations|profile|game|dividend|wages|salaries|pay|minimum|target|estimate|red flags)\b",
    re.IGNORECASE,
)
_FUNDING_WORD: Final = re.compile(
    r"\b(?:funding|financing|round|investment|series\s+[a-h]|seed|pre-seed|raise|capital|"
    r"venture debt|debt|backing|led by|from investors)\b|融资|融資|資金調達|調達",
    re.IGNORECASE,
)


def _funding(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    rest = m.group("rest")
    if _NOT_FUNDING_OBJECT.match(rest):
        return None
    money = money_of(rest)
    rnd = round_of(rest)
    if not money and not rnd and not _FUNDING_WORD.search(rest):
        return None
    facts: Facts = {}
    if money:
        facts["amount"], facts["currency"] = money
    if rnd:
        facts["round"] = rnd
    return subject_of(m.group("subj")), facts


def _funding_into(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    rest = m.group("rest")
    money = money_of(rest)
    facts: Facts = {}
    if money:
        facts["amount"], facts["currency"] = money
    rnd = round_of(rest)
    if rnd:
        facts["round"] = rnd
    if not money and not rnd:
        return None
    return _object_of(m.group("obj")), facts


_NOT_ACQUISITION_OBJECT: Final = re.compile(
    r"^(?:back|stakes?|a stake|shares|ads?|time|more|up|into|out|itself|\d+\s?%|majority|minority|"
    r"land|property|building|office|headquarters|domain|patents?|assets|rights|ad space|bitcoin|"
    r"a\s+(?:stake|minority|majority)|tickets?|the dip|bonds)\b",
    re.IGNORECASE,
)


def _acquisition_active(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    obj = m.group("obj")
    # "buys back shares", "buys a stake in": not the company changing hands.
    if _NOT_ACQUISITION_OBJECT.match(obj) or re.search(r"\b(?:stakes?|shares)\b", _object_of(obj), re.I):
        return None
    target = _object_of(obj)
    acquirer = subject_of(m.group("subj"))
    if not _plausible(acquirer):
        return None
    facts = {"acquirer": acquirer, "target": target, "out_of_reach": "acquired"}
    money = money_of(obj)
    if money:
        facts["amount"], facts["currency"] = money
    return target, facts


def _acquisition_passive(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    target = subject_of(m.group("subj"))
    acquirer = _object_of(m.group("obj"))
    facts = {"acquirer": acquirer, "target": target, "out_of_reach": "acquired"}
    money = money_of(m.group("obj"))
    if money:
        facts["amount"], facts["currency"] = money
    return target, facts


_ROLE: Final = (
    r"(?:co-?ceo|ceo|cfo|cto|coo|cro|cmo|cpo|ciso|cio|cco|cdo|chro|"
    r"chief\s+(?:executive|financial|technology|operating|revenue|marketing|product|people|"
    r"information|security|data|commercial|customer|growth|legal|strategy)(?:\s+officer)?|"
    r"chief\s+\w+\s+officer|vd|toimitusjohtaja\w*|geschäftsführer\w*|directeur général|president|"
    r"chair(?:man|woman|person)?|general counsel|managing director|"
    r"(?:svp|evp|vp|vice president|head|director|global head)(?:\s+of)?\s+(?:global\s+)?[A-Z]\w+(?:\s+(?:and|&)\s+[A-Z]\w+)?)"  # noqa: E501
)
_ROLE_RE: Final = re.compile(rf"\b{_ROLE}\b", re.IGNORECASE)
_ROLE_WORDS: Final = {
    "chief executive": "CEO", "chief executive officer": "CEO", "chief financial officer": "CFO",
    "chief financial": "CFO", "chief technology officer": "CTO", "chief technology": "CTO",
    "chief operating officer": "COO", "chief operating": "COO", "chief revenue officer": "CRO",
    "chief marketing officer": "CMO", "chief product officer": "CPO", "chief people officer": "CPO",
    "chief information security officer": "CISO", "chief information officer": "CIO",
    "chief security officer": "CSO", "chief data officer": "CDO", "chief commercial officer": "CCO",
    "chief customer officer": "CCO", "chief growth officer": "CGO", "chief legal officer": "CLO",
    "chief strategy officer": "CSO", "co-ceo": "Co-CEO", "coceo": "Co-CEO", "vd": "CEO",
    "directeur général": "CEO",
}  # fmt: skip


def role_of(text: str) -> str:
    """The role a headline names, one spelling: "CEO", "CFO", "VP Sales", "Head of Engineering"."""
    m = _ROLE_RE.search(text)
    if not m:
        return ""
    raw = _SPACES.sub(" ", m.group(0)).strip()
    low = raw.lower()
    if low in _ROLE_WORDS:
        return _ROLE_WORDS[low]
    if low.startswith(("toimitusjohtaja", "geschäftsführer")):
        return "CEO"
    if re.fullmatch(r"[a-z]{2,5}", low):
        return raw.upper()
    if low.startswith(("vp", "svp", "evp", "vice president")):
        area = re.sub(r"^(?:s|e)?vp(?:\s+of)?\s+|^vice president(?:\s+of)?\s+", "", raw, flags=re.IGNORECASE)
        prefix = "VP" if low.startswith(("vp", "vice")) else raw.split()[0].upper()
        return f"{prefix} {area}"
    if low.startswith(("head", "director", "global head")):
        words = raw.split()
        return " ".join(w if w.lower() in ("of", "and") else w[0].upper() + w[1:] for w in words)
    return raw[0].upper() + raw[1:]


def _exec_appointed(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    role = role_of(m.group("rest"))
    if not role:
        return None
    return subject_of(m.group("subj")), {"role": role, "change": "appointed"}


def _exec_joins(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    role = role_of(m.group("role"))
    if not role:
        return None
    return _object_of(m.group("obj")), {"role": role, "change": "appointed"}


def _exec_named_of(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    role = role_of(m.group("role"))
    if not role:
        return None
    return _object_of(m.group("obj")), {"role": role, "change": "appointed"}


def _exec_departs(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    role = role_of(m.group("role"))
    if not role:
        return None
    subj = m.group("subj")
    # "Acme co-founder and CEO Jane Doe steps down": the company is before the role.
    subj = re.sub(r"\b(?:co-?founder|founder)(?:\s+and|\s*,)?\s*$", "", subj.strip(), flags=re.IGNORECASE)
    return subject_of(subj), {"role": role, "change": "departs"}


def _exec_departs_of(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    role = role_of(m.group("role"))
    if not role:
        return None
    return _object_of(m.group("obj")), {"role": role, "change": "departs"}


def _count_facts(text: str) -> Facts:
    facts: Facts = {}
    pct = re.search(r"(\d+(?:\.\d+)?)\s?(?:%|percent|per cent)", text, re.IGNORECASE)
    if pct:
        facts["percent"] = pct.group(1)
    count = re.search(r"\b(\d[\d,]*)\s+(?:jobs|employees|staff|workers|people|roles|positions)", text, re.I)
    if count:
        facts["count"] = count.group(1).replace(",", "")
    return facts


def _plain(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    return subject_of(m.group("subj")), _count_facts(m.group("rest") if "rest" in m.groupdict() else "")


def _plain_obj(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    return _object_of(m.group("obj")), _count_facts(title)


def _price(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    return subject_of(m.group("subj")), _count_facts(title)


def _expansion(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    market = _object_of(m.group("rest"))
    facts = {"market": market} if market else {}
    return subject_of(m.group("subj")), facts


def _shutdown(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    rest = m.group("rest") if "rest" in m.groupdict() else ""
    obj = rest.strip()
    # "X shuts down its Y product" is a product sunset; "X shuts down" is the company.
    if obj and not re.match(r"^(?:operations|business|for good|after|amid|as|following|-|,|\.)", obj, re.I):
        return subject_of(m.group("subj")), {"change": "sunset", "product": _object_of(obj)}
    return subject_of(m.group("subj")), {"change": "shut_down", "out_of_reach": "shut_down"}


def _bankrupt(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    return subject_of(m.group("subj")), {"change": "bankruptcy", "out_of_reach": "shut_down"}


def _sunset(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    product = _object_of(m.group("rest"))
    change = "pivot" if re.search(r"pivot", m.group(0), re.I) else "sunset"
    facts = {"change": change}
    if product:
        facts["product"] = product
    return subject_of(m.group("subj")), facts


_S: Final = r"^(?P<subj>.+?)\s+" + _AUX
_RULES: Final = (
    # Prices first: "raises prices" is not a funding round.
    _Rule(
        "price_increase",
        _r(
            _S + r"(?:raises?|raised|hikes?|hiked|increases?|increased|lifts?|bumps?|"
            r"jacks? up|ups)\s+(?:its\s+|their\s+)?(?:\w+\s+){0,2}(?:prices?|pricing|fees?|"
            r"subscription (?:costs?|fees?|prices?)|plans? prices?)\b(?P<rest>.*)$"
        ),
        _price,
    ),
    _Rule(
        "price_increase",
        _r(r"^(?P<subj>.+?)\s+(?:price|pricing) (?:hikes?|increases?|changes? to)\b(?P<rest>.*)$"),
        _price,
    ),
    _Rule(
        "price_increase",
        _r(r"^(?:price|pricing) (?:hikes?|increases?) (?:at|for|from) (?P<obj>.+)$"),
        _plain_obj,
    ),
    # Acquisitions, passive before active: "Y to be acquired by X".
    _Rule(
        "acquisition",
        _r(
            r"^(?P<subj>.+?)\s+(?:(?:is|was|has been|to be|will be|agrees to be|agreed to be|"
            r"set to be|being)\s+)?(?:acquired|bought|purchased|snapped up|taken over|sold)\s+"
            r"(?:by|to)\s+(?P<obj>.+)$"
        ),
        _acquisition_passive,
    ),
    _Rule(
        "acquisition",
        _r(
            _S + r"(?:acquires?|acquired|buys|bought|purchases|purchased|snaps up|snapped up|"
            r"scoops up|takes over|buy|acquire|purchase|take over|swallows|übernimmt|kauft|ostaa|osti|köper|"
            r"förvärvar|rachète|acquiert)\s+(?P<obj>.+)$"
        ),
        _acquisition_active,
    ),
    _Rule(
        "acquisition",
        _r(
            _S + r"(?:completes?|completed|closes?|closed|finali[sz]es?|announces?|announced|"
            r"confirms?|agrees?|seals?|sealed|unveils?|inks?)\s+(?:its\s+|the\s+|a\s+)?"
            r"(?:\$?[\w.]+\s+)?(?:deal\s+to\s+(?:acquire|buy)|acquisition\s+of|purchase\s+of|"
            r"takeover\s+of|(?:definitive\s+)?agreement\s+to\s+(?:acquire|buy))\s+(?P<obj>.+)$"
        ),
        _acquisition_active,
    ),
    _Rule(
        "acquisition",
        _r(
            r"^(?P<subj>.+?)['’]s\s+(?:\$?[\w.]+\s+)?(?:acquisition|purchase|takeover)\s+of\s+"
            r"(?P<obj>.+)$"
        ),
        _acquisition_active,
    ),
    # Executive changes.
    _Rule(
        "executive_change",
        _r(_S + r"(?:loses|lost)\s+(?:its\s+|their\s+)?(?P<role>" + _ROLE + r")\b.*$"),
        _exec_departs,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^(?P<subj>.+?)\s+(?P<role>" + _ROLE + r")\s+(?:[A-Z][\w.'-]+\s+){0,3}"
            r"(?:(?:to|will)\s+)?(?:steps? down|stepping down|resigns?|resigned|departs?|"
            r"departed|exits?|exited|leaves|is leaving|to leave|ousted|fired|retires?|"
            r"out|is out|quits?|replaced)\b.*$"
        ),
        _exec_departs,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^.+?\s+(?:steps? down|resigns?|departs?|exits?|is out|out|retires?)\s+as\s+"
            r"(?P<role>" + _ROLE + r")\s+(?:of|at)\s+(?P<obj>.+)$"
        ),
        _exec_departs_of,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^(?P<role>" + _ROLE + r")\s+(?:of|at)\s+(?P<obj>.+?)\s+(?:steps? down|resigns?|"
            r"departs?|exits|leaves|to leave|to step down|ousted|retires)\b.*$"
        ),
        _exec_departs_of,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^.+?\s+(?:joins?|joined|rejoins?|returns? to)\s+(?P<obj>.+?)\s+as\s+"
            r"(?:its\s+|the\s+)?(?:new\s+)?(?P<role>" + _ROLE + r")\b.*$"
        ),
        _exec_joins,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^.+?\s+(?:(?:is|was|has been)\s+)?(?:named|appointed|tapped|hired|promoted|"
            r"elevated|picked|chosen|selected|confirmed)\s+(?:as\s+)?(?:the\s+)?(?:new\s+)?"
            r"(?:interim\s+)?(?P<role>" + _ROLE + r")\s+(?:of|at|for)\s+(?P<obj>.+)$"
        ),
        _exec_named_of,
    ),
    _Rule(
        "executive_change",
        _r(
            r"^.+?\s+(?:to lead|takes? the helm at|takes? over at|to head)\s+(?P<obj>.+?)\s+"
            r"as\s+(?:its\s+)?(?:new\s+)?(?P<role>" + _ROLE + r")\b.*$"
        ),
        _exec_joins,
    ),
    _Rule(
        "executive_change",
        _r(
            _S + r"(?:appoints?|appointed|names?|named|hires?|hired|taps?|tapped|"
            r"ernennt|beruft|utser|nimittää|nomme|nombra|nomeia|"
            r"promotes?|promoted|welcomes?|welcomed|picks?|elevates?|adds?|brings? on|"
            r"announces? new|unveils? new|gets new|has new|poaches?|lands)\s+"
            r"(?P<rest>.+)$"
        ),
        _exec_appointed,
    ),
    # Layoffs.
    _Rule(
        "layoffs",
        _r(
            _S + r"(?:lays? off|laid off|laying off|cuts?|cutting|slashes|slashed|sheds?|shedding|"
            r"eliminates?|axes|trims?)\s+(?P<rest>(?:about\s+|around\s+|nearly\s+|some\s+|another\s+|"
            r"over\s+|more than\s+)?(?:\d[\d,.]*\s?%?|a (?:third|quarter|fifth|half)|hundreds|dozens|"
            r"thousands|staff|jobs|workforce|employees|its workforce|headcount)(?:.*))$"
        ),
        _plain,
    ),
    _Rule(
        "layoffs",
        _r(
            _S + r"(?:announces?|announced|conducts?|begins?|confirms?|plans?|starts?|hit by|"
            r"reveals?)\s+(?:new\s+|more\s+|another round of\s+|fresh\s+|a round of\s+|mass\s+)?"
            r"(?P<rest>(?:layoffs?|job cuts|redundancies|restructuring)(?:.*))$"
        ),
        _plain,
    ),
    _Rule("layoffs", _r(r"^(?:layoffs?|job cuts|redundancies)\s+(?:at|hit)\s+(?P<obj>.+)$"), _plain_obj),
    _Rule(
        "layoffs",
        _r(r"^(?P<subj>.+?)\s+(?P<rest>(?:layoffs?|job cuts)\s+(?:hit|affect|impact|to hit).*)$"),
        _plain,
    ),
    # Outages.
    _Rule(
        "outage",
        _r(
            r"^(?:service disruption|outage|downtime|major outage|an outage)\s+(?:at|hits?|for)\s+"
            r"(?P<obj>.+)$"
        ),
        _plain_obj,
    ),
    _Rule(
        "outage",
        _r(
            _S + r"(?:suffers?|hit by|hit with|reports?|experiencing|experiences?|battles?|"
            r"recovers? from|restores? service after|investigating|blames? .{1,30} for)\s+"
            r"(?:a\s+|an\s+|another\s+|major\s+|global\s+|massive\s+|widespread\s+|hours-long\s+|"
            r"partial\s+)*(?P<rest>(?:\w+\s+)?(?:outage|outages|downtime|service disruption|"
            r"disruption|incident)\b.*)$"
        ),
        _plain,
    ),
    _Rule(
        "outage",
        _r(
            r"^(?P<subj>.+?)\s+(?:is\s+|goes\s+|went\s+)?(?P<rest>(?:down|offline)"
            r"(?:\s+for\s+(?:users|thousands|millions|many|some|hours).*|\s*$|\s+again.*|"
            r"\s+worldwide.*|\s+globally.*|\s*[,:;].*))$"
        ),
        _plain,
    ),
    _Rule("outage", _r(r"^(?P<subj>.+?)\s+(?P<rest>(?:outage|outages|service disruption)\b.*)$"), _plain),
    # Shutdowns and strategy.
    _Rule(
        "strategy_change",
        _r(
            _S + r"(?:files? for|filed for|enters?|entered)\s+(?P<rest>(?:chapter 11|"
            r"bankruptcy|insolvency|administration|receivership|liquidation).*)$"
        ),
        _bankrupt,
    ),
    _Rule(
        "strategy_change",
        _r(
            _S + r"(?:shuts? down|shutting down|shut down|closes? (?:its )?doors|"
            r"ceases? operations|winds? down(?: operations)?|goes out of business|"
            r"goes bust|goes under|collapses)(?P<rest>.*)$"
        ),
        _shutdown,
    ),
    _Rule(
        "strategy_change",
        _r(
            _S + r"(?:sunsets?|sunsetting|discontinues?|discontinuing|retires?|kills?|"
            r"deprecates?|pulls the plug on|pivots?|pivoting|announces end[- ]of[- ]life "
            r"(?:for|of)|ends support for|will end support for)\s+(?P<rest>.+)$"
        ),
        _sunset,
    ),
    # Expansion.
    _Rule(
        "expansion",
        _r(
            _S + r"(?:opens?|opened|opening|launches?|launched)\s+(?:a\s+|its\s+|new\s+|first\s+|"
            r"second\s+)*(?:\w+\s+)?(?:office|hub|headquarters|hq|subsidiary|entity|"
            r"data cent(?:er|re)|branch|r&d cent(?:er|re)|engineering cent(?:er|re))s?\s+"
            r"(?:in|at)\s+(?P<rest>.+)$"
        ),
        _expansion,
    ),
    _Rule(
        "expansion",
        _r(
            _S + r"(?:expands?|expanding|expanded|enters?|entered|entering|launches in|"
            r"launched in|arrives in|debuts in|moves into)\s+(?:to\s+|into\s+|in\s+)?"
            r"(?P<rest>(?:the\s+)?(?:[A-Z][\w.]+|US|UK|EU)(?:\s+[A-Z][\w.]+)*(?:\s+and\s+[A-Z]\w+)?)"
            r"(?:\s+market|\s+markets)?(?:\s*[,;-].*|\s+(?:with|after|as|to|amid).*)?$"
        ),
        _expansion,
    ),
    # Funding last: its verbs ("lands", "gets", "closes") are the most generic.
    _Rule(
        "funding",
        _r(
            _S + r"(?:raises?|raised|raising|secures?|secured|securing|lands?|landed|closes?|closed|"
            r"bags?|bagged|nabs?|nabbed|gets?|snags?|snagged|picks up|picked up|pulls in|pulled in|"
            r"scores?|scored|banks?|banked|receives?|received|grabs?|hauls in|rakes in|attracts?|"
            r"completes?|completed|announces?|announced|unveils?|reveals?|wins?|collects?|"
            r"kerää|keräsi|sammelt|erhält|sichert sich|holt sich|tar in|hämtar in|henter|raccoglie|lève|"
            r"recauda|recibe|capta|levanta)\s+(?P<rest>.+)$"
        ),
        _funding,
    ),
    _Rule(
        "funding",
        _r(
            r"^(?P<subj>.+?)['’]s?\s+(?P<rest>(?:"
            + _PREFIX_CUR
            + r")\s?\d[\d.,]*\s?"
            + _MULT
            + r"?\s+(?:\w+\s+){0,2}(?:round|funding|financing|raise|investment|series\s+[a-h]|seed)\b.*)$"
        ),
        _funding,
    ),
    _Rule(
        "funding",
        _r(
            r"^.+?\s+(?:leads?|led|co-leads?|backs?|backed|invests?|invested|pours?|poured|puts?|"
            r"injects?)\s+(?P<rest>.*?)\s+(?:in|into)\s+(?P<obj>.+)$"
        ),
        _funding_into,
    ),
)

# Chinese and Japanese headlines: no spaces, and the verb (收购, 買収, 融资, 調達, 任命, 就任)
# sits between or after the names.
_CJK_SUBJECT_END: Final = r"(?:、|，|,|\s|が|は|宣布|宣佈|完成|获得|獲得|获|獲|将|將|拟|擬|正式|今日|近日)"
_CJK_RULES: Final = (
    _Rule(
        "acquisition",
        re.compile(r"^(?P<subj>.+?)(?:被|遭)(?P<obj>.+?)(?:收购|收購|并购|併購)"),
        _acquisition_passive,
    ),
    _Rule(
        "acquisition",
        re.compile(r"^(?P<subj>.+?)(?:が|は|、)(?P<obj>.+?)に(?:よって|より)?買収"),
        _acquisition_passive,
    ),
    _Rule(
        "acquisition",
        re.compile(r"^(?P<subj>.+?)(?:、|が|は|宣布|宣佈|将|將|拟|擬)+(?P<obj>.+?)を(?:買収|子会社化)"),
        _acquisition_active,
    ),
    _Rule(
        "acquisition",
        re.compile(
            r"^(?P<subj>.+?)(?:宣布|宣佈|将|將|拟|擬|完成|以)*(?:收购|收購|并购|併購)(?P<obj>.+?)(?:$|，|,|、|\s|股|的|全部|案)"
        ),
        _acquisition_active,
    ),
    _Rule(
        "executive_change",
        re.compile(
            r"^(?P<subj>.+?)" + _CJK_SUBJECT_END + r"*(?:任命|新任|就任|出任|接任|聘任|迎来|迎來)"
            r"(?P<rest>.*)$"
        ),
        lambda m, t: _cjk_exec(m, t),
    ),
    _Rule(
        "executive_change",
        re.compile(
            r"^(?P<subj>.+?)(?:の)(?P<rest>(?:新)?(?:社長|CEO|代表取締役|会長|CFO|CTO)).*(?:就任|交代|辞任|退任)"
        ),
        lambda m, t: _cjk_exec(m, t),
    ),
    _Rule(
        "funding",
        re.compile(
            r"^(?P<subj>.+?)"
            + _CJK_SUBJECT_END
            + r"(?P<rest>.*(?:融资|融資|資金調達|調達|投资|投資を受け).*)$"
        ),
        lambda m, t: _cjk_funding(m, t),
    ),
)

_CJK_ROLES: Final = (
    ("首席执行官", "CEO"), ("首席執行官", "CEO"), ("執行長", "CEO"), ("总裁", "President"),
    ("總裁", "President"), ("首席财务官", "CFO"), ("財務長", "CFO"), ("首席技术官", "CTO"),
    ("技術長", "CTO"), ("代表取締役社長", "CEO"), ("社長", "CEO"), ("代表取締役", "CEO"),
    ("会長", "Chair"), ("董事长", "Chair"), ("董事長", "Chair"),
)  # fmt: skip


def _cjk_exec(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    rest = m.group("rest") + title
    role = role_of(rest)
    if not role:
        role = next((r for word, r in _CJK_ROLES if word in rest), "")
    if not role:
        return None
    change = "departs" if re.search(r"辞任|退任|辞职|辭職|卸任", title) else "appointed"
    return _cjk_subject(m.group("subj")), {"role": role, "change": change}


def _cjk_subject(text: str) -> str:
    return re.split(_CJK_SUBJECT_END, text.strip())[0].strip("「」『』\"' ")


def _cjk_funding(m: re.Match[str], title: str) -> tuple[str, Facts] | None:
    facts: Facts = {}
    money = money_of(title)
    if money:
        facts["amount"], facts["currency"] = money
    rnd = round_of(title)
    if rnd:
        facts["round"] = rnd
    return _cjk_subject(m.group("subj")), facts


# Words one of a kind's rules needs in the headline: a rule whose cues are all absent cannot
# match, and skipping it halves the cost of extraction (bench/match.py). CJK rules have none.
_CUES: Final[dict[str, tuple[str, ...]]] = {
    "price_increase": ("price", "pricing", "fee"),
    "acquisition": (
        "acqui", "buy", "bought", "purchas", "snap", "scoop", "take", "taken", "swallow", "sold", "deal",
        "übernimmt", "kauft", "osta", "osti", "köper", "förvärvar", "rachète",
        "買収", "子会社化", "收购", "收購", "并购", "併購",
    ),
    "executive_change": (
        "ceo", "cfo", "cto", "coo", "cro", "cmo", "cpo", "cio", "cco", "cdo", "chro", "chief", "president",
        "chair", "counsel", "director", "vp", "vice", "head", "vd", "toimitusjohtaja", "geschäftsführer",
        "directeur", "任命", "新任", "就任", "出任", "接任", "聘任",
        "迎来", "迎來", "交代", "辞任", "退任",
    ),
    "layoffs": (
        "lay", "laid", "cut", "slash", "shed", "elimina", "axe", "trim", "redundanc", "restructuring",
    ),
    "outage": ("outage", "disruption", "downtime", "down", "offline", "incident"),
    "strategy_change": (
        "bankrupt", "chapter", "insolven", "administration", "receivership", "liquidation", "shut",
        "close", "cease", "wind", "business", "bust", "under", "collapse", "sunset", "discontinu",
        "retire", "kill", "deprecat", "plug", "pivot", "end",
    ),
    "expansion": ("open", "launch", "expand", "enter", "arriv", "debut", "moves into"),
    "funding": (
        "$", "€", "£", "¥", "₹", "₩", "usd", "eur", "gbp", "sek", "nok", "dkk", "chf", "jpy", "cny",
        "rmb", "inr", "cad", "aud", "dollar", "dólar", "pound", "kr", "yen", "yuan", "rm ", "reais",
        "fund", "financ",
        "round", "seed", "series", "invest", "capital", "debt", "backing", "led by", "raise", "milj", "mill",
        "mio", "mrd", "融资", "融資", "調達", "投资", "投資",
    ),
}  # fmt: skip
_CUE_RE: Final = {kind: re.compile("|".join(map(re.escape, cues))) for kind, cues in _CUES.items()}


def _event(kind: str, company: str, facts: Facts, entry: Entry) -> Event:
    return Event(
        kind=kind,
        company=company,
        title=entry.title,
        url=entry.url,
        published=entry.published,
        facts=tuple(sorted((k, v) for k, v in facts.items() if v)),
        story=entry.content_hash,
        context=f"{entry.title} {entry.summary}".strip(),
    )


# Questions, rumours, denials and features are not something that happened: "Will Acme raise
# $100M?", "Acme could raise", "Globex walks away from deal to acquire Acme", "How Acme raised".
_NOT_NEWS: Final = re.compile(
    r"\?\s*$|^(?:how|why|what|when|where|who|inside|meet|opinion|analysis|podcast|interview|watch)\b|"
    r"\b(?:could|might|would|should|in talks|talks to|considering|considers|mulls|eyes|weighs|explores|"
    r"exploring|denies|denied|deny|rejects|rejected|walks away|walked away|calls off|called off|abandons|"
    r"abandoned|scraps|scrapped|fails to|failed to|won't|will not|doesn't|does not|did not|didn't|not|"
    r"no longer|rumou?rs?|rumou?red|speculation|if|unless)\b|ですか|か？|吗|嗎|傳聞|传闻|否認|否认",
    re.IGNORECASE,
)


def events_of(entry: Entry) -> list[Event]:
    """The event a news headline reports, as a list (empty when no pattern reads it, or when
    its subject cannot be a company). The summary is context only: summaries mention many
    companies, and only the headline's subject is the story's."""
    title = clean_title(entry.title)
    if not title or _NOT_NEWS.search(title):
        return []
    rules = _CJK_RULES if script_of(title) == "cjk" else _RULES
    # The headline's main verb is its first one: of the rules that read it, the one whose verb
    # comes first wins ("Acme raises $20M to expand into Europe" is funding, not expansion);
    # at the same place, the earlier rule ("raises prices" before "raises $").
    best: tuple[int, int, str, str, Facts] | None = None
    low = title.lower()
    for order, rule in enumerate(rules):
        cue = _CUE_RE.get(rule.kind)
        if cue is not None and not cue.search(low):
            continue
        m = rule.pattern.search(title)
        if not m:
            continue
        groups = m.groupdict()
        # Rules without a leading subject read the whole headline's shape ("Jane Doe named CFO
        # of Acme", "Layoffs at Acme"): they come first.
        place = m.end("subj") if groups.get("subj") is not None else 0
        if best is not None and (place, order) >= best[:2]:
            continue
        read = rule.read(m, title)
        if read is None:
            continue
        company, facts = read
        company = company.strip()
        if rule.kind == "acquisition" and not _plausible(facts.get("acquirer", "x")):
            continue
        if not _plausible(company):
            continue
        if rule.kind == "acquisition":
            facts["target"] = company
        best = (place, order, rule.kind, company, facts)
    if best is None:
        return []
    _, _, kind, company, facts = best
    return [_event(kind, company, facts, entry)]


# -- job boards and our own releases --------------------------------------------------------------

_LEADERSHIP_TITLE: Final = re.compile(
    r"\b(?:vp|svp|evp|vice president|head of|chief|director|c[a-z]o)\b", re.IGNORECASE
)
_C_LEVEL: Final = frozenset({"ceo", "cfo", "cto", "coo", "cro", "cmo", "cpo", "ciso", "cio", "cco", "cdo"})


def _is_leadership(title: str) -> bool:
    for m in _LEADERSHIP_TITLE.finditer(title):
        word = m.group(0).lower()
        if len(word) == 3 and word.startswith("c") and word.endswith("o") and word not in _C_LEVEL:
            continue
        return True
    return False


def _mentions(text: str, terms: Sequence[str]) -> list[str]:
    folded = f" {fold(text)} "
    found = []
    for term in terms:
        key = normalise(term)
        if key and (f" {key} " in folded if script_of(key) != "cjk" else key in folded):
            found.append(term)
    return found


def job_events(
    postings: Sequence[JobPosting],
    *,
    company: str,
    previous_open: int | None,
    url: str,
    category_terms: Sequence[str] = (),
    competitors: Sequence[str] = (),
) -> list[Event]:
    """A board's postings as events: one `hiring` event (open roles, roles per department,
    growth since the previous poll), a `leadership_hire` per VP/Head/Chief/Director role, and
    the category terms or competitors the descriptions mention (a company hiring for "CRM
    migration" or naming our competitor is in the market)."""
    if not postings:
        return []
    departments = Counter(p.department.strip() or "Other" for p in postings)
    by_department = ";".join(f"{d}={n}" for d, n in sorted(departments.items()))
    mentioned: set[str] = set()
    for p in postings:
        mentioned.update(_mentions(f"{p.title} {p.description}", [*category_terms, *competitors]))
    facts: Facts = {"open_roles": str(len(postings)), "by_department": by_department}
    if previous_open is not None:
        facts["growth"] = str(len(postings) - previous_open)
    if mentioned:
        facts["mentions"] = ";".join(sorted(mentioned))
    summary = f"{company} has {len(postings)} open role{'s' if len(postings) != 1 else ''}"
    hiring = Event(
        kind="hiring",
        company=company,
        title=summary,
        url=url,
        published=max((p.posted for p in postings if p.posted), default=None),
        facts=tuple(sorted(facts.items())),
        # One story per company and count: the same board polled again is not news again.
        story=story_key(f"hiring {normalise(company)} {len(postings)}"),
        context=summary,
    )
    events = [hiring]
    for p in postings:
        if not _is_leadership(p.title):
            continue
        lead: Facts = {"role": p.title.strip()}
        if p.department:
            lead["department"] = p.department.strip()
        hits = _mentions(p.description, [*category_terms, *competitors])
        if hits:
            lead["mentions"] = ";".join(sorted(hits))
        events.append(
            Event(
                kind="leadership_hire",
                company=company,
                title=f"{company} is hiring: {p.title.strip()}",
                url=p.url or url,
                published=p.posted,
                facts=tuple(sorted(lead.items())),
                story=p.content_hash,
                context=f"{company} {p.title}",
            )
        )
    return events


def release_event(
    title: str, *, addresses: str, detail: str, url: str = "", published: str | None = None
) -> Event:
    """One of our own releases as an event: it addresses a churn reason (`addresses`, e.g.
    "product_gap") and the churn details it answers (`detail`, a pattern such as "salesforce").
    It names no company: the accounts it concerns are chosen by churn reason and detail."""
    return Event(
        kind="release",
        company="",
        title=title,
        url=url,
        published=published,
        facts=tuple(sorted({"addresses": addresses, "detail": detail}.items())),
        story=story_key(title, url),
        context=title,
    )
