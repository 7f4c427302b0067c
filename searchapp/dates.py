"""Publication dates: normalise whatever a source gives to ISO 8601, never invent one."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

_MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# Dates before this are almost certainly parse errors (epoch zero, placeholders).
MIN_YEAR = 1800


def normalize_date(value: str | None) -> str | None:
    """Return 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS[+HH:MM]', or None when not a date."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    for parse in (_iso, _rfc2822, _written):
        try:
            result = parse(value)
        except (ValueError, TypeError, OverflowError, IndexError):
            result = None
        if result is not None and MIN_YEAR <= result.year <= 2200:
            return _format(result)
    return None


def _format(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _iso(value: str):
    v = value.replace("Z", "+00:00").replace("z", "+00:00")
    v = re.sub(r"^(\d{4}-\d{2}-\d{2}) (\d)", r"\1T\2", v)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return date.fromisoformat(v)
    if re.fullmatch(r"\d{4}/\d{2}/\d{2}", v):
        return date.fromisoformat(v.replace("/", "-"))
    if re.fullmatch(r"\d{8}", v):
        return date(int(v[:4]), int(v[4:6]), int(v[6:]))
    return datetime.fromisoformat(v)


def _rfc2822(value: str):
    if not re.search(r"\d{1,2} [A-Za-z]{3} \d{4}", value):
        return None
    return parsedate_to_datetime(value)


def _written(value: str):
    """'May 10, 2019', '10 May 2019', 'Friday 10 May 2019 08.30 BST' (time is dropped)."""
    v = value.lower()
    m = re.search(r"\b([a-z]{3})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b", v)
    if m and m.group(1) in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3})[a-z]*\.?,? (\d{4})\b", v)
    if m and m.group(2) in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    return None


def parse_day(value: str) -> date:
    """A user-given day 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (start of the period); ValueError if not."""
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return date(int(value), 1, 1)
    if re.fullmatch(r"\d{4}-\d{1,2}", value):
        y, m = value.split("-")
        return date(int(y), int(m), 1)
    return date.fromisoformat(value)


def period_end(value: str) -> date:
    """The last day of a user-given period: '1987' -> 1987-12-31, '1987-02' -> 1987-02-28."""
    import calendar

    start = parse_day(value)
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return date(start.year, 12, 31)
    if re.fullmatch(r"\d{4}-\d{1,2}", value):
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start
