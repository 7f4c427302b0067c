"""A search state in words ("Country: France, Germany; From: 1 Mar 2019"), for saved
searches and bulk tagging, where the search is shown rather than refined."""

from __future__ import annotations

from flask_babel import gettext

from ..model import FACETS
from .labels import FACET_NAMES, label
from .params import SearchParams
from .presenter import published


def search_summary(params: SearchParams, locale: str) -> list[tuple[str, str]]:
    """(what, value) lines; empty for "every article"."""
    lines = []
    if params.q:
        lines.append((gettext("Query"), params.q))
    for facet in FACETS:
        values = params.filters.get(facet, ())
        if values:
            lines.append((str(FACET_NAMES[facet]), ", ".join(label(facet, v, locale) for v in values)))
    for facet in FACETS:
        values = params.exclude.get(facet, ())
        if values:
            lines.append((gettext("Not %(facet)s", facet=FACET_NAMES[facet]),
                          ", ".join(label(facet, v, locale) for v in values)))
    request = params.request
    if params.undated == "only":
        lines.append((str(FACET_NAMES["date"]), gettext("undated only")))
    elif request.date_from or request.date_to:
        start = published(request.date_from.isoformat()) if request.date_from else "…"
        end = published(request.date_to.isoformat()) if request.date_to else "…"
        text = f"{start} – {end}"
        if params.undated == "1":
            text += " " + gettext("(and undated)")
        lines.append((str(FACET_NAMES["date"]), text))
    return lines


def summary_text(params: SearchParams, locale: str) -> str:
    lines = search_summary(params, locale)
    if not lines:
        return gettext("All articles")
    if len(lines) == 1 and params.q:
        return params.q
    return "; ".join(f"{what}: {value}" for what, value in lines)
