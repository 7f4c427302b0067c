"""Field values as the reader writes them -> the values the index holds, for every engine.

Readers see labels: "Ronald Reagan", "Soviet Union", "Central banks". The index holds
canonical values: the person's name as tagged, ISO country codes (SU), topic ids
(central-banks). So `person:reagan`, `country:"soviet union"`, `country:su` and
`topic:"central banks"` are resolved here, from the vocabularies (the authority file's
names and aliases, the gazetteer's and CLDR's country names, the taxonomy's labels) and the
values the index holds (`held`, given by the engine), before the engine parses the query.
Other facets' values are names, as readers see them (`source:"bbc news"`, `source:reuters`,
`organisation:opec`). Values compare without case, accents or punctuation. A value nothing
resolves is searched as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from ..model import FACETS
from ..tagging.labels import country_label, english_topic_label, shipped_topic_labels
from ..tagging.normalize import resolve_country
from ..tagging.persons import fold, load_authority
from . import facet_value

FACET_FIELDS = FACETS
# Country names are compared in the languages of the interface as well as English.
LABEL_LOCALES = ("en", "fr")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

Held = Callable[[str], Iterable[str]]  # facet -> the values the index holds


def key(text: str) -> str:
    """A value as compared: lower case, no accents, words split on punctuation."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def resolve(facet: str, written: str, held: Held) -> list[str]:
    """The index values `written` stands for on `facet` (at least one: `written` itself,
    normalised as the index stores it, when nothing else matches)."""
    found = _RESOLVERS.get(facet, _names)(facet, written, held)
    return found or [facet_value(facet, written)]


def _countries(facet: str, written: str, held: Held) -> list[str]:
    if re.fullmatch(r"[A-Za-z]{2}", written):
        return [written.upper()]
    code = resolve_country(written)
    if code:
        return [code]
    wanted = key(written)
    return [c for c in held("country")
            if any(key(country_label(c, locale)) == wanted for locale in LABEL_LOCALES)]


def _persons(facet: str, written: str, held: Held) -> list[str]:
    """The name or an alias as written; else the held names that end or start with it
    (`person:reagan`, `person:"ronald"`)."""
    wanted = key(written)
    names = list(held(facet))
    exact = [n for n in names if key(n) == wanted or wanted in _aliases().get(key(n), ())]
    return exact or _ends(names, wanted)


def _names(facet: str, written: str, held: Held) -> list[str]:
    """Any other facet's values are names (`source:"bbc news"`, `organisation:opec`): the
    held name as written, without case or accents; else the names that end or start with
    it (`source:bbc` is "BBC News")."""
    wanted = key(written)
    names = list(held(facet))
    return [n for n in names if key(n) == wanted] or _ends(names, wanted)


def _ends(names: list[str], wanted: str) -> list[str]:
    return [n for n in names if key(n).endswith(" " + wanted) or key(n).startswith(wanted + " ")]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, frozenset[str]]:
    """The authority file: a canonical name's key -> the keys of its aliases."""
    return {key(entry["name"]): frozenset(key(a) for a in entry.get("aliases", ()))
            for entry in load_authority()}


def _topics(facet: str, written: str, held: Held) -> list[str]:
    wanted = key(written)
    ids = set(held(facet)) | set(shipped_topic_labels())
    return sorted(t for t in ids if wanted == key(t) or wanted in _label_keys(t))


@lru_cache(maxsize=4096)
def _label_keys(topic: str) -> frozenset[str]:
    """The topic's shipped label as compared, in every language of the interface: a French
    reader writes `topic:"banques centrales"`. Cached: every `topic:` query compares them all."""
    label = english_topic_label(topic)
    return frozenset(key(_catalog(locale).gettext(label)) for locale in LABEL_LOCALES)


@lru_cache(maxsize=len(LABEL_LOCALES))
def _catalog(locale: str):
    """The message catalogue of `locale` (English: none), as the web layer shows labels."""
    from babel.support import NullTranslations, Translations

    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


# Facets whose values are resolved from a vocabulary; every other facet's are names.
_RESOLVERS: dict[str, Callable[[str, str, Held], list[str]]] = {
    "country": _countries, "person": _persons, "topic": _topics}
