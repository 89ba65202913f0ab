"""What a reply is, as support staff and the sequence will see it: every shared inbound fixture,
declines and away notes written as a native speaker would in each language we write to, and
the replies a naive keyword match gets wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from inbound.classify import (
    BOUNCE,
    DECLINE,
    LEFT_COMPANY,
    NO_OTHER_KIND,
    OUT_OF_OFFICE,
    REPLY,
    UNSUBSCRIBE,
    Verdict,
    classify,
    resume_on,
)
from inbound.message import InboundMessage, parse_email
from tests.cli import REPO

REPLIES = REPO.parent / "shared" / "fixtures" / "inbound_replies"

# Our first touch went out on Monday 21 December 2026; the answers come the same morning.
SENT = "Mon, 21 Dec 2026 09:14:00 +0200"
OUR_SUBJECT = "Re: A quick question about your analytics renewal"


def reply(
    body: str,
    *,
    subject: str = OUR_SUBJECT,
    date_header: str | None = SENT,
    headers: dict[str, str] | None = None,
) -> InboundMessage:
    """A reply as a mail client writes it, read back through the real parser."""
    msg = EmailMessage()
    msg["From"] = "Contact <contact@customer.example>"
    msg["To"] = "csm@winback.example"
    msg["Subject"] = subject
    if date_header:
        msg["Date"] = date_header
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return parse_email(msg.as_bytes())


# --- every shared fixture ---------------------------------------------------------------------

FIXTURES = {
    "talon_reply_outlook_quoted_unsubscribe_link.eml": Verdict(REPLY, None, "en", NO_OTHER_KIND),
    "talon_reply_gmail.eml": Verdict(REPLY, None, "en", NO_OTHER_KIND),
    "sisimai_auto_replied_but_actually_bounce_mailbox_full.eml": Verdict(
        BOUNCE, None, "en", 'header Return-Path: <> and phrase "mailbox full"'
    ),
    "sisimai_ooo_exchange_windows1252_qp.eml": Verdict(
        OUT_OF_OFFICE, date(2013, 7, 31), "en", "header X-Auto-Response-Suppress: All"
    ),
    "sisimai_autoreply_mimecast_mailbox_no_longer_in_use.eml": Verdict(
        LEFT_COMPANY, None, "en", 'phrase "no longer in use"'
    ),
    "sisimai_ooo_icloud_vacation_x_apple_action.eml": Verdict(
        OUT_OF_OFFICE, date(2020, 1, 10), "en", "header X-Apple-Action: VACATION"
    ),
    "sisimai_ooo_auto_submitted_header_only.eml": Verdict(
        OUT_OF_OFFICE, date(2005, 5, 5), "en", "header Auto-Submitted: auto-replied"
    ),
}


def test_every_eml_fixture_has_an_expected_verdict() -> None:
    assert sorted(FIXTURES) == sorted(path.name for path in REPLIES.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_fixture_classifies_as_expected(name: str) -> None:
    assert classify(parse_email((REPLIES / name).read_bytes())) == FIXTURES[name]


def test_the_icloud_end_date_is_dated_in_the_contacts_time_zone() -> None:
    # endDate=2020-01-10T14:59:59Z is already the 11th in Auckland.
    msg = parse_email((REPLIES / "sisimai_ooo_icloud_vacation_x_apple_action.eml").read_bytes())
    assert classify(msg, zone=ZoneInfo("Pacific/Auckland")).return_date == date(2020, 1, 11)
    assert classify(msg, zone=ZoneInfo("Asia/Tokyo")).return_date == date(2020, 1, 10)


# --- away notes in every language, each stating its return date in the local way ------------

OUT_OF_OFFICE_SAMPLES = {
    "en": (
        "Thank you for your email. I am out of the office until Friday, January 15, 2027 with "
        "limited access to email. For anything urgent, please contact our support team.\n\n"
        "Best regards,\nAnna",
        'phrase "out of the office"',
    ),
    "ms": (
        "Terima kasih atas e-mel anda. Saya sedang bercuti dan tidak berada di pejabat.\n"
        "Saya akan kembali pada 15 Januari. Untuk perkara segera, sila hubungi pasukan sokongan kami.",
        'phrase "sedang bercuti"',
    ),
    "ja": (
        "お問い合わせいただきありがとうございます。\n"
        "誠に勝手ながら、12月26日から1月14日まで冬季休暇をいただいております。\n"
        "1月15日に戻りますので、戻り次第ご連絡いたします。",
        'phrase "休暇を"',
    ),
    "zh-Hant": (
        "您好，感謝您的來信。我目前正在休假，我將於1月15日返回辦公室。\n如有緊急事務，請聯絡我的同事。",
        'phrase "休假"',
    ),
    "zh-Hans": (
        "您好，感谢您的来信。我目前正在休假，将于1月15日返回办公室。\n如有紧急事务，请联系我的同事。",
        'phrase "休假"',
    ),
    "fi": (
        "Kiitos viestistäsi. Olen vuosilomalla 14.1. asti ja palaan toimistolle 15.1.2027.\n"
        "Kiireellisissä asioissa ota yhteyttä asiakastukeemme.",
        'phrase "olen vuosilomalla"',
    ),
    "de": (
        "Vielen Dank für Ihre Nachricht. Ich bin derzeit nicht im Büro und ab dem 15. Januar wieder "
        "im Büro. In dringenden Fällen wenden Sie sich bitte an unser Support-Team.",
        'phrase "nicht im büro"',
    ),
    "fr": (
        "Bonjour,\n\nJe suis actuellement absente du bureau et je serai de retour le 15 janvier. "
        "Pour toute demande urgente, merci de contacter notre équipe support.\n\nCordialement",
        'phrase "absente du bureau"',
    ),
    "es": (
        "Gracias por su mensaje. Estoy fuera de la oficina y volveré el 15 de enero.\n"
        "Para asuntos urgentes, contacte con nuestro equipo de soporte.",
        'phrase "fuera de la oficina"',
    ),
}


@pytest.mark.parametrize("language", sorted(OUT_OF_OFFICE_SAMPLES))
def test_an_away_note_in_each_language_is_out_of_office_with_its_return_date(language: str) -> None:
    body, evidence = OUT_OF_OFFICE_SAMPLES[language]
    assert classify(reply(body)) == Verdict(OUT_OF_OFFICE, date(2027, 1, 15), language, evidence)


@pytest.mark.parametrize("language", sorted(OUT_OF_OFFICE_SAMPLES))
def test_an_away_note_with_the_rfc3834_header_is_decided_by_the_header(language: str) -> None:
    body, _ = OUT_OF_OFFICE_SAMPLES[language]
    away = reply(body, subject="Automatic reply", headers={"Auto-Submitted": "auto-replied"})
    verdict = classify(away)
    assert (verdict.kind, verdict.return_date, verdict.language) == (
        OUT_OF_OFFICE,
        date(2027, 1, 15),
        language,
    )
    assert verdict.evidence == "header Auto-Submitted: auto-replied"


@pytest.mark.parametrize(
    ("subject", "evidence"),
    [
        ("Automatic reply: A quick question", 'subject phrase "automatic reply"'),
        ("Abwesenheitsnotiz: Eine kurze Frage", 'subject phrase "abwesenheitsnotiz"'),
        ("Réponse automatique : Une question", 'subject phrase "réponse automatique"'),
        ("Automaattinen vastaus: Lyhyt kysymys", 'subject phrase "automaattinen vastaus"'),
        ("自動返信: ご質問", 'subject phrase "自動返信"'),
        ("自动回复：您的问题", 'subject phrase "自动回复"'),
    ],
)
def test_a_machines_subject_marks_an_away_note_that_sets_no_header(subject: str, evidence: str) -> None:
    verdict = classify(reply("Thank you for your message.", subject=subject))
    assert (verdict.kind, verdict.evidence, verdict.return_date) == (OUT_OF_OFFICE, evidence, None)


def test_a_year_less_date_is_the_next_one_on_or_after_the_message() -> None:
    same_day = reply(
        "I'm out of office today and back on 15 January.", date_header="Fri, 15 Jan 2027 08:00 +0000"
    )
    assert classify(same_day).return_date == date(2027, 1, 15)
    next_year = reply("Ich bin nicht im Büro und ab dem 5. Januar wieder erreichbar.")
    assert classify(next_year).return_date == date(2027, 1, 5)


def test_a_date_in_the_past_or_far_ahead_is_no_return_date() -> None:
    stale = reply("I am out of the office until 2 March 2026.")
    assert classify(stale).return_date is None
    far = reply("I am on parental leave until 1 March 2029.")
    assert classify(far) == Verdict(OUT_OF_OFFICE, None, "en", 'phrase "on parental leave until"')


def test_the_return_date_wins_over_other_dates_in_the_note() -> None:
    note = "I am out of the office. Our offices close on 24 December; I'm back on 11 January 2027."
    assert classify(reply(note)).return_date == date(2027, 1, 11)


# --- declines in every language ---------------------------------------------------------------

DECLINE_SAMPLES = {
    "en": (
        "Thanks for reaching out, but we're not interested. We went with another vendor last year.",
        'phrase "not interested"',
    ),
    "ms": (
        "Terima kasih atas e-mel anda, tetapi kami tidak berminat buat masa ini. "
        "Kami telah memilih pembekal lain.",
        'phrase "tidak berminat"',
    ),
    "ja": (
        "ご連絡ありがとうございます。大変申し訳ございませんが、今回は見送らせていただきます。"
        "すでに他社のサービスに決定しております。",
        'phrase "見送らせて"',
    ),
    "zh-Hant": ("感謝您的來信，但我們目前沒有興趣。我們已經選擇了其他供應商。", 'phrase "沒有興趣"'),
    "zh-Hans": ("感谢您的来信，但我们目前不感兴趣。我们已经选择了其他供应商。", 'phrase "不感兴趣"'),
    "fi": (
        "Kiitos yhteydenotosta, mutta emme ole kiinnostuneita. "
        "Valitsimme jo toisen toimittajan viime syksynä.",
        'phrase "emme ole kiinnostuneita"',
    ),
    "de": (
        "Vielen Dank für Ihre Nachricht, aber wir haben kein Interesse. "
        "Wir haben uns bereits für einen anderen Anbieter entschieden.",
        'phrase "kein interesse"',
    ),
    "fr": (
        "Merci pour votre message, mais nous ne sommes pas intéressés pour le moment. "
        "Nous avons choisi un autre prestataire.",
        'phrase "ne sommes pas intéressés"',
    ),
    "es": (
        "Gracias por su correo, pero no estamos interesados. Hemos elegido otro proveedor.",
        'phrase "no estamos interesados"',
    ),
}


@pytest.mark.parametrize("language", sorted(DECLINE_SAMPLES))
def test_a_decline_in_each_language_is_a_decline(language: str) -> None:
    body, evidence = DECLINE_SAMPLES[language]
    assert classify(reply(body)) == Verdict(DECLINE, None, language, evidence)


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        ("Please remove me.", 'phrase "remove me"'),
        ("We chose another vendor in October, so no need to follow up.", 'phrase "chose another vendor"'),
        ("No thanks.", 'phrase "no thanks"'),
    ],
)
def test_the_issues_decline_examples_are_declines(body: str, evidence: str) -> None:
    assert classify(reply(body)) == Verdict(DECLINE, None, "en", evidence)


# --- unsubscribe and left company -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "language", "evidence"),
    [
        ("Unsubscribe", "en", 'phrase "unsubscribe"'),
        ("Please take me off your mailing list.", "en", 'phrase "take me off your mailing list"'),
        ("Bitte von diesem Verteiler abmelden.", "de", 'phrase "abmelden"'),
        ("Merci de me désinscrire de vos envois.", "fr", 'phrase "désinscrire"'),
        ("今後のメールは配信停止をお願いします。", "ja", 'phrase "配信停止"'),
        ("请帮我退订，谢谢。", "zh-Hans", 'phrase "退订"'),
    ],
)
def test_an_unsubscribe_request_is_an_unsubscribe(body: str, language: str, evidence: str) -> None:
    assert classify(reply(body)) == Verdict(UNSUBSCRIBE, None, language, evidence)


def test_unsubscribe_outranks_decline_in_the_same_reply() -> None:
    assert classify(reply("Not interested. Unsubscribe me.")).kind == UNSUBSCRIBE


@pytest.mark.parametrize(
    ("body", "language", "evidence"),
    [
        (
            "Anna is no longer with the company. Please contact our CFO instead.",
            "en",
            'phrase "is no longer with"',
        ),
        ("Frau Meier ist nicht mehr im Unternehmen tätig.", "de", 'phrase "nicht mehr im unternehmen"'),
        ("Anna ne fait plus partie de notre société.", "fr", 'phrase "ne fait plus partie de"'),
        ("山田は2026年11月末をもって退職いたしました。", "ja", 'phrase "退職いたしました"'),
    ],
)
def test_a_contact_who_left_is_left_company(body: str, language: str, evidence: str) -> None:
    assert classify(reply(body)) == Verdict(LEFT_COMPANY, None, language, evidence)


# --- the order of the rules -------------------------------------------------------------------


def test_a_mailbox_closed_auto_reply_is_left_company_not_out_of_office() -> None:
    closed = reply(
        "This mailbox is no longer monitored. Please write to info@customer.example.",
        subject="Automatic reply: A quick question",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert classify(closed) == Verdict(LEFT_COMPANY, None, "en", 'phrase "no longer monitored"')


def test_a_header_outranks_a_phrase_in_the_body() -> None:
    away = reply(
        "I'm away until 15 January. Not interested in newsletters meanwhile.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert classify(away).kind == OUT_OF_OFFICE


def test_a_delivery_report_is_a_bounce_whatever_it_says() -> None:
    report = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.customer.example.\r\n"
        b"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example\r\n"
        b"--b1--\r\n"
    )
    verdict = classify(parse_email(report))
    assert verdict.kind == BOUNCE
    assert verdict.evidence == "header Content-Type: multipart/report; report-type=delivery-status"


def test_delivery_failure_words_from_a_person_are_no_bounce() -> None:
    human = reply("Your last email could not be delivered to our finance team, can you resend it?")
    assert classify(human).kind == REPLY


def test_a_null_sender_away_note_without_failure_words_stays_out_of_office() -> None:
    away = reply("I am out of the office until 15 January.", headers={"Return-Path": "<>"})
    assert classify(away).kind == OUT_OF_OFFICE


# --- negative controls: replies a keyword match gets wrong ------------------------------------


def test_not_out_of_office_is_a_reply() -> None:
    verdict = classify(reply("I'm not out of office, let's talk on Thursday at 10."))
    assert verdict == Verdict(REPLY, None, "en", NO_OTHER_KIND)


def test_a_reply_quoting_our_unsubscribe_footer_is_a_reply() -> None:
    body = (
        "Sounds good, Thursday at 10 works for us.\n\n"
        "On Mon, Dec 21, 2026 at 9:14 AM Maria Lind <csm@winback.example> wrote:\n"
        "> Hi Anna, shall we talk about your renewal?\n"
        "> Not interested? Unsubscribe: https://winback.example/u/t0k3n\n"
    )
    assert classify(reply(body)) == Verdict(REPLY, None, "en", NO_OTHER_KIND)


def test_a_japanese_yes_is_a_reply() -> None:
    body = (
        "ご連絡ありがとうございます。はい、ぜひ一度お話を伺いたいです。来週火曜日の14時はいかがでしょうか。"
    )
    assert classify(reply(body)) == Verdict(REPLY, None, "ja", NO_OTHER_KIND)


def test_a_reply_that_says_it_does_not_want_to_unsubscribe_is_a_reply() -> None:
    assert classify(reply("Don't unsubscribe me, I just changed roles. Let's talk.")).kind == REPLY


def test_a_german_reply_is_tagged_german() -> None:
    verdict = classify(reply("Gerne, wir können am Dienstag telefonieren. Ich bin ab 10 Uhr im Büro."))
    assert (verdict.kind, verdict.language) == (REPLY, "de")


def test_evidence_never_carries_an_address() -> None:
    msg = reply("Thank you.", headers={"X-Autoreply": "yes from anna@customer.example"})
    verdict = classify(msg)
    assert verdict.kind == OUT_OF_OFFICE
    assert "@" not in verdict.evidence


# --- the pause an away note asks for ---------------------------------------------------------


def test_an_away_note_pauses_until_the_day_after_its_return_date() -> None:
    verdict = Verdict(OUT_OF_OFFICE, date(2027, 1, 15), "fi", "header Auto-Submitted: auto-replied")
    assert resume_on(verdict, date(2026, 12, 21)) == date(2027, 1, 16)


def test_an_away_note_without_a_date_pauses_fourteen_days() -> None:
    verdict = classify(reply("I am currently out of the office with limited access to email."))
    assert verdict.return_date is None
    assert resume_on(verdict, date(2026, 12, 21)) == date(2027, 1, 4)


def test_other_kinds_ask_no_pause() -> None:
    assert resume_on(Verdict(DECLINE, None, "en", 'phrase "no thanks"'), date(2026, 12, 21)) is None


def test_a_message_without_date_uses_the_moment_it_was_received() -> None:
    away = reply("Olen lomalla ja palaan toimistolle 15.1.", date_header=None)
    assert classify(away).return_date is None
    received = datetime(2026, 12, 21, 7, 0, tzinfo=UTC)
    assert classify(away, received=received).return_date == date(2027, 1, 15)


@pytest.mark.parametrize(
    "body",
    [
        "Sorry for the slow answer, I was on vacation last week. Happy to talk, how about Tuesday?",
        "I'm out until 3pm today, but call me after that.",
        "We're currently out of budget for this year, but let's talk in spring.",
        "Let's pick this up after my return from Berlin on 15 January.",
    ],
)
def test_a_person_mentioning_time_away_is_still_a_reply(body: str) -> None:
    assert classify(reply(body)).kind == REPLY
