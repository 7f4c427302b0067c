"""The search parameters of the page and the API: one query string -> one SearchRequest.

The page (`/`) and the API (`/api/search`) read exactly the same parameters, so a
permalink to either shows the same result:

  q                          the query (see the help page for the language)
  all                        1 = plain words: only articles with every word, never relaxed
  country, person, topic     repeatable; values of one facet are OR'ed, facets AND'ed
  not_country, not_person, not_topic   repeatable exclusions
  from, to                   YYYY, YYYY-MM or YYYY-MM-DD; `to` means the end of that period
  undated                    1 = keep undated articles with a date range; only = undated only
  sort                       relevance | newest | oldest (default: relevance, newest without q)
  page, per_page             bounded by the engine's MAX_PAGE / MAX_PER_PAGE
  date                       histogram granularity: auto | year | month | day
  facet_limit                values shown per facet (default 10, 0 = all, at most 1000)
  more                       repeatable facet name: show that facet's values up to MORE_LIMIT
  find_country, find_person, find_topic   keep only that facet's values containing the text
  group                      every version of one near-duplicate group (a hit's "+N versions");
                             without it a result shows one article per group
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ..dates import parse_day, period_end
from ..model import FACETS
from ..search import MAX_PAGE, MAX_PER_PAGE, SORTS, QueryError, SearchRequest, facet_value

DEFAULT_PER_PAGE = 20
DEFAULT_FACET_LIMIT = 10
MORE_LIMIT = 100
MAX_FACET_LIMIT = 1000
MAX_VALUES_PER_FACET = 50  # selected or excluded values of one facet in one request
MAX_FIND_CHARS = 100
MAX_GROUP_CHARS = 200  # a group id is an article id
GRANULARITIES = ("auto", "year", "month", "day")
# What a search is (what a saved search or a bulk tagging keeps); paging, page layout and
# language are left out.
SEARCH_KEYS = ("q", "all", *FACETS, *(f"not_{f}" for f in FACETS), "from", "to", "undated", "sort")
# An "only undated" search is a date range no article can fall in, plus the undated ones.
# The engine has no such filter yet; publication dates before 1800 are never indexed.
_NO_DAY = date(1000, 1, 1)


class ParamError(QueryError):
    """A parameter of the query string is malformed; the message is meant for the reader."""


@dataclass
class SearchParams:
    """Everything the query string asks for, already checked."""

    request: SearchRequest
    q: str = ""
    date_from: str = ""  # as given, for the form
    date_to: str = ""
    undated: str = ""  # "", "1" or "only"
    granularity: str = "year"
    facet_limits: dict[str, int] = field(default_factory=dict)
    find: dict[str, str] = field(default_factory=dict)
    more: tuple[str, ...] = ()

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        return self.request.filters

    @property
    def exclude(self) -> dict[str, tuple[str, ...]]:
        return self.request.exclude

    @property
    def has_filters(self) -> bool:
        return bool(any(self.filters.values()) or any(self.exclude.values())
                    or self.date_from or self.date_to or self.undated == "only")


def parse_search_args(args: MultiDict) -> SearchParams:
    """Read and check the query string; raise ParamError with a message for the reader."""
    q = args.get("q", "").strip()
    filters = {f: _values(args, f, f) for f in FACETS}
    exclude = {f: _values(args, f"not_{f}", f) for f in FACETS}
    date_from_raw = args.get("from", "").strip()
    date_to_raw = args.get("to", "").strip()
    date_from = _day(date_from_raw, "from") if date_from_raw else None
    date_to = _day(date_to_raw, "to", end=True) if date_to_raw else None
    undated = _undated(args.get("undated", ""))
    sort = args.get("sort", "").strip() or ("relevance" if q else "newest")
    if sort not in SORTS:
        raise ParamError(gettext("Unknown sort order “%(sort)s”: use relevance, newest or oldest.",
                                 sort=sort))
    page = _int(args, "page", 1, 1, MAX_PAGE)
    per_page = _int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    base_limit = _int(args, "facet_limit", DEFAULT_FACET_LIMIT, 0, MAX_FACET_LIMIT)
    more = tuple(dict.fromkeys(_facet_names(args.getlist("more"), "more")))
    find = _find(args)
    granularity = _granularity(args.get("date", "auto").strip() or "auto", date_from, date_to)
    group = args.get("group", "").strip()[:MAX_GROUP_CHARS] or None

    include_undated = undated == "1"
    if undated == "only":
        date_from, date_to, include_undated = _NO_DAY, _NO_DAY, True
    elif date_from and date_to and date_from > date_to:
        raise ParamError(gettext("The start date is after the end date."))

    limits = {f: _facet_limit(f, base_limit, more, find) for f in FACETS}
    # The engine takes one limit for all facets; ask for the largest, cut each facet later.
    # (It lists selected values even when they are not among the most frequent.)
    engine_limit = 0 if 0 in limits.values() else max(limits.values())
    request = SearchRequest(
        query=q, all_words=args.get("all", "").strip() == "1",
        filters={f: v for f, v in filters.items() if v},
        exclude={f: v for f, v in exclude.items() if v},
        date_from=date_from, date_to=date_to, include_undated=include_undated,
        sort=sort, page=page, per_page=per_page, facet_limit=engine_limit,
        date_granularity=granularity, group=group,
    )
    request.validate()  # the engine's own checks, e.g. the query length
    return SearchParams(
        request=request, q=q, date_from=date_from_raw, date_to=date_to_raw, undated=undated,
        granularity=granularity, facet_limits=limits, find=find, more=more)


def _values(args: MultiDict, name: str, facet: str) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(facet_value(facet, v.strip()) for v in args.getlist(name)
                                 if v.strip()))
    if len(values) > MAX_VALUES_PER_FACET:
        raise ParamError(gettext("Too many values for “%(name)s” (at most %(n)d).",
                                 name=name, n=MAX_VALUES_PER_FACET))
    return values


def _day(value: str, name: str, end: bool = False) -> date:
    try:
        return period_end(value) if end else parse_day(value)
    except ValueError:
        raise ParamError(gettext(
            "“%(value)s” is not a date for “%(name)s”: use YYYY, YYYY-MM or YYYY-MM-DD.",
            value=value, name=name)) from None


def _undated(value: str) -> str:
    value = value.strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return ""
    if value in ("1", "true", "yes", "on"):
        return "1"
    if value == "only":
        return "only"
    raise ParamError(gettext("“undated” must be 1 (include undated articles) or only."))


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(gettext("“%(name)s” must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise ParamError(gettext("“%(name)s” must be between %(low)d and %(high)d.",
                                 name=name, low=low, high=high))
    return value


def _facet_names(names, param: str) -> list[str]:
    out = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name not in FACETS:
            raise ParamError(gettext("Unknown facet “%(name)s” in “%(param)s”: use %(facets)s.",
                                     name=name, param=param, facets=", ".join(FACETS)))
        out.append(name)
    return out


def _find(args: MultiDict) -> dict[str, str]:
    find = {}
    for facet in FACETS:
        text = args.get(f"find_{facet}", "").strip()
        if len(text) > MAX_FIND_CHARS:
            raise ParamError(gettext("The text to find is too long (at most %(n)d characters).",
                                     n=MAX_FIND_CHARS))
        if text:
            find[facet] = text
    return find


def _facet_limit(facet: str, base: int, more, find) -> int:
    if facet in find:
        return 0
    if facet in more:
        return MORE_LIMIT if base and base < MORE_LIMIT else base
    return base


def _granularity(value: str, date_from: date | None, date_to: date | None) -> str:
    if value not in GRANULARITIES:
        raise ParamError(gettext("“date” must be auto, year, month or day."))
    if value != "auto":
        return value
    return auto_granularity(date_from, date_to)


def auto_granularity(date_from: date | None, date_to: date | None) -> str:
    """Years; months when the range spans at most a year; days within a month."""
    if not (date_from and date_to):
        return "year"
    days = (date_to - date_from).days + 1
    if days <= 31:
        return "day"
    if days <= 366:
        return "month"
    return "year"


def search_params(pairs) -> str:
    """The query string of a search state, from (key, value) pairs: only SEARCH_KEYS, no blanks."""
    kept = [(k, v.strip()) for k, v in pairs if k in SEARCH_KEYS and v.strip()]
    return urlencode(kept)


def param_pairs(params: str) -> list[tuple[str, str]]:
    """(key, value) pairs of a stored query string."""
    return parse_qsl(params, keep_blank_values=False)
