"""The query language's policy, the same for every engine: which queries are refused and
why (in messages meant for the reader), which are questions, and how phrases and `-word`
are written for the engine's parser. Pure text rules: no engine is imported here; each
engine translates the checked text and reports its refusals through the functions below.
"""

from __future__ import annotations

import re
from collections import Counter

from ..facets import REGISTRY
from ..model import FACETS
from . import MAX_EXPANSION, N_, Match, QueryError
from .stoplist import QUESTION_STOPLIST
from .values import Held, resolve

# Plain queries (words only) need all their words. When fewer than RELAX_BELOW articles
# have them all, the search relaxes to articles with at least AT_LEAST of them (the page
# says so). Why not only when none has them all: three articles with every word of a
# four-word query are often not the three best answers, and on the test collections
# relaxing below ten ranks better than relaxing only on nothing.
RELAX_BELOW = 10
AT_LEAST = 2
# Plain queries of more words than this are questions: the stop list drops the words that
# only frame them ("what", "which", "given"), and articles with at least AT_LEAST of the
# others are shown (few articles hold every word of a question, and those are not the
# only good answers).
QUESTION_WORDS = 5
# A word repeated in the query weighs more, with diminishing returns: Okapi BM25's query
# term frequency weight (k3 + 1) * qtf / (k3 + qtf), k3 = 1.2 (Robertson et al., TREC-4).
K3 = 1.2
MAX_FUZZY_EDITS = 2  # more matches nearly every short word
# Fields a query may name; `exact` is internal (phrases are routed there).
QUERY_FIELDS = ("title", "body", "byline", *FACETS, "published")
BROWSE_ALL = ("", "*", "*:*")
# How a query's words were matched (Match.mode).
ALL, RELAXED, QUESTION, OPERATORS = "all", "relaxed", "question", "operators"
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
_FIELD_EXAMPLES = {"title": "sanctions", "body": "sanctions", "byline": "smith",
                   **{f.name: f.query_example for f in REGISTRY}, "published": "[2019 to 2020]"}


def browses_all(text: str) -> bool:
    return text.strip() in BROWSE_ALL


def is_plain(text: str) -> bool:
    """No operators, quotes, fields or wildcards: just words."""
    return not _OPERATORS.search(text)


def route_phrases(text: str) -> str:
    """Send "phrases" with no field, or on the body, to the exact-words field."""
    return _PHRASE.sub(lambda m: f'{m.group(1)}exact:"{m.group(2)}"', text)


def negations(text: str) -> str:
    """`-word` excludes, as the help page says (parsers would ignore the minus)."""
    return re.sub(r"(^|[\s(])-(?=[^\s()\-])", r"\1NOT ", text)


_FACET_VALUE = re.compile(rf'(?<![\w:/])({"|".join(FACETS)}):("([^"]*)"|[^\s()"]+)')


def resolve_fields(text: str, held: Held) -> str:
    """`person:reagan`, `country:"soviet union"`, `source:"bbc news"`: each facet value
    as written replaced by the index values it stands for (see `values`), OR'ed. Wildcards,
    fuzzy words and ranges are left to the engine."""
    def replace(m: re.Match) -> str:
        facet, written = m.group(1), m.group(3) if m.group(3) is not None else m.group(2)
        if not written.strip() or re.search(r'[*?~\[\]{}^]', written):
            return m.group(0)
        found = [f'{facet}:"{v}"' for v in resolve(facet, written.strip(), held)]
        return found[0] if len(found) == 1 else f"({' OR '.join(found)})"

    return _FACET_VALUE.sub(replace, text)


def for_parser(text: str, held: Held | None = None) -> str:
    """The checked query as an engine's parser takes it; with `held` (the values the index
    holds per facet), facet values written as the reader sees them are resolved."""
    text = negations(route_phrases(text))
    return resolve_fields(text, held) if held is not None else text


# -- plain queries: which words, how much each weighs, how many an article needs ---------


def is_question(words: list[str]) -> bool:
    """A plain query of more than QUESTION_WORDS words (as the engine's tokenizer splits it)."""
    return len(words) > QUESTION_WORDS


def question_words(words: list[str]) -> list[str]:
    """A question's words without the stop list's, unless nothing would be left."""
    kept = [w for w in words if w not in QUESTION_STOPLIST]
    return kept or words


def query_weights(terms: list[str]) -> dict[str, float]:
    """Each distinct term (in first-seen order) with its weight: a term written twice counts
    more than once, less than twice."""
    return {term: (K3 + 1) * n / (K3 + n) for term, n in Counter(terms).items()}


def at_least(present: int) -> int:
    """How many of the query's words a relaxed search needs: AT_LEAST, or fewer when the
    archive holds fewer of them (a word it lacks never counts against one it has)."""
    return max(1, min(AT_LEAST, present))


def plan_match(words: int, present: int, with_all: int, question: bool,
               all_words: bool) -> Match:
    """How a plain query of `words` distinct words (`present` of them in the archive,
    `with_all` articles having every one) is matched: a keyword query needs every word
    unless fewer than RELAX_BELOW articles have them all, a question needs AT_LEAST.
    `all_words`: the reader asked for articles with every word (the strict link)."""
    need = at_least(present)
    if all_words or need >= words:
        return Match(ALL, words, words, with_all)
    if question:  # ranked on its words: articles with every word come first anyway
        return Match(QUESTION, words, need, with_all)
    if with_all >= RELAX_BELOW:
        return Match(ALL, words, words, with_all)
    return Match(RELAXED, words, need, with_all)


def match_notice(match: Match | None) -> tuple[str, dict] | None:
    """What the reader is told when the search relaxed: (template marked with N_, its
    parameters), or None when every word was required."""
    if match is None or match.mode not in (RELAXED, QUESTION):
        return None
    params = dict(words=match.words, at_least=match.at_least, with_all=match.with_all)
    if match.mode == QUESTION:
        return N_("Read as a question: showing articles with at least %(at_least)d of its "
                  "%(words)d words, best matches first."), params
    if match.with_all == 0:
        return N_("No article has all %(words)d words; showing articles with at least "
                  "%(at_least)d of them."), params
    if match.with_all == 1:
        return N_("Only one article has all %(words)d words; showing articles with at least "
                  "%(at_least)d of them."), params
    return N_("Only %(with_all)d articles have all %(words)d words; showing articles with at "
              "least %(at_least)d of them."), params


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
