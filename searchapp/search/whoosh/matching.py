"""Matching and counting: a request's documents as a mask over doc numbers, its facet
counts and date histogram, and a page of them in the requested order.

Filters are masks from the per-segment tables (`tables`); queries are evaluated on the
cached posting arrays (`arrays`), or by Whoosh itself for what those don't cover.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from whoosh import collectors, query

from ...model import FACETS
from .. import UNDATED, FacetCount, Match, SearchRequest, facet_value
from .. import query as policy
from .arrays import Evaluator, PostingsCache, TooSlow
from .internals import Unsupported
from .plain import Words
from .tables import Tables, date_mask, group_key

# A query still ranking after this long is refused with a message, well before the
# server's worker timeout (a runaway query must never become a 500).
MAX_SEARCH_SECONDS = 8.0


def search_deadline() -> float:
    """The time.monotonic() value past which a search starting now is refused."""
    return time.monotonic() + MAX_SEARCH_SECONDS


@dataclass
class DocsMatching:
    """Called, the matching documents (a mask over doc numbers) with every filter, or with
    every filter but one facet's (`skip`: facets are OR within); with the query's scores
    (None when browsing) and how its words were matched."""
    base: np.ndarray  # the query and the filters that are not facet selections
    selected: dict[str, np.ndarray]  # facet -> its selection's mask
    scores: np.ndarray | None
    match: Match | None

    @property
    def filtered(self) -> set[str]:
        """The facets with a selection."""
        return set(self.selected)

    def __call__(self, skip: str | None = None) -> np.ndarray:
        docs = self.base
        for facet, mask in self.selected.items():
            if facet != skip:
                docs = docs & mask
        return docs


def matching(s, user_q, request: SearchRequest, tables: Tables, postings: PostingsCache,
             words: Words | None = None, deadline: float | None = None) -> DocsMatching:
    """A function giving the matching documents (a mask over doc numbers) with every
    filter, or with every filter but one facet's (`skip`: facets are OR within).

    Filters are masks from the cached tables, computed before the query so that phrases
    check word positions only in documents that could still be shown. `words`: those of a
    plain query, matched as the policy says (all of them, or at least some); the function's
    `match` tells how. `deadline` (a time.monotonic() value, default MAX_SEARCH_SECONDS from
    now) bounds the ranking.
    """
    base = tables.live.copy()
    for facet, values in request.exclude.items():
        docs = tables.facets[facet].docs_with(facet_values(facet, values))
        base[docs] = False
    if request.group is not None:
        base &= tables.group == group_key(request.group)
    if request.date_from or request.date_to:
        lo = int(request.date_from.strftime("%Y%m%d")) if request.date_from else 1
        hi = int(request.date_to.strftime("%Y%m%d")) if request.date_to else 99991231
        base &= date_mask(tables.day, lo, hi, request.include_undated)
    selected = {}
    for facet in FACETS:
        chosen = facet_values(facet, request.filters.get(facet, ()))
        if chosen:
            mask = np.zeros(tables.size, dtype=bool)
            mask[tables.facets[facet].docs_with(chosen)] = True
            selected[facet] = mask
    # A document counts if it passes every selection but at most one (OR within a facet).
    restrict = base
    if selected:
        passed = np.sum(list(selected.values()), axis=0)
        restrict = base & (passed >= len(selected) - 1)
    scores, match = None, None
    if words is not None:
        found, scores, match = match_words(s, words, postings, request.all_words, deadline)
        base = base & found
    elif not isinstance(user_q, query.Every):
        found, scores = evaluate(s, user_q, postings, restrict, deadline)
        base = base & found
        match = Match(policy.OPERATORS)
    return DocsMatching(base, selected, scores, match)


def match_words(s, words: Words, postings: PostingsCache, all_words: bool,
                deadline: float | None = None):
    """(mask, scores, Match) of a plain query's words: each word is looked up once, and an
    article's score is the sum of its words' (no bonus for having more of them: BM25's
    own sum already favours it). Counted in the whole archive, not under the filters:
    "no article has all the words" is about the archive."""
    count = np.zeros(s.doc_count_all(), dtype=np.int16)
    scores = np.zeros(s.doc_count_all(), dtype=np.float64)
    deadline = deadline or search_deadline()  # for all the words together
    try:
        Evaluator(s, postings, deadline).add_words(words.queries, count, scores)
    except Unsupported:  # another Whoosh: each word as any query
        count[:], scores[:] = 0, 0.0
        for q in words.queries:
            found, word_scores = evaluate(s, q, postings, None, deadline)
            count += found
            scores += word_scores
    except TooSlow:
        raise policy.too_slow() from None
    n = len(words.queries)
    with_all = int(np.count_nonzero(count == n)) if n else 0
    match = policy.plan_match(n, words.present, with_all, words.question, all_words)
    found = count >= max(match.at_least, 1)
    return found, np.where(found, scores, 0.0), match


def evaluate(s, q, postings: PostingsCache, restrict, deadline: float | None = None):
    """(mask, scores) of the query over the index: on cached posting arrays, or by
    Whoosh itself for the parts those don't cover (date ranges)."""
    if deadline is None:
        deadline = search_deadline()
    try:
        return Evaluator(s, postings, deadline).run(q, restrict)
    except Unsupported:
        pass
    except TooSlow:
        raise policy.too_slow() from None
    found = np.zeros(s.doc_count_all(), dtype=bool)
    scores = np.zeros(s.doc_count_all(), dtype=np.float64)
    by_doc = score_all(s, q, deadline)
    if by_doc:
        docs = np.fromiter(by_doc, dtype=np.int64, count=len(by_doc))
        found[docs] = True
        scores[docs] = np.fromiter(by_doc.values(), dtype=np.float64, count=len(by_doc))
    return found, scores


