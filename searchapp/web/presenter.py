"""Turn an engine SearchResult into what the page and the API show: labelled facets,
a date histogram with drill-down ranges, tags and dates; one place, so both agree."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from babel.dates import format_skeleton
from flask_babel import format_date, format_datetime, gettext

from ..dates import parse_published
from ..model import FACETS
from ..search import UNDATED, SearchResult
from .labels import label
from .params import SearchParams

# Up to this many empty years in a row are drawn as empty bars; a longer run is one "…" row.
MAX_EMPTY_YEARS = 2
GAP = ""  # the value of a "…" row


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    excluded: bool = False

    def to_json(self) -> dict:
        return dict(value=self.value, label=self.label, count=self.count,
                    selected=self.selected, excluded=self.excluded)


@dataclass
class FacetView:
    name: str
    values: list[FacetValue]
    total: int  # distinct values matching (after the find filter)
    limit: int
    find: str = ""
    expanded: bool = False  # "more" was asked for

    @property
    def has_more(self) -> bool:
        return bool(self.limit) and self.total > len([v for v in self.values if not v.excluded])


@dataclass
class DateBucket:
    value: str  # 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or UNDATED
    count: int
    label: str = ""
    percent: int = 0  # bar width relative to the largest bucket

    @property
    def undated(self) -> bool:
        return self.value == UNDATED

    @property
    def gap(self) -> bool:
        return self.value == GAP

    def to_json(self) -> dict:
        out = dict(value=self.value, label=self.label, count=self.count)
        if not self.undated:
            out["from"], out["to"] = bucket_range(self.value)
        return out


@dataclass
class DateView:
    granularity: str
    buckets: list[DateBucket] = field(default_factory=list)
    crumbs: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"granularity": self.granularity,
                "buckets": [b.to_json() for b in self.buckets if not b.gap]}


# -- facets ------------------------------------------------------------------------------


def facet_views(params: SearchParams, result: SearchResult, locale: str) -> dict[str, FacetView]:
    return {f: facet_view(f, params, result, locale) for f in FACETS}


def facet_view(facet: str, params: SearchParams, result: SearchResult, locale: str) -> FacetView:
    selected = set(params.filters.get(facet, ()))
    excluded = params.exclude.get(facet, ())
    find = params.find.get(facet, "").casefold()
    values = [FacetValue(c.value, label(facet, c.value, locale), c.count, c.value in selected)
              for c in result.facets.get(facet, [])]
    if find:
        values = [v for v in values if find in v.label.casefold() or find in v.value.casefold()]
        total = len(values)
    else:
        total = result.facet_totals.get(facet, len(values))
    limit = params.facet_limits.get(facet, 0)
    shown = values[:limit] if limit else values
    # Selected values stay visible (to be unticked) even when rare or filtered away.
    shown += [v for v in values[len(shown):] if v.selected]
    shown_values = {v.value for v in shown}
    shown += [FacetValue(v, label(facet, v, locale), 0, selected=True)
              for v in params.filters.get(facet, ()) if v not in shown_values]
    shown += [FacetValue(v, label(facet, v, locale), 0, excluded=True) for v in excluded]
    return FacetView(facet, shown, total, limit, params.find.get(facet, ""),
                     expanded=facet in params.more)


# -- dates -------------------------------------------------------------------------------


def date_view(params: SearchParams, result: SearchResult, locale: str) -> DateView:
    granularity = params.granularity
    counts = {b.value: b.count for b in result.dates}
    undated = counts.pop(UNDATED, 0)
    keys = _filled_keys(sorted(counts), granularity, params)
    buckets = [DateBucket(k, counts.get(k, 0), bucket_label(k, granularity, locale) if k else "…")
               for k in keys]
    if undated:
        buckets.append(DateBucket(UNDATED, undated, gettext("Undated")))
    largest = max((b.count for b in buckets), default=0)
    for b in buckets:
        # A bucket with results always shows a sliver of bar, however small.
        b.percent = max(2, round(100 * b.count / largest)) if b.count else 0
    return DateView(granularity, buckets, _crumbs(params, locale))


def _filled_keys(keys: list[str], granularity: str, params: SearchParams) -> list[str]:
    """Years and months from the first to the last (or over the chosen range), empty
    ones too, so gaps show; days only when they have results, to stay short."""
    request = params.request
    if params.undated == "only" or granularity == "day":
        return keys
    if granularity == "year":
        out = keys[:1]
        for year in keys[1:]:
            previous = int(out[-1])
            if int(year) - previous - 1 <= MAX_EMPTY_YEARS:
                out += [str(y) for y in range(previous + 1, int(year))]
            else:
                out.append(GAP)
            out.append(year)
        return out
    start = request.date_from or (parse_bucket(keys[0]) if keys else None)
    end = request.date_to or (parse_bucket(keys[-1], end=True) if keys else None)
    if not (start and end) or (end - start).days > 400:
        return keys
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def parse_bucket(value: str, end: bool = False) -> date:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], last if end else 1)
    return date(*parts)


def bucket_range(value: str) -> tuple[str, str]:
    return parse_bucket(value).isoformat(), parse_bucket(value, end=True).isoformat()


def bucket_label(value: str, granularity: str, locale: str) -> str:
    day = parse_bucket(value)
    if granularity == "year":
        return value
    if granularity == "month":
        return format_skeleton("yMMM", day, locale=locale)
    return format_skeleton("yMMMd", day, locale=locale)


def _crumbs(params: SearchParams, locale: str) -> list[tuple[str, str | None, str | None]]:
    """(label, from, to) steps to zoom back out of a drill-down: year, then month."""
    start, end = params.request.date_from, params.request.date_to
    if not (start and end) or params.undated == "only":
        return []
    if start.year != end.year:
        return []
    crumbs: list[tuple[str, str | None, str | None]] = []
    year = str(start.year)
    if (start, end) != (parse_bucket(year), parse_bucket(year, end=True)):
        crumbs.append((year, year, year))
        month = f"{start.year:04d}-{start.month:02d}"
        whole_month = (parse_bucket(month), parse_bucket(month, end=True))
        if start.month == end.month and (start, end) != whole_month:
            crumbs.append((bucket_label(month, "month", locale), month, month))
    return crumbs


# -- hits and tags ------------------------------------------------------------------------


def tag_views(tags: list, locale: str) -> list[dict]:
    """The facet tags of a hit or article, labelled for the reader; date tags are left out."""
    out = []
    for t in tags:
        t = t if isinstance(t, dict) else t.to_dict()
        if t.get("facet") in FACETS:
            out.append(dict(facet=t["facet"], value=t["value"],
                            label=label(t["facet"], t["value"], locale),
                            origin=t.get("origin", "auto")))
    return out


def published(value: str | None, fmt: str = "medium") -> str:
    """A publication date in the reader's language, or "undated"."""
    moment = parse_published(value)  # keeps the source's offset: the day the source printed
    return gettext("undated") if moment is None else format_date(moment.date(), fmt)


def timestamp(value: str | None) -> str:
    """A database timestamp (UTC, ISO 8601) in the reader's language and time zone."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return format_datetime(moment, "medium")


def source_name(publication: str | None, url: str | None, tags=()) -> str:
    """Who published the article: its source tag among `tags` (as librarians may have
    renamed it), else its publication, else the site of its URL (an article indexed before
    publications were read). Never a file path."""
    for t in tags:
        t = t if isinstance(t, dict) else t.to_dict()
        if t.get("facet") == "source":
            return t["value"]
    if publication:
        return publication
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.")
