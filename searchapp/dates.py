"""Publication dates: normalise whatever a source gives to ISO 8601, never invent one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

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


def parse_published(value: str | None, *, utc: bool = False) -> datetime | None:
    """An article's stored ``published`` value (ISO 8601 date or datetime) as a
    datetime; a date alone is its midnight. None when absent or not ISO 8601.

    Without ``utc`` a datetime keeps the offset it was written with, so its
    ``.date()`` is the day the source printed (what a reader is shown). With
    ``utc`` it becomes naive UTC, one time line for sorting and the index's
    day buckets."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time())
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if utc and moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


# -- dates in web pages ----------------------------------------------------------------------
#
# Pages give dates in every form (ISO with or without zone, RFC 2822, "May 10, 2019", Unix
# epochs, the URL); parse_date finds one in such a text and keeps only plausible years.

_ISO_IN_TEXT = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?(?![\d])", re.I)
_MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def parse_date(text: str) -> str | None:
    """Find the date in a web page's date text (meta tag, ``<time>``, byline,
    JSON-LD) and give it as ISO 8601: "2019-05-10" for a date,
    "2019-05-10T08:30:00+00:00" for a datetime with a zone (no zone: no
    offset). None when the text holds no plausible date."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    m = _ISO_IN_TEXT.match(text) or _ISO_IN_TEXT.search(text)
    if m:
        return _iso_from_match(m)
    if text[:1].isdigit() and text.isdigit() and len(text) >= 10:
        return _from_epoch(int(text))
    try:
        when = parsedate_to_datetime(text)  # RFC 2822, e.g. in feeds
        if when is not None and _plausible(when.year):
            return when.isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for pattern, order in ((_MONTH_FIRST, (2, 1, 3)), (_DAY_FIRST, (1, 2, 3))):
        m = pattern.search(text)
        if m:
            day, month, year = (m.group(i) for i in order)
            month_no = _MONTHS.get(month[:3].lower())
            if month_no and (month[:3].lower() == month.lower() or month.lower().startswith(
                    ("janu", "febr", "marc", "apri", "may", "june", "july", "augu", "sept",
                     "octo", "nove", "dece"))):
                return _date_iso(int(year), month_no, int(day))
    return None


def _plausible(year: int) -> bool:
    return 1900 <= year <= 2100


def _date_iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat() if _plausible(year) else None
    except ValueError:
        return None


def _iso_from_match(m: re.Match) -> str | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day_iso = _date_iso(year, month, day)
    if day_iso is None or m.group(4) is None:
        return day_iso
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return day_iso
    zone = m.group(7)
    tz = None
    if zone:
        if zone.upper() in ("Z", "UTC", "GMT"):
            tz = UTC
        else:
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if offset >= timedelta(hours=15):
                return day_iso
            tz = timezone(offset if zone[0] == "+" else -offset)
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).isoformat()


def _from_epoch(value: int) -> str | None:
    if value > 10**11:  # milliseconds
        value //= 1000
    try:
        when = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when.isoformat() if _plausible(when.year) and when.year >= 1995 else None


# /2019/05/10/, /2019-05-10-slug, /2019/may/10/, /slug-20190510/
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2]|[a-z]{3})[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)",
    re.I)
_URL_DATE_COMPACT = re.compile(
    r"[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/|$|\.html?$)")


def date_from_url(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    m = _URL_DATE.search(path) or _URL_DATE_COMPACT.search(path)
    if not m:
        return None
    month = m.group(2)
    month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower())
    return _date_iso(int(m.group(1)), month_no, int(m.group(3))) if month_no else None


# -- dates given by users ------------------------------------------------------------------


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
