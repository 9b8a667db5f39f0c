"""What the intake dialogue asks for, per request type, and how answers are read (issue #3).

Pure, no I/O: the actions in ``actions/intake_form.py`` call these functions and turn the result into
slot events. Business rules cite domain.md:

- §2 / R-F3: the identity details (full name, personnummer, folkbokföringsadress, the e-mail or phone on
  file, customer number if known, group company), no more than the request type needs.
- §3: what each type needs beyond identity.
- §0 / R-F1: the signed written request is asked for (a pre-filled form is offered), never required.

Errors: :class:`InvalidAnswer` for an answer that does not fit the detail asked for (a sender error; its
``reason`` is a key the bot turns into a sentence in the customer's language). Nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.details import extract_details
from workflows.i18n import format_date
from workflows.identity import InvalidIdentityNumber, parse_identity_number

__all__ = [
    "ALL_SLOTS",
    "CHANNELS",
    "IDENTITY_SLOTS",
    "Answers",
    "InvalidAnswer",
    "accounting_kept_until",
    "checklist",
    "format_timestamp",
    "identity_complete",
    "missing_slots",
    "parse_channels",
    "parse_yes_no",
    "read_answers",
    "required_slots",
    "should_hand_over_after_fallback",
]

IDENTITY_SLOTS = ("full_name", "personnummer", "address", "contact", "customer_number", "legal_entity")
UNKNOWN = "unknown"  # "customer number if known" (§2): "I don't know" is an answer, not a gap

# The order is the order of the questions in chat. Type-specific details come first where they are the
# substance of the request (what is wrong, which channels, the complaint), identity last; for access and
# erasure identity comes first, as the request itself is already said.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "access": (
        "full_name",
        "personnummer",
        "address",
        "contact",
        "customer_number",
        "legal_entity",
        "access_scope",
        "access_delivery",
        "signed_form",
    ),
    "rectification": (
        "wrong_data",
        "correct_data",
        "full_name",
        "personnummer",
        "contact",
        "customer_number",
        "legal_entity",
        "restriction",
    ),
    "erasure": (
        "full_name",
        "personnummer",
        "address",
        "contact",
        "customer_number",
        "legal_entity",
        "erasure_confirmed",
    ),
    # Art 21(3): the objection applies in every group company, so no group company is asked for.
    "consent_withdrawal": ("consent_channels", "full_name", "contact", "customer_number"),
    # A complaint needs only a way to answer the person (R-F3: no more data than needed).
    "complaint": ("complaint_text", "full_name", "contact"),
}
FREE_TEXT_SLOTS = frozenset({"wrong_data", "correct_data", "complaint_text", "access_scope"})
YES_NO_SLOTS = frozenset({"signed_form", "restriction", "erasure_confirmed"})
# On e-mail these are not asked one by one: the defaults of §0 apply unless the reply says otherwise
# (scope: everything, R-F2; delivery: post to the folkbokföringsadress; the form is always attached).
_EMAIL_DEFAULTS: dict[str, dict[str, Any]] = {
    "access": {"access_scope": "all", "access_delivery": "post", "signed_form": True},
}
ALL_SLOTS = tuple(dict.fromkeys(s for slots in _REQUIRED.values() for s in slots))
CHANNELS = ("email", "sms", "letter", "phone", "profiling")


class InvalidAnswer(ValueError):
    def __init__(self, slot: str, reason: str) -> None:
        self.slot = slot
        self.reason = reason
        super().__init__(f"{slot}: {reason}")  # never the value itself (R-F4)


def required_slots(request_type: str, channel: str = "chat") -> list[str]:
    slots = list(_REQUIRED.get(request_type, ()))
    if channel == "email":
        slots = [s for s in slots if s not in _EMAIL_DEFAULTS.get(request_type, {})]
    return slots


def email_defaults(request_type: str) -> dict[str, Any]:
    return dict(_EMAIL_DEFAULTS.get(request_type, {}))


def missing_slots(request_type: str, filled: Mapping[str, Any], channel: str = "chat") -> list[str]:
    return [s for s in required_slots(request_type, channel) if filled.get(s) is None]


def identity_complete(request_type: str, filled: Mapping[str, Any]) -> bool:
    """All the identity details this type asks for are there (case → in_progress)."""
    return all(filled.get(s) is not None for s in _REQUIRED.get(request_type, ()) if s in IDENTITY_SLOTS)


# ---------------------------------------------------------------- reading answers

_FOLD = str.maketrans("åäöéü", "aaoeu")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


_YES = re.compile(
    r"^\s*(/affirm|ja|japp|jo|javisst|absolut|gärna|garna|ok|okej|yes|yeah|yep|sure|please do|of course"
    r"|det stämmer|stammer|correct|bekräftar|bekraftar|i confirm|confirm)\b"
)
_NO = re.compile(r"^\s*(/deny|nej|nä|na|nope|no|inte|behövs inte|behovs inte|don't|do not|no thanks)\b")
_DONT_KNOW = re.compile(
    r"\b(vet inte|vet ej|minns inte|har inget|har ingen|saknar|osäker|osaker|ingen aning|don't know"
    r"|do not know|dont know|not sure|no idea|i don't have|i have none|n/a)\b|^\s*(nej|no|-)\s*[.!]?\s*$"
)
_ALL = re.compile(r"\b(allt|alla|all|everything|samtliga|hela)\b|/affirm")
_CHANNEL_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"\b(e-?post|e-?mail|mejl|mail|nyhetsbrev|newsletter)")),
    ("sms", re.compile(r"\b(sms|text messages?|texts|mms)\b")),
    ("letter", re.compile(r"\b(brev|(?<!-)post|letters?|reklamutskick|direktreklam|mail ?shots?)\b")),
    ("phone", re.compile(r"\b(telefon|ringa|ringer|samtal|telemarketing|phone|calls?|calling)")),
    ("profiling", re.compile(r"\b(profilering|profiling|profil|analys|personalised|personaliserad)")),
)
_ELECTRONIC = re.compile(
    r"\b(elektronisk\w*|digital\w*|säker\w*|saker\w*|electronic\w*|secure\w*|online|bankid)"
)
_POST = re.compile(r"\b(post|brev|letter|mail it|by mail|folkbokf\w*|hem)\b")


def parse_yes_no(text: str) -> bool | None:
    folded = _fold(text)
    if _YES.search(folded):
        return True
    if _NO.search(folded):
        return False
    return None


def parse_channels(text: str) -> list[str]:
    """The marketing channels or processing a withdrawal names; "all" means every one (Art 21(3))."""
    folded = _fold(text)
    if _ALL.search(folded):
        return list(CHANNELS)
    return [name for name, pattern in _CHANNEL_WORDS if pattern.search(folded)]


def _free_text(slot: str, raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) < 2 or text.startswith("/"):
        raise InvalidAnswer(slot, "empty")
    return text[:1000]


def normalise(slot: str, raw: str, *, today: date, legal_entities: Sequence[str]) -> Any:
    """The stored value of ``slot`` for the customer's answer ``raw``; :class:`InvalidAnswer` if none."""
    folded = _fold(raw)
    if slot == "full_name":
        found = extract_details(raw, today=today, legal_entities=legal_entities, expect="full_name")
        if not found.full_name:
            raise InvalidAnswer(slot, "name")
        return found.full_name
    if slot == "personnummer":
        found = extract_details(raw, today=today, legal_entities=legal_entities, expect="personnummer")
        if found.identity_number:
            return found.identity_number.canonical()
        try:
            parse_identity_number(found.invalid_identity_number or raw.strip(), today=today)
        except InvalidIdentityNumber as error:
            raise InvalidAnswer(slot, error.reason) from None
        raise InvalidAnswer(slot, "format")
    if slot == "address":
        found = extract_details(raw, today=today, legal_entities=legal_entities, expect="address")
        if not found.address:
            raise InvalidAnswer(slot, "address")
        return found.address
    if slot == "contact":
        found = extract_details(
            raw, today=today, legal_entities=legal_entities, expect="email" if "@" in raw else "phone"
        )
        if found.email or found.phone:
            return found.email or found.phone
        raise InvalidAnswer(slot, "contact")
    if slot == "customer_number":
        found = extract_details(raw, today=today, legal_entities=legal_entities, expect="customer_number")
        if found.customer_number:
            return found.customer_number
        if _DONT_KNOW.search(folded) or parse_yes_no(raw) is False:
            return UNKNOWN
        raise InvalidAnswer(slot, "customer_number")
    if slot == "legal_entity":
        found = extract_details(raw, today=today, legal_entities=legal_entities, expect="legal_entity")
        if found.legal_entity:
            return found.legal_entity
        if _DONT_KNOW.search(folded):
            return UNKNOWN
        raise InvalidAnswer(slot, "legal_entity")
    if slot == "access_scope":
        # R-F2 / Recital 63: "my data" means all data; a vague answer is never refused.
        if _ALL.search(folded) or parse_yes_no(raw) is True:
            return "all"
        return _free_text(slot, raw)
    if slot == "access_delivery":
        if _ELECTRONIC.search(folded):
            return "electronic"
        if _POST.search(folded) or parse_yes_no(raw) is not None:
            return "post"  # §0: the policy's default
        raise InvalidAnswer(slot, "delivery")
    if slot == "consent_channels":
        channels = parse_channels(raw)
        if not channels:
            raise InvalidAnswer(slot, "channels")
        return channels
    if slot in YES_NO_SLOTS:
        answer = parse_yes_no(raw)
        if answer is None:
            raise InvalidAnswer(slot, "yes_no")
        return answer
    if slot in FREE_TEXT_SLOTS:
        return _free_text(slot, raw)
    raise ValueError(f"unknown intake slot {slot!r}")  # a programming error


