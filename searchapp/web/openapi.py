"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from .. import __version__
from ..export import MAX_EXPORT
from ..facets import REGISTRY
from ..model import FACETS
from ..search import MAX_PAGE, MAX_PER_PAGE
from ..search.query import QUERY_FIELDS
from .entities import segment
from .params import DEFAULT_FACET_LIMIT, DEFAULT_PER_PAGE, MAX_FACET_LIMIT, MORE_LIMIT


def _param(name, description, schema, repeat=False):
    if repeat:
        schema = {"type": "array", "items": schema}
    out = {"name": name, "in": "query", "required": False, "description": description,
           "schema": schema}
    if repeat:
        out.update(style="form", explode=True)
    return out


STRING = {"type": "string"}
PERIOD = {"type": "string", "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"}
FACET_NAME = {"type": "string", "enum": list(FACETS)}


def _facet_parameters() -> list[dict]:
    """Each registered facet's filter, exclusion and find parameters (`searchapp.facets`)."""
    filters = [_param(f.name, f.filter_help, STRING, True) for f in REGISTRY]
    excludes = [_param(f.not_param, f"Exclude articles with this {f.singular.lower()}.", STRING,
                       True) for f in REGISTRY]
    return filters + excludes


SEARCH_PARAMETERS = [
    _param("q", "Query; see the help page for the language (AND/OR/NOT, \"phrases\", "
           f"fields ({', '.join(f + ':' for f in QUERY_FIELDS)}), wildcards, fuzzy and "
           "proximity search, date ranges).", STRING),
    _param("all", "1: plain words need every word, never relaxed (see `match`).",
           {"type": "string", "enum": ["1"]}),
    *_facet_parameters(),
    _param("from", "Start of the date range: YYYY, YYYY-MM or YYYY-MM-DD.", PERIOD),
    _param("to", "End of the date range (the end of that year, month or day).", PERIOD),
    _param("undated", "1: keep undated articles in a date range; only: undated articles only.",
           {"type": "string", "enum": ["1", "only"]}),
    _param("sort", "Default: relevance with a query, newest without.",
           {"type": "string", "enum": ["relevance", "newest", "oldest"]}),
    _param("page", "Results page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                     "default": 1}),
    _param("per_page", "Hits per page.", {"type": "integer", "minimum": 1,
                                          "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}),
    _param("date", "Date histogram granularity; auto: years, months within a year, days "
           "within a month.", {"type": "string", "enum": ["auto", "year", "month", "day"],
                               "default": "auto"}),
    _param("facet_limit", "Values per facet (0 = all).",
           {"type": "integer", "minimum": 0, "maximum": MAX_FACET_LIMIT,
            "default": DEFAULT_FACET_LIMIT}),
    _param("more", f"Show up to {MORE_LIMIT} values of this facet.", FACET_NAME, True),
    *(_param(f.find_param, f.find_help, STRING) for f in REGISTRY),
    _param("group", "Every version of this near-duplicate group (a hit's `group`); without "
           "it, one hit stands for each group.", STRING),
    _param("lang", "Interface language for labels (en, fr); also set by Accept-Language.",
           {"type": "string", "enum": ["en", "fr"]}),
]

TAG = {"type": "object", "properties": {
    "facet": FACET_NAME, "value": STRING, "label": STRING,
    "origin": {"type": "string", "enum": ["auto", "source", "librarian"]}}}
NULLABLE_STRING = {"type": "string", "nullable": True}
SOURCE = {**STRING, "description": "Who published the article (\"Reuters\", a site's name)."}
SOURCE_NAME = {**STRING, "description": "The same as source (kept for older clients)."}
FACET_VALUE = {"type": "object", "properties": {
    "value": STRING, "label": STRING, "count": {"type": "integer"},
    "selected": {"type": "boolean"}, "excluded": {"type": "boolean"}}}
ERROR = {"description": "Error", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": STRING, "status": {"type": "integer"}}}}}}

SEARCH_RESULT = {"type": "object", "properties": {
    "query": STRING,
    "total": {"type": "integer", "description": "hits: one per near-duplicate group, unless "
              "`group` is asked for (facets and dates count articles)"},
    "page": {"type": "integer"},
    "per_page": {"type": "integer"},
    "pages": {"type": "integer"},
    "sort": STRING,
    "filters": {"type": "object"},
    "hits": {"type": "array", "items": {"type": "object", "properties": {
        "id": STRING, "title": STRING, "url": NULLABLE_STRING, "source": SOURCE,
        "title_derived": {"type": "boolean", "description": "the source gave no title: "
                          "`title` is the text's first sentence"},
        "source_name": SOURCE_NAME,
        "published": {**NULLABLE_STRING, "description": "ISO 8601 date or date-time"},
        "snippet": {**STRING, "description": "HTML: escaped text, matches in <mark>"},
        "tags": {"type": "array", "items": TAG},
        "group": {**NULLABLE_STRING, "description": "its near-duplicate group (wire copies, "
                  "repeats, edited versions of one story): the id of the group's first article"},
        "versions": {"type": "integer", "description": "other articles of its group that "
                     "match, shown as this one hit (links.versions lists them all)"},
        "links": {"type": "object"}}}},
    "facets": {"type": "object", "description": "Per facet, the values by count (a facet's "
               "own selection left out of its counts), then selected and excluded values.",
               "additionalProperties": {"type": "array", "items": FACET_VALUE}},
    "facet_totals": {"type": "object", "additionalProperties": {"type": "integer"}},
    "dates": {"type": "object", "properties": {
        "granularity": {"type": "string", "enum": ["year", "month", "day"]},
        "buckets": {"type": "array", "items": {"type": "object", "properties": {
            "value": {**STRING, "description": "YYYY, YYYY-MM, YYYY-MM-DD or undated"},
            "label": STRING, "count": {"type": "integer"},
            "from": STRING, "to": STRING}}}}},
    "suggestion": NULLABLE_STRING,
    "match": {"type": "object", "nullable": True, "description": (
        "How the query's words were matched (null when browsing). all: articles with every "
        "word; relaxed: fewer than ten articles have every word of this keyword query, so "
        "articles with at least `at_least` of its `words` are shown (the page says so; "
        "all=1 asks for every word); question: a long plain query, matched the same way; "
        "operators: AND / OR / NOT, phrases, fields or wildcards decide."),
        "properties": {
            "mode": {"type": "string", "enum": ["all", "relaxed", "question", "operators"]},
            "words": {"type": "integer", "description": "distinct words searched"},
            "at_least": {"type": "integer", "description": "words each article has at least"},
            "with_all": {"type": "integer", "description": "articles with every word"}}},
}}

ARTICLE = {"type": "object", "properties": {
    "id": STRING, "title": STRING, "url": NULLABLE_STRING, "source": SOURCE,
    "title_derived": {"type": "boolean", "description": "the source gave no title: "
                      "`title` is the text's first sentence"},
    "source_name": SOURCE_NAME, "published": NULLABLE_STRING, "byline": NULLABLE_STRING,
    "language": NULLABLE_STRING, "body": {**STRING, "description": "paragraphs separated by "
                                          "a blank line"},
    "tags": {"type": "array", "items": TAG},
    "links": {"type": "object"},
    "group": NULLABLE_STRING,
    "versions": {"type": "array", "description": "the other articles of its group, oldest "
                 "first", "items": {"type": "object"}},
    "more_like_this": {"type": "array", "items": {"type": "object"}}}}


SAVED_SEARCH = {"type": "object", "properties": {
    "slug": STRING, "name": STRING, "note": STRING, "owner": STRING,
    "shared": {"type": "boolean"},
    "params": {**STRING, "description": "the search as a query string (same parameters as "
               "/api/search)"},
    "created": STRING, "last_seen": NULLABLE_STRING,
    "links": {"type": "object", "description": "html (/s/<slug>), atom (its feed), search (JSON)"}}}
LOGIN_NOTE = ("Needs a logged-in session (the login page's cookie): 401 without one, 403 "
              "without the role.")


def _logged_in(summary: str, schema: dict, role: str) -> dict:
    return {"get": {"summary": summary, "description": f"Role: {role}. {LOGIN_NOTE}",
                    "responses": {"200": {"description": summary, "content": {
                        "application/json": {"schema": schema}}},
                        "401": ERROR, "403": ERROR}}}


ACCOUNT_PATHS = {
    "/api/saved": _logged_in("My saved searches and the shared ones", {
        "type": "object", "properties": {
            "own": {"type": "array", "items": {"allOf": [SAVED_SEARCH, {"type": "object",
                    "properties": {"new_since_last_seen": {"type": "integer", "nullable": True},
                                   "error": NULLABLE_STRING}}]}},
            "shared": {"type": "array", "items": SAVED_SEARCH}}}, "reader"),
    "/api/audit": _logged_in("The latest curation changes, newest first", {
        "type": "object", "properties": {"entries": {"type": "array", "items": {
            "type": "object", "properties": {
                "id": {"type": "integer"}, "at": STRING, "user": NULLABLE_STRING,
                "action": STRING, "summary": STRING,
                "undoes": {"type": "integer", "nullable": True},
                "undone_by": {"type": "integer", "nullable": True},
                "change": {"type": "object", "description": "rows with before and after"}}}}}},
        "librarian"),
    "/api/vocabularies/{name}": {"get": {
        **_logged_in("The person authority file or the topic taxonomy the next ingest uses", {
            "type": "object", "properties": {
                "name": STRING, "source": {"type": "string", "enum": ["shipped", "edited"]},
                "updated": NULLABLE_STRING, "count": {"type": "integer"},
                "entries": {"type": "array", "items": {"type": "object"}}}},
            "librarian")["get"],
        "parameters": [{"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": ["persons", "topics"]}}]}},
}


EXPORT_PARAMETERS = [
    *[p for p in SEARCH_PARAMETERS if p["name"] not in (
        "page", "per_page", "date", "facet_limit", "more", "find_country", "find_person",
        "find_topic")],
    _param("format", "csv (a row per article, tags as labels, the first paragraph as summary; "
           "cells starting with = + - @ get a leading ' so spreadsheets do not run them), "
           "jsonl (one article per line, with its body, in the fields `searchapp index` reads) "
           "or ris (Zotero, EndNote).",
           {"type": "string", "enum": ["csv", "jsonl", "ris"], "default": "csv"}),
    _param("limit", f"Export the first N articles in the sort order. Without it a search "
           f"finding more than {MAX_EXPORT:,} articles is refused (400).",
           {"type": "integer", "minimum": 1, "maximum": MAX_EXPORT}),
]
EXPORT_PATH = {"get": {
    "summary": "Export a whole result set (every page, in the sort order), streamed",
    "description": "Takes the search's own parameters (as /api/search) and answers with the "
                   "articles as a download; X-Total-Count says how many articles the search "
                   "finds, X-Export-Count how many are in the export.",
    "parameters": EXPORT_PARAMETERS,
    "responses": {
        "200": {"description": "The articles", "content": {
            "text/csv": {"schema": STRING},
            "application/x-ndjson": {"schema": STRING},
            "application/x-research-info-systems": {"schema": STRING}}},
        "400": ERROR}}}


NAMED_VALUE = {"type": "object", "properties": {
    "value": STRING, "label": STRING, "count": {"type": "integer"},
    "search": {**STRING, "description": "the search for articles with both values"},
    "page": {**STRING, "description": "the value's own page"}}}
ENTITY = {"type": "object", "properties": {
    "facet": STRING, "value": STRING, "label": STRING,
    "total": {"type": "integer", "description": "articles with the value"},
    "aliases": {"type": "array", "items": STRING,
                "description": "people: the authority file's aliases"},
    "names": {"type": "array", "description": "countries: the name in other languages",
              "items": {"type": "object", "properties": {"language": STRING, "name": STRING}}},
    "parent": {"type": "object", "nullable": True, "description": "topics: the broader topic"},
    "children": {"type": "array", "description": "topics: the narrower topics",
                 "items": {"type": "object"}},
    "coverage": {"type": "array", "description": "articles per year (the date histogram), "
                 "each with its search", "items": {"type": "object"}},
    "granularity": STRING,
    "related": {"type": "object", "description": "per other facet, the values most often "
                "named with this one (one search filtered on it)",
                "additionalProperties": {"type": "array", "items": NAMED_VALUE}},
    "latest": {"type": "array", "items": {"type": "object"}},
    "links": {"type": "object"}}}


COLLECTION = {"type": "object", "properties": {
    "slug": STRING, "name": STRING, "description": STRING, "owner": STRING,
    "shared": {"type": "boolean", "description": "open to any signed-in user with its link, "
               "and listed for librarians"},
    "created": STRING, "updated": STRING, "count": {"type": "integer"},
    "links": {"type": "object", "description": "html, json; on one collection also export "
              "(csv, jsonl, ris: /collections/<slug>/export?format=...)"}}}
COLLECTION_PATHS = {
    "/api/collections": _logged_in("My collections, and (for librarians) every shared one", {
        "type": "object", "properties": {
            "own": {"type": "array", "items": COLLECTION},
            "shared": {"type": "array", "items": COLLECTION}}}, "reader"),
    "/api/collections/{slug}": {"get": {
        **_logged_in("One collection with its articles and notes, in the order added", {
            "allOf": [COLLECTION, {"type": "object", "properties": {"items": {
                "type": "array", "items": {"type": "object", "properties": {
                    "id": STRING, "title": STRING, "note": STRING, "added": STRING,
                    "in_index": {"type": "boolean"}, "source": STRING,
                    "published": NULLABLE_STRING, "links": {"type": "object"}}}}}}]},
            "reader (the owner, or anyone for a shared collection; 404 otherwise)")["get"],
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": STRING}]}},
}


def entity_paths() -> dict:
    """/api/people/{value}, /api/countries/{value}, ...: one per facet of FACETS."""
    return {f"/api/{segment(facet)}/{{value}}": {"get": {
        "summary": f"The page of one {facet}: coverage over time, the values named with it, "
                   "aliases, the latest articles",
        "parameters": [{"name": "value", "in": "path", "required": True, "schema": STRING}],
        "responses": {"200": {"description": "The value's page as data", "content": {
            "application/json": {"schema": ENTITY}}}, "404": ERROR}}}
        for facet in FACETS}


def server_url(config, script_root: str) -> str:
    """Where the API is, as the document names it: relative to the document's own address,
    or the configured SERVER_NAME, never the request's Host header (a forged Host would
    have sent a client generated from the document to another site)."""
    if config.get("SERVER_NAME"):
        return f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}{script_root}"
    return script_root or "/"


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "searchapp news archive API", "version": __version__,
                 "description": "Full-text search with faceted browsing. The search page "
                                "takes the same parameters as /api/search."},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {"get": {
                "summary": "Search the archive",
                "parameters": SEARCH_PARAMETERS,
                "responses": {
                    "200": {"description": "Results", "content": {
                        "application/json": {"schema": SEARCH_RESULT}}},
                    "400": ERROR}}},
            "/api/articles/{id}": {"get": {
                "summary": "One article",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": STRING}],
                "responses": {
                    "200": {"description": "The article", "content": {
                        "application/json": {"schema": ARTICLE}}},
                    "404": ERROR}}},
            "/api/export": EXPORT_PATH,
            **entity_paths(),
            **COLLECTION_PATHS,
            **ACCOUNT_PATHS,
        },
    }
