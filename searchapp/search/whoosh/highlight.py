"""Which words of a text match a query: one implementation, for snippets and article pages.

Words match by stem, as the title and body fields index them (the stemming analyzer's
tokenizer, lower-casing, stop words and Porter stemmer, reproduced here on plain strings,
so each word is stemmed once and cached), or by the letters a `prefix*` gives. All text
is escaped; only our own <mark> is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from ...model import FACETS
from ..marking import mark, matches, query_parts
from .schema import STEMMED, fold

# Fields whose words are not in the article text.
_OTHER_FIELDS = {*FACETS, "byline", "published", "id", "language", "undated", "day"}


@lru_cache(maxsize=65536)
def stem_of(word: str) -> str | None:
    """The (lower-case) word as the body field indexes it, or None when the field drops it."""
    word = fold(word)
    if len(word) < 2 or word in STOP_WORDS:
        return None
    return stem(word)


@dataclass(frozen=True)
class QueryTerms:
    """The stems and `prefix*` letters a query looks for in the text."""
    stems: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, stem) of each matching word of `text`, in order."""
        return matches(text, self.stems, self.prefixes, stem_of)

    def mark(self, text: str) -> str:
        """Escaped `text` (quotes too: safe in attributes) with each matching word in <mark>."""
        return mark(text or "", self.matches(text or "") if self else ())


def highlighter(q: str) -> QueryTerms:
    """The words a query as written looks for in the text: not negated words, not other
    fields' values or ranges, not operators; `sanc*` marks every word starting "sanc"."""
    parts, prefixes = query_parts(q, _OTHER_FIELDS)
    stems = {t.text for part in parts for t in STEMMED(part)}
    return QueryTerms(frozenset(stems), tuple(prefixes))


def terms_of_query(q) -> QueryTerms:
    """The words of a parsed query, as stems of the body field (phrase words stemmed too):
    what result snippets mark."""
    terms = set()
    for field, text in q.iter_all_terms():
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if field in ("title", "body"):
            terms.add(text)
        elif field == "exact":
            terms.update(t.text for t in STEMMED(text))
    return QueryTerms(frozenset(terms))
