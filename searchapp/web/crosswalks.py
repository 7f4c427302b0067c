"""The crosswalks from sources' own codes (Reuters' topics and people) to the product's
values, edited like the other vocabularies: the mappings by source and facet, a form to map
a code (or take its mapping away), and the codes that wait for a mapping. Each change is an
entry of the change log that re-tags the articles holding the code (searchapp.curation)."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from ..crosswalk import FACETS as CROSSWALK_FACETS
from ..crosswalk import SOURCES
from ..curation import crosswalk_in_effect, vocabulary_in_effect, waiting_codes
from .auth import role_required
from .curation import bp, run_change
from .database import curator, get_db
from .labels import FACET_NAMES, label

SOURCE_NAMES = {"reuters": lazy_gettext("Reuters")}
# Mappings shown on one page: a source's whole list (Reuters: 400) fits.
PAGE_MAPPINGS = 1000


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _mappings(source: str | None, facet: str | None) -> list[dict]:
    rows = [m for m in crosswalk_in_effect(get_db())
            if (source is None or m["source"] == source) and (facet is None or m["facet"] == facet)]
    return [{**m, "label": label(m["facet"], m["value"])} for m in rows[:PAGE_MAPPINGS]]


def _sources() -> list[str]:
    return sorted({*SOURCES, *(m["source"] for m in crosswalk_in_effect(get_db()))})


@bp.get("/curation/crosswalks")
@role_required("librarian")
def crosswalks():
    sources = _sources()
    source, facet = _choice("source", sources), _choice("facet", CROSSWALK_FACETS)
    concepts = [{"id": t["id"], "label": label("topic", t["id"])}
                for t in vocabulary_in_effect(get_db(), "topics")]
    edit = {"source": request.args.get("source") or sources[0],
            "facet": request.args.get("facet") or "topic",
            "code": request.args.get("code", ""), "value": request.args.get("value", "")}
    return render_template("crosswalks.html", mappings=_mappings(source, facet),
                           waiting=waiting_codes(get_db()), sources=sources, source=source,
                           facet=facet, facets=CROSSWALK_FACETS, concepts=concepts, edit=edit,
                           SOURCE_NAMES=SOURCE_NAMES, FACET_NAMES=FACET_NAMES)


@bp.post("/curation/crosswalks")
@role_required("librarian")
def map_code():
    form = request.form
    source, facet, code = form.get("source", ""), form.get("facet", ""), form.get("code", "")
    value = form.get("value", "").strip() or None
    run_change(lambda: curator().map_code(current_user.id, source, facet, code, value),
               lambda r: _done_message(code, value, r))
    if source not in _sources() or facet not in CROSSWALK_FACETS:
        return redirect(url_for("curation.crosswalks"))
    return redirect(url_for("curation.crosswalks", source=source, facet=facet))


def _done_message(code: str, value: str | None, result: dict) -> str:
    if value is None:
        return gettext("“%(code)s” maps to nothing now: its articles wait for a mapping.",
                       code=code)
    return ngettext("“%(code)s” is mapped; %(num)d article re-tagged.",
                    "“%(code)s” is mapped; %(num)d articles re-tagged.",
                    result.get("retagged", 0), code=code)


@bp.get("/api/crosswalks")
@role_required("librarian")
def crosswalks_json():
    return jsonify(mappings=crosswalk_in_effect(get_db()), waiting=waiting_codes(get_db()))
