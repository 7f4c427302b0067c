"""The curation home, the change log (who, when, what, before and after) and undo."""

from __future__ import annotations

import json

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from ..curation import VOCABULARIES
from ..journal import job_status
from .auth import redirect_back, role_required, safe_next
from .curation import bp, run_change
from .database import curator, get_db
from .engine import engine
from .errors import found_or_404
from .labels import FACET_NAMES, label
from .vocabularies import VOCABULARY_NAMES, vocabulary_state

ACTION_NAMES = {
    "add_tag": lazy_gettext("Tag added"),
    "remove_tag": lazy_gettext("Tag removed"),
    "merge": lazy_gettext("Rename or merge"),
    "bulk_tag": lazy_gettext("Bulk tagging"),
    "delete_value": lazy_gettext("Value deleted everywhere"),
    "vocabulary": lazy_gettext("Vocabulary edited"),
    "crosswalk": lazy_gettext("Crosswalk edited"),
    "undo": lazy_gettext("Undo"),
    "move_ids": lazy_gettext("Ids moved"),  # a JSON Lines file re-keyed its articles
}
AUDIT_LIMIT = 200
ROWS_SHOWN = 4  # rows of one audit entry described on the page; the JSON has them all


def _state_text(table: str, row: dict | None) -> str:
    if row is None:
        if table == "vocabularies":
            return gettext("shipped file")
        if table == "crosswalk_edits":
            return gettext("shipped crosswalk")
        return gettext("as indexed") if table == "tag_edits" else "—"
    if table == "tag_edits":
        return gettext("added") if row["state"] == "added" else gettext("removed")
    if table == "value_merges":
        return label(row["facet"], row["to_value"])
    if table == "value_deletions":
        return gettext("deleted everywhere")
    if table == "crosswalk_edits":
        return label(row["facet"], row["value"]) if row["value"] else gettext("no mapping")
    if table == "crosswalk_waiting":
        return ngettext("waiting (%(num)d article)", "waiting (%(num)d articles)", row["articles"])
    if table == "vocabularies":
        count = len(json.loads(row["content"]))
        return ngettext("%(num)d entry", "%(num)d entries", count)
    return ""


def _row_what(row: dict, titles: dict) -> str:
    key = row["key"]
    if row["table"] == "tag_edits":
        return gettext("%(facet)s “%(label)s” · %(title)s", facet=FACET_NAMES[key["facet"]],
                       label=label(key["facet"], key["value"]),
                       title=titles.get(key["article_id"]) or key["article_id"])
    if row["table"] in ("value_merges", "value_deletions"):
        value = key.get("from_value", key.get("value", ""))
        return gettext("%(facet)s “%(label)s”", facet=FACET_NAMES[key["facet"]],
                       label=label(key["facet"], value))
    if row["table"] == "vocabularies":
        return str(VOCABULARY_NAMES.get(key["name"], key["name"]))
    if row["table"] in ("crosswalk_edits", "crosswalk_waiting"):
        return gettext("%(facet)s code “%(code)s” of %(source)s", facet=FACET_NAMES[key["facet"]],
                       code=key["code"], source=key["source"])
    return row["table"]


def describe_entry(entry: dict, titles: dict | None = None, applied: int | None = None) -> dict:
    """An audit entry for the page: action, who, when, and before → after of its rows.
    `titles` (article id -> title), shared by a page's entries, looks each article up once;
    `applied` is the last entry the index has applied: later ones are pending."""
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
        "pending": applied is not None and entry["id"] > applied, "job": bool(entry.get("job")),
    }


def _applied() -> int:
    return engine().journal_mark().change


@bp.get("/curation")
@role_required("librarian")
def home():
    entries, applied = curator().log(limit=5), _applied()
    titles: dict[str, str] = {}
    return render_template("curation.html",
                           vocabularies=[vocabulary_state(n) for n in VOCABULARIES],
                           recent=[describe_entry(e, titles, applied) for e in entries])


@bp.get("/curation/audit")
@role_required("librarian")
def audit():
    titles: dict[str, str] = {}
    applied = _applied()
    entries = [describe_entry(e, titles, applied) for e in curator().log(limit=AUDIT_LIMIT)]
    return render_template("audit.html", entries=entries, limit=AUDIT_LIMIT)


@bp.get("/api/audit")
@role_required("librarian")
def audit_json():
    entries, applied = curator().log(limit=AUDIT_LIMIT), _applied()
    return jsonify(entries=[{**{k: e[k] for k in ("id", "at", "user", "action", "summary",
                                                  "undoes", "undone_by")},
                             "pending": e["id"] > applied,
                             "change": json.loads(e["change"])} for e in entries])


@bp.post("/curation/audit/<int:audit_id>/undo")
@role_required("librarian")
def undo(audit_id: int):
    run_change(lambda: curator().undo(current_user.id, audit_id),
               lambda r: gettext("Undid change %(id)d.", id=audit_id))
    return redirect_back(url_for("curation.audit"))


# -- changes applied in the background (big bulk taggings) ----------------------------------

JOB_REFRESH_SECONDS = 2  # how often a job's page reloads itself while the job is pending


@bp.get("/curation/jobs/<int:audit_id>")
@role_required("librarian")
def job(audit_id: int):
    """A job's progress; the page reloads itself (a meta refresh, no script) until done."""
    status = found_or_404(job_status(get_db(), engine(), audit_id))
    entry = found_or_404(curator().entry(audit_id))
    return render_template("job.html", job=status, refresh=JOB_REFRESH_SECONDS,
                           action=ACTION_NAMES.get(entry["action"], entry["action"]),
                           back=safe_next(request.args.get("back")))


@bp.get("/api/curation/jobs/<int:audit_id>")
@role_required("librarian")
def job_json(audit_id: int):
    return jsonify(found_or_404(job_status(get_db(), engine(), audit_id)))
