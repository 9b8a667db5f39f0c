"""The texts of every notice a case causes, in the case's language (sv or en): pure functions, no I/O.

Customer notices (R-T3 extension, R-T4 refusal, R-T5 identity reminder and close) carry the case
reference, dates and the stated reasons, never personal data from the register (domain.md §0: an e-mail
sender is not a verified identity). Staff notices (escalation, breach, consent overdue) go to the
agents' or managers' mailbox and carry the reference, the request type and dates only.

:func:`dedupe_key` is deterministic per case, kind and deadline: the outbox and the notices table are
unique on it, which is what makes every notice exactly-once (workflows/sweep.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from workflows.i18n import format_date, normalise_language

__all__ = [
    "IMY",
    "Kind",
    "Text",
    "breach",
    "consent_overdue",
    "dedupe_key",
    "escalation",
    "extension",
    "identity_closed",
    "identity_reminder",
    "refusal",
]


class Kind(enum.StrEnum):
    extension = "extension"  # R-T3, to the customer
    refusal = "refusal"  # R-T4, full refusal, to the customer
    partial_refusal = "partial_refusal"  # R-T4, partial refusal (redaction included)
    identity_reminder = "identity_reminder"  # R-T5, 14 days of silence
    identity_closed = "identity_closed"  # R-T5, 2 months of silence: closed with the IMY pointer
    escalation = "escalation"  # near the deadline, to the agents' mailbox
    breach = "breach"  # past the deadline, to the managers' mailbox
    consent_overdue = "consent_overdue"  # consent withdrawal not applied within 24 h, to the agents


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


# domain.md §5 (IMY's post address [V]; phone, e-mail [S]; the complaints page [V]).
IMY = {
    "sv": (
        "Integritetsskyddsmyndigheten (IMY), tidigare Datainspektionen\n"
        "Post: Box 8114, 104 20 Stockholm\n"
        "Telefon: 08-657 61 00\n"
        "E-post: imy@imy.se\n"
        "Webb: https://www.imy.se\n"
        "Klagomål: https://www.imy.se/privatperson/utfora-arenden/lamna-ett-klagomal/"
    ),
    "en": (
        "Integritetsskyddsmyndigheten (IMY), the Swedish Authority for Privacy Protection, "
        "formerly Datainspektionen\n"
        "Post: Box 8114, 104 20 Stockholm, Sweden\n"
        "Phone: +46 8 657 61 00\n"
        "E-mail: imy@imy.se\n"
        "Web: https://www.imy.se\n"
        "Complaints: https://www.imy.se/privatperson/utfora-arenden/lamna-ett-klagomal/"
    ),
}

_RIGHTS = {
    # R-T4: Art 77 (complaint to IMY, or to the authority where the person lives or works) and Art 79
    # (a judicial remedy).
    "sv": (
        "Om du inte är nöjd med vårt beslut har du rätt att lämna klagomål till "
        "Integritetsskyddsmyndigheten (artikel 77 i dataskyddsförordningen). Du kan också vända dig till "
        "tillsynsmyndigheten i det EU-land där du bor eller arbetar.\n\n"
        f"{IMY['sv']}\n\n"
        "Du har också rätt att få saken prövad av domstol (artikel 79 i dataskyddsförordningen), "
        "genom att väcka talan vid allmän domstol."
    ),
    "en": (
        "If you are not satisfied with our decision, you have the right to lodge a complaint with the "
        "Swedish Authority for Privacy Protection (Article 77 GDPR). You may also turn to the supervisory "
        "authority of the EU country where you live or work.\n\n"
        f"{IMY['en']}\n\n"
        "You also have the right to an effective judicial remedy (Article 79 GDPR): you may bring the "
        "matter before a court."
    ),
}

_SIGN = {
    "sv": "Med vänliga hälsningar\nDataskyddsfunktionen, KomTeknik Gruppen",
    "en": "Kind regards\nData Protection Team, KomTeknik Gruppen",
}


def _day(d: date, lang: str) -> str:
    return f"{format_date(d, lang)} ({d.isoformat()})"


def _letter(lang: str, *paragraphs: str) -> str:
    greeting = "Hej," if lang == "sv" else "Hello,"
    return "\n\n".join([greeting, *paragraphs, _SIGN[lang]]) + "\n"


def refusal(language: str, reference: str, reasons: str, *, partial: bool) -> Text:
    """R-T4: reasons, the right to complain to IMY, the right to a judicial remedy (Art 12(4))."""
    lang = normalise_language(language)
    if lang == "sv":
        subject = f"Beslut om din begäran {reference}"
        what = (
            f"Vi har prövat din begäran ({reference}) och kan bara delvis tillmötesgå den."
            if partial
            else f"Vi har prövat din begäran ({reference}) och kan inte tillmötesgå den."
        )
        why = f"Skäl:\n{reasons.strip()}"
    else:
        subject = f"Decision on your request {reference}"
        what = (
            f"We have considered your request ({reference}) and can only partly grant it."
            if partial
            else f"We have considered your request ({reference}) and cannot grant it."
        )
        why = f"Reasons:\n{reasons.strip()}"
    return Text(subject, _letter(lang, what, why, _RIGHTS[lang]))


def extension(language: str, reference: str, reasons: str, new_due: date) -> Text:
    """R-T3: the extension by two further months, with its reasons, sent by D1 (Art 12(3))."""
    lang = normalise_language(language)
    if lang == "sv":
        subject = f"Vi behöver mer tid för din begäran {reference}"
        body = _letter(
            lang,
            f"Vi behöver förlänga tiden för att besvara din begäran ({reference}) med högst två månader, "
            "enligt artikel 12.3 i dataskyddsförordningen.",
            f"Skäl:\n{reasons.strip()}",
            f"Du får vårt svar senast {_day(new_due, lang)}.",
        )
    else:
        subject = f"We need more time for your request {reference}"
        body = _letter(
            lang,
            f"We need to extend the time to answer your request ({reference}) by at most two further "
            "months, under Article 12(3) GDPR.",
            f"Reasons:\n{reasons.strip()}",
            f"You will have our answer by {_day(new_due, lang)} at the latest.",
        )
    return Text(subject, body)


def identity_reminder(language: str, reference: str, asked_on: date, closes_on: date) -> Text:
    """R-T5: after 14 days without an answer to the identity question."""
    lang = normalise_language(language)
    if lang == "sv":
        subject = f"Påminnelse: vi behöver bekräfta din identitet ({reference})"
        body = _letter(
            lang,
            f"Den {_day(asked_on, lang)} bad vi dig bekräfta din identitet för din begäran ({reference}). "
            "Vi har inte fått något svar ännu.",
            "Svara gärna genom att logga in på Mina sidor eller på det sätt vi beskrev i vårt tidigare "
            "meddelande. Skicka inga kopior av id-handlingar.",
            f"Får vi inget svar avslutar vi ärendet {_day(closes_on, lang)}. "
            "Du kan alltid göra en ny begäran.",
        )
    else:
        subject = f"Reminder: we need to confirm your identity ({reference})"
        body = _letter(
            lang,
            f"On {_day(asked_on, lang)} we asked you to confirm your identity for your request "
            f"({reference}). We have not had an answer yet.",
            "Please answer by logging in to My pages or as described in our earlier message. Please do not "
            "send copies of identity documents.",
            f"Without an answer we will close the case on {_day(closes_on, lang)}. "
            "You can always make a new request.",
        )
    return Text(subject, body)


def identity_closed(language: str, reference: str, asked_on: date) -> Text:
    """R-T5: two months of silence close the case with a written notice pointing to IMY."""
    lang = normalise_language(language)
    if lang == "sv":
        subject = f"Vi har avslutat din begäran {reference}"
        body = _letter(
            lang,
            f"Den {_day(asked_on, lang)} bad vi dig bekräfta din identitet för din begäran ({reference}). "
            "Eftersom vi inte har fått något svar på två månader har vi avslutat ärendet utan åtgärd "
            "(artikel 12.6 i dataskyddsförordningen).",
            "Du kan när som helst göra en ny begäran.",
            _RIGHTS[lang],
        )
    else:
        subject = f"We have closed your request {reference}"
        body = _letter(
            lang,
            f"On {_day(asked_on, lang)} we asked you to confirm your identity for your request "
            f"({reference}). As we have had no answer for two months, we have closed the case without "
            "action (Article 12(6) GDPR).",
            "You can make a new request at any time.",
            _RIGHTS[lang],
        )
    return Text(subject, body)


def escalation(reference: str, request_type: str, due: date, status: str) -> Text:
    """To the agents' mailbox: a case is within N working days of its deadline (Swedish: staff language)."""
    return Text(
        f"[PrivacyDesk] Nära tidsfristen: {reference} (senast {due.isoformat()})",
        f"Ärende {reference} ({request_type}, status {status}) ska besvaras senast {_day(due, 'sv')}.\n"
        "Det ligger nu överst i kön. Öppna det i konsolen.\n",
    )


