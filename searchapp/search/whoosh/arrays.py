"""Whoosh queries answered over posting lists held as numpy arrays.

Whoosh matches and scores one document at a time in pure Python: about 150 ms for a
word found in 25,000 articles. Here each term's postings are read once per segment into
arrays (document numbers, weights and, for phrase words, positions), kept in a bounded
cache, and the query tree is evaluated with whole-array operations. Matches and BM25F
scores are Whoosh's own: same postings, same statistics, same formula, the same per-segment
evaluation (tests compare the two on the same index).

Covered: words on any field, AND, OR (with the coordination bonus of questions), NOT,
boosts, and exact phrases. Anything else (wildcards, ranges, fuzzy words, proximity), or
a Whoosh other than the pinned one (see `internals`), raises `Unsupported` and the caller
lets Whoosh answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from whoosh import query

from ..lru import LRU
from .expansion import Expanded
from .internals import (
    Unsupported,
    bm25_parameters,
    decode_positions,
    deleted_docs,
    read_lengths,
    read_postings,
)

# Postings kept per process, least recently used first out. The words of a working day's
# searches fit many times over; a worker stays far below the memory target.
CACHE_BYTES = 128 * 1024 * 1024


class TooSlow(Exception):
    """The evaluation passed its deadline (a query of hundreds of words, read cold)."""


@dataclass(frozen=True)
class Postings:
    docs: np.ndarray  # int32, ascending segment doc numbers (deleted ones included)
    weights: np.ndarray  # float32 when that is exact (term frequencies), else float64
    starts: np.ndarray | None = None  # positions of docs[i] are positions[starts[i]:starts[i+1]]
    positions: np.ndarray | None = None  # uint16 or int32

    @property
    def nbytes(self) -> int:
        extra = 0 if self.starts is None or self.positions is None else (
            self.starts.nbytes + self.positions.nbytes)
        return self.docs.nbytes + self.weights.nbytes + extra


_EMPTY = Postings(np.zeros(0, np.int32), np.zeros(0, np.float64))


class PostingsCache:
    """Per-segment postings and field lengths, bounded by bytes, shared by threads."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.lru = LRU(max_bytes, size_of=lambda item: item.nbytes)

    def postings(self, seg_id: str, reader, field: str, btext: bytes, positions: bool) -> Postings:
        if not positions:  # a phrase word's postings serve plain lookups too
            item = self.lru.get((seg_id, field, btext, True))
            if item is not None:
                return item
        key = (seg_id, field, btext, positions)
        return self.lru.get_or_load(key, lambda: postings(reader, field, btext, positions))

    def lengths(self, seg_id: str, reader, field: str) -> np.ndarray:
        return self.lru.get_or_load((seg_id, field, "lengths"), lambda: read_lengths(reader, field))

    @property
    def size(self) -> int:
        """Bytes held."""
        return self.lru.size

    def clear(self) -> None:
        self.lru.clear()


def postings(reader, field: str, btext: bytes, positions: bool) -> Postings:
    """A term's whole posting list in one segment, deletions included (masked later)."""
    found = read_postings(reader, field, btext, positions)
    if found is None:
        return _EMPTY
    docs, weights, values = found
    out = Postings(docs.astype(np.int32), _compact(weights))
    if not positions:
        return out
    starts, flat = decode_positions(values)
    return Postings(out.docs, out.weights, starts, flat)


def _compact(weights: np.ndarray) -> np.ndarray:
    """Weights are whole term frequencies (times a field boost): float32 holds them exactly
    in half the memory. Anything else stays float64."""
    small = weights.astype(np.float32)
    return small if np.array_equal(small, weights) else weights


# -- evaluation ---------------------------------------------------------------------------


@dataclass
class Result:
    """A query part's matches in one segment: a mask, scores, and (for questions) how
    many of its words each document matched."""
    mask: np.ndarray  # bool
    score: np.ndarray  # float64
    terms: int  # live words (term matchers) in this part
    matched: np.ndarray | None  # int16 count of matching words, when asked