@dataclass
class Answers:
    values: dict[str, Any] = field(default_factory=dict)
    # slot → reason key, for the detail that was asked for and could not be read
    invalid: dict[str, str] = field(default_factory=dict)


# Labels of the e-mail checklist, also accepted when a customer writes "Namn: Maja Lindgren" in chat.
_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "full_name": "Namn",
        "personnummer": "Personnummer (eller samordningsnummer)",
        "address": "Folkbokföringsadress",
        "contact": "E-post eller telefon som du har registrerat hos oss",
        "customer_number": "Kundnummer (om du vet det)",
        "legal_entity": "Bolag du har avtal med",
        "access_scope": "Vilka uppgifter du vill ha (tomt = alla)",
        "access_delivery": "Leverans: post till folkbokföringsadressen eller säker elektronisk leverans",
        "wrong_data": "Vilken uppgift är fel",
        "correct_data": "Rätt uppgift",
        "restriction": "Ska vi begränsa användningen av uppgiften medan vi utreder (ja/nej)",
        "erasure_confirmed": "Bekräfta att vi ska radera (ja/nej)",
        "consent_channels": "Vad ska upphöra: e-post, sms, brev, telefon, profilering eller allt",
        "complaint_text": "Vad har hänt",
        "signed_form": "Vill du ha ett ifyllt formulär (ja/nej)",
    },
    "en": {
        "full_name": "Name",
        "personnummer": "Personal identity number (personnummer or samordningsnummer)",
        "address": "Registered address (folkbokföringsadress)",
        "contact": "E-mail or phone number registered with us",
        "customer_number": "Customer number (if you know it)",
        "legal_entity": "Company you have a contract with",
        "access_scope": "Which information you want (empty = all)",
        "access_delivery": "Delivery: post to your registered address or secure electronic delivery",
        "wrong_data": "Which information is wrong",
        "correct_data": "The correct information",
        "restriction": "Should we restrict the use of it while we check (yes/no)",
        "erasure_confirmed": "Confirm that we should erase (yes/no)",
        "consent_channels": "What should stop: e-mail, SMS, letter, phone, profiling or everything",
        "complaint_text": "What happened",
        "signed_form": "Would you like a pre-filled form (yes/no)",
    },
}
# Short label words that start a "Label: value" line, folded (sv and en).
_LABEL_KEYS: tuple[tuple[str, str], ...] = (
    ("personnummer", "personnummer"),
    ("samordningsnummer", "personnummer"),
    ("personal identity number", "personnummer"),
    ("namn", "full_name"),
    ("name", "full_name"),
    ("folkbokforingsadress", "address"),
    ("registered address", "address"),
    ("adress", "address"),
    ("address", "address"),
    ("e-post eller telefon", "contact"),
    ("e-mail or phone", "contact"),
    ("telefon", "contact"),
    ("phone", "contact"),
    ("e-post", "contact"),
    ("e-mail", "contact"),
    ("kundnummer", "customer_number"),
    ("customer number", "customer_number"),
    ("bolag", "legal_entity"),
    ("company", "legal_entity"),
    ("vilka uppgifter", "access_scope"),
    ("which information you want", "access_scope"),
    ("leverans", "access_delivery"),
    ("delivery", "access_delivery"),
    ("vilken uppgift ar fel", "wrong_data"),
    ("which information is wrong", "wrong_data"),
    ("ratt uppgift", "correct_data"),
    ("the correct information", "correct_data"),
    ("ska vi begransa", "restriction"),
    ("should we restrict", "restriction"),
    ("bekrafta", "erasure_confirmed"),
    ("confirm", "erasure_confirmed"),
    ("vad ska upphora", "consent_channels"),
    ("what should stop", "consent_channels"),
    ("vad har hant", "complaint_text"),
    ("what happened", "complaint_text"),
    ("vill du ha ett ifyllt formular", "signed_form"),
    ("would you like a pre-filled form", "signed_form"),
)
_LABEL_LINE = re.compile(r"^\s*[-*•]?\s*(?P<label>[^:\n]{2,90}?)\s*:\s*(?P<value>.*\S)?\s*$")


