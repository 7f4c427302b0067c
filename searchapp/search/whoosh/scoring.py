"""How the engine scores a word in an article: Whoosh's BM25F with Okapi BM25's idf."""

from __future__ import annotations

from math import log

from whoosh.scoring import BM25F


class OkapiBM25F(BM25F):
    """BM25F (k1 = 1.2, b = 0.75, as Whoosh and Lucene) with the idf of Okapi BM25 as Lucene
    computes it, ln(1 + (N - n + 0.5) / (n + 0.5)), instead of Whoosh's log(N / (n + 1)) + 1.

    Whoosh's idf adds 1 to every word's weight, so a word found in half the archive still
    counts nearly as much as a rare one; with BM25's, common words count little, which
    ranks questions better on the Cranfield and NPL test collections (bench/relevance.py).
    """

    def idf(self, searcher, fieldname, text):
        # Searchers call this through their own idf(), which caches it per term.
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return log(1 + (total - n + 0.5) / (n + 0.5))


WEIGHTING = OkapiBM25F()
