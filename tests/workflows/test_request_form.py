"""workflows.request_form: the pre-filled request form (domain.md §0)."""

from __future__ import annotations

import zlib
from datetime import date

import pytest

from workflows.request_form import request_form_pdf


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    "request_type", ["access", "rectification", "erasure", "consent_withdrawal", "complaint"]
)
def test_form_is_a_pdf_with_the_reference(language, request_type):
    pdf = request_form_pdf(
        reference="DSR-2026-000042", request_type=request_type, language=language, received=date(2026, 3, 3)
    )
    assert pdf.startswith(b"%PDF-")
    # In the document title (plain, or UTF-16 when the title has å/ä/ö).
    utf16 = "DSR-2026-000042".encode("utf-16-be").hex().upper().encode()
    assert b"DSR-2026-000042" in pdf or utf16 in pdf.upper()


def test_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError):
        request_form_pdf(
            reference="DSR-2026-000001", request_type="nope", language="sv", received=date(2026, 1, 1)
        )


def test_no_identity_number_is_printed():
    pdf = request_form_pdf(
        reference="DSR-2026-000042",
        request_type="access",
        language="sv",
        received=date(2026, 3, 3),
        full_name="Maja Lindgren",
    )
    assert b"811218" not in pdf and b"811218" not in zlib.compress(pdf)
