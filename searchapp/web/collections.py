"""Collections: a signed-in reader gathers articles under a name, with a note per article.

Who may do what: every route needs a signed-in user (reader and up) and every change a
CSRF token. A private collection is its owner's alone (anyone else gets 404, so its name
does not leak); a shared one is open to any signed-in user with its link (page, JSON,
export), and every shared collection is listed for librarians. Only the owner changes a
collection or its items.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import collections as store
from ..export import FORMATS
from ..search import QueryError
from .auth import redirect_back, role_required
from .database import get_db
from .engine import engine
from .errors import error_response, found_or_404, user_message
from .export import FORMAT_LABELS, export_format, stream
from .presenter import source_name

bp = Blueprint("collections", __name__)

ERRORS = {
    "name_missing": lambda: gettext("A collection needs a name."),
    "name_long": lambda: gettext("The name is too long."),
    "description_long": lambda: gettext("The description is too long."),
    "note_long": lambda: gettext("The note is too long."),
    "full": lambda: gettext("This collection is full."),
}


# -- who may see and change -------------------------------------------------------------------


def is_owner(collection: store.Collection) -> bool:
    return current_user.is_authenticated and current_user.id == collection.owner_id


def visible(slug: str) -> store.Collection:
    """The collection, if this user may see it; else 404 (a private one stays unknown)."""
    collection = found_or_404(store.get(get_db(), slug))
    if not (is_owner(collection) or collection.shared):
        abort(404)
    return collection


def owned(slug: str) -> store.Collection:
    """The collection, if this user owns it (403 for another's shared one)."""
    collection = visible(slug)
    if not is_owner(collection):
        abort(403)
    return collection


def listed_collections() -> tuple[list[store.Collection], list[store.Collection]]:
    """(mine, the team's shared ones: librarians only)."""
    mine = store.list_own(get_db(), current_user.id)
    shared = store.list_shared(get_db(), current_user.id) if current_user.can("librarian") else []
    return mine, shared


# -- pages and JSON ----------------------------------------------------------------------------


@bp.get("/collections")
@role_required("reader")
def list_page():
    mine, shared = listed_collections()
    return render_template("collections.html", mine=mine, shared=shared)


@bp.get("/api/collections")
@role_required("reader")
def list_json():
    mine, shared = listed_collections()
    return jsonify(own=[_summary_json(c) for c in mine], shared=[_summary_json(c) for c in shared])


def _summary_json(c: store.Collection) -> dict:
    return {**c.to_json(), "links": {
        "html": url_for("collections.page", slug=c.slug, _external=True),
        "json": url_for("collections.page_json", slug=c.slug, _external=True)}}


@bp.get("/collections/<slug>")
@role_required("reader")
def page(slug: str):
    collection = visible(slug)
    return render_template("collection.html", c=collection, entries=entries(collection),
                           owner=is_owner(collection), formats=FORMAT_LABELS)


@bp.get("/api/collections/<slug>")
@role_required("reader")
def page_json(slug: str):
    collection = visible(slug)
    out = _summary_json(collection)
    out["links"]["export"] = {fmt: url_for("collections.export", slug=slug, format=fmt,
                                           _external=True) for fmt in FORMATS}
    out["items"] = [{**e["item"].to_json(), "in_index": e["article"] is not None,
                     "source": e["source"], "published": e["published"],
                     "links": {"html": url_for("pages.article", article_id=e["item"].article_id,
                                               _external=True)}} for e in entries(collection)]
    return jsonify(out)


def entries(collection: store.Collection) -> list[dict]:
    """Each item with its article as the index has it now (None: gone from the index)."""
    out = []
    for item in store.items(get_db(), collection):
        article = engine().get(item.article_id)
        out.append({"item": item, "article": article,
                    "title": (article.title if article else "") or item.title,
                    "source": source_name(article.publication, article.url) if article else "",
                    "published": article.published if article else None})
    return out


@bp.get("/collections/<slug>/export")
@role_required("reader")
def export(slug: str):
    collection = visible(slug)
    try:
        fmt = export_format(request.args)
    except QueryError as exc:
        return error_response(400, user_message(exc))
    ids = [item.article_id for item in store.items(get_db(), collection)]
    articles = (a for a in map(engine().get, ids) if a is not None)
    return stream(fmt, articles, "collection")


# -- changes (owner only, CSRF-checked by CSRFProtect) ------------------------------------------


def _flash_error(exc: store.CollectionError) -> None:
    flash(ERRORS[exc.code](), "error")


@bp.post("/collections")
@role_required("reader")
def create():
    form = request.form
    try:
        collection = store.create(get_db(), current_user.id, form.get("name", ""),
                                  form.get("description", ""), shared=form.get("shared") == "1")
    except store.CollectionError as exc:
        _flash_error(exc)
        return redirect_back(url_for("collections.list_page"))
    article_id = form.get("article_id", "")
    if article_id:  # made from an article page: the article goes in at once
        _add(collection, article_id, form.get("note", ""))
        return redirect_back(url_for("collections.page", slug=collection.slug))
    flash(gettext("Made the collection “%(name)s”.", name=collection.name), "success")
    return redirect(url_for("collections.page", slug=collection.slug))


@bp.post("/collections/<slug>/edit")
@role_required("reader")
def edit(slug: str):
    collection = owned(slug)
    form = request.form
    try:
        collection = store.update(get_db(), slug, form.get("name", ""),
                                  form.get("description", ""), shared=form.get("shared") == "1")
    except store.CollectionError as exc:
        _flash_error(exc)
    else:
        flash(gettext("Saved the changes to “%(name)s”.", name=collection.name), "success")
    return redirect(url_for("collections.page", slug=slug))


@bp.post("/collections/<slug>/delete")
@role_required("reader")
def delete(slug: str):
    collection = owned(slug)
    store.delete(get_db(), slug)
    flash(gettext("Deleted the collection “%(name)s”.", name=collection.name), "success")
    return redirect(url_for("collections.list_page"))


@bp.post("/collections/add")
@role_required("reader")
def add_item():
    """Add an article to one of the user's collections, chosen in the form (`collection`:
    its slug), so that the article page's form works without JavaScript."""
    collection = owned(request.form.get("collection", ""))
    _add(collection, request.form.get("article_id", ""), request.form.get("note", ""))
    return redirect_back(url_for("collections.page", slug=collection.slug))


def _add(collection: store.Collection, article_id: str, note: str) -> None:
    article = found_or_404(engine().get(article_id) if article_id else None)
    try:
        added = store.add(get_db(), collection, article.id, article.title, note)
    except store.CollectionError as exc:
        _flash_error(exc)
        return
    message = (gettext("Added to “%(name)s”.", name=collection.name) if added
               else gettext("Already in “%(name)s”.", name=collection.name))
    flash(message, "success")


@bp.post("/collections/<slug>/items/note")
@role_required("reader")
def note(slug: str):
    collection = owned(slug)
    try:
        found = store.set_note(get_db(), collection, request.form.get("article_id", ""),
                               request.form.get("note", ""))
    except store.CollectionError as exc:
        _flash_error(exc)
    else:
        if not found:
            abort(404)
        flash(gettext("Saved the note."), "success")
    return redirect(url_for("collections.page", slug=slug))


@bp.post("/collections/<slug>/items/remove")
@role_required("reader")
def remove_item(slug: str):
    collection = owned(slug)
    if not store.remove(get_db(), collection, request.form.get("article_id", "")):
        abort(404)
    flash(gettext("Removed from “%(name)s”.", name=collection.name), "success")
    return redirect_back(url_for("collections.page", slug=slug))


# -- the article page's "Add to a collection" panel ---------------------------------------------


@bp.app_template_global()
def collection_choices(article_id: str) -> list[dict]:
    """The signed-in user's collections, each saying whether it holds the article."""
    if not current_user.is_authenticated:
        return []
    held = store.holding(get_db(), current_user.id, article_id)
    return [{"slug": c.slug, "name": c.name, "holds": c.slug in held}
            for c in store.list_own(get_db(), current_user.id)]
