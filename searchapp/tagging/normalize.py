"""Turn a tag value given by a source or a person (a name, a code, a slug) into a canonical tag."""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Tag
from .labels import country_label, topic_label


def normalize_tag(facet: str, value: str, origin: str) -> Tag | None:
    value = re.sub(r"\s+", " ", value).strip().strip(",")
    if not value:
        return None
    if facet == "country":
        code = resolve_country(value)
        return Tag("country", code, country_label(code), origin) if code else None
    if facet == "person":
        name = person_name(value)
        return Tag("person", name, name, origin)
    if facet == "topic":
        slug = value.lower().replace(" ", "-")
        return Tag("topic", slug, topic_label(slug), origin)
    raise ValueError(f"unknown facet {facet!r}")


def person_name(value: str) -> str:
    # Sources often give names in lower case ("james baker"); the label wants "James Baker".
    if value.islower() or value.isupper():
        return " ".join(w[:1].upper() + w[1:].lower() for w in value.split())
    return value


def resolve_country(value: str) -> str | None:
    """A country name, abbreviation or ISO code -> ISO 3166-1 alpha-2, or None."""
    if re.fullmatch(r"[A-Za-z]{2}", value):
        code = value.upper()
        return code if code in _known_codes() else None
    names = _names_to_codes()
    found = names.get(value.lower())
    if found:
        return found
    # Fall back on the tagger's gazetteer: it knows abbreviations and historic states.
    text = value if not value.islower() else value.title()
    if len(value) <= 4:
        text = value.upper()
    codes = _country_tagger().tag(text, "")
    return codes[0] if codes else None


@lru_cache(maxsize=1)
def _country_tagger():
    from .countries import CountryTagger

    return CountryTagger()


@lru_cache(maxsize=1)
def _names_to_codes() -> dict[str, str]:
    from babel import Locale

    return {name.lower(): code for code, name in Locale("en").territories.items()
            if re.fullmatch(r"[A-Z]{2}", code)}


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    # Former states the country tagger knows: the gazetteer's own list.
    from .countries import shipped_gazetteer

    return frozenset(_names_to_codes().values()) | frozenset(shipped_gazetteer().get("historic", {}))


