"""Marking a query's words in a text, for every engine: which parts of a query as written
look for words of the text, and the escaped text with those words in <mark>.

Each engine says what a word is to it (its analysis: `term_of` a word, None when dropped);
the query's walk and the marking are the same everywhere. All text is escaped, quotes too
(safe in attributes); only our own <mark> is added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

# The fields' tokenizer: Whoosh's RegexTokenizer default, the configset's pattern tokenizer.
WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
# Words of the query language that are not searched for.
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_TOKEN = re.compile(r'(?P<neg>(?:\bNOT\s+|(?<![\w])-))?(?:(?P<field>\w+):)?'
                    r'(?P<word>"[^"]*"|\[[^\]]*\]|[\w.*?]+)')
_NON_ASCII_LETTER = re.compile(r"[^\W\x00-\x7f]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape(text: str) -> str:
    """HTML-escaped text, as Jinja's templates escape it."""
    return text.translate(_ESCAPES)


def query_parts(q: str, other_fields: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the parts of `q` whose words the text may hold, the letters of its `prefix*` words):
    not negated words, not `other_fields`' values or ranges, not operators."""
    other = set(other_fields)
    parts: list[str] = []
    prefixes: list[str] = []
    for m in _TOKEN.finditer(q or ""):
        word, field = m.group("word"), (m.group("field") or "").lower()
        if m.group("neg") or field in other or word.startswith("[") or word in OPERATORS:
            continue
        for part in word.strip('"').split():
            part = re.sub(r"~\d*$", "", part)
            if part.endswith("*") and "*" not in part[:-1] and len(part) > 2:
                prefixes.append(part[:-1].lower())
            else:
                parts.append(re.sub(r"[*?]", "", part))
    return parts, list(dict.fromkeys(prefixes))


def matches(text: str, terms, prefixes: tuple[str, ...],
            term_of: Callable[[str], str | None]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of `text` that is one of `terms` or starts with one
    of `prefixes`, in order."""
    # Stemming only rewrites a word's ending: a stem less its last letter starts every
    # accent-free word it comes from. So in a text without accented letters one regular
    # expression finds the few words that may match, and only those are stemmed (word by
    # word, a page of results spent a fifth of its time here).
    starts = {t[:-1] for t in terms} | set(prefixes)
    if "" in starts or _NON_ASCII_LETTER.search(text):
        tokens = WORD  # every word may match
    else:
        tokens = _starting(tuple(sorted(starts)))
    judged: dict[str, str | None] = {}
    out = []
    for m in tokens.finditer(text):
        word = m.group()
        if word not in judged:
            judged[word] = _wanted(word, terms, prefixes, term_of)
        term = judged[word]
        if term is not None:
            out.append((m.start(), m.end(), term))
    return out


def _wanted(word: str, terms, prefixes: tuple[str, ...],
            term_of: Callable[[str], str | None]) -> str | None:
    lower = word.lower()
    term = term_of(lower)
    return term if term is not None and (term in terms or lower.startswith(prefixes)) else None


@lru_cache(maxsize=256)
def _starting(starts: tuple[str, ...]) -> re.Pattern:
    """Whole words (as WORD splits a text) that start with any of `starts`, in any case."""
    longest_first = sorted(map(re.escape, starts), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?<!\w\.)(?i:{'|'.join(longest_first)})\w*(?:\.?\w+)*")


def mark(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Escaped `text` with each span (start, end, _) in <mark>."""
    out, last = [], 0
    for start, end, _term in spans:
        out += [escape(text[last:start]), f"<mark>{escape(text[start:end])}</mark>"]
        last = end
    out.append(escape(text[last:]))
    return "".join(out)
