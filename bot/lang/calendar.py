"""Saudi working days (Friday-Saturday weekend, the org's holidays) and Hijri (Umm al-Qura) dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from hijridate import Gregorian

FRIDAY, SATURDAY = 4, 5
BABEL_LOCALES = {"ar": "ar_SA", "en": "en", "ur": "ur", "id": "id"}


def is_working_day(day: date, weekend: Iterable[int] = (FRIDAY, SATURDAY), holidays: Iterable[date] = ()) -> bool:
    return day.weekday() not in set(weekend) and day not in set(holidays)


def add_working_days(
    start: date, days: int, weekend: Iterable[int] = (FRIDAY, SATURDAY), holidays: Iterable[date] = ()
) -> date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    weekend_set, holiday_set = set(weekend), set(holidays)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() not in weekend_set and current not in holiday_set:
            left -= 1
    return current


def local_date(moment: datetime, tz: str = "Asia/Riyadh") -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(tz)).date()


def hijri(day: date, lang: str = "ar") -> str:
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    month = h.month_name("ar" if lang in ("ar", "ur") else "en")
    suffix = "هـ" if lang in ("ar", "ur") else "AH"
    return f"{h.day} {month} {h.year} {suffix}"


def gregorian(day: date, lang: str = "ar") -> str:
    return format_date(day, format="long", locale=BABEL_LOCALES.get(lang, "ar_SA"))


@lru_cache(maxsize=4096)
def both_calendars(day: date, lang: str = "ar") -> str:
    """E.g. '13 ديسمبر 2026 (4 رجب 1448 هـ)' (remembered: a staff list writes the same few deadlines on
    hundreds of rows)."""
    return f"{gregorian(day, lang)} ({hijri(day, lang)})"
