"""The pre-filled request form (PDF) for a signed written request (domain.md §0, R-F1).

The policy asks for a written, signed request; the law lets us ask, never require it. The assistant offers
this form with the case reference filled in, to sign and return by post or as a scan. Pure: bytes out, no
I/O. Identity details are left for the customer to write by hand, so the file itself holds no register
data (§0: personal data is never sent by chat or e-mail) and a leaked link reveals only a name at most.

Errors: ``ValueError`` for an unsupported request type (a programming error).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fpdf import FPDF

__all__ = ["request_form_pdf"]

_TITLES = {
    "sv": {
        "access": "Begäran om registerutdrag (artikel 15 GDPR)",
        "rectification": "Begäran om rättelse (artikel 16 GDPR)",
        "erasure": "Begäran om radering (artikel 17 GDPR)",
        "consent_withdrawal": "Återkallande av samtycke / invändning mot direktmarknadsföring",
        "complaint": "Klagomål på behandling av personuppgifter",
    },
    "en": {
        "access": "Request for a copy of personal data (Article 15 GDPR)",
        "rectification": "Request for rectification (Article 16 GDPR)",
        "erasure": "Request for erasure (Article 17 GDPR)",
        "consent_withdrawal": "Withdrawal of consent / objection to direct marketing",
        "complaint": "Complaint about the processing of personal data",
    },
}
_TEXT: dict[str, dict[str, Any]] = {
    "sv": {
        "reference": "Ärendenummer",
        "received": "Mottaget",
        "fields": [
            "Namn",
            "Personnummer",
            "Folkbokföringsadress",
            "E-post eller telefon",
            "Kundnummer (om känt)",
            "Bolag (KomTeknik ...)",
        ],
        "scope": "Vilka uppgifter (lämna tomt för alla uppgifter)",
        "note": (
            "Skriv under och skicka formuläret till KomTeknik Gruppen, Dataskydd, med post eller som "
            "inskannad fil i ett svar på vårt mejl. Ditt ärende handläggs redan: vi väntar inte på "
            "formuläret innan vi börjar."
        ),
        "sign": "Underskrift och datum",
        "clarify": "Namnförtydligande",
    },
    "en": {
        "reference": "Case reference",
        "received": "Received",
        "fields": [
            "Name",
            "Personal identity number",
            "Registered address (folkbokföringsadress)",
            "E-mail or phone",
            "Customer number (if known)",
            "Company (KomTeknik ...)",
        ],
        "scope": "Which information (leave empty for all data)",
        "note": (
            "Sign the form and send it to KomTeknik Gruppen, Data Protection, by post or as a scan in a "
            "reply to our e-mail. Your case is already being handled: we do not wait for the form."
        ),
        "sign": "Signature and date",
        "clarify": "Name in block letters",
    },
}


def request_form_pdf(
    *,
    reference: str,
    request_type: str,
    language: str,
    received: date,
    full_name: str | None = None,
) -> bytes:
    lang = "en" if language == "en" else "sv"
    if request_type not in _TITLES[lang]:
        raise ValueError(f"unknown request type {request_type!r}")
    text = _TEXT[lang]
    pdf = FPDF(format="A4")
    pdf.set_title(f"{reference} {_TITLES[lang][request_type]}")
    pdf.set_creator("PrivacyDesk")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, "KomTeknik Gruppen", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, _TITLES[lang][request_type], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, f"{text['reference']}: {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"{text['received']}: {received.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for index, label in enumerate(text["fields"]):
        value = full_name if index == 0 and full_name else ""
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 8, value, border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if request_type == "access":
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, text["scope"], new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 16, "", border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, text["note"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    for closing in (text["sign"], text["clarify"]):
        pdf.cell(0, 8, "", border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, closing, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
    return bytes(pdf.output())
