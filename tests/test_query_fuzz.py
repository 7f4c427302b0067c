"""The query parser against hostile and random input, on a small real index: it answers or
refuses with a message for the reader (QueryError), never with another exception, and the
queries that would cost too much (huge wildcard expansions, very long queries, long runs of
unknown words) are refused or cut short before the index is searched.

Every query that once made the engine fail is kept in REGRESSIONS with its cause.
"""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from searchapp.ingest import index_paths
from searchapp.search import (
    MAX_CORRECTED_WORDS,
    MAX_EXPANSION,
    MAX_QUERY_CHARS,
    EngineConfig,
    QueryError,
    SearchRequest,
    open_engine,
)

from .conftest import REPO

WEB_FIXTURES = REPO / "tests" / "web" / "fixtures"
# Words that start alike, more of them than one query may expand to.
PREFIX = "quux"
MANY = MAX_EXPANSION + 100


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    """The seeds, the web fixture articles, and one article of MANY words sharing a prefix."""
    where = tmp_path_factory.mktemp("fuzz")
    sources = where / "sources"
    shutil.copytree(REPO / "seeds", sources / "seeds")
    shutil.copy(WEB_FIXTURES / "articles.jsonl", sources / "articles.jsonl")
    words = " ".join(f"{PREFIX}{n:05d}" for n in range(MANY))
    (sources / "wordlist.txt").write_text(f"A list of words\n\n{words}\n", encoding="utf-8")
    report = index_paths([sources], where / "index", workers=1)
    assert not report.skipped, report.skipped
    return open_engine(EngineConfig(where / "index"))


def run(ix, q: str, **kw):
    return ix.search(SearchRequest(query=q, **kw))


# What a message for the reader must not look like: Python's own words.
INTERNALS = re.compile(r"Traceback|object has no attribute|index out of range|NoneType|"
                       r"unexpected keyword|not subscriptable|codec can't|\bb'")


def note(outcome: str) -> None:
    """Counted in hypothesis' statistics (--hypothesis-show-statistics): how much was searched."""
    if currently_in_test_context():
        event(outcome)


def check_answer(ix, q: str, **kw) -> None:
    """A result, or a QueryError with a message meant for the reader."""
    try:
        result = run(ix, q, **kw)
    except QueryError as exc:
        note("refused")
        message = str(exc)
        assert len(message) > 10, (q, message)
        assert not INTERNALS.search(message), (q, message)
        return
    note("answered")
    assert result.total >= 0 and len(result.hits) <= kw.get("per_page", 10)
    for hit in result.hits:  # snippets are escaped text with our own <mark> only
        assert not re.search(r"<(?!/?mark>)", hit.snippet), (q, hit.snippet)


# -- generated queries -----------------------------------------------------------------------

WORDS = ["oil", "sanctions", "Marseille", "quillfeather", "trade", "strike", "ab", "the", "a",
         "x", "é", "日本", "Élodie", "AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE", "NOW",
         "now", "today", "yesterday", "2019", "1987-02-26", "2019-13-45", "-1", "1e999",
         "9" * 30, "\x00", "\u202e", "\ufeff", "İ", "ß", "ﬁ", "\U0001F600", f"{PREFIX}00001",
         PREFIX, "'", "\\", "/", "&", "<script>", "%", "$", "#"]
FIELDS = ["", "", "", "title:", "body:", "country:", "person:", "topic:", "published:",
          "exact:", "id:", "colour:", "*:", "é:", "a1:", "title:title:", ":"]
SUFFIXES = ["", "", "*", "?", "~", "~1", "~2", "~3", "~0", "~1.5", "~/2", "~2/9", "~-1",
            "^2", "^-1", "^1e308", "^", "*?", "**", "~2^3", "*~"]
OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "", "-", "+", "&&", "||", "!", "TO"]
word = st.sampled_from(WORDS)
field = st.sampled_from(FIELDS)
suffix = st.sampled_from(SUFFIXES)
noise = st.text(st.characters(codec="utf-8"), max_size=12)

atom = st.one_of(
    st.builds(lambda f, w, s: f + w + s, field, word, suffix),
    st.builds(lambda f, a, b, o, c: f"{f}{o}{a} TO {b}{c}", field, word, word,
              st.sampled_from("[{"), st.sampled_from("]}")),
    st.builds(lambda f, op, w: f"{f}{op}{w}", field, st.sampled_from([">", "<", ">=", "<=", "=>"]),
              word),
    st.builds(lambda f, ws, s: f + '"' + " ".join(ws) + '"' + s, field,
              st.lists(word, max_size=4), suffix),
    noise,
)
query = st.recursive(atom, lambda inner: st.one_of(
    st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(OPERATORS), inner),
    st.builds(lambda a: f"({a})", inner),
    st.builds(lambda f, a: f"{f}({a})", field, inner),
    st.builds(lambda op, a: f"{op}{a}", st.sampled_from(["-", "+", "NOT ", "!"]), inner),
), max_leaves=8)


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(q=st.one_of(query, noise, st.text(max_size=60)),
       sort=st.sampled_from(["relevance", "newest", "oldest"]))
