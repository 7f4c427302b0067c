"""The title and body fields' analysis in Python, as the configset's `text_stemmed` does
it: which terms Solr makes of a query's words, and which words of a text a query marks.

`text_stemmed`: the tokenizer `\\w+(\\.?\\w+)*`, lower case, ASCII folding, the configset's
stop words (read from its `stopwords.txt`), words of one letter dropped, Porter stems.
Lucene's PorterStemFilter is Martin Porter's reference implementation, which departs from
the published algorithm in a few rules (`bli` -> `ble`, `logi` -> `log`); NLTK's stemmer
in MARTIN_EXTENSIONS mode is that implementation (Snowball's `porter` is not: assemblies
-> assembli; nor is Whoosh's: accelerated -> accelerat). A test compares the terms with
Solr's own through its analysis API. Snippets of results come from Solr's highlighter;
this serves article pages and a plain query's words. All text is escaped; only our own
<mark> is added.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nltk.stem.porter import PorterStemmer  # type: ignore[import-untyped]  # no type information

from ...model import FACETS
from .. import query as policy
from ..marking import WORD, mark, matches, query_parts
from .admin import CONFSET_DIR

STOP_WORDS = frozenset(
    line.strip() for line in (CONFSET_DIR / "stopwords.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#"))
# Letters ASCII folding writes as other letters, not as a letter and its accent.
_FOLDED = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l",
                         "þ": "th", "ð": "d", "ı": "i"})
_STEMMER = PorterStemmer(mode=PorterStemmer.MARTIN_EXTENSIONS)

# Fields whose values are not words of the text.
_OTHER_FIELDS = {*FACETS, "byline", "published"}


def fold(word: str) -> str:
    """Accents off, as ASCIIFoldingFilter takes them off (é -> e, ß -> ss)."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLDED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def term_of(word: str) -> str | None:
    """The word as the fields index it, or None when they drop it."""
    word = fold(word.lower())
    if len(word) < 2 or word in STOP_WORDS:
        return None
    return _STEMMER.stem(word, to_lowercase=False)


def plain_words(text: str) -> tuple[list[tuple[str, str]], bool]:
    """(the (word as written in lower case, term) pairs of a plain query, in order, whether
    it is a question): words the fields drop (stop words) are left out, and a question's
    framing words too (see `query.question_words`)."""
    pairs = []
    for m in WORD.finditer(text):
        word = m.group().lower()
        term = term_of(word)
        if term is not None:
            pairs.append((word, term))
    question = policy.is_question([w for w, _ in pairs])
    if question:
        kept = set(policy.question_words([w for w, _ in pairs]))
        pairs = [(w, t) for w, t in pairs if w in kept]
    return pairs, question


@dataclass(frozen=True)
class QueryTerms:
    """The terms and `prefix*` letters a query looks for in the text."""
    terms: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes)

    def mark(self, text: str) -> str:
        """Escaped `text` (quotes too: safe in attributes) with each matching word in <mark>."""
        text = text or ""
        return mark(text, matches(text, self.terms, self.prefixes, term_of) if self else ())


def highlighter(q: str) -> QueryTerms:
    """The words a query as written looks for in the text: not negated words, not other
    fields' values or ranges, not operators; `sanc*` marks every word starting "sanc"."""
    parts, prefixes = query_parts(q, _OTHER_FIELDS)
    found = (term_of(w.group()) for part in parts for w in WORD.finditer(part))
    return QueryTerms(frozenset(t for t in found if t), tuple(prefixes))
