"""Librarians' pages: one blueprint, `bp`, and what its pages share.

The pages are in curation_tags.py (tag edits on the article page, rename/merge, bulk
tagging), vocabularies.py (the person authority file and the topic taxonomy) and audit.py
(the curation home, the change log and undo); each adds its routes to `bp`.

Every change goes through `searchapp.curation.Curator`, which records it in the database
(and the audit log) and re-tags the index at once, so results and facet counts show it on
the next page; a big one (a bulk tagging) is a background job whose page shows its
progress. A change the index has not acknowledged yet (an indexer or a backup held it, a
process was killed) is shown as pending, and a librarian's next request starts a thread
that applies it (searchapp.journal). Forms post, then redirect back (post/redirect/get)
with a flash message.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, request
from flask_babel import gettext
from flask_login import current_user

from ..curation import CurationError, catch_up_in_background
from ..journal import article_pending, pending_count
from ..model import FACETS, Tag
from ..search import IndexLocked
from ..tagging.normalize import normalize_tag
from .database import get_db
from .engine import engine
from .errors import user_message
from .labels import label

bp = Blueprint("curation", __name__)


@bp.before_app_request
def catch_up_pending() -> None:
    """A librarian's request finds the changes the index has not applied yet and has a
    thread of this process apply them (one at a time), so no change waits for an indexer."""
    if request.endpoint == "static":
        return
    if not (current_user.is_authenticated and current_user.can("librarian")):
        return
    if pending_count(get_db(), engine()):
        catch_up_in_background(current_app.config["DATABASE"], engine())


@bp.app_template_global()
def curation_pending(article) -> bool:
    """Whether a change to the article's tags has not reached the index yet."""
    tags = [(t.facet, t.value) for t in article.tags]
    return article_pending(get_db(), engine(), article.id, tags)


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
        flash(user_message(exc), "error")
        return None
    except IndexLocked:
        flash(gettext("The change is saved, but an indexing run or a backup holds the index, "
                      "so results do not show it yet: it is pending, and is applied as soon "
                      "as the index is free."), "warning")
        return {}
    if result.get("job"):
        catch_up_in_background(current_app.config["DATABASE"], engine())
        flash(gettext("The change is saved and is being applied to the index in the "
                      "background; the change log shows its progress."), "success")
        return result
    flash(success(result), "success")
    return result


def tag_label(tag: Tag) -> str:
    return label(tag.facet, tag.value)
