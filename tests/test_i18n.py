"""Speaking the customer's language: which locale a contact gets, how each locale greets, signs
off and writes dates and money, that every rendered message survives the trip through RFC 5322
(RFC 2047 headers, UTF-8 bodies), and that `winback templates check` finds what it promises."""

from __future__ import annotations

import shutil
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from temporalio.testing import ActivityEnvironment

from activities.email import OutboxTransport, build_message
from activities.sequence import SequenceActivities, render_context
from activities.tasks import FolderTaskBoard
from campaigns import locales, manners, templating
from campaigns import template_check as rules
from campaigns.model import Contact, Contacts, Sender
from contracts.sequence import RenderRequest, SendRequest
from tests.factories import sequence_input, temp_store
from winback.commands.templates import templates as templates_command

# --- which locale ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "country", "expected"),
    [
        ("zh-TW", "", "zh-Hant"),
        ("zh-HK", "", "zh-Hant"),
        ("zh-Hant", "US", "zh-Hant"),
        ("zh-CN", "", "zh-Hans"),
        ("zh-SG", "", "zh-Hans"),
        ("zh", "TW", "zh-Hant"),  # a bare zh takes the country's script
        ("zh", "CN", "zh-Hans"),
        ("pt-BR", "", "pt-BR"),
        ("pt_br", "", "pt-BR"),
        ("pt", "BR", "pt-BR"),  # no region: the account's country fills it in
        ("pt-PT", "PT", "en"),  # pt-BR -> pt -> en: no European Portuguese templates
        ("de-AT", "AT", "de"),
        ("de-CH", "CH", "de"),
        ("sv-FI", "FI", "sv"),
        ("en-GB", "GB", "en"),
        ("xx", "FI", "en"),  # unknown -> en, not the country's language: the file said something
        ("ko", "KR", "en"),  # a language without templates
        ("", "FI", "fi"),  # empty: the country's main business language
        ("", "SE", "sv"),
        ("", "DE", "de"),
        ("", "AT", "de"),
        ("", "CH", "de"),
        ("", "MY", "ms"),
        ("", "JP", "ja"),
        ("", "TW", "zh-Hant"),
        ("", "HK", "zh-Hant"),
        ("", "CN", "zh-Hans"),
        ("", "SG", "en"),
        ("", "BR", "pt-BR"),
        ("", "PT", "en"),
        ("", "US", "en"),
        ("", "GB", "en"),
        ("", "AU", "en"),
        ("", "", "en"),
    ],
)
def test_a_contacts_tag_resolves_to_a_supported_locale(tag: str, country: str, expected: str) -> None:
    assert locales.resolve(tag, country) == expected


def test_emails_and_linkedin_notes_use_the_contacts_locale_and_tasks_the_owners() -> None:
    assert locales.for_touch("email", "", "JP", "") == "ja"
    assert locales.for_touch("linkedin", "", "JP", "") == "ja"
    assert locales.for_touch("call", "", "JP", "") == "en"  # owner_locale empty: en
    assert locales.for_touch("executive", "ja", "JP", "de") == "de"


@pytest.mark.parametrize(
    ("country", "currency"),
    [
        ("FI", "EUR"),
        ("SE", "SEK"),
        ("MY", "MYR"),
        ("JP", "JPY"),
        ("TW", "TWD"),
        ("CN", "CNY"),
        ("SG", "SGD"),
        ("BR", "BRL"),
        ("US", "USD"),
        ("GB", "GBP"),
        ("AU", "AUD"),
        ("CH", "CHF"),
    ],
)
def test_the_currency_defaults_from_the_country(country: str, currency: str) -> None:
    assert locales.currency_for(country) == currency


def test_every_supported_locale_has_its_own_manners() -> None:
    assert set(manners.MANNERS) == set(locales.SUPPORTED)


# --- greeting, date and money per locale ---------------------------------------------------------

# (locale, country): the greeting for Aino Korhonen of Revontuli Analytics Oy, 2027-12-15 as
# day_month and date_long, and 1,250 in the country's currency.
PER_LOCALE = [
    ("en", "US", "Hi Aino,", "December 15", "December 15, 2027", "$1,250.00"),
    ("fi", "FI", "Hei Aino,", "15. joulukuuta", "15. joulukuuta 2027", "1\xa0250,00\xa0€"),
    ("sv", "SE", "Hej Aino!", "15 december", "15 december 2027", "1\xa0250,00\xa0kr"),
    ("de", "DE", "Guten Tag Aino Korhonen,", "15. Dezember", "15. Dezember 2027", "1.250,00\xa0€"),
    ("ms", "MY", "Tuan/Puan Aino Korhonen,", "15 Disember", "15 Disember 2027", "RM1,250.00"),
    ("ja", "JP", "Revontuli Analytics Oy\nKorhonen様", "12月15日", "2027年12月15日", "￥1,250"),
    ("zh-Hant", "TW", "Aino Korhonen 您好：", "12月15日", "2027年12月15日", "$1,250.00"),
    ("zh-Hans", "CN", "Aino Korhonen您好：", "12月15日", "2027年12月15日", "¥1,250.00"),
    ("pt-BR", "BR", "Olá, Aino!", "15 de dezembro", "15 de dezembro de 2027", "R$\xa01.250,00"),
]


