"""Turn a tag value given by a source or a person (a name, a code, a slug) into a canonical tag."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..facets import BY_NAME
from ..model import Tag


def normalize_tag(facet: str, value: str, origin: str) -> Tag | None:
    """The tag for `value` as a source or a librarian gives it, through its facet's
    normaliser (see `searchapp.facets`); None when the value stands for nothing."""
    value = re.sub(r"\s+", " ", value).strip().strip(",")
    if not value:
        return None
    if facet not in BY_NAME:
        raise ValueError(f"unknown facet {facet!r}")
    found = BY_NAME[facet].normalise(value)
    return Tag(facet, found[0], found[1], origin) if found else None


def person_name(value: str) -> str:
    # Sources often give names in lower case ("james baker"); the label wants "James Baker".
    if value.islower() or value.isupper():
        return " ".join(w[:1].upper() + w[1:].lower() for w in value.split())
    return value


def organisation_name(value: str) -> str:
    """A source's code ("opec", "worldbank", "ico-coffee") -> the organisation's name; an
    unknown short code in capitals ("SSE"); a name in one case as a name ("Bank Of Tokyo")."""
    known = _organisation_codes().get(value.lower().replace(" ", "-"))
    if known:
        return known
    if " " not in value and len(value) <= 6 and (value.islower() or value.isupper()):
        return value.upper()
    return person_name(value)


@lru_cache(maxsize=1)
def _organisation_codes() -> dict[str, str]:
    path = Path(__file__).resolve().parent.parent / "data" / "organisation_codes.json"
    return json.loads(path.read_text(encoding="utf-8"))["codes"]


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


