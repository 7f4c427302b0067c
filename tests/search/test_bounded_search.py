"""Searches bounded in work and time, "did you mean" for every word, and the internal fields
out of reach: on a real Whoosh index.

Each test reproduces what a hostile or unlucky reader could do to the previous code:
expansions and suggestions that walked the whole word list outside the deadline, answers
after the deadline, and `/rawtag:x` (any character before a field name) reaching the
index's internal fields.
"""

from __future__ import annotations

import time

import pytest
from whoosh import query as wq

from searchapp.model import Article, Tag
from searchapp.search import MAX_EXPANSION, EngineConfig, QueryError, SearchRequest, open_engine
from searchapp.search.query import MAX_WORD_CHARS, QUERY_FIELDS
from searchapp.search.whoosh import engine as whoosh_engine
from searchapp.search.whoosh import matching
from searchapp.search.whoosh.expansion import expand

# A few frequent words, each in many articles, and typos of them in a few.
FREQUENT = ["recession", "opec", "interest", "government", "coffee", "petroleum",
            "reagan", "markets", "copper", "company"]
TYPO_ARTICLES = 2  # "goverment" written in this many articles


def art(id, title, body, tags=()):
    return Article(id=id, source=f"test/{id}.txt", title=title, body=body,
                   published="2020-01-01", tags=list(tags))


def archive() -> list[Article]:
    """2,400 short articles: the frequent words ten times as common as the typo's share
    rule allows, a few typos, a curated-away country tag."""
    articles = []
    for n in range(2400):
        words = [FREQUENT[n % len(FREQUENT)], FREQUENT[(n * 7 + 3) % len(FREQUENT)],
                 "report", f"item{n % 50}", "why did the news hit"]
        articles.append(art(f"a{n}", f"Report {n}", " ".join(words)))
    for n in range(TYPO_ARTICLES):
        articles.append(art(f"typo{n}", "Goverment", "the goverment said"))
    articles.append(art("tagged", "French wine", "wine from Bordeaux",
                        [Tag("country", "FR", "France", "auto")]))
    return articles


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    engine = open_engine(EngineConfig(tmp_path_factory.mktemp("bounded") / "ix"))
    w = engine.writer()
    for a in archive():
        w.replace_file(f"/files/{a.id}", "hash", [a])
    w.commit()
    # A librarian removed the FR tag; the ingested tags keep it (rawtag:"country:FR").
    curated = art("tagged", "French wine", "wine from Bordeaux")
    w = engine.writer()
    w.update(whoosh_engine.to_document(curated, "/files/tagged", "hash",
                                       [Tag("country", "FR", "France", "auto")]))
    w.commit()
    return engine


def search(ix, q, **kw):
    return ix.search(SearchRequest(query=q, **kw))


# -- did you mean ----------------------------------------------------------------------


@pytest.mark.parametrize("typed, meant", [("recesion", "recession"), ("opek", "opec"),
                                          ("intrest", "interest"), ("coffe", "coffee"),
                                          ("goverment", "government")])
def test_a_misspelt_word_gets_the_word_meant(ix, typed, meant):
    assert search(ix, typed).suggestion == meant


def test_a_typo_the_archive_has_a_few_times_is_still_corrected(ix):
    result = search(ix, "goverment")
    assert result.total == TYPO_ARTICLES  # it finds the typos...
    assert result.suggestion == "government"  # ...and still offers the word meant


def test_every_word_is_corrected_even_when_the_query_matches(ix):
    result = search(ix, "why did the recesion hit coffe markets")
    assert result.total > 0
    assert result.suggestion == "why did the recession hit coffee markets"


def test_correct_words_and_operators_are_left_alone(ix):
    assert search(ix, "recession").suggestion is None
    assert search(ix, "Recesion AND title:report").suggestion == "Recession AND title:report"


# -- expansions through the word list ----------------------------------------------------


@pytest.mark.parametrize("q, words", [("reagn~", {"reagan"}), ("petroluem~2", {"petroleum"}),
                                      ("cop*", {"copper"}), ("co*er", {"copper"}),
                                      ("item1?", {f"item1{d}" for d in range(10)})])