@pytest.fixture(scope="module")
def probe_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe")
    for locale in locales.SUPPORTED:
        (root / locale).mkdir()
        (root / locale / "probe.j2").write_text(
            "{{ greeting }}|{{ day | day_month }}|{{ day | date_long }}|{{ amount | money }}|{{ sign_off }}\n"
        )
    return root


@pytest.mark.parametrize(("locale", "country", "greeting", "day_month", "date_long", "money"), PER_LOCALE)
def test_each_locale_greets_dates_and_counts_money_its_own_way(
    probe_root: Path, locale: str, country: str, greeting: str, day_month: str, date_long: str, money: str
) -> None:
    context = {
        "account": {"company": "Revontuli Analytics Oy", "country": country, "currency": ""},
        "contact": {"name": "Aino Korhonen", "first_name": "Aino"},
        "sender": {"from_name": "Maria Lind"},
        "day": "2027-12-15",
        "amount": 1250,
    }
    out = templating.render("probe", locale, context, probe_root)
    assert out.locale == locale
    assert out.body.split("|")[:4] == [greeting, day_month, date_long, money]
    assert out.body.rstrip().endswith("Maria Lind")  # every sign-off ends with the sender's name


def test_the_currency_column_wins_over_the_country(probe_root: Path) -> None:
    context = {
        "account": {"company": "X", "country": "FI", "currency": "SEK"},
        "contact": {"name": "Aino Korhonen"},
        "sender": {"from_name": "M"},
        "day": "",
        "amount": 10,
    }
    assert templating.render("probe", "fi", context, probe_root).body.split("|")[3] == "10,00\xa0SEK"


def test_english_dates_follow_the_country() -> None:
    assert str(locales.format_locale("en", "GB")) == "en_GB"
    assert str(locales.format_locale("en", "US")) == "en_US"
    assert str(locales.format_locale("ja", "FI")) == "ja"  # CLDR has no ja_FI


def test_a_name_in_cjk_characters_is_family_name_first() -> None:
    assert manners.name_parts("佐藤 陽翔") == ("陽翔", "佐藤")
    assert manners.name_parts("Haruto Sato") == ("Haruto", "Sato")
    assert manners.name_parts("陈雨婷") == ("陈雨婷", "陈雨婷")


# --- the whole way: render, activity, RFC 5322 and back -----------------------------------------


def _present_locales() -> list[str]:
    return [loc for loc in locales.SUPPORTED if (templating.ROOT / loc).is_dir()]


def _request(locale: str, name: str) -> RenderRequest:
    inp = sequence_input()
    return RenderRequest(
        template=name,
        locale=locale,
        channel="email",
        touch=1,
        total_touches=5,
        account=inp.account,
        contacts=Contacts(
            primary=Contact(name="Åsa Öberg-Järvinen", email="asa@revontuli.example", title="Head of Ops"),
            executive=Contact(name="佐藤 陽翔", email="sato@revontuli.example", title="CEO"),
        ),
        sender=Sender(
            from_email="maria.lind@winback.example",
            from_name="Märta Lind — Winback",
            postal_address="Winback Oy, Mannerheimintie 1, 00100 Helsinki, Suomi",
        ),
        campaign_id="spring-2027",
        offer=inp.offer,
        offer_expires_on="2027-12-15",
        trigger=inp.trigger,
    )


@pytest.mark.parametrize("locale", _present_locales())
def test_every_rendered_email_reads_back_the_same_from_its_rfc_5322_bytes(locale: str) -> None:
    for name in rules.names(templating.ROOT):
        req = _request(locale, name)
        out = templating.render(name, locale, render_context(req, "https://winback.example/u/t"))
        send = SendRequest(
            key=f"winback-ACC-1/run-1/{name}",
            account_id="ACC-1",
            campaign_id="spring-2027",
            touch=1,
            to_name=req.contacts.primary.name,
            to_email=req.contacts.primary.email,
            sender=req.sender,
            subject=out.subject or "(task)",
            body=out.body,
            unsubscribe_url="https://winback.example/u/t",
        )
        data = bytes(build_message(send))
        assert data.isascii() or b"Content-Transfer-Encoding: 8bit" in data
        back = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(back, EmailMessage)
        # A whole subject that fits on a line of its own is folded onto the next line (legal RFC
        # 5322 folding); CPython's parser then keeps the folding space, which every mail client
        # drops. Everything else must read back exactly.
        assert back["Subject"].lstrip(" ") == send.subject, name
        assert back["To"].addresses[0].display_name == "Åsa Öberg-Järvinen"
        assert back["From"].addresses[0].display_name == "Märta Lind — Winback"
        body = back.get_body(("plain",))
        assert body is not None and body.get_content_charset() == "utf-8", name
        expected = send.body
        if req.sender.postal_address not in expected:  # a task's text: build_message adds the footer
            footer = f"\n\n--\n{req.sender.from_name}\n{req.sender.postal_address}\n"
            expected = expected.rstrip("\n") + footer
        assert body.get_content() == expected, name
        # Headers are 7-bit: a non-ASCII subject or name travels as RFC 2047 encoded words.
        raw_headers = data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
        assert raw_headers.isascii(), name
        if not send.subject.isascii():
            assert b"=?utf-8?" in raw_headers


