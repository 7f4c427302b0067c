"""The query language's policy, the same for every engine: which queries are refused and
why (in messages meant for the reader), which are questions, and how phrases and `-word`
are written for the engine's parser. Pure text rules: no engine is imported here; each
engine translates the checked text and reports its refusals through the functions below.
"""

from __future__ import annotations

import re
from typing import Callable

from . import MAX_EXPANSION, N_, QueryError

# Plain queries with more words than this are treated as questions: any word may
# match and articles matching more of them rank higher.
QUESTION_WORDS = 3
# Questions: words in more than this share of articles are left out, and at most this
# many of the rarest words are kept.
QUESTION_COMMON_SHARE = 0.2
MAX_QUESTION_WORDS = 10
MAX_FUZZY_EDITS = 2  # more matches nearly every short word
# Fields a query may name; `exact` is internal (phrases are routed there).
QUERY_FIELDS = ("title", "body", "country", "person", "topic", "published")
BROWSE_ALL = ("", "*", "*:*")
# A longer run of letters and digits is no word of any archive: refused before any lookup,
# as the work of a spelling or fuzzy lookup grows with the length.
MAX_WORD_CHARS = 60
# Wildcards, fuzzy words and ranges: each stands for many words of the archive, so a client
# may run only so many of them at a time (see the web layer).
_COSTLY = re.compile(r"[*?~\[\]{}]|\w:[<>]")

TOO_SLOW = N_("This search matches too much of the archive to rank in time: add a word, a "
              "phrase or a filter.")

_PHRASE = re.compile(r'(^|[\s(\-+])(?:body:)?"([^"]*)"')
_OPERATORS = re.compile(r'["():*?~\[\]{}^+]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|(^|\s)-\w')
_FIELD_EXAMPLES = {"title": "sanctions", "body": "sanctions", "country": "RU",
                   "person": '"Sergey Lavrov"', "topic": "diplomacy", "published": "[2019 to 2020]"}


def browses_all(text: str) -> bool:
    return text.strip() in BROWSE_ALL


def is_plain(text: str) -> bool:
    """No operators, quotes, fields or wildcards: just words."""
    return not _OPERATORS.search(text)


def is_question(text: str) -> bool:
    """A plain query of more than QUESTION_WORDS words: any word may match."""
    return is_plain(text) and len(text.split()) > QUESTION_WORDS


def falls_back(text: str) -> bool:
    """A plain query of several words needing all of them: ranked on any of them instead
    when they never occur together."""
    return not is_question(text) and is_plain(text) and len(text.split()) > 1


def route_phrases(text: str) -> str:
    """Send "phrases" with no field, or on the body, to the exact-words field."""
    return _PHRASE.sub(lambda m: f'{m.group(1)}exact:"{m.group(2)}"', text)


def negations(text: str) -> str:
    """`-word` excludes, as the help page says (parsers would ignore the minus)."""
    return re.sub(r"(^|[\s(])-(?=[^\s()\-])", r"\1NOT ", text)


def for_parser(text: str) -> str:
    """The checked query as an engine's parser takes it."""
    return negations(route_phrases(text))


def focus_question(text: str, total: int, share: Callable[[str], float]) -> str:
    """A long plain question keeps its informative words: words in more than
    QUESTION_COMMON_SHARE of the archive ("said", "year", "new") would match most
    articles, add little to the ranking and cost the most time. `share(word)` is the
    share of the `total` articles that have the word (1.0 for a word the index drops)."""
    words = text.split()
    if not is_plain(text) or len(words) <= QUESTION_WORDS:
        return text
    if total < 1000:  # a small archive is cheap to search, and its shares mean little
        return text
    ranked = sorted(words, key=share)
    keep = {w for w in ranked[:MAX_QUESTION_WORDS] if share(w) <= QUESTION_COMMON_SHARE}
    if len(keep) < 2:  # a question of common words only: its rarest words still count
        keep = set(ranked[:3])
    return " ".join(w for w in words if w in keep)


def is_costly(text: str) -> bool:
    """A wildcard, fuzzy word or range: worth limiting per client."""
    return bool(_COSTLY.search(text))


def check_fields(names) -> None:
    """Only the public fields may be searched, however the query names them: `names` are
    the fields of the PARSED query (`/rawtag:x` gets past any check of the text)."""
    for field in names:
        if field not in QUERY_FIELDS:
            raise QueryError(N_("Unknown field %(field)r: use %(fields)s."), field=field,
                             fields=", ".join(QUERY_FIELDS))


