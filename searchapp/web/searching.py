"""Run one search from a query string; shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ..search import MAX_PAGE, SearchResult
from ..search.query import match_notice
from .engine import engine
from .languages import current_locale
from .params import SearchParams, parse_search_args
from .presenter import DateView, FacetView, date_view, facet_views


@dataclass
class SearchPage:
    params: SearchParams
    result: SearchResult
    facets: dict[str, FacetView]
    dates: DateView
    locale: str

    @property
    def pages(self) -> int:
        """Pages of results, at most the engine's MAX_PAGE."""
        per_page = self.params.request.per_page
        return min(MAX_PAGE, max(1, -(-self.result.total // per_page)))

    @property
    def match_notice(self) -> str | None:
        """The sentence telling the reader the search relaxed (never silently), or None."""
        notice = match_notice(self.result.match)
        return gettext(notice[0], **notice[1]) if notice else None

    @property
    def strict(self) -> bool:
        """The reader asked for articles with every word of a query of several."""
        match = self.result.match
        return bool(self.params.request.all_words and match and match.mode == "all"
                    and match.words > 1)


def run_search(args: MultiDict) -> SearchPage:
    """Raises QueryError (ParamError included) with a message for the reader."""
    params = parse_search_args(args)
    result = engine().search(params.request)
    locale = current_locale()
    return SearchPage(params, result, facet_views(params, result, locale),
                      date_view(params, result, locale), locale)
