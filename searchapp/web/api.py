"""The JSON API: the same search as the page, as data."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from ..model import FACETS
from ..search import QueryError
from .engine import engine
from .errors import error_response, found_or_404, user_message
from .languages import current_locale
from .links import article_urls
from .openapi import openapi_document, server_url
from .presenter import source_name, tag_views
from .searching import SearchPage, run_search

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    try:
        page = run_search(request.args)
    except QueryError as exc:
        return error_response(400, user_message(exc))
    return jsonify(search_json(page))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = found_or_404(engine().get(article_id))
    locale = current_locale()
    similar = engine().more_like_this(article_id, current_app.config["MORE_LIKE_THIS"])
    versions = engine().versions(article_id)
    return jsonify(
        id=found.id, title=found.title, title_derived=found.title_derived, url=found.url,
        source=source_name(found.publication, found.url, found.tags),
        source_name=source_name(found.publication, found.url, found.tags), published=found.published,
        byline=found.byline, language=found.language, body=found.body,
        tags=tag_views(found.tags, locale), group=found.group,
        versions=[dict(id=h.id, title=h.title, published=h.published,
                       source=source_name(h.publication, h.url),
                       url=url_for("api.article", article_id=h.id, _external=True))
                  for h in versions],
        links=dict(html=url_for("pages.article", article_id=found.id, _external=True)),
        more_like_this=[dict(id=h.id, title=h.title, published=h.published,
                             url=url_for("api.article", article_id=h.id, _external=True))
                        for h in similar],
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(server_url(current_app.config, request.script_root)))


def search_json(page: SearchPage) -> dict:
    params, result, locale = page.params, page.result, page.locale
    request_ = params.request
    return {
        "query": params.q,
        "total": result.total,
        "page": request_.page,
        "per_page": request_.per_page,
        "pages": page.pages,
        "sort": request_.sort,
        "filters": filters_json(params),
        "hits": hit_jsons(result.hits, params.q, locale),
        "facets": {name: [v.to_json() for v in view.values] for name, view in page.facets.items()},
        "facet_totals": {name: view.total for name, view in page.facets.items()},
        "dates": page.dates.to_json(),
        "suggestion": result.suggestion,
        # How the words were matched: all of them, or (relaxed) at least some.
        "match": result.match.to_json() if result.match else None,
    }


def hit_jsons(hits, q: str, locale: str) -> list[dict]:
    html, data = article_urls("pages.article"), article_urls("api.article")
    out = []
    for h in hits:
        source = source_name(h.publication, h.url, h.tags)
        links = {"html": html(h.id), "json": data(h.id)}
        if h.versions:  # the hit stands for its group's matching versions: here they all are
            links["versions"] = url_for("api.search", q=q or None, group=h.group, _external=True)
        out.append({"id": h.id, "title": h.title, "title_derived": h.title_derived,
                    "url": h.url, "source": source, "source_name": source,
                    "published": h.published, "snippet": h.snippet,
                    "tags": tag_views(h.tags, locale), "group": h.group,
                    "versions": h.versions, "links": links})
    return out


def filters_json(params) -> dict:
    out: dict[str, list[str] | str | None] = {f: list(params.filters.get(f, ())) for f in FACETS}
    out.update({f"not_{f}": list(params.exclude.get(f, ())) for f in FACETS})
    dated = params.undated != "only"  # "only undated" is not a date range to show
    start, end = params.request.date_from, params.request.date_to
    out["from"] = start.isoformat() if start and dated else None
    out["to"] = end.isoformat() if end and dated else None
    out["undated"] = params.undated or None
    out["group"] = params.request.group
    return out
