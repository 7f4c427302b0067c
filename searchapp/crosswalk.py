"""Crosswalks: a source's own vocabulary mapped onto the product's.

A source such as Reuters tags its stories with codes of its own (topics `earn`, `wheat`,
people `reagan`). Its reader keeps them as they are, as source codes: tags whose value is
`<source>:<code>` (`reuters:wheat`). The crosswalk maps each code onto the product's
vocabulary: a topic code onto a taxonomy concept id (`wheat` -> `wheat`, under Grain), a
person code onto the authority file's name (`reagan` -> `Ronald Reagan`). A code without a
mapping is no facet value: it waits for a librarian (see `Crosswalk.unmapped`).

The default crosswalk ships as TSV files in `data/crosswalks/` (columns source, facet, code,
value; an empty value lists a known code that maps to nothing yet). Librarians' edits, in the
database, overlay it (`Crosswalk.load(db)`). Since the index keeps every article's tags as
ingested, a changed mapping reaches the articles holding the code by re-tagging them (the
curation journal, searchapp.curation).
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .model import Article, Tag

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "crosswalks"
# The facets whose source codes go through a crosswalk. Places keep their own path:
# a country name or code is resolved to ISO 3166 by the tagger's gazetteer.
FACETS = ("topic", "person")
# Sources whose readers give codes of their own (their tags are source codes).
SOURCES = ("reuters",)
_SOURCE_CODE = re.compile(r"([a-z][a-z0-9_-]*):(\S.*)")


@dataclass(frozen=True)
class Mapping:
    source: str  # "reuters"
    facet: str  # "topic" | "person"
    code: str  # the source's code, as it writes it: "money-fx"
    value: str  # the product's value: a taxonomy concept id, an authority name

    def to_dict(self) -> dict:
        return {"source": self.source, "facet": self.facet, "code": self.code, "value": self.value}


def normal_code(code: str) -> str:
    """Codes are compared trimmed and in lower case (Reuters writes `cotton ` once)."""
    return " ".join(code.split()).lower()


def source_code(source: str, code: str) -> str:
    """The tag value that holds a source's code as given: `reuters:money-fx`."""
    return f"{source}:{normal_code(code)}"


def source_tag(source: str, facet: str, code: str) -> Tag:
    """The tag a reader gives for one of its source's codes (origin `source`)."""
    return Tag(facet, source_code(source, code), normal_code(code), "source")


def split_source_code(value: str, sources: Iterable[str] = SOURCES) -> tuple[str, str] | None:
    """(source, code) of a source code's tag value, or None for any other value."""
    match = _SOURCE_CODE.fullmatch(value)
    if match is None or match.group(1) not in sources:
        return None
    return match.group(1), match.group(2)


# -- the shipped crosswalk ---------------------------------------------------------------


def read_tsv(path: str | Path) -> list[Mapping]:
    """The mappings of one crosswalk file; rows with an empty value map nothing."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Mapping(r["source"].strip(), r["facet"].strip(), normal_code(r["code"]),
                    r["value"].strip()) for r in rows if (r.get("value") or "").strip()]


@cache
def _default() -> tuple[Mapping, ...]:
    return tuple(m for path in sorted(DEFAULT_DIR.glob("*.tsv")) for m in read_tsv(path))


def default_crosswalk() -> list[Mapping]:
    """Every mapping that ships with searchapp (Reuters-21578's topic and people lists)."""
    return list(_default())


def default_codes(source: str | None = None) -> list[tuple[str, str, str]]:
    """(source, facet, code) of every code the shipped files list, mapped or not."""
    codes = []
    for path in sorted(DEFAULT_DIR.glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if source is None or r["source"].strip() == source:
                    codes.append((r["source"].strip(), r["facet"].strip(), normal_code(r["code"])))
    return codes


# -- the crosswalk in effect ----------------------------------------------------------------


class Crosswalk:
    """Maps source codes onto the product's values; `labels` names topic concepts."""

    def __init__(self, mappings: Iterable[Mapping] = (),
                 labels: MappingType[str, str] | None = None):
        self._map: dict[tuple[str, str, str], Mapping] = {}
        for m in mappings:
            self._map[(m.source, m.facet, normal_code(m.code))] = m
        self.labels = dict(labels or {})
        self.sources = frozenset(SOURCES) | {m.source for m in self._map.values()}

    @classmethod
    def load(cls, db: sqlite3.Connection | None = None) -> Crosswalk:
        """The shipped crosswalk overlaid by the librarians' edits in `db` (where given);
        topic labels from the taxonomy in effect (the librarians' one, else the shipped)."""
        mappings = {(m.source, m.facet, m.code): m for m in _default()}
        if db is not None:
            for source, facet, code, value in _edits(db):
                if value:
                    mappings[(source, facet, code)] = Mapping(source, facet, code, value)
                else:  # a librarian took the mapping away: the code waits again
                    mappings.pop((source, facet, code), None)
        return cls(mappings.values(), _topic_labels(db))

    def map(self, source: str, facet: str, code: str) -> str | None:
        """The product's value for a source's code, or None when it has none."""
        found = self._map.get((source, facet, normal_code(code)))
        return found.value if found else None

    def mappings(self) -> list[Mapping]:
        return sorted(self._map.values(), key=lambda m: (m.source, m.facet, m.code))

    def tag(self, tag: Tag) -> Tag | None:
        """The tag with its source code mapped; None when the code maps to nothing. Any
        other tag is returned as it is."""
        parts = split_source_code(tag.value, self.sources) if tag.facet in FACETS else None
        if parts is None:
            return tag
        value = self.map(parts[0], tag.facet, parts[1])
        if value is None:
            return None
        label = self._label(tag.facet, value)
        return replace(tag, value=value, label=label)

    def _label(self, facet: str, value: str) -> str:
        if facet != "topic":
            return value
        from .tagging.labels import english_topic_label

        return english_topic_label(value, self.labels)

    def apply(self, article: Article) -> Article:
        """The article with its source codes mapped; codes without a mapping are dropped
        (they stay in the index's tags as ingested, and wait for a librarian)."""
        if not any(self._is_code(t) for t in article.tags):
            return article
        from .tagging import merge_tags

        # A mapped code may give a value the tagger found too ("James Baker"): one tag each.
        tags = [mapped for t in article.tags if (mapped := self.tag(t)) is not None]
        return replace(article, tags=merge_tags(tags))

    def unmapped(self, article: Article) -> list[tuple[str, str, str]]:
        """(source, facet, code) of each source code of the article that maps to nothing."""
        out = []
        for t in article.tags:
            parts = split_source_code(t.value, self.sources) if t.facet in FACETS else None
            if parts is not None and self.map(parts[0], t.facet, parts[1]) is None:
                out.append((parts[0], t.facet, parts[1]))
        return out

    def _is_code(self, tag: Tag) -> bool:
        return tag.facet in FACETS and split_source_code(tag.value, self.sources) is not None


def _edits(db: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    rows = db.execute("SELECT source, facet, code, value FROM crosswalk_edits")
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _topic_labels(db: sqlite3.Connection | None) -> dict[str, str] | None:
    """id -> label of the librarians' taxonomy, or None while the shipped one is used."""
    if db is None:
        return None
    row = db.execute("SELECT content FROM vocabularies WHERE name = 'topics'").fetchone()
    if row is None:
        return None
    from .tagging.labels import taxonomy_labels

    return taxonomy_labels(json.loads(row[0]))
