"""Exports: a whole result set as CSV, JSON Lines or RIS, streamed.

`/export?<the search's parameters>&format=csv|jsonl|ris` (the results page links to it) and
`/api/export` (the same, with JSON errors) take the page's own parameters, so an export holds
what the page shows, in its order (relevance, newest or oldest), every page of it. A result
set larger than MAX_EXPORT is refused with a message unless `limit` asks for its first N.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Blueprint, Response, request, stream_with_context
from flask_babel import format_number, gettext
from werkzeug.datastructures import MultiDict

from ..export import FORMATS, MAX_EXPORT, write
from ..model import Article
from ..search import QueryError
from .engine import engine
from .errors import error_response, user_message
from .links import SearchLinks, article_urls
from .params import ParamError, parse_search_args

bp = Blueprint("export", __name__)

# (format, label) as the results page lists them.
FORMAT_LABELS = (("csv", "CSV"), ("jsonl", "JSON Lines"), ("ris", "RIS"))


@bp.get("/export")
def export_page():
    return export_search(request.args)


@bp.get("/api/export")
def export_api():
    return export_search(request.args)


def export_search(args: MultiDict):
    try:
        fmt = export_format(args)
        params = parse_search_args(args)
        limit = export_limit(args)
        articles = engine().export(params.request, limit)
        if articles.total > MAX_EXPORT and not args.get("limit"):
            raise ParamError(gettext(
                "This search finds %(total)s articles; an export holds at most %(most)s. "
                "Narrow the search (a date range or a filter), or export its first %(most)s.",
                total=format_number(articles.total), most=format_number(MAX_EXPORT)))
    except QueryError as exc:
        return error_response(400, user_message(exc))
    total = articles.total
    return stream(fmt, articles, "articles", {"X-Total-Count": str(total),
                                              "X-Export-Count": str(min(total, limit))})


def export_format(args: MultiDict) -> str:
    fmt = args.get("format", "").strip().lower() or "csv"
    if fmt not in FORMATS:
        raise ParamError(gettext("Unknown export format “%(format)s”: use csv, jsonl or ris.",
                                 format=fmt))
    return fmt


def export_limit(args: MultiDict) -> int:
    raw = args.get("limit", "").strip()
    if not raw:
        return MAX_EXPORT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXPORT:
        raise ParamError(gettext("“limit” must be a whole number between 1 and %(most)s.",
                                 most=format_number(MAX_EXPORT)))
    return int(raw)


def stream(fmt: str, articles: Iterable[Article], name: str, headers: dict | None = None):
    """A download of the articles, written while they are sent (never whole in memory)."""
    link = article_urls("pages.article")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    filename = f"{name}-{stamp}.{FORMATS[fmt].extension}"
    chunks = stream_with_context(write(fmt, articles, link))
    return Response(chunks, content_type=FORMATS[fmt].media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})})


@bp.app_template_global()
def max_export() -> int:
    return MAX_EXPORT


@bp.app_template_global()
def export_links(links: SearchLinks, total: int) -> list[tuple[str, str]]:
    """(label, url) of the results page's export links; past MAX_EXPORT results they ask
    for the first MAX_EXPORT (the page says so)."""
    args = links.args.copy()
    for key in ("page", "per_page", "format", "limit"):
        args.pop(key, None)
    if total > MAX_EXPORT:
        args["limit"] = str(MAX_EXPORT)
    out = []
    for fmt, label in FORMAT_LABELS:
        args["format"] = fmt
        out.append((label, links.url(args, endpoint="export.export_page")))
    return out
