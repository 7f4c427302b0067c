"""Per-document tables for filtering, counting and sorting, as numpy arrays.

Each segment's tables (which facet values each document has, its day and its publication
key) are read once from the postings and columns and cached by segment id; a searcher's
global tables are those concatenated, with its deletions masked. Counting facet values
over a result is then a gather and a bincount, in C, over the matching documents only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...model import FACETS
from .internals import deleted_docs, field_postings_ids, numeric_column


@dataclass(frozen=True)
class SegmentTables:
    facets: dict[str, dict[str, np.ndarray]]  # facet -> value -> segment doc numbers
    day: np.ndarray  # int32 yyyymmdd, 0 undated
    pubkey: np.ndarray  # int64 yyyymmddHHMMSS, 0 undated
    group: np.ndarray  # int64: a hash of the near-duplicate group (see `group_key`)


def group_key(group: str) -> int:
    """A group id as the tables hold it: a number (hashed in this process, where the tables
    live), so that collapsing is whole-array work."""
    return hash(group)


def _group_column(reader, size: int) -> np.ndarray:
    if not reader.has_column("group"):  # an article with no group is a group of its own
        return np.array([group_key(f"\0{d}") for d in range(size)], dtype=np.int64)
    col = reader.column_reader("group")
    return np.fromiter((group_key(_text(col[d]) or f"\0{d}") for d in range(size)),
                       dtype=np.int64, count=size)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value or "")


def build_segment_tables(reader) -> SegmentTables:
    size = reader.doc_count_all()
    facets = {}
    for facet in FACETS:
        values = {}
        if facet in reader.indexed_field_names():
            for term, docs in field_postings_ids(reader, facet):
                values[term.decode("utf-8")] = docs
        facets[facet] = values
    return SegmentTables(facets, numeric_column(reader, "day", np.int32),
                         numeric_column(reader, "pubkey", np.int64), _group_column(reader, size))


class FacetTable:
    """One facet over a searcher's documents: values by document and documents by value."""

    def __init__(self, per_segment: list[tuple[int, dict[str, np.ndarray]]], size: int):
        parts: dict[str, list[np.ndarray]] = {}
        for offset, values in per_segment:
            for value, docs in values.items():
                parts.setdefault(value, []).append(docs + offset)
        self.values = sorted(parts)
        self.index = {v: i for i, v in enumerate(self.values)}
        lists = [np.concatenate(parts[v]) for v in self.values]
        counts = np.array([len(x) for x in lists], dtype=np.int64)
        # By value: the documents of value i are by_value[value_starts[i]:value_starts[i+1]].
        self.value_starts = np.concatenate(([0], np.cumsum(counts)))
        self.by_value = np.concatenate(lists).astype(np.int32) if lists else np.zeros(0, np.int32)
        entry_value = np.repeat(np.arange(len(self.values), dtype=np.int32), counts)
        # By document: the values of doc d are doc_values[doc_starts[d]:doc_starts[d+1]].
        order = np.argsort(self.by_value, kind="stable")
        self.doc_values = entry_value[order]
        self.doc_starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.by_value, minlength=size), out=self.doc_starts[1:])

    def docs_with(self, values) -> np.ndarray:
        """Doc numbers having any of the values (unknown values have none)."""
        found = [self.index[v] for v in values if v in self.index]
        if not found:
            return np.zeros(0, dtype=np.int32)
        return np.concatenate([self.by_value[self.value_starts[i]:self.value_starts[i + 1]]
                               for i in found])

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """For each value (by index), how many of the given documents have it."""
        starts, ends = self.doc_starts[docs], self.doc_starts[docs + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self.values), dtype=np.int64)
        # Every entry of the given documents, gathered in one go.
        shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return np.bincount(self.doc_values[shift + np.arange(total)], minlength=len(self.values))

    def top(self, docs: np.ndarray, limit: int = 0,
            keep=()) -> tuple[int, list[tuple[str, int]]]:
        """(how many values the documents have, the `limit` most frequent (0: all) as
        (value, count), most frequent first, equal counts in alphabetical order; then any of
        `keep` found among the documents but not among the most frequent)."""
        counts = self.counts(docs)
        hit = np.flatnonzero(counts)
        shown = hit
        if limit and len(hit) > limit:
            # Only values at least as frequent as the limit-th are sorted (thousands of
            # names otherwise); ties at the cut all stay, so the order below decides.
            kth = np.partition(counts[hit], len(hit) - limit)[len(hit) - limit]
            shown = hit[counts[hit] >= kth]
        order = shown[np.lexsort((shown, -counts[shown]))].tolist()  # index order is A-Z
        if limit:
            listed = set(order[:limit])
            extra = sorted((i for v in keep if (i := self.index.get(v)) is not None
                            and counts[i] and i not in listed), key=lambda i: (-counts[i], i))
            order = order[:limit] + extra
        return len(hit), [(self.values[i], int(counts[i])) for i in order]


@dataclass(frozen=True)
class Tables:
    """A searcher's global tables."""
    live: np.ndarray  # bool: not deleted
    day: np.ndarray
    pubkey: np.ndarray
    facets: dict[str, FacetTable]
    group: np.ndarray  # int64 group key of each document (see `group_key`)
    grouped: np.ndarray  # bool: a live document whose group has other live documents

    @property
    def size(self) -> int:
        return len(self.live)


def global_tables(segments: list[tuple[int, Any, SegmentTables]], size: int) -> Tables:
    """`segments`: (offset, Whoosh reader, tables) of every non-empty segment of a searcher."""
    live = np.ones(size, dtype=bool)
    day = np.zeros(size, dtype=np.int32)
    pubkey = np.zeros(size, dtype=np.int64)
    group = np.arange(size, dtype=np.int64)  # unused numbers (no segment) stand alone
    for offset, reader, t in segments:
        n = len(t.day)
        day[offset:offset + n] = t.day
        pubkey[offset:offset + n] = t.pubkey
        group[offset:offset + n] = t.group
        if reader.has_deletions():
            live[offset + deleted_docs(reader)] = False
    facets = {f: FacetTable([(offset, t.facets[f]) for offset, _r, t in segments], size)
              for f in FACETS}
    return Tables(live, day, pubkey, facets, group, _grouped(group, live))


def _grouped(group: np.ndarray, live: np.ndarray) -> np.ndarray:
    """Which live documents share their group with another live one."""
    _keys, codes = np.unique(group, return_inverse=True)
    sizes = np.bincount(codes[live], minlength=len(_keys))
    return live & (sizes[codes] > 1)


def date_mask(day: np.ndarray, lo: int, hi: int, include_undated: bool) -> np.ndarray:
    inside = (day >= lo) & (day <= hi)
    return inside | (day == 0) if include_undated else inside