def _labelled_lines(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        m = _LABEL_LINE.match(line)
        if not m or not m["value"]:
            continue
        label = _fold(m["label"])
        slot = next((s for key, s in _LABEL_KEYS if label.startswith(key)), None)
        if slot and slot not in found:
            found[slot] = m["value"].strip()
    return found


def read_answers(
    text: str,
    *,
    request_type: str,
    requested: str | None,
    today: date,
    legal_entities: Sequence[str],
) -> Answers:
    """Every detail one customer message gives for this request type (chat and e-mail).

    ``requested`` is the detail the bot just asked for (``None`` when the message was not an answer to a
    question, e.g. the opening message): a bare answer is read as that detail, and if it cannot be read
    the reason is in ``invalid``. Identity details are taken from anywhere in the message
    (``extract_details``), "Label: value" lines (the e-mail checklist) fill their detail.
    """
    wanted = set(_REQUIRED.get(request_type, ()))
    answers = Answers()
    labelled = {slot: raw for slot, raw in _labelled_lines(text).items() if slot in wanted}
    for slot, raw in labelled.items():
        try:
            answers.values[slot] = normalise(slot, raw, today=today, legal_entities=legal_entities)
        except InvalidAnswer as error:
            answers.invalid[slot] = error.reason

    # A free-text answer (what is wrong, the complaint) is taken as a whole: the identity details it may
    # mention are about the error, not about the person writing.
    if labelled or requested not in FREE_TEXT_SLOTS | {"consent_channels"}:
        found = extract_details(
            text, today=today, legal_entities=legal_entities, expect=_EXPECT.get(requested or "")
        )
        from_details = {
            "full_name": found.full_name,
            "personnummer": found.identity_number.canonical() if found.identity_number else None,
            "address": found.address,
            "contact": found.email or found.phone,
            "customer_number": found.customer_number,
            "legal_entity": found.legal_entity,
        }
        for slot, value in from_details.items():
            if value is not None and slot in wanted and slot not in answers.values:
                answers.values[slot] = value
        if request_type == "consent_withdrawal" and "consent_channels" not in answers.values:
            channels = parse_channels(text)
            if channels:
                answers.values["consent_channels"] = channels

    if requested is None and request_type == "complaint" and len(text.split()) >= 8:
        # The opening message of a complaint usually is the complaint; it is kept as written.
        answers.values.setdefault("complaint_text", _free_text("complaint_text", text))

    if requested and requested in wanted and requested not in answers.values and not labelled:
        try:
            answers.values[requested] = normalise(
                requested, text, today=today, legal_entities=legal_entities
            )
        except InvalidAnswer as error:
            answers.invalid[requested] = error.reason
    return answers


_EXPECT = {
    "full_name": "full_name",
    "personnummer": "personnummer",
    "address": "address",
    "customer_number": "customer_number",
    "legal_entity": "legal_entity",
}


# ---------------------------------------------------------------- e-mail checklist

_CHECKLIST_INTRO = {
    "sv": "För att handlägga ärendet behöver vi några uppgifter. Svara på det här mejlet och fyll i "
    "raderna nedan (det går bra att skriva allt i ett svar):",
    "en": "To handle your request we need a few details. Please reply to this e-mail and fill in the "
    "lines below (all in one reply is fine):",
}
_CHECKLIST_FORM_NOTE = {
    "sv": "Enligt vår policy ber vi om en undertecknad skriftlig begäran. Ett ifyllt formulär finns via "
    "länken nedan; skriv under och skicka tillbaka det med post eller som inskannad fil. Ärendet går "
    "vidare även utan det.",
    "en": "Our policy asks for a signed written request. A pre-filled form is at the link below; sign it "
    "and return it by post or as a scan. Your case goes ahead without it too.",
}


def checklist(
    request_type: str,
    missing: Sequence[str],
    language: str,
    *,
    legal_entities: Sequence[str],
    today: date,
) -> str:
    """The one message that asks an e-mail sender for every missing detail at once (issue #3)."""
    lang = "en" if language == "en" else "sv"
    lines = [_CHECKLIST_INTRO[lang], ""]
    for slot in missing:
        label = _LABELS[lang][slot]
        if slot == "legal_entity":
            label = f"{label} ({', '.join(legal_entities)})"
        lines.append(f"{label}:")
    if "erasure_confirmed" in missing:
        lines += ["", retention_explanation(lang, today=today)]
    return "\n".join(lines)


# ---------------------------------------------------------------- erasure: what is kept (Art 17(3)(b))


def accounting_kept_until(today: date) -> date:
    """Bokföringslagen 7 kap. 2 §: kept until 1 January of (financial-year-end year + 8).

    Assumes a calendar financial year (the group's); this year's records are the longest kept.
    """
    return date(today.year + 8, 1, 1)


def retention_explanation(language: str, *, today: date) -> str:
    until = accounting_kept_until(today)
    if language == "en":
        return (
            "Before you confirm: we erase everything the law lets us erase, but we must keep some data and "
            "block it from any other use: accounting records such as invoices and payments (Bokföringslagen, "
            f"the Swedish Bookkeeping Act, until {until.isoformat()}); the data needed for an active "
            "contract for as long as it runs; and traffic data under the Electronic Communications Act "
            "(LEK) for the periods that law sets. We will tell you in writing exactly what is kept and "
            "until when."
        )
    return (
        "Innan du bekräftar: vi raderar allt som lagen tillåter, men vissa uppgifter måste vi spara och "
        "spärra för all annan användning: bokföringsunderlag som fakturor och betalningar (bokföringslagen, "
        f"till {until.isoformat()}), uppgifter som behövs för ett pågående avtal så länge det gäller, och "
        "trafikuppgifter enligt lagen om elektronisk kommunikation (LEK) under de tider den lagen anger. Vi "
        "skriver till dig exakt vad som sparas och hur länge."
    )


# ---------------------------------------------------------------- low confidence


def should_hand_over_after_fallback(recent_user_intents: Sequence[str]) -> bool:
    """Issue #3: one rephrase prompt; a second misunderstanding in a row goes to a person.

    ``recent_user_intents`` are the intents of the user's messages, newest last.
    """
    return len(recent_user_intents) >= 2 and all(i == "nlu_fallback" for i in recent_user_intents[-2:])


def format_timestamp(moment: datetime, language: str, timezone: str) -> str:
    """'26 november 2026 kl. 10:15' / '26 November 2026 at 10:15' in the company's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_date(local.date(), language)
    return f"{day} kl. {local:%H:%M}" if language != "en" else f"{day} at {local:%H:%M}"
