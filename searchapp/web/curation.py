"""Librarians' pages: tag edits on the article page, rename/merge, bulk tagging,
vocabularies and the audit log with undo.

Every change goes through `searchapp.curation.Curator`, which records it in the database
(and the audit log) and re-tags the index at once, so results and facet counts show it on
the next page. Forms post, then redirect back (post/redirect/get) with a flash message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..curation import CurationError
from ..model import FACETS, Tag
from ..saved import param_pairs, search_params
from ..search import IndexLocked, QueryError, SearchRequest
from ..tagging.normalize import normalize_tag
from . import engine
from .auth import redirect_back, role_required
from .database import curator, get_db
from .errors import found_or_404, query_message
from .labels import FACET_NAMES, current_locale, label
from .params import parse_search_args
from .summary import search_summary

bp = Blueprint("curation", __name__)

VOCABULARIES = ("persons", "topics")
VOCABULARY_NAMES = {
    "persons": lazy_gettext("People (authority file)"),
    "topics": lazy_gettext("Topics (taxonomy)"),
}
ACTION_NAMES = {
    "add_tag": lazy_gettext("Tag added"),
    "remove_tag": lazy_gettext("Tag removed"),
    "merge": lazy_gettext("Rename or merge"),
    "bulk_tag": lazy_gettext("Bulk tagging"),
    "vocabulary": lazy_gettext("Vocabulary edited"),
    "undo": lazy_gettext("Undo"),
}
# The fixed messages of CurationError, translated; others are shown as they are.
CURATION_MESSAGES = {
    "A value cannot be merged into itself.": lazy_gettext("A value cannot be merged into itself."),
    "That change has already been undone.": lazy_gettext("That change has already been undone."),
    "A later change touched the same tags; undo that one first.":
        lazy_gettext("A later change touched the same tags; undo that one first."),
    "A vocabulary is a list of entries.": lazy_gettext("A vocabulary is a list of entries."),
    "Every person needs a name.": lazy_gettext("Every person needs a name."),
    "Every topic needs an id and a label.": lazy_gettext("Every topic needs an id and a label."),
    "The value is empty.": lazy_gettext("The value is empty."),
}
AUDIT_LIMIT = 200
ROWS_SHOWN = 4  # rows of one audit entry described on the page; the JSON has them all


def curation_message(exc: CurationError) -> str:
    return str(CURATION_MESSAGES.get(str(exc), str(exc)))


def checked_tag(facet: str, value: str) -> Tag | None:
    """The normalised tag, or None after flashing why the value is refused."""
    value = (value or "").strip()
    if facet not in FACETS:
        flash(gettext("Choose a country, person or topic."), "error")
        return None
    if not value:
        flash(gettext("Type a value first."), "error")
        return None
    tag = normalize_tag(facet, value, "librarian")
    if tag is None:
        flash(gettext("“%(value)s” is not a known country: give its name or its two-letter "
                      "ISO code.", value=value), "error")
    return tag


def run_change(change, success) -> dict | None:
    """Run one curation change; flash what happened. `success(result)` is the message."""
    try:
        result = change()
    except CurationError as exc:
        flash(curation_message(exc), "error")
        return None
    except IndexLocked:
        flash(gettext("The change is saved, but an indexing run holds the index, so results "
                      "do not show it yet; they will after the next rebuild "
                      "(searchapp index --rebuild)."), "warning")
        return {}
    flash(success(result), "success")
    return result


def tag_label(tag: Tag) -> str:
    return label(tag.facet, tag.value, current_locale())


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
    shown = label(facet, value, current_locale())
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
    return redirect(url_for("pages.search", **{facet: target.value}))


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
        return render_template("bulk.html", error=query_message(exc), query_string="", ids=[],
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
        params, query_string, total, ids = _bulk_search(MultiDict(param_pairs(form.get("params", ""))))
    except QueryError as exc:
        flash(query_message(exc), "error")
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
    run_change(lambda: curator().bulk_tag(current_user.id, ids, facet, tag.value),
               lambda r: ngettext("Tagged %(num)d article with “%(label)s” (%(new)d did not have it).",
                                  "Tagged %(num)d articles with “%(label)s” (%(new)d did not have it).",
                                  len(ids), label=tag_label(tag), new=lacking))
    return redirect(back)


def _count_having(ids: list[str], facet: str, value: str) -> int:
    having = set(engine().ids_for(SearchRequest(filters={facet: (value,)})))
    return sum(1 for i in ids if i in having)


# -- vocabularies ------------------------------------------------------------------------


class FormatError(ValueError):
    """The edited text cannot be read; the message is meant for the librarian."""


@lru_cache(maxsize=None)
def _shipped_json(name: str) -> str:
    if name == "persons":
        from ..tagging.persons import load_authority

        return json.dumps(load_authority(), ensure_ascii=False)
    from ..tagging.topics import load_taxonomy

    return json.dumps(load_taxonomy(), ensure_ascii=False)


def shipped(name: str) -> list[dict]:
    return json.loads(_shipped_json(name))


def vocabulary_state(name: str) -> dict:
    """The vocabulary the next ingest uses, and where it comes from."""
    row = get_db().execute("SELECT content, updated FROM vocabularies WHERE name = ?",
                           (name,)).fetchone()
    entries = json.loads(row["content"]) if row else shipped(name)
    return {"name": name, "title": VOCABULARY_NAMES[name], "entries": entries,
            "count": len(entries), "edited": bool(row) and entries != shipped(name),
            "stored": bool(row), "updated": row["updated"] if row else None}


def persons_to_text(entries: list[dict]) -> str:
    lines = []
    for entry in entries:
        aliases = [a for a in entry.get("aliases", []) if a.strip()]
        lines.append(entry["name"] + (" | " + "; ".join(aliases) if aliases else ""))
    return "\n".join(lines) + "\n"


def text_to_persons(text: str) -> list[dict]:
    """One person a line: `Canonical Name | alias; alias`; blank lines and # comments skipped."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("|")
        name = " ".join(name.split())
        if not name:
            raise FormatError(gettext("Line %(line)d: the name before “|” is missing.",
                                      line=number))
        aliases = [" ".join(a.split()) for a in rest.split(";") if a.strip()]
        entries.append({"name": name, "aliases": aliases})
    return entries