def test_any_query_gets_results_or_a_message(ix, q, sort):
    check_answer(ix, q, sort=sort, facet_limit=0)


# -- every failure found so far ------------------------------------------------------------------

# Each of these once raised something else than QueryError (a 500 on the web).
REGRESSIONS = [
    # Whoosh's date parser read `-` or `now` as an instant and made a binary term of it, which
    # the highlighter could not decode, or kept a non-date it could not encode when searching.
    "published:now", "published:-", 'published:"a b"', 'published:(-"a b")',
    'oil published:(x -"a b")', "published:>now", "published:[NOW TO ]",
    # A fuzzy word whose exact part (after /) is longer than the word: IndexError in Whoosh.
    "x~2/9", "NOT~2/9", "ab~1/5",
    # `*:` ("every field") mangled the rest of the query; phrases ended on the body field,
    # which keeps no word positions (Whoosh's own QueryError, not ours).
    "*:x", '*:"a b"', "*:(*:NOT~2/9)", 'body:(*:"a b"~0 OR *:"a b"~0)',
    # Field names Whoosh knows but we did not check: silently an empty query.
    "é:x", "日本:oil", "a1:oil",
    # Parser exceptions whose text was Python's (list index out of range, ...).
    "NOT NOT NOT oil", "NOT " * 200 + "oil",
]


@pytest.mark.parametrize("q", REGRESSIONS)
def test_queries_that_once_failed_now_answer(ix, q):
    check_answer(ix, q)


@pytest.mark.parametrize("q, message", [
    ("published:now", "published: takes a date"),
    ('published:"a b"', "published: takes a date"),
    ("published:[NOW TO ]", "Dates are written"),
    ("x~2/9", "longer than the word"),
    ("*:x", "Unknown field '*'"),
    ("é:x", "Unknown field 'é'"),
    ("NOT NOT NOT oil", "Could not understand the query"),
])
def test_what_cannot_run_is_refused_with_a_reason(ix, q, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        run(ix, q)


def test_minus_excludes_as_the_help_page_says(ix):
    with_gas = {h.id for h in run(ix, "quillfeather", per_page=100).hits}
    marseille = {h.id for h in run(ix, "quillfeather Marseille", per_page=100).hits}
    without = {h.id for h in run(ix, "quillfeather -Marseille", per_page=100).hits}
    assert marseille and without
    assert without == with_gas - marseille
    assert without == {h.id for h in run(ix, "quillfeather NOT Marseille", per_page=100).hits}


# -- costly queries ------------------------------------------------------------------------------


def test_a_prefix_matching_too_many_words_is_refused(ix):
    with pytest.raises(QueryError, match="too many words") as err:
        run(ix, f"{PREFIX}*")
    assert f"'{PREFIX}*'" in str(err.value) and str(MAX_EXPANSION) in str(err.value)
    assert run(ix, f"{PREFIX}001*").total == 1  # 100 words: fine
    assert run(ix, f"{PREFIX}00001").total == 1


@pytest.mark.parametrize("q", [f"{PREFIX}0*", f"{PREFIX}?????", f"{PREFIX}0*1",
                               f"[{PREFIX}00000 TO {PREFIX}99999]", f"body:[{PREFIX} TO zzz]",
                               # each below the limit, together above it
                               f"{PREFIX}00* OR {PREFIX}01* OR {PREFIX}02* OR {PREFIX}1*"])
def test_wildcards_and_ranges_are_counted_too(ix, q):
    with pytest.raises(QueryError, match="too many words"):
        run(ix, q)


@pytest.mark.parametrize("q", ["title:*", "body:*"])
def test_a_field_star_that_reads_every_word_is_refused(ix, q):
    with pytest.raises(QueryError, match="matches every article"):
        run(ix, q)


def test_a_star_alone_browses_and_facet_stars_stay(ix):
    everything = run(ix, "*").total
    assert everything == ix.doc_count()
    assert 0 < run(ix, "country:*").total <= everything


@pytest.mark.parametrize("length", [MAX_QUERY_CHARS + 1, 10_000, 1_000_000])
def test_an_overlong_query_is_refused_before_parsing(ix, length):
    with pytest.raises(QueryError, match="too long") as err:
        run(ix, ("oil OR " * length)[:length])
    assert f"at most {MAX_QUERY_CHARS}" in str(err.value)


def test_did_you_mean_looks_up_only_a_few_words(ix):
    """A query of many unknown words looks up MAX_CORRECTED_WORDS of them, the first ones."""
    misspelt = ["quillfaether", "Marsielle", "ppeline", "strikke", "exprots", "hmaburg"]
    misspelt = misspelt * (MAX_CORRECTED_WORDS // len(misspelt)) + misspelt
    misspelt += [f"{w}q" for w in misspelt]  # more distinct words than are looked up
    result = run(ix, " ".join(misspelt))
    assert result.total == 0 and result.suggestion
    changed = {a for a, b in zip(misspelt, result.suggestion.split()) if a != b}
    assert 0 < len(changed) <= MAX_CORRECTED_WORDS
    assert result.suggestion.split()[0] == "quillfeather"
