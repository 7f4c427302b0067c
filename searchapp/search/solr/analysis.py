"""The title and body fields' analysis in Python: which terms Solr makes of a query's words.

The configset's `text_stemmed` reproduces Whoosh's stemming analyzer (its tokenizer, lower
case, accents folded, its stop words, one-letter words dropped, Porter stems), so the
Python side of that analysis is the one the Whoosh engine already has (`highlight`: one
implementation of stems, stop words and folding, for snippets and article pages). A test
checks that the configset's stop words are Whoosh's.
"""

from __future__ import annotations

import re

from .. import query as policy
from ..whoosh.highlight import QueryTerms, highlighter, stem_of

__all__ = ["QueryTerms", "highlighter", "plain_words"]

_WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


def plain_words(text: str) -> tuple[list[tuple[str, str]], bool]:
    """(the (word as written in lower case, term) pairs of a plain query, in order, whether
    it is a question): words the fields drop (stop words) are left out, and a question's
    framing words too (see `query.question_words`)."""
    pairs = []
    for m in _WORD.finditer(text):
        word = m.group().lower()
        term = stem_of(word)
        if term is not None:
            pairs.append((word, term))
    question = policy.is_question([w for w, _ in pairs])
    if question:
        kept = set(policy.question_words([w for w, _ in pairs]))
        pairs = [(w, t) for w, t in pairs if w in kept]
    return pairs, question
