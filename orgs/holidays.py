"""Official Saudi holidays used when counting working days.

Private-sector and non-profit holidays under the Labour Law implementing regulations:
Founding Day (22 February), National Day (23 September), Eid al-Fitr for four days from the day after
29 Ramadan, and Eid al-Adha for four days from the Day of Arafah (9 Dhu al-Hijjah).
Hijri dates are the expected Umm al-Qura dates (computed with ``hijridate``); the actual dates follow
the moon sighting announcement, so staff may correct them per association with ``holidays:`` in a
profile. Days falling on the Friday-Saturday weekend are listed anyway: it costs nothing.
"""

from datetime import date, timedelta


def _span(first: date, days: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(days)]


SAUDI_OFFICIAL_HOLIDAYS: tuple[date, ...] = tuple(
    sorted(
        [
            # 2026 (1447 AH)
            date(2026, 2, 22),  # Founding Day
            *_span(date(2026, 3, 19), 4),  # Eid al-Fitr: 30 Ramadan 1447 .. 3 Shawwal (1 Shawwal = Mar 20)
            *_span(date(2026, 5, 26), 4),  # Eid al-Adha: Arafah 9 Dhu al-Hijjah 1447 .. 12 Dhu al-Hijjah
            date(2026, 9, 23),  # National Day
            # 2027 (1448 AH)
            date(2027, 2, 22),  # Founding Day
            *_span(date(2027, 3, 9), 4),  # Eid al-Fitr: 1 Shawwal 1448 (Ramadan has 29 days) .. 4 Shawwal
            *_span(date(2027, 5, 15), 4),  # Eid al-Adha: Arafah 9 Dhu al-Hijjah 1448 .. 12 Dhu al-Hijjah
            date(2027, 9, 23),  # National Day
        ]
    )
)