class Evaluator:
    """Evaluates one parsed query over every segment of a searcher."""

    def __init__(self, searcher, cache: PostingsCache, deadline: float | None = None):
        self.B, self.K1, self.field_B = bm25_parameters(searcher.weighting)
        self.s = searcher
        self.cache = cache
        self.avgfl: dict[str, float] = {}
        self.idfs: dict[tuple[str, bytes], float] = {}
        self.deadline = deadline  # time.monotonic() value

    def run(self, q, restrict: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mask, scores) over global doc numbers, deleted documents left out. With
        `restrict` (a global mask of documents that may be shown, deleted ones excluded),
        only documents in it are answered: phrases check word positions only there."""
        total = self.s.doc_count_all()
        mask = np.zeros(total, dtype=bool)
        scores = np.zeros(total, dtype=np.float64)
        _check(q)
        for sub, offset in self.s.leaf_searchers():
            reader = sub.reader()
            size = reader.doc_count_all()
            if not size:
                continue
            seg = _Segment(reader.segment().segment_id(), reader, size,
                           None if restrict is None else restrict[offset:offset + size])
            r = self._eval(q, seg, coord=False)
            if r is None:
                continue
            m = r.mask
            if seg.restrict is not None:
                m = m & seg.restrict
            elif reader.has_deletions():
                m = m.copy()
                m[deleted_docs(reader)] = False
            mask[offset:offset + size] = m
            scores[offset:offset + size] = np.where(m, r.score, 0.0)
        return mask, scores

    def add_words(self, words, count: np.ndarray, scores: np.ndarray) -> None:
        """Add a plain query's words (each an OR of terms, see `plain.Words`) into the
        global `count` of words each live document has and its `scores` (Whoosh's: each
        word's field scores times its weight, summed), without `run`'s whole-archive arrays
        for every word. Deleted documents are counted 0; their scores are left as they fall."""
        for sub, offset in self.s.leaf_searchers():
            reader = sub.reader()
            size = reader.doc_count_all()
            if not size:
                continue
            seg = _Segment(reader.segment().segment_id(), reader, size, None)
            dead = deleted_docs(reader) if reader.has_deletions() else None
            for word in words:
                self._add_word(word, seg, dead, count[offset:offset + size],
                               scores[offset:offset + size])

    def _add_word(self, word, seg, dead, count: np.ndarray, scores: np.ndarray) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TooSlow
        hit = None
        for term in word.subqueries:
            found = self._field_scores(term, seg)
            if found is None:
                continue
            docs, term_scores = found
            # A field's documents are distinct: adding at them all at once is exact.
            scores[docs] += term_scores * word.boost if word.boost != 1 else term_scores
            if hit is None:
                hit = np.zeros(seg.size, dtype=bool)
            hit[docs] = True
        if hit is not None:
            if dead is not None:
                hit[dead] = False
            count += hit

    def _field_scores(self, q, seg) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc numbers, scores) of one word on one field; None when the segment
        does not have it."""
        field = q.fieldname
        if field not in self.s.schema:
            return None
        try:
            btext = self.s.schema[field].to_bytes(q.text)
        except ValueError:
            return None
        p = self.cache.postings(seg.id, seg.reader, field, btext, positions=False)
        if not len(p.docs):
            return None
        return p.docs, self._scores(field, btext, p, seg) * q.boost

    # Each _eval returns a Result over the segment, or None when the part cannot match
    # there (Whoosh's NullMatcher: a word the segment does not have).

    def _eval(self, q, seg, coord: bool) -> Result | None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TooSlow
        if q is query.NullQuery:  # e.g. only stop words
            return None
        if isinstance(q, query.Term):
            return self._term(q, seg, coord)
        if isinstance(q, query.Phrase):
            return self._phrase(q, seg, coord)
        if isinstance(q, query.AndNot):
            pos = self._eval(q.a, seg, coord)
            if pos is None:
                return None
            neg = self._eval(q.b, seg, False)
            if neg is not None:
                pos.mask = pos.mask & ~neg.mask
            return pos
        if isinstance(q, Expanded):
            return self._expanded(q, seg, coord)
        if isinstance(q, query.Or):
            return self._or(q, seg, coord)
        if isinstance(q, query.And):
            return self._and(q, seg, coord)
        raise Unsupported(type(q).__name__)

    def _term(self, q, seg, coord: bool) -> Result | None:
        found = self._field_scores(q, seg)
        if found is None:  # not in this segment
            return None
        docs, term_scores = found
        score = np.zeros(seg.size, dtype=np.float64)
        score[docs] = term_scores
        mask = np.zeros(seg.size, dtype=bool)
        mask[docs] = True
        return Result(mask, score, 1, mask.astype(np.int16) if coord else None)

    def _scores(self, field: str, btext: bytes, p: Postings, seg) -> np.ndarray:
        if not self.s.schema[field].scorable:
            return p.weights  # Whoosh's WeightScorer
        idf = self.idfs.get((field, btext))
        if idf is None:  # Whoosh sums a word's frequency over the segments at every call
            idf = self.idfs[field, btext] = self.s.idf(field, btext)
        if field not in self.avgfl:  # Whoosh sums it over the segments at every call
            self.avgfl[field] = self.s.avg_field_length(field) or 1
        avgfl = self.avgfl[field]
        B = self.field_B.get(field, self.B)
        K1 = self.K1
        fl = self.cache.lengths(seg.id, seg.reader, field)[p.docs]
        tf = p.weights.astype(np.float64)  # float64 arithmetic, as Whoosh's
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

    def _phrase(self, q, seg, coord: bool) -> Result | None:
        field = q.fieldname
        if q.slop != 1 or field not in self.s.schema:
            raise Unsupported("proximity")
        if not self.s.schema[field].format.supports("positions"):
            raise Unsupported("phrase on a field without positions")
        words = []
        for word in q.words:
            try:
                btext = self.s.schema[field].to_bytes(word)
            except ValueError:
                return None
            words.append(btext)
        if not words:
            return None
        plist = [self.cache.postings(seg.id, seg.reader, field, w, positions=True) for w in words]
        if not all(len(p.docs) for p in plist):
            return None
        # Candidates have every word (and can still be shown); then positions decide.
        cand = np.ones(seg.size, dtype=bool) if seg.restrict is None else seg.restrict.copy()
        for p in plist:
            has = np.zeros(seg.size, dtype=bool)
            has[p.docs] = True
            cand &= has
        mask = np.zeros(seg.size, dtype=bool)
        if cand.any() and len(words) > 1:
            mask[_adjacent(plist, cand)] = True
        elif cand.any():
            mask = cand
        score = np.zeros(seg.size, dtype=np.float64)
        for w, p in zip(words, plist):
            score[p.docs] += self._scores(field, w, p, seg)
        score = np.where(mask, score * q.boost, 0.0)
        # A phrase is one span to Whoosh's coordination count: each of its words matches.
        terms = len(words)
        return Result(mask, score, terms,
                      (mask.astype(np.int16) * terms) if coord else None)

    def _and(self, q, seg, coord: bool) -> Result | None:
        subs = q.subqueries
        if not subs:
            return None
        pos = [s for s in subs if not isinstance(s, query.Not)]
        neg = [s.query for s in subs if isinstance(s, query.Not)]
        if not pos:
            raise Unsupported("only negative")
        results = []
        for s in pos:
            r = self._eval(s, seg, coord)
            if r is None:  # one part can't match: the whole AND can't
                return None
            results.append(r)
        out = _combine(results, np.logical_and, coord)
        for s in neg:
            r = self._eval(s, seg, False)
            if r is not None:
                out.mask &= ~r.mask
        # Whoosh scores each NOT part 1.0 where it holds (its InverseMatcher's weight).
        out.score = np.where(out.mask, out.score + len(neg), 0.0) * q.boost
        return out

    def _expanded(self, q, seg, coord: bool) -> Result | None:
        """Many words, one score array: each word's scores added where it occurs."""
        score = np.zeros(seg.size, dtype=np.float64)
        mask = np.zeros(seg.size, dtype=bool)
        for n, term in enumerate(q.subqueries):
            if n % 64 == 63 and self.deadline is not None and time.monotonic() > self.deadline:
                raise TooSlow
            field = term.fieldname
            btext = self.s.schema[field].to_bytes(term.text)
            p = self.cache.postings(seg.id, seg.reader, field, btext, positions=False)
            if len(p.docs):
                score[p.docs] += self._scores(field, btext, p, seg) * term.boost
                mask[p.docs] = True
        if not mask.any():
            return None
        return Result(mask, score * q.boost, 1, mask.astype(np.int16) if coord else None)

    def _or(self, q, seg, coord: bool) -> Result | None:
        if q.minmatch:
            raise Unsupported("minmatch")
        if any(isinstance(s, query.Not) for s in q.subqueries):
            raise Unsupported("negative in OR")
        scaled = bool(q.scale)
        results = [r for r in (self._eval(s, seg, coord or scaled) for s in q.subqueries)
                   if r is not None]
        if not results:
            return None
        out = _combine(results, np.logical_or, coord or scaled)
        if scaled and len(q.subqueries) > 1 and out.terms:
            # Whoosh's CoordMatcher ("SQR"): rewards documents matching more of the words.
            n, scale = out.terms, q.scale
            if n == scale:
                out.score = np.zeros_like(out.score)
            else:
                out.score = (out.score + (_counted(out) - 1) / (n - scale) ** 2) * ((n - 1) / n)
        out.score = np.where(out.mask, out.score, 0.0) * q.boost
        return out


@dataclass
class _Segment:
    id: str
    reader: object
    size: int
    restrict: np.ndarray | None


def _adjacent(plist: list[Postings], cand: np.ndarray) -> np.ndarray:
    """Candidate docs where the phrase's words (their postings with positions, in order)
    occur one right after the other."""
    keys = None
    for i, p in enumerate(plist):
        starts, positions = p.starts, p.positions
        assert starts is not None and positions is not None  # a phrase's words come with positions
        rows = np.flatnonzero(cand[p.docs])
        counts = starts[rows + 1] - starts[rows]
        # The rows' positions, gathered at once.
        first = np.repeat(starts[rows] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        pos = positions[first + np.arange(int(counts.sum()))].astype(np.int64)
        docs = np.repeat(p.docs[rows].astype(np.int64), counts)
        k = (docs << 32) | (pos - i + 2**31)  # the phrase's start position, per doc
        keys = k if keys is None else np.intersect1d(keys, k, assume_unique=True)
        if not len(keys):
            break
    assert keys is not None  # a phrase has words
    return np.unique(keys >> 32).astype(np.int64)


def _combine(results: list[Result], op, coord: bool) -> Result:
    first = results[0]
    mask, score = first.mask.copy(), first.score.copy()
    matched = _counted(first).copy() if coord else None
    terms = first.terms
    for r in results[1:]:
        op(mask, r.mask, out=mask)
        score += r.score
        terms += r.terms
        if matched is not None:  # coord
            matched += _counted(r)
    return Result(mask, score, terms, matched)


def _counted(r: Result) -> np.ndarray:
    """`r.matched`, which a part evaluated with `coord` always has."""
    assert r.matched is not None
    return r.matched


def _check(q) -> None:
    """Refuse early what `_eval` does not cover, before any work."""
    if isinstance(q, (query.Term, query.Phrase)) or q is query.NullQuery:
        return
    if isinstance(q, Expanded):  # plain words only
        return
    if isinstance(q, query.AndNot):
        _check(q.a)
        _check(q.b)
        return
    if isinstance(q, query.Not):
        _check(q.query)
        return
    if type(q) in (query.And, query.Or):
        if all(isinstance(s, query.Not) for s in q.subqueries):
            raise Unsupported("only negative")
        for s in q.subqueries:
            _check(s)
        return
    raise Unsupported(type(q).__name__)
