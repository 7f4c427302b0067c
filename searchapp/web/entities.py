"""Entity pages: one page per facet value (/people/<name>, /countries/<code>, /topics/<id>,
and /organisations/<name>, /sources/<name> where those facets exist), and its JSON under /api.

A page is ONE search filtered on the value: its date histogram is the coverage over time,
its other facets' counts are the values most often named with it (each linking to the
combined search), its newest hits are the latest articles. The authority files add what
the archive cannot say: a person's aliases, a country's names in other languages, a topic's
broader and narrower topics. Routes are made for every facet of `searchapp.model.FACETS`,
so a facet registered later gets its pages with no change here.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, jsonify, render_template, url_for
from werkzeug.datastructures import MultiDict

from ..curation import shipped_vocabulary, stored_vocabulary
from ..model import FACETS
from ..search import QueryError, facet_value
from ..tagging.labels import country_label
from .database import get_db
from .errors import error_response, found_or_404, user_message
from .labels import FACET_NAMES, FACET_PLURALS, label
from .links import article_urls
from .presenter import source_name, tag_views
from .searching import SearchPage, run_search

bp = Blueprint("entities", __name__)

# facet -> the path segment of its pages; a facet not listed gets its name plus "s".
SEGMENTS = {"person": "people", "country": "countries", "topic": "topics",
            "organisation": "organisations", "source": "sources"}
LATEST = 10  # articles listed
RELATED = 10  # values listed per other facet
# A country's name in these languages (Babel/CLDR), besides the reader's own.
NAME_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "ar", "zh", "ja")


def segment(facet: str) -> str:
    return SEGMENTS.get(facet, f"{facet}s")


def entity_url(facet: str, value: str, **values) -> str:
    """The value's page, or its search when the facet has no pages (e.g. "date")."""
    if facet not in FACETS:
        return search_link({facet: value})
    return url_for(f"entities.{facet}", value=value, **values)


def search_link(params: dict, external: bool = False) -> str:
    return url_for("pages.search", _external=external, **params)


def _page_view(facet: str):
    def view(value: str):
        return render_entity(facet, value)
    return view


def _json_view(facet: str):
    def view(value: str):
        return entity_json(facet, value)
    return view


for _facet in FACETS:
    # <path:> so that a value with a slash ("AC/DC") is one value, not a 404.
    bp.add_url_rule(f"/{segment(_facet)}/<path:value>", _facet, _page_view(_facet))
    bp.add_url_rule(f"/api/{segment(_facet)}/<path:value>", f"{_facet}_json", _json_view(_facet))


# -- what a page shows ---------------------------------------------------------------------


def entity_search(facet: str, value: str) -> SearchPage:
    """The one search of a page: every article with the value, newest first."""
    args = MultiDict([(facet, value), ("sort", "newest"), ("per_page", str(LATEST)),
                      ("facet_limit", str(RELATED))])
    page = run_search(args)
    return found_or_404(page if page.result.total else None)


def related(page: SearchPage, facet: str, value: str) -> dict[str, list[dict]]:
    """Per other facet, the values most often named with this one, with their combined
    searches. (This facet's own counts leave its selection out: they are not related.)"""
    out = {}
    for other, view in page.facets.items():
        if other == facet:
            continue
        out[other] = [{"value": v.value, "label": v.label, "count": v.count,
                       "search": search_link({facet: value, other: v.value}),
                       "page": entity_url(other, v.value)}
                      for v in view.values if v.count and not v.selected][:RELATED]
    return out


def aliases(facet: str, value: str) -> dict:
    """What the authority files know: aliases, names in other languages, broader and
    narrower topics (each {"value", "label"})."""
    if facet == "person":
        return {"aliases": person_aliases(value)}
    if facet == "country":
        return {"names": country_names(value)}
    if facet == "topic":
        return topic_family(value)
    return {}


def person_aliases(name: str) -> list[str]:
    return [a for a in authority("persons").get(name, ()) if a != name]


