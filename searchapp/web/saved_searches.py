"""Saved searches: save the search on screen, list, rename, delete, open by link, Atom feed.

`/s/<slug>` runs the stored search against today's archive for anyone with the link (when
ANONYMOUS_SEARCH is off, for anyone logged in). Opened by its owner, it also remembers the
newest publication date among the results, so the list can say how many are new since.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from html import unescape

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import saved as store
from ..search import UNDATED, QueryError, SearchRequest
from .auth import redirect_back, role_required
from .database import get_db
from .engine import engine
from .errors import found_or_404, user_message
from .languages import LANGUAGES, current_locale
from .params import SearchParams, param_pairs, parse_search_args, search_params
from .summary import summary_text
from .views import render_search

bp = Blueprint("saved", __name__)

# Publication dates before this are never indexed: "from here on" means "every dated article".
EARLIEST = date(1800, 1, 1)
ERRORS = {
    "name_missing": lambda: gettext("A saved search needs a name."),
    "name_long": lambda: gettext("The name is too long."),
    "note_long": lambda: gettext("The note is too long."),
    "search_long": lambda: gettext("This search is too long to save."),
}


# -- running a saved search ------------------------------------------------------------


def search_args(saved: store.SavedSearch) -> MultiDict:
    args = MultiDict(param_pairs(saved.params))
    lang = request.args.get("lang", "")
    if lang in LANGUAGES:
        args["lang"] = lang
    return args


def saved_params(saved: store.SavedSearch) -> SearchParams:
    """Raises QueryError when the stored search no longer parses."""
    return parse_search_args(MultiDict(param_pairs(saved.params)))


def _day_counts(request_: SearchRequest) -> dict[str, int]:
    """Dated matches per publication day (YYYY-MM-DD), from one search's day histogram."""
    result = engine().search(replace(request_, page=1, per_page=1, facet_limit=1,
                                     date_granularity="day"))
    return {b.value: b.count for b in result.dates if b.value != UNDATED}


def newest_day(request_: SearchRequest, days: dict[str, int] | None = None) -> str:
    """The newest publication day (YYYY-MM-DD) among the matches, or ""."""
    days = _day_counts(request_) if days is None else days
    return max(days, default="")


def new_count(request_: SearchRequest, last_seen: str, days: dict[str, int] | None = None) -> int:
    """Matches published after the day `last_seen` (every dated match since EARLIEST when it
    is ""). `days` (from _day_counts) spares the search when the caller has it already."""
    days = _day_counts(request_) if days is None else days
    after = last_seen or (EARLIEST - timedelta(days=1)).isoformat()
    return sum(n for day, n in days.items() if day > after)


def is_owner(saved: store.SavedSearch) -> bool:
    return current_user.is_authenticated and current_user.id == saved.owner_id


def _saved_or_404(slug: str) -> store.SavedSearch:
    return found_or_404(store.get(get_db(), slug))


@bp.get("/s/<slug>")
def open_saved(slug: str):
    saved = _saved_or_404(slug)
    new, last_seen = None, saved.last_seen
    if is_owner(saved):
        try:
            request_ = saved_params(saved).request
        except QueryError:
            pass  # the search page shows the error
        else:
            days = _day_counts(request_)  # one search for both
            new = new_count(request_, last_seen, days)
            store.mark_seen(get_db(), slug, newest_day(request_, days))
    return render_search(search_args(saved), saved=saved, new_count=new, last_seen=last_seen)


# -- the list and its changes ----------------------------------------------------------------


def own_entries(user_id: int) -> list[dict]:
    out = []
    for saved in store.list_own(get_db(), user_id):
        entry = {"saved": saved, "summary": "", "new": None, "error": None}
        try:
            params = saved_params(saved)
            entry["summary"] = summary_text(params, current_locale())
            entry["new"] = new_count(params.request, saved.last_seen)
        except QueryError as exc:
            entry["error"] = user_message(exc)
        out.append(entry)
    return out


def shared_entries(user_id: int) -> list[dict]:
    out = []
    for saved in store.list_shared(get_db(), except_user=user_id):
        try:
            summary = summary_text(saved_params(saved), current_locale())
        except QueryError:
            summary = ""
        out.append({"saved": saved, "summary": summary})
    return out


