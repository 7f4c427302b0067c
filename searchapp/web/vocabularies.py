"""Curation of the vocabularies the tagger uses: the person authority file and the topic
taxonomy, edited as text, checked the way ingest would use them, or reset to the shipped file."""

from __future__ import annotations

import json

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from ..curation import VOCABULARIES, CurationError, shipped_vocabulary, stored_vocabulary, validate_vocabulary
from ..tagging import Tagger
from .auth import role_required
from .curation import bp, run_change
from .database import curator, get_db
from .errors import user_message

VOCABULARY_NAMES = {
    "persons": lazy_gettext("People (authority file)"),
    "topics": lazy_gettext("Topics (taxonomy)"),
}


class FormatError(ValueError):
    """The edited text cannot be read; the message is meant for the librarian."""


def vocabulary_state(name: str) -> dict:
    """The vocabulary the next ingest uses, and where it comes from."""
    stored = stored_vocabulary(get_db(), name)
    shipped = shipped_vocabulary(name)
    entries = stored["entries"] if stored else shipped
    return {"name": name, "title": VOCABULARY_NAMES[name], "entries": entries,
            "count": len(entries), "edited": bool(stored) and entries != shipped,
            "stored": bool(stored), "updated": stored["updated"] if stored else None}


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
        return render_template("vocabulary.html", state=vocabulary_state(name), text=text,
                               error=user_message(exc)), 400
    run_change(lambda: curator().set_vocabulary(current_user.id, name, entries),
               lambda r: ngettext("Saved the vocabulary (%(num)d entry). The next ingest uses it.",
                                  "Saved the vocabulary (%(num)d entries). The next ingest uses it.",
                                  len(entries)))
    return redirect(url_for("curation.vocabulary", name=name))


@bp.post("/curation/vocabularies/<name>/reset")
@role_required("librarian")
def reset_vocabulary(name: str):
    _vocabulary_or_404(name)
    run_change(lambda: curator().set_vocabulary(current_user.id, name, shipped_vocabulary(name)),
               lambda r: gettext("The vocabulary is the shipped file again."))
    return redirect(url_for("curation.vocabulary", name=name))


@bp.get("/api/vocabularies/<name>")
@role_required("librarian")
def vocabulary_json(name: str):
    state = vocabulary_state(_vocabulary_or_404(name))
    return jsonify(name=name, source="edited" if state["edited"] else "shipped",
                   updated=state["updated"], count=state["count"], entries=state["entries"])