def country_names(code: str) -> list[dict]:
    """[{"language", "name"}] of the country in NAME_LANGUAGES, each name once."""
    seen, out = {label("country", code)}, []
    for language in NAME_LANGUAGES:
        name = country_label(code, language)
        if name != code and name not in seen:
            seen.add(name)
            out.append({"language": language, "name": name})
    return out


def topic_family(topic_id: str) -> dict:
    parents = authority("topics")
    parent = parents.get(topic_id)
    children = [t for t, p in parents.items() if p == topic_id]

    def named(t):
        return {"value": t, "label": label("topic", t), "page": entity_url("topic", t)}
    return {"parent": named(parent) if parent else None,
            "children": [named(c) for c in children]}


def authority(name: str) -> dict:
    """The vocabulary in effect, indexed: persons -> {name: aliases}, topics -> {id: parent}.
    The shipped one is read and indexed once per process; an edited one (rare) each time,
    as the librarians may have changed it in another process."""
    stored = stored_vocabulary(get_db(), name)
    return _shipped_index(name) if stored is None else _index(name, stored["entries"])


@lru_cache(maxsize=2)
def _shipped_index(name: str) -> dict:
    # The shipped taxonomy is a large JSON (its rules): parsed on every page it took more
    # time than the page's search.
    return _index(name, shipped_vocabulary(name))


def _index(name: str, entries: list[dict]) -> dict:
    if name == "persons":
        return {e["name"]: tuple(e.get("aliases", ())) for e in entries if e.get("name")}
    return {t["id"]: t.get("parent") for t in entries if t.get("id")}


def coverage(page: SearchPage, facet: str, value: str) -> list[dict]:
    """The date histogram's buckets, each with the search of that period."""
    out = []
    for bucket in page.dates.buckets:
        if bucket.gap:
            continue
        item = bucket.to_json() | {"percent": bucket.percent, "undated": bucket.undated}
        dates = {"undated": "only"} if bucket.undated else {"from": item["from"],
                                                              "to": item["to"]}
        item["search"] = search_link({facet: value, **dates})
        out.append(item)
    return out


def latest(page: SearchPage) -> list[dict]:
    html, data = article_urls("pages.article"), article_urls("api.article")
    return [{"id": h.id, "title": h.title, "title_derived": h.title_derived,
             "source": source_name(h.publication, h.url), "published": h.published,
             "tags": tag_views(h.tags, page.locale),
             "links": {"html": html(h.id), "json": data(h.id)}}
            for h in page.result.hits]


def entity(facet: str, raw_value: str) -> dict:
    """Everything a page or its JSON shows. Raises QueryError; 404 when no article has it."""
    value = facet_value(facet, raw_value.strip())
    page = entity_search(facet, value)
    return {"facet": facet, "value": value, "label": label(facet, value),
            "total": page.result.total, **aliases(facet, value),
            "coverage": coverage(page, facet, value), "granularity": page.dates.granularity,
            "related": related(page, facet, value), "latest": latest(page),
            "links": {"html": entity_url(facet, value, _external=True),
                      "json": url_for(f"entities.{facet}_json", value=value, _external=True),
                      "search": search_link({facet: value}, external=True)}}


# -- the views -------------------------------------------------------------------------------


def render_entity(facet: str, value: str):
    try:
        data = entity(facet, value)
    except QueryError as exc:
        return error_response(400, user_message(exc))
    return render_template("entity.html", e=data, facet_name=FACET_NAMES.get(facet, facet),
                           plurals=FACET_PLURALS)


def entity_json(facet: str, value: str):
    try:
        return jsonify(entity(facet, value))
    except QueryError as exc:
        return error_response(400, user_message(exc))


@bp.app_template_global()
def entity_link(facet: str, value: str) -> str:
    """For templates: a tag's or a facet value's page."""
    return entity_url(facet, value)
