"""Identity-number helpers for tests, computed independently of workflows/identity.py."""

from __future__ import annotations


def luhn(payload: str) -> str:
    """Check digit for a 9-digit payload: weights 2,1,2,1,... from the left (domain.md §6)."""
    total = 0
    for i, ch in enumerate(payload):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return str((10 - total % 10) % 10)
