"""Librarians' pages: one blueprint, `bp`, and what its pages share.

The pages are in curation_tags.py (tag edits on the article page, rename/merge, bulk
tagging), vocabularies.py (the person authority file and the topic taxonomy) and audit.py
(the curation home, the change log and undo); each adds its routes to `bp`.

Every change goes through `searchapp.curation.Curator`, which records it in the database
(and the audit log) and re-tags the index at once, so results and facet counts show it on
the next page. Forms post, then redirect back (post/redirect/get) with a flash message.
"""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import gettext

from ..curation import CurationError
from ..model import FACETS, Tag
from ..search import IndexLocked
from ..tagging.normalize import normalize_tag
from .errors import user_message
from .labels import label

bp = Blueprint("curation", __name__)


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
        flash(gettext("The change is saved, but an indexing run holds the index, so results "
                      "do not show it yet; they will after the next rebuild "
                      "(searchapp index --rebuild)."), "warning")
        return {}
    flash(success(result), "success")
    return result


def tag_label(tag: Tag) -> str:
    return label(tag.facet, tag.value)