def test_wildcards_and_fuzzy_words_find_what_the_word_list_has(ix, q, words):
    s = ix.searcher()
    parsed = whoosh_engine.parse(s, q)[0]
    expanded = expand(parsed, lambda field: ix._lexicon(s, field), deadline=float("inf"))
    found = {t.text for t in expanded.leaves() if isinstance(t, wq.Term)}
    assert words <= found
    assert search(ix, q).total > 0


def test_the_same_articles_as_whoosh_expansion(ix):
    s = ix.searcher()
    for q in ("reagn~", "intrest~2", "cop*", "co*er", "title:rep*", "body:[opec TO petroleum]"):
        native = whoosh_engine.parse(s, q)[0]
        expected = {s.stored_fields(d)["id"] for d in s.docs_for_query(native)}
        assert set(ix.ids_for(SearchRequest(query=q))) == expected, q


def test_expansions_past_the_cap_are_refused(ix):
    with pytest.raises(QueryError, match="too many words"):
        search(ix, "title:[0 TO 9]")  # the titles' 2,400 numbers
    assert MAX_EXPANSION < 2400
    assert search(ix, "title:[10 TO 11]").total > 0


def test_an_over_long_word_is_refused_before_any_lookup(ix):
    for q in ("y" * 1000, "q" * 300, f"{'z' * (MAX_WORD_CHARS + 1)}~2"):
        with pytest.raises(QueryError, match="too long"):
            search(ix, q)
    search(ix, "y" * MAX_WORD_CHARS)  # the longest word allowed is searched


def test_no_answer_after_the_deadline(ix, monkeypatch):
    # Fuzzy words that match nothing: the old code walked the word list, found no article
    # and answered, however late.
    monkeypatch.setattr(matching, "MAX_SEARCH_SECONDS", -1.0)
    with pytest.raises(QueryError, match="in time"):
        search(ix, " ".join(f"qzxw{n}~2" for n in range(10)))
    with pytest.raises(QueryError, match="in time"):
        search(ix, "coffee")


# -- internal fields ----------------------------------------------------------------------

INTERNAL = ["/rawtag:x", "/file:*", "/id:a1", '/exact:"coffee"', "/language:en",
            "/pubkey:[0 TO 99999999999999]", "/undated:1", "/day:20200101", "/pubkey:1",
            "/day:1*", "/day:1~", "(rawtag:x)", "-/id:a1 coffee", "coffee OR .file:x",
            "/rawtag:'country:FR'", '/rawtag:"country:FR"']


@pytest.mark.parametrize("q", INTERNAL)
def test_internal_fields_are_refused_whatever_precedes_them(ix, q):
    with pytest.raises(QueryError, match="Unknown field"):
        search(ix, q)


def test_a_removed_tag_cannot_be_found_through_the_ingested_tags(ix):
    assert search(ix, "wine").total == 1
    assert not ix.search(SearchRequest(filters={"country": ("FR",)})).total
    with pytest.raises(QueryError):
        search(ix, "/rawtag:'country:FR'")


def test_phrases_and_public_fields_still_work(ix):
    assert search(ix, '"french wine"').total == 1
    assert search(ix, 'body:"from bordeaux"').total == 1
    assert search(ix, "title:wine").total == 1
    assert search(ix, "published:2020").total > 0
    assert "exact" not in QUERY_FIELDS


# -- the word lists follow the index -------------------------------------------------------


def test_a_commit_saves_the_word_lists_and_searches_pick_them_up(tmp_path):
    engine = open_engine(EngineConfig(tmp_path / "ix"))
    w = engine.writer()
    w.replace_file("/files/one", "hash", [art("one", "Coffee", "coffee prices rose")])
    w.commit()
    saved = sorted(p.name for p in (tmp_path / "ix").glob("lexicon-*.tsv"))
    assert saved == ["lexicon-body.tsv", "lexicon-exact.tsv", "lexicon-title.tsv"]
    assert search(engine, "cofee~").total == 1
    w = engine.writer()
    w.replace_file("/files/two", "hash", [art("two", "Zanzibar", "zanzibar cloves")])
    w.commit()
    # The previous list answers while the new one loads in the background.
    for _ in range(100):
        if search(engine, "zanzibr~").total:
            break
        time.sleep(0.05)
    assert search(engine, "zanzibr~").total == 1
    assert search(engine, "zanzibr").suggestion == "zanzibar"