def topics_to_text(entries: list[dict]) -> str:
    """JSON, one topic a line (its rules included), so the list stays easy to scan."""
    lines = []
    for entry in entries:
        head = json.dumps({k: v for k, v in entry.items() if k != "rules"}, ensure_ascii=False)
        if "rules" in entry:
            head = head[:-1] + ', "rules": ' + json.dumps(entry["rules"], ensure_ascii=False) + "}"
        lines.append(" " + head)
    return "[\n" + ",\n".join(lines) + "\n]\n"


def text_to_topics(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(gettext("Line %(line)d, column %(column)d: this is not valid JSON "
                                  "(%(reason)s).", line=exc.lineno, column=exc.colno,
                                  reason=exc.msg)) from None
    if isinstance(data, dict) and "topics" in data:  # the shipped file's own layout
        data = data["topics"]
    return data


def to_text(name: str, entries: list[dict]) -> str:
    return persons_to_text(entries) if name == "persons" else topics_to_text(entries)


def check_vocabulary(name: str, entries) -> None:
    """What ingest would do with it: build the tagger. Raises FormatError or CurationError."""
    from ..curation import validate_vocabulary
    from ..tagging import Tagger

    validate_vocabulary(name, entries)
    try:
        Tagger.from_vocabularies({name: entries})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FormatError(gettext("The tagger cannot use this vocabulary: %(reason)s",
                                  reason=str(exc))) from None


def _vocabulary_or_404(name: str) -> str:
    if name not in VOCABULARIES:
        abort(404)
    return name


@bp.get("/curation")
@role_required("librarian")
def home():
    entries, titles = curator().log(limit=5), {}
    return render_template("curation.html",
                           vocabularies=[vocabulary_state(n) for n in VOCABULARIES],
                           recent=[describe_entry(e, titles) for e in entries])


@bp.get("/curation/vocabularies/<name>")
@role_required("librarian")
def vocabulary(name: str):
    state = vocabulary_state(_vocabulary_or_404(name))
    return render_template("vocabulary.html", state=state, text=to_text(name, state["entries"]),
                           error=None)


@bp.post("/curation/vocabularies/<name>")
@role_required("librarian")
def save_vocabulary(name: str):
    _vocabulary_or_404(name)
    text = request.form.get("content", "")
    try:
        entries = text_to_persons(text) if name == "persons" else text_to_topics(text)
        check_vocabulary(name, entries)
    except (FormatError, CurationError) as exc:
        message = curation_message(exc) if isinstance(exc, CurationError) else str(exc)
        return render_template("vocabulary.html", state=vocabulary_state(name), text=text,
                               error=message), 400
    run_change(lambda: curator().set_vocabulary(current_user.id, name, entries),
               lambda r: ngettext("Saved the vocabulary (%(num)d entry). The next ingest uses it.",
                                  "Saved the vocabulary (%(num)d entries). The next ingest uses it.",
                                  len(entries)))
    return redirect(url_for("curation.vocabulary", name=name))


@bp.post("/curation/vocabularies/<name>/reset")
@role_required("librarian")
def reset_vocabulary(name: str):
    _vocabulary_or_404(name)
    run_change(lambda: curator().set_vocabulary(current_user.id, name, shipped(name)),
               lambda r: gettext("The vocabulary is the shipped file again."))
    return redirect(url_for("curation.vocabulary", name=name))


@bp.get("/api/vocabularies/<name>")
@role_required("librarian")
def vocabulary_json(name: str):
    state = vocabulary_state(_vocabulary_or_404(name))
    return jsonify(name=name, source="edited" if state["edited"] else "shipped",
                   updated=state["updated"], count=state["count"], entries=state["entries"])


# -- audit log and undo ------------------------------------------------------------------


def _state_text(table: str, row: dict | None) -> str:
    if row is None:
        if table == "vocabularies":
            return gettext("shipped file")
        return gettext("as indexed") if table == "tag_edits" else "—"
    if table == "tag_edits":
        return gettext("added") if row["state"] == "added" else gettext("removed")
    if table == "value_merges":
        return label(row["facet"], row["to_value"], current_locale())
    if table == "vocabularies":
        count = len(json.loads(row["content"]))
        return ngettext("%(num)d entry", "%(num)d entries", count)
    return ""


def _row_what(row: dict, titles: dict) -> str:
    key, locale = row["key"], current_locale()
    if row["table"] == "tag_edits":
        return gettext("%(facet)s “%(label)s” · %(title)s", facet=FACET_NAMES[key["facet"]],
                       label=label(key["facet"], key["value"], locale),
                       title=titles.get(key["article_id"]) or key["article_id"])
    if row["table"] == "value_merges":
        return gettext("%(facet)s “%(label)s”", facet=FACET_NAMES[key["facet"]],
                       label=label(key["facet"], key["from_value"], locale))
    if row["table"] == "vocabularies":
        return str(VOCABULARY_NAMES.get(key["name"], key["name"]))
    return row["table"]


def describe_entry(entry: dict, titles: dict | None = None) -> dict:
    """An audit entry for the page: action, who, when, and before → after of its rows.
    `titles` (article id -> title), shared by a page's entries, looks each article up once."""
    change = json.loads(entry["change"])
    rows = change.get("rows", [])
    shown = rows[:ROWS_SHOWN]
    titles = {} if titles is None else titles
    for row in shown:
        article_id = row["key"].get("article_id") if row["table"] == "tag_edits" else None
        if article_id is not None and article_id not in titles:
            article = engine().get(article_id)
            titles[article_id] = article.title if article else None
    return {
        "id": entry["id"], "at": entry["at"], "user": entry["user"], "action": entry["action"],
        "action_name": ACTION_NAMES.get(entry["action"], entry["action"]),
        "summary": entry["summary"], "undoes": entry["undoes"], "undone_by": entry["undone_by"],
        "rows": [{"what": _row_what(r, titles), "before": _state_text(r["table"], r["before"]),
                  "after": _state_text(r["table"], r["after"]),
                  "article": r["key"].get("article_id") if r["table"] == "tag_edits" else None}
                 for r in shown],
        "more": len(rows) - len(shown), "total_rows": len(rows),
    }


@bp.get("/curation/audit")
@role_required("librarian")
def audit():
    titles: dict = {}
    entries = [describe_entry(e, titles) for e in curator().log(limit=AUDIT_LIMIT)]
    return render_template("audit.html", entries=entries, limit=AUDIT_LIMIT)


@bp.get("/api/audit")
@role_required("librarian")
def audit_json():
    entries = curator().log(limit=AUDIT_LIMIT)
    return jsonify(entries=[{**{k: e[k] for k in ("id", "at", "user", "action", "summary",
                                                  "undoes", "undone_by")},
                             "change": json.loads(e["change"])} for e in entries])


@bp.post("/curation/audit/<int:audit_id>/undo")
@role_required("librarian")
def undo(audit_id: int):
    run_change(lambda: curator().undo(current_user.id, audit_id),
               lambda r: gettext("Undid change %(id)d.", id=audit_id))
    return redirect_back(url_for("curation.audit"))
