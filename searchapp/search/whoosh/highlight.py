"""Which words of a text match a query: one implementation, for snippets and article pages.

Words match by stem, as the title and body fields index them (the stemming analyzer's
tokenizer, lower-casing, stop words and Porter stemmer, reproduced here on plain strings,
so each word is stemmed once and cached), or by the letters a `prefix*` gives. All text
is escaped; only our own <mark> is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from ...model import FACETS
from .schema import STEMMED, fold

# The index's tokenizer (RegexTokenizer's default) and stop-word rule (StopFilter).
_WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
# Words of the query language that are not searched for.
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
# Fields whose words are not in the article text.
_OTHER_FIELDS = {*FACETS, "byline", "published", "id", "language", "undated", "day"}
_TOKEN = re.compile(r'(?P<neg>(?:\bNOT\s+|(?<![\w])-))?(?:(?P<field>\w+):)?'
                    r'(?P<word>"[^"]*"|\[[^\]]*\]|[\w.*?]+)')


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
        out = []
        for m in _WORD.finditer(text):
            lower = m.group().lower()
            s = stem_of(lower)
            if s is not None and (s in self.stems or lower.startswith(self.prefixes)):
                out.append((m.start(), m.end(), s))
        return out

    def mark(self, text: str) -> str:
        """Escaped `text` (quotes too: safe in attributes) with each matching word in <mark>."""
        if not self or not text:
            return escape(text or "")
        out, last = [], 0
        for start, end, _stem in self.matches(text):
            out.append(escape(text[last:start]))
            out.append(f"<mark>{escape(text[start:end])}</mark>")
            last = end
        out.append(escape(text[last:]))
        return "".join(out)


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape(text: str) -> str:
    """HTML-escaped text, as Jinja's templates escape it."""
    return text.translate(_ESCAPES)


def highlighter(q: str) -> QueryTerms:
    """The words a query as written looks for in the text: not negated words, not other
    fields' values or ranges, not operators; `sanc*` marks every word starting "sanc"."""
    stems: set[str] = set()
    prefixes: list[str] = []
    for m in _TOKEN.finditer(q or ""):
        word, fieldname = m.group("word"), (m.group("field") or "").lower()
        if m.group("neg") or fieldname in _OTHER_FIELDS or word.startswith("["):
            continue
        word = word.strip('"')
        if word in _OPERATORS:
            continue
        for part in word.split():
            part = re.sub(r"~\d*$", "", part)
            if part.endswith("*") and "*" not in part[:-1] and len(part) > 2:
                prefixes.append(part[:-1].lower())
                continue
            stems.update(t.text for t in STEMMED(part.replace("*", "").replace("?", "")))
    return QueryTerms(frozenset(stems), tuple(dict.fromkeys(prefixes)))


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
