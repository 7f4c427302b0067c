"""Run one search from a query string; shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from ..search import MAX_PAGE, SearchResult
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


def run_search(args: MultiDict) -> SearchPage:
    """Raises QueryError (ParamError included) with a message for the reader."""
    params = parse_search_args(args)
    result = engine().search(params.request)
    locale = current_locale()
    return SearchPage(params, result, facet_views(params, result, locale),
                      date_view(params, result, locale), locale)
