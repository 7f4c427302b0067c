"""Likely duplicate people, proposed to librarians: "Reagan" beside "Ronald Reagan", "George
Schultz" beside "George Shultz". One click merges a pair with the archive's own audited merge
(the same change as "Rename or merge a value", undone from the change log)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from ..curation import vocabulary_in_effect
from ..search import SearchRequest
from ..tagging.person_merges import Proposal, propose_merges
from .auth import role_required
from .curation import bp, checked_tag, run_change, tag_label
from .database import curator, get_db
from .engine import engine

FACET = "person"
SHOWN = 50  # proposals on the page; accepting some brings the next ones up


def _person_counts() -> dict[str, int]:
    result = engine().search(SearchRequest(per_page=1, facet_limit=0))
    return {f.value: f.count for f in result.facets.get(FACET, [])}


def _shared_stories(counts: dict[str, int]):
    """Articles holding both values: the values of one facet are OR'ed in a search, so
    both = each one's count together less the count of either."""
    def shared(a: str, b: str) -> int:
        either = engine().search(SearchRequest(filters={FACET: (a, b)}, per_page=1, facet_limit=1))
        return counts[a] + counts[b] - either.total
    return shared


def proposals() -> list[Proposal]:
    counts = _person_counts()
    authority = [e["name"] for e in vocabulary_in_effect(get_db(), "persons")]
    return propose_merges(counts, _shared_stories(counts), distinct=authority)[:SHOWN]


@bp.get("/curation/person-merges")
@role_required("librarian")
def person_merges():
    return render_template("person_merges.html", proposals=proposals())


@bp.post("/curation/person-merges")
@role_required("librarian")
def accept_person_merge():
    source = checked_tag(FACET, request.form.get("value", ""))
    target = checked_tag(FACET, request.form.get("into", "")) if source else None
    if source is not None and target is not None:
        run_change(
            lambda: curator().merge(current_user.id, FACET, source.value, target.value),
            lambda r: ngettext("“%(source)s” is now “%(target)s”: %(num)d article re-tagged.",
                               "“%(source)s” is now “%(target)s”: %(num)d articles re-tagged.",
                               r["retagged"], source=tag_label(source), target=tag_label(target)))
    return redirect(url_for("curation.person_merges"))
