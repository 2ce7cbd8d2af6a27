"""What staff lists may show of a beneficiary's address, location and words (review item 11): enough to
tell rows apart, never enough to identify or find the person. The whole is shown only in a record's
detail view opened with a stated reason, which is audited.

    >>> mask_address("+966501234567"), mask_address("4242"), coarse(21.42251)
    ('•••••••••4567', '•••2', 21.4)
"""

from __future__ import annotations

MASK = "•"
COARSE_DIGITS = 1  # about 11 km: the area an alert came from, not the tent or the street


def mask_address(address: str | None) -> str:
    """The last few characters of a phone number or chat id (at most 4, at most a third of it)."""
    if not address:
        return ""
    shown = min(4, max(1, len(address) // 3))
    return MASK * (len(address) - shown) + address[-shown:]


def coarse(degrees: float | None) -> float | None:
    return None if degrees is None else round(degrees, COARSE_DIGITS)
