"""Wildcards, fuzzy words and ranges of words replaced by the archive's words they stand for.

Whoosh would find those words by walking its word list in Python (a fuzzy word reads every
word of the field: seconds on a big archive, with no deadline). Here they come from the
field's `Lexicon`: a prefix is two binary searches, a fuzzy word a few milliseconds, and
every lookup checks the search's deadline. The query that results is plain words (an OR of
them), which the posting arrays rank like any other word; all of a query's expansions
together are capped at MAX_EXPANSION words (title and body counted apart).
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from fnmatch import translate

from whoosh import query

from .. import MAX_EXPANSION
from .. import query as policy
from ..lexicon import DeadlineExceeded

EXPANDED = (query.FuzzyTerm, query.Prefix, query.Wildcard, query.TermRange)


class Expanded(query.Or):
    """The words of the archive one wildcard, fuzzy word or range stands for: any of them
    matches, the scores of those a document has are added. The posting arrays evaluate it
    without a score array per word (up to MAX_EXPANSION of them); Whoosh as an OR."""


def expands(q) -> bool:
    """The query has a wildcard, fuzzy word or range of words."""
    return any(isinstance(node, EXPANDED) for node in _nodes(q))


def expand(q, lexicon_of, deadline: float):
    """`q` with each wildcard, fuzzy word and range of words replaced by an OR of the words
    it matches (`lexicon_of(field)` gives the field's Lexicon). Raises the policy's
    QueryError when they stand for too many words or the deadline passes."""
    budget = [MAX_EXPANSION]

    def replace(node):
        if not isinstance(node, EXPANDED):
            return node
        if time.monotonic() > deadline:
            raise policy.too_slow()
        try:
            words = _words(node, lexicon_of(node.fieldname), budget[0] + 1, deadline)
        except DeadlineExceeded:
            raise policy.too_slow() from None
        budget[0] -= len(words)
        if budget[0] < 0:
            raise policy.too_many_words(written(node))
        if not words:
            return query.NullQuery
        return Expanded([query.Term(node.fieldname, w) for w in words], boost=node.boost)

    return _rewrite(q, replace)


def _words(node, lexicon, limit: int, deadline: float) -> list[str]:
    if isinstance(node, query.FuzzyTerm):
        return lexicon.fuzzy(node.text, int(node.maxdist), node.prefixlength, limit, deadline)
    if isinstance(node, query.Prefix):
        return lexicon.prefix(node.text, limit)
    if isinstance(node, query.Wildcard):
        return _wildcard(node, lexicon, limit)
    return _range(node, lexicon, limit)


def _wildcard(node, lexicon, limit: int) -> list[str]:
    """The words starting with the letters before the first * or ?, that match the whole
    pattern: the words read are counted, as they are what costs."""
    stem = re.split(r"[*?]", node.text, maxsplit=1)[0]
    candidates = lexicon.prefix(stem, limit)
    if len(candidates) >= limit:
        return candidates  # over the budget: refused by the caller
    pattern = re.compile(translate(node.text))
    return [w for w in candidates if pattern.match(w)]


def _range(node, lexicon, limit: int) -> list[str]:
    words = lexicon.words
    start, end = node.start or "", node.end
    lo = (bisect_right if node.startexcl else bisect_left)(words, start)
    hi = len(words) if end is None else (bisect_left if node.endexcl else bisect_right)(words, end)
    return words[lo:max(lo, min(hi, lo + limit))]


def written(node) -> str:
    """A wildcard, range or fuzzy word as the reader wrote it."""
    if isinstance(node, query.TermRange):
        return f"[{node.start or ''} TO {node.end or ''}]"
    if isinstance(node, query.FuzzyTerm):
        return f"{node.text}~{node.maxdist}"
    return node.text + ("*" if isinstance(node, query.Prefix) else "")


def _nodes(q):
    yield q
    for child in q.children():
        yield from _nodes(child)


def _rewrite(q, replace):
    """`replace` applied to every node, children first (Whoosh's `accept`, which also
    rebuilds compound queries around their new children)."""
    return q.accept(replace)
