"""`winback templates check`: every template in every locale, the same in all but the words.

What it finds, one line per problem, each naming the file (run by `make test`):

- a template of templates/en missing in a supported locale that is not listed below as a
  deliberate fallback, or a translation with no English original;
- a translation that uses other variables than its English original (it dropped the offer,
  or shows something English does not); the names a locale's manners decide are exempt:
  `greeting`, `sign_off` and the ways of naming a person (first, family or full name);
- a template that does not render with the sample data, full or sparse (campaigns/playbook.py);
- another locale's script by mistake: kana or Chinese in a Latin-script locale, no kana in
  Japanese, kana in Chinese, simplified characters in zh-Hant or traditional ones in zh-Hans.

The lists of deliberate fallbacks are data: a locale whose translation is still on its way may
lack its folder as a whole (its contacts get English); once the folder exists, every file must
be in it, so a translation cannot lose a file unnoticed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from jinja2 import TemplateSyntaxError, meta, nodes

from campaigns import locales, templating
from campaigns.errors import display_path
from campaigns.playbook import template_problem

# Locales whose folder may be missing as a whole while their translation is written: none now,
# every supported locale has every template.
PENDING_LOCALES: Final[frozenset[str]] = frozenset()

# Single templates that deliberately stay English in a locale: (locale, template name).
DELIBERATE_FALLBACKS: Final[frozenset[tuple[str, str]]] = frozenset()

# What the locale's manners decide, or the culture's way of naming a person: a translation may
# use any of them where English uses another (Japanese: the family name with 様).
ADDRESSING: Final = frozenset(
    {
        "greeting",
        "sign_off",
        "contact",
        "sender",
        "contact.name",
        "contact.first_name",
        "contact.family_name",
        "executive.name",
        "executive.first_name",
        "executive.family_name",
        "sender.from_name",
    }
)

_LATIN: Final = frozenset({"en", "fi", "sv", "de", "ms", "pt-BR"})
# Common characters written one way in simplified and another in traditional Chinese, and never
# the other way (pairs such as 后/後, 里/裡 or 系/係 are left out: both forms are correct in
# traditional text). Enough to catch a paragraph pasted from the wrong variant.
_PAIRS: Final = [
    "们們",
    "这這",
    "对對",
    "时時",
    "说說",
    "为為",
    "个個",
    "会會",
    "来來",
    "发發",
    "经經",
    "过過",
    "还還",
    "问問",
    "题題",
    "队隊",
    "户戶",
    "务務",
    "关關",
    "应應",
    "该該",
    "实實",
    "现現",
    "点點",
    "让讓",
    "给給",
    "谢謝",
    "请請",
    "联聯",
    "费費",
    "价價",
    "钱錢",
    "单單",
    "种種",
    "样樣",
    "门門",
    "间間",
    "东東",
    "车車",
    "长長",
    "开開",
    "头頭",
    "业業",
    "产產",
    "从從",
    "机機",
    "动動",
    "与與",
    "数數",
    "据據",
    "计計",
    "报報",
    "总總",
    "结結",
    "进進",
    "选選",
    "择擇",
    "帮幫",
    "没沒",
    "认認",
    "识識",
    "话話",
    "语語",
    "读讀",
    "写寫",
    "见見",
    "觉覺",
    "员員",
    "购購",
    "买買",
    "卖賣",
    "体體",
    "验驗",
    "试試",
    "线線",
    "网網",
    "络絡",
    "电電",
    "邮郵",
    "订訂",
    "阅閱",
    "续續",
    "约約",
    "级級",
    "导導",
    "创創",
    "优優",
    "预預",
    "团團",
    "简簡",
    "贵貴",
    "赢贏",
    "币幣",
    "层層",
    "专專",
    "传傳",
    "众眾",
    "处處",
    "备備",
    "变變",
    "听聽",
    "历歷",
    "钟鐘",
    "确確",
    "决決",
    "须須",
    "愿願",
    "讨討",
    "论論",
    "议議",
    "设設",
    "软軟",
    "质質",
    "责責",
    "负負",
    "询詢",
    "际際",
    "况況",
    "达達",
    "运運",
    "营營",
    "类類",
]
SIMPLIFIED_ONLY: Final = frozenset(pair[0] for pair in _PAIRS)
TRADITIONAL_ONLY: Final = frozenset(pair[1] for pair in _PAIRS)


@dataclass(frozen=True)
class Problem:
    path: str  # the file, as the line shows it
    problem: str

    def line(self) -> str:
        return f"{self.path}: {self.problem}"


def names(root: Path) -> list[str]:
    """The templates of the English folder, which every locale translates."""
    base = root / templating.DEFAULT_LOCALE
    if not base.is_dir():
        return []
    return sorted(p.relative_to(base).as_posix()[: -len(templating.SUFFIX)] for p in base.rglob("*.j2"))


def check(
    root: Path = templating.ROOT,
    *,
    pending: frozenset[str] = PENDING_LOCALES,
    fallbacks: frozenset[tuple[str, str]] = DELIBERATE_FALLBACKS,
) -> list[Problem]:
    """Every problem of the templates under `root`, in locale order, then file order."""
    english = names(root)
    problems: list[Problem] = []
    if not english:
        return [
            Problem(
                _shown(root, templating.DEFAULT_LOCALE), "no English templates; every locale translates them"
            )
        ]
    folders = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith(("_", ".")))
    for folder in folders:
        if folder not in locales.SUPPORTED:
            problems.append(
                Problem(
                    _shown(root, folder),
                    "not a supported locale; name the folder after one of "
                    f"{', '.join(locales.SUPPORTED)} (campaigns/locales.py)",
                )
            )
    english_vars = {
        name: _variables(root, f"{templating.DEFAULT_LOCALE}/{name}{templating.SUFFIX}") for name in english
    }
    for locale in locales.SUPPORTED:
        folder_exists = (root / locale).is_dir()
        if locale != templating.DEFAULT_LOCALE and not folder_exists and locale in pending:
            continue
        for name in english:
            rel = f"{locale}/{name}{templating.SUFFIX}"
            if not (root / rel).is_file():
                if (locale, name) not in fallbacks:
                    problems.append(
                        Problem(
                            _shown(root, rel),
                            f"missing; translate {templating.DEFAULT_LOCALE}/{name}{templating.SUFFIX} "
                            "or list it in DELIBERATE_FALLBACKS (campaigns/template_check.py)",
                        )
                    )
                continue
            problems.extend(_check_file(root, locale, name, english_vars[name]))
        if folder_exists and locale != templating.DEFAULT_LOCALE:
            for extra in sorted(set(names_in(root, locale)) - set(english)):
                problems.append(
                    Problem(
                        _shown(root, f"{locale}/{extra}{templating.SUFFIX}"),
                        f"no English original {templating.DEFAULT_LOCALE}/{extra}{templating.SUFFIX}; "
                        "rename it or remove it",
                    )
                )
    return problems


def names_in(root: Path, locale: str) -> list[str]:
    base = root / locale
    return sorted(p.relative_to(base).as_posix()[: -len(templating.SUFFIX)] for p in base.rglob("*.j2"))


def _shown(root: Path, rel: str) -> str:
    return display_path(root / rel)


def _check_file(root: Path, locale: str, name: str, english: set[str] | None) -> Iterator[Problem]:
    rel = f"{locale}/{name}{templating.SUFFIX}"
    shown = _shown(root, rel)
    source = (root / rel).read_text(encoding="utf-8")
    script = script_problem(locale, source)
    if script is not None:
        yield Problem(shown, script)
    if locale != templating.DEFAULT_LOCALE and english is not None:
        mine = _variables(root, rel)
        if mine is not None:
            missing = sorted((english - mine) - ADDRESSING)
            extra = sorted((mine - english) - ADDRESSING)
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"lacks {', '.join(missing)}")
                if extra:
                    parts.append(f"uses {', '.join(extra)}, which English does not")
                yield Problem(
                    shown, f"{'; '.join(parts)}; use the variables of {templating.DEFAULT_LOCALE}/{name}.j2"
                )
    # The render checks a campaign file's templates get: full and sparse sample data.
    problem = template_problem(name, locale, None, root)
    if problem is not None:
        # template_problem's lines start with the file already.
        yield Problem(shown, problem.removeprefix(shown).lstrip(": ").lstrip() or problem)


def _variables(root: Path, rel: str) -> set[str] | None:
    """The variables and their attributes a template reads (`offer`, `offer.expires_on`);
    None when it does not parse (the render check reports that)."""
    env = templating.environment(root)
    try:
        ast = env.parse((root / rel).read_text(encoding="utf-8"))
    except (TemplateSyntaxError, OSError, UnicodeDecodeError):
        return None
    top = {n for n in meta.find_undeclared_variables(ast) if not n.startswith("_")}
    found = set(top)
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in top:
            found.add(f"{node.node.name}.{node.attr}")
    for item in ast.find_all(nodes.Getitem):
        if (
            isinstance(item.node, nodes.Name)
            and item.node.name in top
            and isinstance(item.arg, nodes.Const)
            and isinstance(item.arg.value, str)
        ):
            found.add(f"{item.node.name}.{item.arg.value}")
    return found


def _kind(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    if name.startswith("CJK UNIFIED IDEOGRAPH"):
        return "han"
    if name.startswith("HANGUL"):
        return "hangul"
    return ""


def script_problem(locale: str, text: str) -> str | None:
    """What in this text is another locale's script, as the problem part of a line; None if nothing."""
    kinds: dict[str, str] = {}
    for ch in text:
        kind = _kind(ch)
        if kind and kind not in kinds:
            kinds[kind] = ch
    if "hangul" in kinds:
        return f"contains Korean ({kinds['hangul']!r}), which no supported locale writes"
    if locale in _LATIN:
        foreign = [f"{k} ({c!r})" for k, c in kinds.items() if k in ("kana", "han")]
        if foreign:
            return f"contains {', '.join(foreign)}: Chinese or Japanese text in a {locale} template"
        return None
    if locale == "ja":
        if "kana" not in kinds:
            return "contains no kana: Japanese text always has some (is this Chinese?)"
        return None
    if locale.startswith("zh"):
        if "kana" in kinds:
            return f"contains kana ({kinds['kana']!r}): Japanese text in a Chinese template"
        wrong = SIMPLIFIED_ONLY if locale == "zh-Hant" else TRADITIONAL_ONLY
        found = sorted({ch for ch in text if ch in wrong})
        if found:
            variant = "simplified" if locale == "zh-Hant" else "traditional"
            return f"contains {variant} characters ({''.join(found[:8])}) in a {locale} template"
        if "han" not in kinds:
            return "contains no Chinese characters"
    return None
