"""The pages: search (with facets), article, help."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_number
from flask_login import current_user

from ..curation import vocabulary_in_effect
from ..facets import REGISTRY
from ..model import FACETS
from ..search import MAX_PAGE, MAX_QUERY_CHARS, QueryError
from .database import get_db
from .engine import engine
from .errors import found_or_404, user_message
from .highlight import highlight, paragraphs, query_terms
from .labels import (
    FACET_ADD_LABELS,
    FACET_NAMES,
    FACET_PLACEHOLDERS,
    FACET_PLURALS,
    ORIGIN_NAMES,
    ORIGIN_SHORT,
    Translated,
    language_name,
)
from .languages import LANGUAGE_NAMES, LANGUAGES, current_locale
from .links import SearchLinks
from .params import search_params
from .presenter import published, source_name, tag_views, timestamp
from .searching import run_search
from .summary import summary_text

bp = Blueprint("pages", __name__)


@bp.get("/")
def search():
    return render_search(request.args)


def render_search(args, **extra):
    """The search page for a query string; `extra` goes to the template (a saved search)."""
    links = SearchLinks(args)
    try:
        page = run_search(args)
    except QueryError as exc:
        return render_template("search.html", page=None, error=user_message(exc), links=links,
                               q=args.get("q", ""), **extra), 400
    return render_template("search.html", page=page, error=None, links=links,
                           q=page.params.q, doc_count=_doc_count(page),
                           save_form=_save_form(page, links), **extra)


def _save_form(page, links) -> dict | None:
    """What the "Save this search" form stores: the whole search state, and a name for it."""
    if not current_user.is_authenticated:
        return None
    return {"params": search_params(links.args.items(multi=True)),
            "name": summary_text(page.params, page.locale)[:200]}


def _doc_count(page) -> int | None:
    """The archive's size, asked only when a search finds nothing (to tell an empty archive)."""
    return None if page.result.total else engine().doc_count()


# A long article is shown in parts of about this many characters, each with a link to the
# next: a 20 MB article was a 20 MB page, and highlighting it took 15 s.
ARTICLE_PART_CHARS = 100_000


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = found_or_404(engine().get(article_id))
    q = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    terms = query_terms(q)
    locale = current_locale()
    parts = part_count(found.body)
    part = min(max(request.args.get("part", 1, type=int), 1), parts)
    return render_template(
        "article.html", article=found, q=q, part=part, parts=parts,
        title_html=highlight(found.title, terms),
        paragraphs=[highlight(p, terms) for p in paragraphs(body_part(found.body, part))],
        tags=tag_views(found.tags, locale), original_url=web_url(found.url),
        similar=engine().more_like_this(article_id, current_app.config["MORE_LIKE_THIS"]),
        versions=engine().versions(article_id),
        topic_choices=_topic_choices() if current_user.can("librarian") else None,
    )


def part_count(body: str) -> int:
    return max(1, -(-len(body) // ARTICLE_PART_CHARS))


def body_part(body: str, part: int) -> str:
    """The `part`-th (from 1) stretch of a long body, cut between paragraphs or words."""
    if len(body) <= ARTICLE_PART_CHARS:
        return body
    return body[_part_start(body, part - 1):_part_start(body, part)]


def _part_start(body: str, n: int) -> int:
    """Where part n+1 starts: the last paragraph break, else space, in the half-part
    before n parts' length (so the parts tile the body and each is found on its own)."""
    at = n * ARTICLE_PART_CHARS
    if at <= 0 or at >= len(body):
        return min(max(at, 0), len(body))
    lo = at - ARTICLE_PART_CHARS // 2
    for sep in ("\n\n", "\n", " "):
        cut = body.rfind(sep, lo, at)
        if cut >= 0:
            return cut + len(sep)
    return at


def _topic_choices() -> list[tuple[str, str]]:
    """(id, label) of the topics in the taxonomy the tagger uses, for the add-tag form."""
    return [(t["id"], t.get("label", t["id"])) for t in vocabulary_in_effect(get_db(), "topics")]


@bp.get("/help")
def help_page():
    return render_template("help.html")


# -- template helpers ------------------------------------------------------------------


# Facets listed among a result's tags (a result shows its source as its publication).
HIT_TAG_FACETS = tuple(f.name for f in REGISTRY if f.in_hit_tags)


def register_template_helpers(app) -> None:
    app.jinja_env.globals.update(
        FACETS=FACETS, FACET_NAMES=Translated(FACET_NAMES),
        FACET_PLURALS=Translated(FACET_PLURALS),
        FACET_ADD_LABELS=Translated(FACET_ADD_LABELS),
        FACET_PLACEHOLDERS=Translated(FACET_PLACEHOLDERS), HIT_TAG_FACETS=HIT_TAG_FACETS,
        ORIGIN_NAMES=Translated(ORIGIN_NAMES), ORIGIN_SHORT=Translated(ORIGIN_SHORT),
        MAX_PAGE=MAX_PAGE,
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
        link_for=link_for, lang_url=lang_url, search_url=search_url,
        published=published, number=format_number, source_name=source_name,
        current_locale=current_locale, page_numbers=page_numbers, tag_views=tag_views,
        timestamp=timestamp, language_name=language_name,
    )


def link_for(endpoint: str, **values) -> str:
    """url_for that keeps a language chosen with ?lang= in the link."""
    lang = request.args.get("lang", "")
    if lang in LANGUAGES:
        values.setdefault("lang", lang)
    values = {k: v for k, v in values.items() if v not in (None, "")}
    return url_for(endpoint, **values)


def search_url(**values) -> str:
    """A fresh search: /?q=...&country=..., keeping the chosen language."""
    return link_for("pages.search", **values)


def lang_url(code: str) -> str:
    args = request.args.copy()
    args["lang"] = code
    return f"{request.path}?{urlencode(list(args.items(multi=True)))}"


def web_url(url: str | None) -> str | None:
    """Only http(s) addresses become links: a source could give `javascript:`."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: page numbers with None for a gap."""
    last = min(last, MAX_PAGE)
    wanted = {1, last} | set(range(max(1, current - around), min(last, current + around) + 1))
    out: list[int | None] = []
    previous = 0
    for n in sorted(wanted):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out