class _PastDeadline(Exception):
    pass


class _ScoreAll(collectors.ScoredCollector):
    """Every match with its score, in one pass; gives up past a deadline."""

    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline
        self.scores: dict[int, float] = {}

    def _collect(self, global_docnum, score):
        self.scores[global_docnum] = score
        if len(self.scores) % 2048 == 1 and time.monotonic() > self.deadline:  # from the first
            raise _PastDeadline
        return 0 - score

    def results(self):  # not used: the caller reads `scores`
        return None


def score_all(s, q, deadline: float | None = None) -> dict[int, float]:
    """Whoosh's own matching: global doc number -> score of every match."""
    collector = _ScoreAll(deadline or search_deadline())
    try:
        s.search_with_collector(q, collector)
    except _PastDeadline:
        raise policy.too_slow() from None
    return collector.scores


def counts(request: SearchRequest, docs_matching: DocsMatching, docs: np.ndarray, tables: Tables) -> tuple:
    """(facet counts, distinct values per facet, date buckets)."""
    facets, totals = {}, {}
    for facet in FACETS:
        filtered = facet in docs_matching.filtered
        facet_docs = np.flatnonzero(docs_matching(facet)) if filtered else docs
        # Selected values are listed even when rare, so that they can be unticked.
        keep = set(facet_values(facet, request.filters.get(facet, ())))
        totals[facet], ordered = tables.facets[facet].top(facet_docs, request.facet_limit, keep)
        facets[facet] = [FacetCount(v, n) for v, n in ordered]
    return facets, totals, date_buckets(tables.day[docs], request.date_granularity)


def collapse(request: SearchRequest, docs: np.ndarray, tables: Tables,
             scores: np.ndarray | None) -> tuple[np.ndarray, dict[int, int]]:
    """(the docs (ascending) with one per near-duplicate group: the one the requested order
    puts first; {kept doc: how many of its group's matching docs it stands for besides
    itself}). Only docs whose group has several live members are looked at."""
    several = tables.grouped[docs]
    if not request.group_versions or request.group is not None or not several.any():
        return docs, {}
    members = docs[several]
    rank = _rank_keys(request, members, tables, scores)
    # By group, then best first (ties in doc order): each group's first is its leader.
    order = np.lexsort((members, -rank, tables.group[members]))
    by_group = tables.group[members][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = by_group[1:] != by_group[:-1]
    leaders = members[order][first]
    sizes = np.diff(np.append(np.flatnonzero(first), len(order)))
    kept = np.sort(np.concatenate([docs[~several], leaders]))
    return kept, dict(zip(leaders.tolist(), (sizes - 1).tolist()))


def _rank_keys(request: SearchRequest, docs: np.ndarray, tables: Tables,
               scores: np.ndarray | None) -> np.ndarray:
    """Larger is better, as page_order places documents (undated last by date)."""
    if request.sort == "relevance":
        return scores[docs] if scores is not None else -docs.astype(np.float64)
    keys = tables.pubkey[docs].astype(np.float64)
    if request.sort == "newest":
        return keys
    return np.where(keys > 0, -keys, -np.inf)


def page_order(request: SearchRequest, docs: np.ndarray, tables: Tables,
               scores: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """(the requested page of `docs` (ascending doc numbers) in the requested order,
    whether the hits carry scores)."""
    start, end = (request.page - 1) * request.per_page, request.page * request.per_page
    if request.sort == "relevance":
        if scores is None:
            return docs[start:end], False  # browsing: nothing to rank, index order
        # Best first; equal scores in index order, so pages are stable.
        return top(docs, scores[docs], end)[start:end], True
    # By date, from the cached publication keys; undated articles (key 0) come last.
    keys = tables.pubkey[docs]
    if request.sort == "newest":
        page = top(docs, keys, end)
    else:
        dated = keys > 0
        page = top(docs[dated], -keys[dated], end)
        page = np.concatenate([page, docs[~dated][: end - len(page)]])
    return page[start:end], False


def top(docs: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
    """The n docs with the largest keys, largest first; equal keys in doc order."""
    if len(docs) > n:
        kth = np.partition(keys, len(keys) - n)[len(keys) - n]
        keep = keys >= kth  # ties at the cut all stay, so the order below decides
        docs, keys = docs[keep], keys[keep]
    return docs[np.lexsort((docs, -keys))][:n]


def facet_values(facet: str, values) -> list[str]:
    return [facet_value(facet, v) for v in values if v]


def date_buckets(days: np.ndarray, granularity: str) -> list[FacetCount]:
    width = {"year": 10000, "month": 100, "day": 1}[granularity]
    keys, counts_ = np.unique(days // width, return_counts=True)
    out = [FacetCount(_bucket_label(int(k), granularity), int(n))
           for k, n in zip(keys, counts_) if k]
    undated = int(counts_[0]) if len(keys) and keys[0] == 0 else 0
    if undated:
        out.append(FacetCount(UNDATED, undated))
    return out


def _bucket_label(key: int, granularity: str) -> str:
    s = str(key)
    if granularity == "year":
        return s
    if granularity == "month":
        return f"{s[:4]}-{s[4:6]}"
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}"
