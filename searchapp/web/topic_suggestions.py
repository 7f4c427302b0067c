"""Topic suggestions: the topics the learned model was unsure of, for a librarian to accept
(a librarian's tag) or reject (a librarian's removal). Both are audited tag edits, and both
teach the next `searchapp topics learn`."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..topic_training import count_suggestions, decide, suggestions
from .auth import redirect_back, role_required
from .curation import bp, run_change
from .database import curator, get_db
from .engine import engine
from .labels import label

SHOWN = 50  # suggestions on the page; the next ones come up as these are decided


@bp.get("/curation/topic-suggestions")
@role_required("librarian")
def topic_suggestions():
    rows = []
    for s in suggestions(get_db(), SHOWN):
        article = engine().get(s.article_id)
        if article is not None:  # an article gone since the training: nothing to decide
            rows.append({"article": article, "value": s.value, "label": label("topic", s.value),
                         "confidence": s.confidence, "assigned": s.assigned})
    return render_template("topic_suggestions.html", rows=rows, total=count_suggestions(get_db()))


@bp.post("/curation/topic-suggestions/decide")
@role_required("librarian")
def decide_topic():
    article_id, value = request.form.get("article", ""), request.form.get("value", "")
    decision = request.form.get("decision")
    if not article_id or not value or decision not in ("accept", "reject"):
        abort(400)
    shown = label("topic", value)
    if decision == "accept":
        message = gettext("Added “%(label)s”.", label=shown)
    else:
        message = gettext("Removed “%(label)s”.", label=shown)
    run_change(lambda: decide(curator(), current_user.id, article_id, value, decision == "accept"),
               lambda r: message)
    return redirect_back(url_for("curation.topic_suggestions"))
