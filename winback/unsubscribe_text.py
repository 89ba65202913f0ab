"""The unsubscribe page's words in every supported locale: one table, one row per locale.

The page speaks the language of the email the person clicked in (winback/web.py looks the
account up and resolves its contact's locale as the emails do, campaigns/locales.py). A row
missing a key falls back to English for that key, so a new locale can start small.
"""

from __future__ import annotations

from typing import Final

KEYS: Final = (
    "confirm_title",
    "confirm_body",
    "button",
    "done_title",
    "done_body",
    "noted_title",
    "noted_body",
    "not_found_title",
    "not_found_body",
    "not_recorded",
)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "confirm_title": "Unsubscribe",
        "confirm_body": "Stop receiving these emails from us? This is permanent.",
        "button": "Unsubscribe",
        "done_title": "You are unsubscribed",
        "done_body": "You will not receive these emails from us again.",
        "noted_title": "We have your request",
        "noted_body": "We have stopped this series of emails and noted that you do not want to hear from "
        "us. We could not match the link to an address in our records just now; if another email from "
        "us reaches you, reply to it and ask us to stop.",
        "not_found_title": "We could not unsubscribe you",
        "not_found_body": "We could not find who this link was sent to, so nothing has been recorded. "
        "Please reply to the email and ask us to stop; we will remove you by hand.",
        "not_recorded": "We could not record your request just now. Please try again in a few minutes.",
    },
    "fi": {
        "confirm_title": "Peru tilaus",
        "confirm_body": "Haluatko lopettaa näiden viestien vastaanottamisen? Peruutus on pysyvä.",
        "button": "Peru tilaus",
        "done_title": "Tilaus on peruttu",
        "done_body": "Et saa meiltä enää näitä viestejä.",
        "noted_title": "Pyyntösi on vastaanotettu",
        "noted_body": "Olemme lopettaneet tämän viestisarjan ja merkinneet, ettet halua viestejämme. "
        "Emme juuri nyt löytäneet linkkiä vastaavaa osoitetta tiedoistamme; jos saat meiltä vielä "
        "viestin, vastaa siihen ja pyydä lopettamaan.",
        "not_found_title": "Tilauksen peruminen ei onnistunut",
        "not_found_body": "Emme löytäneet, kenelle tämä linkki lähetettiin, joten mitään ei tallennettu. "
        "Vastaa viestiin ja pyydä lopettamaan, niin poistamme sinut käsin.",
        "not_recorded": "Emme pystyneet tallentamaan pyyntöäsi juuri nyt. Yritä uudelleen muutaman "
        "minuutin kuluttua.",
    },
    "sv": {
        "confirm_title": "Avregistrera",
        "confirm_body": "Vill du sluta få de här mejlen från oss? Det gäller permanent.",
        "button": "Avregistrera",
        "done_title": "Du är avregistrerad",
        "done_body": "Du kommer inte att få de här mejlen från oss igen.",
        "noted_title": "Vi har tagit emot din begäran",
        "noted_body": "Vi har stoppat den här serien av mejl och noterat att du inte vill höra från oss. "
        "Vi kunde inte koppla länken till en adress i vårt register just nu; om du får ett mejl till "
        "från oss, svara på det och be oss sluta.",
        "not_found_title": "Vi kunde inte avregistrera dig",
        "not_found_body": "Vi kunde inte se vem länken skickades till, så inget har registrerats. "
        "Svara på mejlet och be oss sluta, så tar vi bort dig manuellt.",
        "not_recorded": "Vi kunde inte registrera din begäran just nu. Försök igen om några minuter.",
    },
    "de": {
        "confirm_title": "Abmelden",
        "confirm_body": "Möchten Sie diese E-Mails nicht mehr von uns erhalten? "
        "Die Abmeldung gilt dauerhaft.",
        "button": "Abmelden",
        "done_title": "Sie sind abgemeldet",
        "done_body": "Sie erhalten diese E-Mails nicht mehr von uns.",
        "noted_title": "Ihre Anfrage ist eingegangen",
        "noted_body": "Wir haben diese E-Mail-Serie beendet und vermerkt, dass Sie keine Nachrichten von "
        "uns wünschen. Wir konnten den Link gerade keiner Adresse in unseren Unterlagen zuordnen; "
        "sollte Sie dennoch eine weitere E-Mail erreichen, antworten Sie bitte darauf und bitten Sie "
        "uns, aufzuhören.",
        "not_found_title": "Die Abmeldung war nicht möglich",
        "not_found_body": "Wir konnten nicht feststellen, an wen dieser Link gesendet wurde, daher wurde "
        "nichts gespeichert. Bitte antworten Sie auf die E-Mail und bitten Sie uns, aufzuhören; wir "
        "tragen Sie dann von Hand aus.",
        "not_recorded": "Wir konnten Ihre Anfrage gerade nicht speichern. Bitte versuchen Sie es in "
        "einigen Minuten erneut.",
    },
    "ms": {
        "confirm_title": "Berhenti melanggan",
        "confirm_body": "Berhenti menerima e-mel ini daripada kami? Tindakan ini kekal.",
        "button": "Berhenti melanggan",
        "done_title": "Anda telah berhenti melanggan",
        "done_body": "Anda tidak akan menerima e-mel ini daripada kami lagi.",
        "noted_title": "Permintaan anda telah diterima",
        "noted_body": "Kami telah menghentikan siri e-mel ini dan mencatat bahawa anda tidak mahu "
        "menerima berita daripada kami. Kami tidak dapat memadankan pautan ini dengan alamat dalam "
        "rekod kami buat masa ini; jika anda menerima e-mel lain daripada kami, sila balas dan minta "
        "kami berhenti.",
        "not_found_title": "Kami tidak dapat memberhentikan langganan anda",
        "not_found_body": "Kami tidak dapat mengenal pasti penerima pautan ini, jadi tiada apa-apa "
        "yang direkodkan. Sila balas e-mel tersebut dan minta kami berhenti; kami akan "
        "mengeluarkan anda secara manual.",
        "not_recorded": "Kami tidak dapat merekodkan permintaan anda buat masa ini. Sila cuba lagi "
        "dalam beberapa minit.",
    },
    "ja": {
        "confirm_title": "配信停止",
        "confirm_body": "今後、弊社からのメールの配信を停止しますか？この操作は取り消せません。",
        "button": "配信を停止する",
        "done_title": "配信を停止しました",
        "done_body": "今後、弊社からこれらのメールをお送りすることはありません。",
        "noted_title": "ご依頼を承りました",
        "noted_body": "このメールの配信を停止し、今後のご連絡を希望されない旨を記録いたしました。"
        "現時点ではリンクと弊社記録上のアドレスを照合できませんでした。万一、再度メールが届いた場合は、"
        "そのメールにご返信のうえ配信停止をお申し付けください。",
        "not_found_title": "配信停止を完了できませんでした",
        "not_found_body": "このリンクの送信先を特定できなかったため、何も記録されていません。"
        "お手数ですが、メールにご返信のうえ配信停止をお申し付けください。担当者が手作業で対応いたします。",
        "not_recorded": "ただいまご依頼を記録できませんでした。数分後にもう一度お試しください。",
    },
    "zh-Hant": {
        "confirm_title": "取消訂閱",
        "confirm_body": "確定不再收到我們寄出的這些電子郵件嗎？此操作為永久性。",
        "button": "取消訂閱",
        "done_title": "您已取消訂閱",
        "done_body": "您將不會再收到我們寄出的這些電子郵件。",
        "noted_title": "我們已收到您的要求",
        "noted_body": "我們已停止這一系列電子郵件，並記錄您不希望再收到我們的訊息。目前無法將此連結對應到"
        "我們紀錄中的地址；若您仍收到我們的郵件，請直接回覆並要求我們停止。",
        "not_found_title": "無法為您取消訂閱",
        "not_found_body": "我們無法確認此連結寄送的對象，因此沒有記錄任何內容。請回覆該郵件並要求我們停止，"
        "我們會以人工方式將您移除。",
        "not_recorded": "目前無法記錄您的要求，請於幾分鐘後再試一次。",
    },
    "zh-Hans": {
        "confirm_title": "退订",
        "confirm_body": "确定不再接收我们发送的这些电子邮件吗？此操作为永久性。",
        "button": "退订",
        "done_title": "您已退订",
        "done_body": "您将不会再收到我们发送的这些电子邮件。",
        "noted_title": "我们已收到您的请求",
        "noted_body": "我们已停止这一系列电子邮件，并记录您不希望再收到我们的消息。目前无法将此链接对应到"
        "我们记录中的地址；如果您仍收到我们的邮件，请直接回复并要求我们停止。",
        "not_found_title": "无法为您退订",
        "not_found_body": "我们无法确认此链接的发送对象，因此没有记录任何内容。请回复该邮件并要求我们停止，"
        "我们会手动将您移除。",
        "not_recorded": "目前无法记录您的请求，请几分钟后再试。",
    },
    "pt-BR": {
        "confirm_title": "Cancelar inscrição",
        "confirm_body": "Deixar de receber estes e-mails? Esta ação é permanente.",
        "button": "Cancelar inscrição",
        "done_title": "Sua inscrição foi cancelada",
        "done_body": "Você não receberá mais estes e-mails.",
        "noted_title": "Recebemos sua solicitação",
        "noted_body": "Interrompemos esta série de e-mails e registramos que você não quer mais receber "
        "mensagens nossas. No momento, não conseguimos associar o link a um endereço em nossos "
        "registros; se outro e-mail nosso chegar até você, responda pedindo que paremos.",
        "not_found_title": "Não foi possível cancelar sua inscrição",
        "not_found_body": "Não conseguimos identificar para quem este link foi enviado, então nada foi "
        "registrado. Responda ao e-mail pedindo que paremos; faremos a remoção manualmente.",
        "not_recorded": "Não foi possível registrar sua solicitação agora. "
        "Tente novamente em alguns minutos.",
    },
}


def text(locale: str, key: str) -> str:
    return TEXTS.get(locale, {}).get(key) or TEXTS["en"][key]
