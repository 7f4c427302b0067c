"""Names shown in the reader's language: facets, tag origins, facet values and the
languages articles are written in.

A value's label comes from the one label function (searchapp.tagging.labels), given the
reader's locale, gettext, and the librarians' edited taxonomy, so a topic they add is called
the same here as in the index.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from babel import Locale
from flask import g
from flask_babel import gettext, lazy_gettext

from ..curation import topic_labels
from ..facets import REGISTRY
from ..tagging.labels import label as value_label
from .database import read_when_changed
from .languages import current_locale

# The registered facets' names (marked for translation in searchapp.facets), and the date's.
FACET_NAMES = {**{f.name: lazy_gettext(f.singular) for f in REGISTRY},
               "date": lazy_gettext("Date")}
FACET_PLURALS = {**{f.name: lazy_gettext(f.plural) for f in REGISTRY},
                 "date": lazy_gettext("Dates")}
# A librarian's form to add a value: its label and its hint.
FACET_ADD_LABELS = {f.name: lazy_gettext(f.add_label) for f in REGISTRY}
FACET_PLACEHOLDERS = {f.name: lazy_gettext(f.placeholder) for f in REGISTRY}
ORIGIN_NAMES = {
    "auto": lazy_gettext("tagged automatically"),
    "source": lazy_gettext("tagged by the source"),
    "librarian": lazy_gettext("tagged by a librarian"),
}
ORIGIN_SHORT = {
    "auto": lazy_gettext("auto"),
    "source": lazy_gettext("source"),
    "librarian": lazy_gettext("librarian"),
}


# Labels already worked out, by (facet, value, locale, the edited taxonomy's labels): a page
# of results shows a few hundred, mostly the same from one search to the next, and working
# each out again (gettext, the facet's label function) took a third of a cached search.
_LABELS: dict[tuple, str] = {}
_VERSIONS: dict[tuple, int] = {}  # edited labels -> a number never given to other labels
_NUMBERS = itertools.count()
_MAX_LABELS = 100_000


def label(facet: str, value: str, locale: str | None = None) -> str:
    locale = locale or current_locale()
    topics, version = _edited_topics() if facet == "topic" else (None, None)
    key = (facet, value, locale, version)
    found = _LABELS.get(key)
    if found is None:
        if len(_LABELS) >= _MAX_LABELS:  # cheap to work out again; memory stays bounded
            _LABELS.clear()
            _VERSIONS.clear()
        found = _LABELS[key] = value_label(facet, value, locale, gettext, topics)
    return found


class Translated(Mapping):
    """Names marked for translation (lazy_gettext), as the templates read them: each
    translated once per language, not at every use (a results page reads them some 150
    times, each a lookup of the request's locale and catalogue)."""

    def __init__(self, names: Mapping):
        self._names = names
        self._done: dict[tuple[str, str], str] = {}

    def __getitem__(self, key: str) -> str:
        locale = current_locale()
        found = self._done.get((locale, key))
        if found is None:
            found = self._done[locale, key] = str(self._names[key])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def language_name(code: str | None) -> str:
    """The name of an article's language ("en", "pt-BR") in the reader's language (Babel's
    CLDR names); the code itself when CLDR has no name for it."""
    if not code:
        return ""
    key = code.strip().replace("-", "_")
    names = Locale.parse(current_locale()).languages
    for candidate in (key, key.split("_")[0].lower()):
        if candidate in names:
            return names[candidate]
    return code


def edited_topic_labels() -> dict[str, str] | None:
    """The edited taxonomy's labels (None: the shipped one), read once per request."""
    return _edited_topics()[0]


def _edited_topics() -> tuple[dict[str, str] | None, int | None]:
    """(the edited taxonomy's labels or None, a number for them), once per request."""
    if "topic_labels" not in g:
        g.topic_labels = read_when_changed("topic_labels", _numbered_topic_labels)
    return g.topic_labels


def _numbered_topic_labels(conn) -> tuple[dict[str, str] | None, int | None]:
    """The edited taxonomy's labels as the database holds them now, and their number: the
    same labels keep their number, so a commit that did not touch them (a login, a saved
    search) keeps the labels worked out with them."""
    topics = topic_labels(conn)
    version = _VERSIONS.setdefault(tuple(sorted(topics.items())), next(_NUMBERS)) \
        if topics else None
    return topics, version