async def test_the_activity_writes_each_touch_in_its_audiences_locale(tmp_path: Path) -> None:
    acts = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=b"secret",
    )
    inp = sequence_input()
    fi_account = replace(inp.account, locale="", country="FI", owner_locale="")
    base: dict[str, Any] = {
        "touch": 1,
        "total_touches": 5,
        "account": fi_account,
        "contacts": inp.contacts,
        "sender": inp.sender,
        "campaign_id": inp.campaign_id,
    }
    env = ActivityEnvironment()
    email = await env.run(
        acts.render_message,
        RenderRequest(template="product_gap/01_whats_new", locale="", channel="email", **base),
    )
    assert email.locale == "fi" and email.template_path == "fi/product_gap/01_whats_new.j2"
    assert email.body.startswith("Hei ")
    call = await env.run(
        acts.render_message,
        RenderRequest(template="product_gap/04_call_script", locale="", channel="call", **base),
    )
    assert call.locale == "en"  # the owner's language; none set: en
    swedish_owner = replace(fi_account, owner_locale="sv")
    call = await env.run(
        acts.render_message,
        RenderRequest(
            template="product_gap/04_call_script",
            locale="",
            channel="call",
            **{**base, "account": swedish_owner},
        ),
    )
    assert call.locale == "sv" and call.body.startswith("Samtal: ")


# --- winback templates check -------------------------------------------------------------------


def test_the_shipped_templates_pass_the_check() -> None:
    assert [p.line() for p in rules.check()] == []


def _tree(tmp_path: Path) -> Path:
    """A copy of the shipped templates plus a stand-in Japanese translation (English with a
    Japanese line added), as the tree will be once the translations are merged."""
    root = tmp_path / "templates"
    shutil.copytree(templating.ROOT, root, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
    if not (root / "ja").is_dir():
        for path in (root / "en").rglob("*.j2"):
            target = root / "ja" / path.relative_to(root / "en")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text() + "何卒よろしくお願い申し上げます。\n")
    return root


def test_removing_one_japanese_template_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    ok = CliRunner().invoke(templates_command, ["check", "--root", str(root)])
    assert ok.exit_code == 0, ok.output
    (root / "ja" / "budget" / "01_new_options.j2").unlink()
    failed = CliRunner().invoke(templates_command, ["check", "--root", str(root)])
    assert failed.exit_code == 1
    lines = failed.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{root}/ja/budget/01_new_options.j2: missing;")


def test_a_pending_locale_may_be_absent_but_every_other_locale_is_complete(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    shutil.rmtree(root / "ja")
    assert rules.check(root, pending=frozenset({"ja", "ms", "zh-Hant", "zh-Hans", "pt-BR"})) == []
    missing = rules.check(root, pending=frozenset({"ms", "zh-Hant", "zh-Hans", "pt-BR"}))
    assert len(missing) == 36 and all("/ja/" in p.path and "missing" in p.problem for p in missing)
    listed = {("ja", name) for name in rules.names(root)}
    assert (
        rules.check(
            root, pending=frozenset({"ms", "zh-Hant", "zh-Hans", "pt-BR"}), fallbacks=frozenset(listed)
        )
        == []
    )


@pytest.mark.parametrize(
    ("locale", "text", "problem"),
    [
        (
            "fi",
            "Hei {{ contact.first_name }}, ご無沙汰しております\n",
            "Chinese or Japanese text in a fi template",
        ),
        ("ja", "您好，我们的产品\n", "contains no kana"),
        ("zh-Hant", "您好，我们的產品\n", "simplified characters (们)"),
        ("zh-Hans", "您好，我們的产品\n", "traditional characters (們)"),
        ("zh-Hans", "您好，ありがとう\n", "kana"),
    ],
)
def test_another_locales_script_is_one_line(locale: str, text: str, problem: str) -> None:
    found = rules.script_problem(locale, text)
    assert found is not None and problem in found


def test_a_translation_with_other_variables_is_one_line(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    path = root / "fi" / "budget" / "02_linkedin_note.j2"
    path.write_text(path.read_text().replace("{{ account.company }}", "{{ account.domain }}"))
    problems = rules.check(root)
    assert [p.line() for p in problems] == [
        f"{path}: lacks account.company; uses account.domain, which English does not; use the "
        "variables of en/budget/02_linkedin_note.j2"
    ]


def test_a_folder_that_is_no_supported_locale_is_one_line(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "fr").mkdir()
    assert [p.problem.split(";")[0] for p in rules.check(root)] == ["not a supported locale"]