def check_syntax(text: str) -> None:
    """Catch the mistakes a parser would silently turn into a different query."""
    long_word = re.search(rf"\w{{{MAX_WORD_CHARS + 1},}}", text)
    if long_word:
        raise QueryError(N_("A word of the query is too long (%(length)d characters; at most "
                            "%(most)d)."), length=len(long_word.group(0)), most=MAX_WORD_CHARS)
    if text.count('"') % 2:
        raise QueryError(N_('A quotation mark is not closed: phrases go between two " marks.'))
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError(N_("A closing parenthesis ')' has no opening '('."))
    if depth:
        raise QueryError(N_("A parenthesis '(' is not closed."))
    if text.count("[") != text.count("]"):
        raise QueryError(N_("A range must be closed: write it as [from TO to]."))
    if re.search(r"\b(AND|OR|NOT)\s*$", text) or re.match(r"^\s*(AND|OR)\b", text):
        raise QueryError(N_("An AND / OR / NOT operator is missing a word on one side."))
    if re.search(r"\*:", text):  # Whoosh reads `*:` as "every field" and mangles the rest
        raise QueryError(N_("Unknown field '*': use %(fields)s."), fields=", ".join(QUERY_FIELDS))
    # A field name starts with a letter; `10:30` is a time, `https://` an address.
    for m in re.finditer(r"(?<![\w:/])([^\W\d]\w*):(?!//)(\S?)", text):
        field, value = m.group(1), m.group(2)
        if field not in QUERY_FIELDS:
            raise QueryError(N_("Unknown field %(field)r: use %(fields)s."), field=field,
                             fields=", ".join(QUERY_FIELDS))
        if not value:
            raise QueryError(N_("The field '%(field)s' needs a value right after the colon, e.g. "
                                "%(field)s:%(example)s."), field=field,
                             example=_FIELD_EXAMPLES[field])


# -- refusals of parsed parts: the engine finds them, the policy words them -----------------


def not_understood(text: str) -> QueryError:
    if "published" in text:
        return QueryError(N_("Could not understand the query: check its operators, "
                             "brackets and ranges. Dates are written published:2019, "
                             "published:2019-03-04 or published:[2019 to 2020]."))
    return QueryError(N_("Could not understand the query: check its operators, brackets "
                         "and ranges."))


def check_fuzzy(word: str, edits: int, kept: int) -> None:
    """`word~edits/kept`: at most MAX_FUZZY_EDITS edits, and no more kept than the word."""
    if edits > MAX_FUZZY_EDITS:
        raise QueryError(N_("A fuzzy search allows at most %(most)d edits: write %(word)s~ "
                            "or %(word)s~2."), most=MAX_FUZZY_EDITS, word=word)
    if kept > len(word):
        raise QueryError(N_("In %(word)s~%(edits)d/%(kept)d the part kept as written (after /) "
                            "is longer than the word '%(word)s'."), word=word,
                         edits=edits, kept=kept)


def wildcard_stem(pattern: str, written: str) -> str:
    """The letters of `pattern` before its first * or ?; one letter is too broad to search
    (`written`: the wildcard as the reader wrote it)."""
    stem = re.split(r"[*?]", pattern, maxsplit=1)[0]
    if len(stem) < 2:
        raise QueryError(N_("The wildcard %(word)r is too broad: give at least two "
                            "letters before * or ?."), word=written)
    return stem


def published_needs_a_date() -> QueryError:
    return QueryError(N_("published: takes a date: published:2019, published:2019-03, "
                         "published:2019-03-04 or published:[2019 to 2020]."))


def matches_everything(field: str) -> QueryError:
    return QueryError(N_("%(field)s:* matches every article: leave the search box empty "
                         "to browse the whole archive."), field=field)


def phrase_not_searchable(field: str) -> QueryError:
    return QueryError(N_('A phrase cannot be searched in %(field)s: write it on its own, '
                         'e.g. "bank of england", or in the title, '
                         'title:"bank of england".'), field=field)


def too_many_words(shown: str) -> QueryError:
    """A wildcard, range or fuzzy word (`shown` as written) past MAX_EXPANSION words."""
    return QueryError(
        N_("%(shown)r stands for too many words of the archive (more than %(most)d "
           "with the query's other wildcards, ranges and fuzzy words): give more "
           "letters or a narrower range."), shown=shown, most=MAX_EXPANSION)


def too_slow() -> QueryError:
    return QueryError(TOO_SLOW)
