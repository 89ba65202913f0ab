"""The words that tell a reply's kind, by kind and language: the data `inbound/classify.py`
judges with (docs/ARCHITECTURE.md, "Rules and where they live": reply kinds).

Every pattern is matched against normalized text (NFKC, lower case, straight apostrophes,
single spaces), so it is written in lower case with single spaces. A pattern that states a
negative ("not interested", "nicht im Büro") carries its negation inside it; a negation just
before a match ("I'm not out of office") cancels the match (NEGATIONS).

Languages: en, ms, ja, zh (simplified and traditional forms side by side), fi, de, fr, es.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrase:
    # BCP 47 for the Latin-script languages; "ja" and "zh" here, the script decides zh-Hant/Hans.
    language: str
    pattern: re.Pattern[str]


def _table(entries: dict[str, tuple[str, ...]]) -> tuple[Phrase, ...]:
    return tuple(Phrase(lang, re.compile(p)) for lang, patterns in entries.items() for p in patterns)


# Words that, a few words before a match and in the same clause, turn it around.
NEGATIONS: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"\b(?:not|never)\b|n't\b"),
    "de": re.compile(r"\b(?:nicht|kein\w*|nie)\b"),
    "fr": re.compile(r"\b(?:ne|pas|jamais)\b|\bn'"),
    "es": re.compile(r"\b(?:no|nunca)\b"),
    "fi": re.compile(r"\b(?:en|et|ei|emme|ette|eivät)\b"),
    "ms": re.compile(r"\b(?:tidak|tak|bukan)\b"),
    "zh": re.compile(r"[不没沒未]"),
}

# A delivery failure: counts only from a null sender or a mail daemon (classify.py).
BOUNCE = _table(
    {
        "en": (
            r"\bmailbox (?:is )?full\b",
            r"\b(?:over|exceeded (?:the |its |their )?(?:storage )?) ?quota\b",
            r"\bquota exceeded\b",
            r"\b(?:user|recipient|address) unknown\b",
            r"\bunknown (?:user|recipient)\b",
            r"\bno such (?:user|recipient|mailbox)\b",
            r"\baddress not found\b",
            r"\b(?:could not|couldn't|cannot|can't|was not|wasn't) be(?:en)? delivered\b",
            r"\b(?:could not|couldn't|was not|wasn't) delivered\b",
            r"\bdelivery (?:has )?failed\b",
            r"\bdelivery (?:status notification|failure)\b",
            r"\bundeliverable\b",
            r"\bundelivered mail\b",
            r"\breturned (?:mail|to sender)\b",
            r"\bpermanent(?:ly)? (?:error|failure|failed)\b",
            r"\b(?:message|email|e-mail|recipient|address) (?:was |has been )?rejected\b",
            r"\bwas rejected\b",
        ),
        "de": (r"\bunzustellbar\b", r"\bpostfach (?:ist )?voll\b", r"\bkonnte nicht zugestellt werden\b"),
        "fr": (
            r"\bnon remis\b",
            r"\bboîte (?:aux lettres )?pleine\b",
            r"\bn'a pas pu être (?:remis|distribué)\b",
        ),
        "es": (r"\bno se (?:pudo|puede) entregar\b", r"\bbuzón lleno\b", r"\bno entregado\b"),
        "fi": (r"\bei voitu toimittaa\b", r"\btoimitus epäonnistui\b", r"\bpostilaatikko on täynnä\b"),
        "ms": (r"\btidak dapat dihantar\b", r"\bpeti mel penuh\b"),
        "ja": (
            r"配信不能",
            r"配送不能",
            r"配信できませんでした",
            r"送信できませんでした",
            r"メールボックスが(?:いっぱい|満杯)",
        ),
        "zh": (r"无法投递", r"無法投遞", r"退信", r"邮箱已满", r"信箱已滿", r"無法傳遞"),
    }
)

# The contact is gone: the mailbox is closed or they left the company.
LEFT_COMPANY = _table(
    {
        "en": (
            r"\bno longer (?:in use|active|monitored|being monitored|checked|valid)\b",
            r"\b(?:is|am) no longer (?:with|at|employed|working (?:for|at|with)|part of|an employee)\b",
            r"\b(?:has|have) (?:now )?left (?:the|our|this) (?:company|organi[sz]ation|business|firm|team)\b",
            r"\bleft the company\b",
        ),
        "de": (
            r"\bnicht mehr (?:im unternehmen|in unserem unternehmen|bei uns|für uns tätig|bei der)\b",
            r"\bhat (?:das|unser) unternehmen verlassen\b",
            r"\b(?:postfach|adresse|e-mail-adresse|mailbox) (?:ist|wird) nicht mehr "
            r"(?:aktiv|in gebrauch|genutzt|verwendet|gelesen)\b",
        ),
        "fr": (
            r"\bne fait plus partie de\b",
            r"\ba quitté (?:l'entreprise|la société|notre société|l'organisation|le groupe)\b",
            r"\bne travaille plus (?:chez|pour|dans|avec nous)\b",
            r"\bn'est plus (?:utilisée?|active?|consultée?|en service|valide)\b",
        ),
        "es": (
            r"\bya no (?:trabaja|forma parte|está en uso|se utiliza|se usa|está activ[ao]|pertenece)\b",
            r"\bha dejado (?:la empresa|la compañía|de trabajar)\b",
        ),
        "fi": (
            r"\bei (?:enää )?työskentele\b",
            r"\bei ole enää (?:käytössä|yrityksen palveluksessa|yhtiön palveluksessa|talossa|meillä)\b",
            r"\bon lopettanut (?:yrityksessä|yhtiössä|työnsä|meillä)\b",
        ),
        "ms": (
            r"\btidak lagi (?:bekerja|berkhidmat|digunakan|aktif|bersama)\b",
            r"\btelah meninggalkan (?:syarikat|organisasi)\b",
        ),
        "ja": (
            r"退職(?:いたしました|しました|致しました)",
            r"退社(?:いたしました|しました)",
            r"(?:使用|利用)されておりません",
            r"使われておりません",
        ),
        "zh": (r"已(?:经|經)?离职", r"已(?:经|經)?離職", r"不再使用", r"已停用", r"不再任(?:职|職)"),
    }
)

# A machine's words in a subject: an auto-reply says so there even when it sets no header. Only
# a machine's: the subject also carries ours ("Re: ..."), which may say anything.
OUT_OF_OFFICE_SUBJECT = _table(
    {
        "en": (
            r"\bautomatic reply\b",
            r"\bauto[- ]?reply\b",
            r"\bauto[- ]?response\b",
            r"\bout of (?:the )?office\b",
        ),
        "de": (r"\babwesenheitsnotiz\b", r"\bautomatische antwort\b"),
        "fr": (r"\bréponse automatique\b", r"\babsence du bureau\b"),
        "es": (r"\brespuesta automática\b", r"\bfuera de la oficina\b"),
        "fi": (r"\bautomaattinen vastaus\b", r"\bpoissa toimistolta\b"),
        "ms": (r"\bbalasan automatik\b", r"\bdi luar pejabat\b"),
        "ja": (r"自動(?:返信|応答)",),
        "zh": (r"自动回复", r"自動回覆", r"自動回复", r"自动答复"),
    }
)

# A person's away note in the body.
OUT_OF_OFFICE = _table(
    {
        "en": (
            r"\bout of (?:the )?office\b",
            r"\bcurrently (?:away|out of (?:the )?office|travell?ing"
            r"|on (?:annual |parental |maternity |paternity |sick )?(?:leave|vacation|holidays?))\b",
            r"\baway (?:from the office )?(?:until|till|through)\b",
            r"\bon (?:annual |parental |maternity |paternity |sick )?(?:leave|vacation|holidays?|pto) "
            r"(?:until|till|through|and will)\b",
            r"\blimited access to (?:my )?e-?mail\b",
            r"\bupon my return\b",
            r"\breturning to the office\b",
            r"\bautomatic reply\b",
        ),
        "de": (
            r"\bnicht im büro\b",
            r"\b(?:bin|sind) (?:\S+ ){0,3}?abwesend\b",
            r"\bbin (?:derzeit |zurzeit |aktuell |bis \S+ )?(?:im urlaub|außer haus)\b",
            r"\bwieder (?:im büro|erreichbar|für sie da|zurück)\b",
            r"\babwesenheitsnotiz\b",
        ),
        "fr": (
            r"\bréponse automatique\b",
            r"\babsente? du bureau\b",
            r"\bactuellement absente?\b",
            r"\bsuis (?:actuellement )?(?:absente?|en congés?|en vacances|en déplacement)\b",
            r"\bde retour (?:le|au bureau|à partir du)\b",
            r"\bhors du bureau\b",
        ),
        "es": (
            r"\brespuesta automática\b",
            r"\bfuera de la oficina\b",
            r"\bestoy (?:actualmente )?(?:de vacaciones|ausente|fuera)\b",
            r"\bestaré (?:de vuelta|fuera|ausente)\b",
            r"\b(?:volveré|regresaré) (?:a la oficina )?el\b",
        ),
        "fi": (
            r"\bautomaattinen vastaus\b",
            r"\bpoissa toimistolta\b",
            r"\b(?:olen|olemme) (?:vuosi|kesä|talvi)?lomalla\b",
            r"\bolen poissa\b",
            r"\ben ole tavoitettavissa\b",
            r"\bpalaan (?:toimistolle|toimistoon|töihin|takaisin)\b",
        ),
        "ms": (
            r"\bbalasan automatik\b",
            r"\b(?:sedang|saya) bercuti\b",
            r"\bcuti (?:tahunan|sakit|bersalin)\b",
            r"\b(?:tidak|tiada) (?:berada )?di pejabat\b",
            r"\bdi luar pejabat\b",
            r"\bakan kembali (?:ke pejabat |bertugas )?pada\b",
        ),
        "ja": (
            r"不在にして",
            r"不在(?:です|のため|中)",
            r"休暇(?:を|中|のため|をいただいて)",
            r"自動(?:返信|応答)",
            r"(?:日|\))に(?:戻ります|出社(?:します|いたします|予定))",
            r"出社予定",
        ),
        "zh": (
            r"自动回复|自動回覆|自動回复",
            r"休假",
            r"不在(?:办公室|辦公室)",
            r"(?:外出|出差)(?:中|期间|期間)",
            r"(?:将|將)(?:于|於).{0,20}?(?:返回|回到|回来|回來|上班)",
            r"(?:休息|放假)(?:中|期间|期間)",
        ),
    }
)

# The contact wants no more email from us at all: suppression for ever.
UNSUBSCRIBE = _table(
    {
        "en": (
            r"\bunsubscribe\b",
            r"\bopt (?:me |us )?out\b",
            r"\b(?:remove|take) (?:me|us|my (?:e-?mail|address)) (?:off|from) (?:your|the|this) "
            r"(?:mailing |e-?mail |distribution |contact )list\b",
            r"\bstop (?:e-?mailing|contacting|messaging|spamming) (?:me|us)\b",
            r"\bstop sending (?:me|us)\b",
            r"\b(?:do not|don't) (?:e-?mail|contact|message) (?:me|us) (?:again|anymore|any more)\b",
        ),
        "de": (
            r"\babmelden\b",
            r"\bmelden sie mich (?:bitte )?ab\b",
            r"\baustragen\b",
            r"\bkeine (?:weiteren )?(?:e-?mails|nachrichten) mehr\b",
        ),
        "fr": (
            r"\bdésabonner\b",
            r"\bdésinscri(?:re|vez|ption)\b",
            r"\bne (?:plus|me plus) (?:recevoir|me contacter|m'écrire|contacter)\b",
            r"\bne me contactez plus\b",
        ),
        "es": (
            r"\bdar(?:me|nos)? de baja\b",
            r"\bcancelar (?:la |mi )?suscripción\b",
            r"\bno (?:quiero|deseo|queremos) recibir más\b",
            r"\bno me (?:escriban|contacten|envíen) más\b",
        ),
        "fi": (
            r"\bperu(?:a|utan|uttaa|ttakaa) (?:tilaus|tilauksen|tilaukseni)\b",
            r"\bpoista(?:kaa)? minut (?:postitus|sähköposti|jakelu)listalta\b",
            r"\ben halua (?:enää )?(?:saada|vastaanottaa)\b",
            r"\bälkää (?:enää )?(?:lähettäkö|ottako yhteyttä)\b",
        ),
        "ms": (
            r"\bberhenti melanggan\b",
            r"\bnyahlanggan\b",
            r"\bkeluarkan (?:saya|nama saya|e-?mel saya) (?:dari|daripada) senarai\b",
            r"\bjangan (?:lagi )?(?:hantar|menghubungi)\b",
        ),
        "ja": (
            r"配信(?:を)?停止",
            r"購読(?:を)?解除",
            r"メールを送らないで",
            r"メール(?:の)?送信を(?:停止|中止)",
        ),
        "zh": (r"退订|退訂", r"取消(?:订阅|訂閱)", r"(?:请|請)勿再", r"不要再(?:给我|給我)?(?:发|發|寄)"),
    }
)

# The contact says no to this outreach: the sequence ends with `declined` and its cool-off.
DECLINE = _table(
    {
        "en": (
            r"\bnot interested\b",
            r"\bno interest\b",
            r"\bremove me\b",
            r"\b(?:chose|chosen|went with|gone with|selected|picked|signed with|decided on|decided to go with"
            r"|moved forward with|going with) (?:another|a different|an alternative|a competing|a new) "
            r"(?:vendor|provider|supplier|solution|platform|tool|partner|company)\b",
            r"\bno,? thanks?\b",
            r"\bno,? thank you\b",
            r"\bnot (?:a good fit|a fit|something we need|a priority for us)\b",
        ),
        "de": (
            r"\bkein interesse\b",
            r"\bnicht interessiert\b",
            r"\bfür (?:einen |eine )?(?:anderen|andere) (?:anbieter|lösung|dienstleister)\b",
            r"\b(?:entfernen|streichen) sie mich\b",
            r"\bkein bedarf\b",
            r"\bnein,? danke\b",
        ),
        "fr": (
            r"\b(?:ne (?:suis|sommes) )?pas intéressée?s?\b",
            r"\baucun intérêt\b",
            r"\b(?:avons|ai) (?:déjà )?(?:choisi|retenu|opté pour) (?:un autre|une autre|un concurrent)\b",
            r"\bretirez[- ]moi\b",
            r"\bnon merci\b",
        ),
        "es": (
            r"\bno (?:estoy|estamos) interesad[oa]s?\b",
            r"\bno (?:nos|me) interesa\b",
            r"\b(?:hemos|he) (?:elegido|escogido|optado por|contratado) (?:a )?otro (?:proveedor|servicio)\b",
            r"\b(?:elimíneme|elimínenme|eliminadme|quíteme|quítenme|sáquenme)\b",
            r"\bno,? gracias\b",
        ),
        "fi": (
            r"\bemme ole kiinnostuneita\b",
            r"\ben ole kiinnostunut\b",
            r"\bei kiinnosta\b",
            r"\b(?:valitsimme|olemme valinneet) (?:jo )?"
            r"(?:toisen|toisen palveluntarjoajan|toisen toimittajan|kilpailijan)\b",
            r"\bpoista(?:kaa)? minut\b",
            r"\bei tarvetta\b",
        ),
        "ms": (
            r"\btidak berminat\b",
            r"\btak berminat\b",
            r"\btiada minat\b",
            r"\bmemilih (?:pembekal|vendor|penyedia|syarikat) lain\b",
            r"\bkeluarkan (?:saya|nama saya)\b",
        ),
        "ja": (
            r"興味(?:が|は)(?:ありません|ございません|ない)",
            r"見送らせて",
            r"今回は見送",
            r"他社(?:\S{0,12})?に(?:決定|決め)",
            r"必要(?:ありません|ございません)",
            r"お断り",
        ),
        "zh": (
            r"不感(?:兴趣|興趣)",
            r"(?:没有|沒有|没|沒)(?:兴趣|興趣)",
            r"(?:选择|選擇)了?其他",
            r"不需要",
        ),
    }
)