def breach(reference: str, request_type: str, due: date) -> Text:
    """To the managers' mailbox: a case is past its legal deadline (R-T2/R-T3 breached)."""
    return Text(
        f"[PrivacyDesk] Tidsfristen passerad: {reference} (var {due.isoformat()})",
        f"Ärende {reference} ({request_type}) skulle ha besvarats senast {_day(due, 'sv')} "
        "(artikel 12.3 i dataskyddsförordningen).\nDet är markerat i SLA-kön.\n",
    )


def consent_overdue(reference: str, received_on: date) -> Text:
    """To the agents' mailbox: a consent withdrawal / marketing objection not applied within 24 hours."""
    return Text(
        f"[PrivacyDesk] Återkallat samtycke ej genomfört: {reference}",
        f"Ärende {reference} (återkallat samtycke / invändning mot direktmarknadsföring) kom in "
        f"{_day(received_on, 'sv')} och är inte genomfört efter 24 timmar.\n"
        "Återkallelsen gäller från mottagandet (artikel 7.3 och 21.3): stoppa utskicken i alla kanaler "
        "och alla bolag i koncernen.\n",
    )


def dedupe_key(kind: Kind, reference: str, deadline: date | None = None) -> str:
    """One notice per case and kind (and deadline, for escalations: D1 and D3 each get theirs)."""
    suffix = f":{deadline.isoformat()}" if deadline else ""
    return f"notice:{kind.value}:{reference}{suffix}"
