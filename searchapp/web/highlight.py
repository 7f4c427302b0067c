"""Highlight the words of a query in article text, safely.

The text is escaped first; only our own <mark> elements are added. Words match
by stem (the index's own analyzer), so `sanction` finds "sanctions" and
"Sanctioned"; `sanc*` marks every word starting with "sanc".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from whoosh.analysis import StemmingAnalyzer

_ANALYZER = StemmingAnalyzer()
# Words of the query language that are not searched for.
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
# Fields whose words are not in the article text.
_OTHER_FIELDS = {"country", "person", "topic", "published", "id", "language", "undated", "day"}
_TOKEN = re.compile(r'(?P<neg>(?:\bNOT\s+|(?<![\w])-))?(?:(?P<field>\w+):)?'
                    r'(?P<word>"[^"]*"|\[[^\]]*\]|[\w.*?]+)')


@dataclass(frozen=True)
class QueryTerms:
    stems: frozenset[str]
    prefixes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes)


def query_terms(q: str) -> QueryTerms:
    """The stems and prefixes of the words the query looks for in the text."""
    stems, prefixes = set(), []
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
            stems.update(t.text for t in _ANALYZER(part.replace("*", "").replace("?", "")))
    return QueryTerms(frozenset(stems), tuple(dict.fromkeys(prefixes)))


def highlight(text: str, terms: QueryTerms) -> Markup:
    """Escaped `text` with each matching word wrapped in <mark>."""
    if not terms or not text:
        return Markup(escape(text or ""))
    out, last = [], 0
    for token in _ANALYZER(text, chars=True, positions=True):
        start, end = token.startchar, token.endchar
        original = text[start:end].lower()
        if token.text in terms.stems or original.startswith(terms.prefixes):
            out.append(escape(text[last:start]))
            out.append(Markup("<mark>%s</mark>") % text[start:end])
            last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]
