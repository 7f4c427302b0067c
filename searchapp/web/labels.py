"""Display labels of facet values in the reader's language."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask_babel import get_locale, gettext, lazy_gettext

FACET_NAMES = {
    "country": lazy_gettext("Country"),
    "person": lazy_gettext("Person"),
    "topic": lazy_gettext("Topic"),
    "date": lazy_gettext("Date"),
}
FACET_PLURALS = {
    "country": lazy_gettext("Countries"),
    "person": lazy_gettext("People"),
    "topic": lazy_gettext("Topics"),
    "date": lazy_gettext("Dates"),
}
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


def current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "en"


def label(facet: str, value: str, locale: str | None = None) -> str:
    if facet == "country":
        return country_label(value, locale or current_locale())
    if facet == "topic":
        return topic_label(value)
    return value


def country_label(code: str, locale: str) -> str:
    return _country_label(code.upper(), locale)


@lru_cache(maxsize=4096)
def _country_label(code: str, locale: str) -> str:
    try:
        from ..tagging.countries import country_label as tagging_label

        return tagging_label(code, locale)
    except Exception:  # the tagger's vocabulary is optional for display: fall back on Babel
        return Locale.parse(locale).territories.get(code, code)


def topic_label(slug: str) -> str:
    """The topic's label in the reader's language (the taxonomy's labels are English; their
    translations are in the message catalog, see topic_names.py)."""
    return gettext(_english_topic_label(slug))


@lru_cache(maxsize=4096)
def _english_topic_label(slug: str) -> str:
    try:
        from ..tagging.normalize import topic_label as tagging_label

        return tagging_label(slug)
    except Exception:
        return slug.replace("-", " ").capitalize()
