"""Display labels of tag values: the one place that says what a country or a topic is called.

Ingest stores these labels with the tags, the web shows them in the reader's language and the
command line prints them, so all three agree. Nothing here knows about Flask: the caller
passes the locale (country names come from Babel/CLDR) and its translation function (topic
labels are English in the taxonomy; their translations are in the message catalog).

A topic is called what the taxonomy in effect calls it: the librarians' edited taxonomy
(`topics`, id -> label) first, then the shipped one, then its id with spaces (source codes
such as Reuters' `money-fx` are in neither).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

from ..facets import BY_NAME
from .countries import country_label as _gazetteer_label
from .topics import load_taxonomy


def _as_is(text: str) -> str:
    return text


def label(facet: str, value: str, locale: str = "en",
          translate: Callable[[str], str] = _as_is,
          topics: Mapping[str, str] | None = None) -> str:
    """The label of one facet value, by its facet's label function (`searchapp.facets`);
    a value of anything else (a date) is its own label."""
    entry = BY_NAME.get(facet)
    return entry.label(value, locale, translate, topics) if entry else value


def country_label(code: str, locale: str = "en") -> str:
    """The country's name in `locale`; former states (SU, DD...) have their own labels."""
    return _country_label(code.upper(), locale)


@lru_cache(maxsize=4096)
def _country_label(code: str, locale: str) -> str:
    return _gazetteer_label(code, locale)


def topic_label(slug: str, translate: Callable[[str], str] = _as_is,
                topics: Mapping[str, str] | None = None) -> str:
    """The topic's label, passed through `translate` (gettext in the web layer)."""
    return translate(english_topic_label(slug, topics))


def english_topic_label(slug: str, topics: Mapping[str, str] | None = None) -> str:
    if topics and slug in topics:
        return topics[slug]
    return shipped_topic_labels().get(slug) or slug.replace("-", " ")


@lru_cache(maxsize=1)
def shipped_topic_labels() -> dict[str, str]:
    return taxonomy_labels(load_taxonomy())


def taxonomy_labels(taxonomy: list[dict]) -> dict[str, str]:
    """id -> label of a taxonomy (a list of topics as in data/topics.json)."""
    return {t["id"]: t["label"] for t in taxonomy if t.get("id") and t.get("label")}
