"""Curation of tags: add or remove one article's tag, rename, merge or delete a value
everywhere (after a preview), tag every result of a search at once (after a preview)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..model import FACETS
from ..search import QueryError, SearchRequest
from ..tagging.normalize import normalize_tag
from .auth import redirect_back, role_required
from .curation import bp, checked_tag, run_change, tag_label
from .database import curator
from .engine import engine
from .errors import found_or_404, user_message
from .labels import label
from .languages import current_locale
from .params import param_pairs, parse_search_args, search_params
from .summary import search_summary


def count_with(facet: str, value: str) -> int:
    """Articles that have the value now."""
    return engine().search(SearchRequest(filters={facet: (value,)}, per_page=1, facet_limit=1)).total


# -- tags of one article ---------------------------------------------------------------


def _article_or_404(article_id: str):
    return found_or_404(engine().get(article_id))


@bp.post("/articles/<article_id>/tags/add")
@role_required("librarian")
def add_tag(article_id: str):
    _article_or_404(article_id)
    facet = request.form.get("facet", "")
    tag = checked_tag(facet, request.form.get("value", ""))
    if tag is not None:
        run_change(lambda: curator().add_tag(current_user.id, article_id, facet, tag.value),
                   lambda r: gettext("Added “%(label)s”.", label=tag_label(tag)))
    return redirect_back(url_for("pages.article", article_id=article_id))


@bp.post("/articles/<article_id>/tags/remove")
@role_required("librarian")
def remove_tag(article_id: str):
    _article_or_404(article_id)
    facet, value = request.form.get("facet", ""), request.form.get("value", "")
    if facet not in FACETS or not value:
        abort(400)
    shown = label(facet, value)
    run_change(lambda: curator().remove_tag(current_user.id, article_id, facet, value),
               lambda r: gettext("Removed “%(label)s”.", label=shown))
    return redirect_back(url_for("pages.article", article_id=article_id))


# -- rename and merge --------------------------------------------------------------------


@bp.get("/curation/merge")
@role_required("librarian")
def merge_form():
    facet = request.args.get("facet", "")
    value = request.args.get("value", "").strip()
    into = request.args.get("into", "").strip()
    source = target = None
    if facet in FACETS and value:
        source = _value_view(facet, value)
    if facet in FACETS and into:
        target = _value_view(facet, into)
    return render_template("merge.html", facet=facet, value=value, into=into, source=source,
                           target=target)


def _value_view(facet: str, value: str) -> dict:
    tag = normalize_tag(facet, value, "librarian")
    if tag is None:
        return {"known": False, "value": value, "label": value, "count": 0}
    return {"known": True, "value": tag.value, "label": tag_label(tag),
            "count": count_with(facet, tag.value)}


@bp.post("/curation/merge")
@role_required("librarian")
def merge():
    facet = request.form.get("facet", "")
    source = checked_tag(facet, request.form.get("value", ""))
    target = checked_tag(facet, request.form.get("into", "")) if source else None
    if source is None or target is None:
        return redirect(url_for("curation.merge_form", facet=facet,
                                value=request.form.get("value", ""),
                                into=request.form.get("into", "")))
    done = run_change(
        lambda: curator().merge(current_user.id, facet, source.value, target.value),
        lambda r: ngettext("“%(source)s” is now “%(target)s”: %(num)d article re-tagged.",
                           "“%(source)s” is now “%(target)s”: %(num)d articles re-tagged.",
                           r["retagged"], source=tag_label(source), target=tag_label(target)))
    if done is None:
        return redirect(url_for("curation.merge_form", facet=facet, value=source.value,
                                into=target.value))
    return redirect(url_for("pages.search") + "?" + urlencode({facet: target.value}))


# -- delete everywhere -------------------------------------------------------------------


@bp.get("/curation/delete")
@role_required("librarian")
def delete_value_form():
    """The confirmation step: what goes, and from how many articles."""
    facet = request.args.get("facet", "")
    value = request.args.get("value", "").strip()
    if facet not in FACETS or not value:
        return redirect(url_for("curation.merge_form", facet=facet, value=value))
    return render_template("delete_value.html", facet=facet, value=value,
                           source=_value_view(facet, value))


@bp.post("/curation/delete")
@role_required("librarian")
def delete_value():
    facet = request.form.get("facet", "")
    tag = checked_tag(facet, request.form.get("value", ""))
    if tag is None:
        return redirect(url_for("curation.home"))
    shown = tag_label(tag)
    done = run_change(
        lambda: curator().delete_value(current_user.id, facet, tag.value),
        lambda r: ngettext("“%(label)s” is deleted everywhere: %(num)d article re-tagged.",
                           "“%(label)s” is deleted everywhere: %(num)d articles re-tagged.",
                           r["retagged"], label=shown))
    if done is None:
        return redirect(url_for("curation.delete_value_form", facet=facet, value=tag.value))
    if done.get("job"):
        return redirect(url_for("curation.job", audit_id=done["job"], back=url_for("pages.search")))
    return redirect(url_for("pages.search"))


# -- bulk tagging ------------------------------------------------------------------------


def _bulk_search(args: MultiDict):
    """(params, the search's query string, how many match, their ids); raises QueryError.

    The ids are read only when there are at most BULK_LIMIT of them: reading every match of a
    broad search (the whole archive, perhaps) only to say "narrow it first" was the slow part.
    """
    pairs = [(k, v) for k, v in args.items(multi=True) if not k.startswith("tag_")]
    params = parse_search_args(MultiDict(pairs))
    total = engine().search(replace(params.request, page=1, per_page=1, facet_limit=1)).total
    ids = engine().ids_for(params.request) if total <= current_app.config["BULK_LIMIT"] else []
    return params, search_params(pairs), total, ids


@bp.get("/curation/bulk")
@role_required("librarian")
def bulk_form():
    facet = request.args.get("tag_facet", "")
    value = request.args.get("tag_value", "").strip()
    try:
        params, query_string, total, ids = _bulk_search(request.args)
    except QueryError as exc:
        return render_template("bulk.html", error=user_message(exc), query_string="", ids=[],
                               total=0, facet=facet, value=value, preview=None, summary=[]), 400
    preview = None
    if ids and (facet or value):
        tag = checked_tag(facet, value)
        if tag is not None:
            already = _count_having(ids, facet, tag.value)
            preview = {"tag": tag, "label": tag_label(tag), "already": already,
                       "change": len(ids) - already}
    return render_template("bulk.html", error=None, query_string=query_string, ids=ids,
                           total=total, facet=facet, value=value, preview=preview,
                           summary=search_summary(params, current_locale()),
                           limit=current_app.config["BULK_LIMIT"])


@bp.post("/curation/bulk")
@role_required("librarian")
def bulk():
    form = request.form
    try:
        _, query_string, total, ids = _bulk_search(MultiDict(param_pairs(form.get("params", ""))))
    except QueryError as exc:
        flash(user_message(exc), "error")
        return redirect(url_for("pages.search"))
    back = url_for("pages.search") + (f"?{query_string}" if query_string else "")
    facet = form.get("tag_facet", "")
    tag = checked_tag(facet, form.get("tag_value", ""))
    if tag is None:
        return redirect(url_for("curation.bulk_form") + f"?{query_string}")
    if not total:
        flash(gettext("No article matches this search: nothing was tagged."), "error")
        return redirect(back)
    if total > current_app.config["BULK_LIMIT"]:
        flash(gettext("This search matches more than %(limit)d articles: narrow it first.",
                      limit=current_app.config["BULK_LIMIT"]), "error")
        return redirect(back)
    lacking = len(ids) - _count_having(ids, facet, tag.value)
    done = run_change(lambda: curator().bulk_tag(current_user.id, ids, facet, tag.value),
                      lambda r: ngettext(
                          "Tagged %(num)d article with “%(label)s” (%(new)d did not have it).",
                          "Tagged %(num)d articles with “%(label)s” (%(new)d did not have it).",
                          len(ids), label=tag_label(tag), new=lacking))
    if done and done.get("job"):  # a big one runs outside the request: show its progress
        return redirect(url_for("curation.job", audit_id=done["job"], back=back))
    return redirect(back)


def _count_having(ids: list[str], facet: str, value: str) -> int:
    having = set(engine().ids_for(SearchRequest(filters={facet: (value,)})))
    return sum(1 for i in ids if i in having)