@bp.get("/saved")
@role_required("reader")
def list_saved():
    return render_template("saved_list.html", own=own_entries(current_user.id),
                           shared=shared_entries(current_user.id))


@bp.get("/api/saved")
@role_required("reader")
def list_saved_json():
    def links(saved):
        return {"html": url_for("saved.open_saved", slug=saved.slug, _external=True),
                "atom": url_for("saved.feed", slug=saved.slug, _external=True),
                "search": url_for("api.search", _external=True)
                + (f"?{saved.params}" if saved.params else "")}

    own = [{**e["saved"].to_json(), "new_since_last_seen": e["new"], "error": e["error"],
            "links": links(e["saved"])} for e in own_entries(current_user.id)]
    shared = [{**e["saved"].to_json(), "links": links(e["saved"])}
              for e in shared_entries(current_user.id)]
    return jsonify(own=own, shared=shared)


@bp.post("/saved")
@role_required("reader")
def create():
    form = request.form
    params = search_params(param_pairs(form.get("params", "")))
    back = url_for("pages.search") + (f"?{params}" if params else "")
    try:
        request_ = parse_search_args(MultiDict(param_pairs(params))).request
    except QueryError as exc:
        flash(user_message(exc), "error")
        return redirect(back)
    try:
        saved = store.create(get_db(), current_user.id, form.get("name", ""), params,
                             note=form.get("note", ""), shared=form.get("shared") == "1",
                             last_seen=newest_day(request_))
    except store.SavedSearchError as exc:
        flash(ERRORS[exc.code](), "error")
        return redirect(back)
    flash(gettext("Saved “%(name)s”. Its link opens this search on today’s archive.",
                  name=saved.name), "success")
    return redirect(url_for("saved.list_saved", _anchor=f"s-{saved.slug}"))


@bp.post("/s/<slug>/edit")
@role_required("reader")
def edit(slug: str):
    saved = _saved_or_404(slug)
    if not is_owner(saved):
        abort(403)
    form = request.form
    try:
        saved = store.update(get_db(), slug, form.get("name", ""), form.get("note", ""),
                             shared=form.get("shared") == "1")
    except store.SavedSearchError as exc:
        flash(ERRORS[exc.code](), "error")
    else:
        flash(gettext("Saved the changes to “%(name)s”.", name=saved.name), "success")
    return redirect_back(url_for("saved.list_saved"))


@bp.post("/s/<slug>/delete")
@role_required("reader")
def delete(slug: str):
    saved = _saved_or_404(slug)
    if not (is_owner(saved) or current_user.can("admin")):
        abort(403)
    store.delete(get_db(), slug)
    flash(gettext("Deleted the saved search “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("saved.list_saved"))


# -- the Atom feed -------------------------------------------------------------------------

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG = re.compile(r"<[^>]*>")


def xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def plain_snippet(snippet: str) -> str:
    """The hit's snippet (escaped HTML with <mark>) as plain text; the template escapes it."""
    return unescape(_TAG.sub("", snippet or ""))


def atom_date(value: str) -> str:
    """An ISO date or datetime as RFC 3339 (UTC when no offset is given)."""
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    if re.search(r"(Z|[+-]\d\d:?\d\d)$", value):
        return value
    return value + "Z"


@bp.get("/s/<slug>/feed.atom")
def feed(slug: str):
    saved = _saved_or_404(slug)
    try:
        request_ = saved_params(saved).request
    except QueryError as exc:
        abort(400, user_message(exc))
    # The page's own search, newest first. Undated matches come last and are left out:
    # a feed entry needs a date.
    request_ = replace(request_, sort="newest", page=1,
                       per_page=current_app.config["FEED_ENTRIES"])
    hits = [h for h in engine().search(request_).hits if h.published]
    entries = [{"id": h.id, "title": xml_text(h.title) or gettext("(untitled)"),
                "link": url_for("pages.article", article_id=h.id, _external=True),
                "date": atom_date(h.published), "summary": xml_text(plain_snippet(h.snippet))}
               for h in hits]
    updated = entries[0]["date"] if entries else saved.created
    body = render_template("saved_feed.xml", saved=saved, entries=entries, updated=updated,
                           name=xml_text(saved.name), note=xml_text(saved.note))
    return Response(body, mimetype="application/atom+xml")
