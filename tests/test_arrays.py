"""The array evaluator against Whoosh's own matchers, on the same real index.

The index has several segments and deleted documents, so per-segment statistics, offsets
and deletions are all exercised. Every query must give the same documents as Whoosh; and
the same BM25F scores, except where Whoosh's coordination bonus depends on the order it
happens to walk its matchers in (questions: there only the documents are compared).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query
from whoosh.qparser import AndGroup, OrGroup

from searchapp.model import Article, Tag
from searchapp.search import QueryError
from searchapp.search.whoosh import WhooshEngine
from searchapp.search.whoosh.arrays import Evaluator, PostingsCache, TooSlow, Unsupported
from searchapp.search.whoosh.matching import score_all
from searchapp.search.whoosh.parsing import _parser, parse
from searchapp.search.whoosh.plain import words as plain_words
from searchapp.search.whoosh.schema import to_document

WORDS = ("oil bank rates minister trade talks england exports gold strike court film "
         "market prices central united states the of in and per cent union league").split()


def _article(rng: random.Random, n: int) -> Article:
    title = " ".join(rng.choices(WORDS, k=rng.randint(2, 6)))
    body = " ".join(rng.choices(WORDS, k=rng.randint(5, 120)))
    tags = [Tag("country", rng.choice(["US", "GB", "JP"]), "x", "auto")]
    return Article(id=f"a{n}", source="t", title=title.capitalize(), body=body,
                   published=f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                   tags=tags)


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    rng = random.Random(7)
    index = WhooshEngine(tmp_path_factory.mktemp("arrays") / "ix")
    n = 0
    for batch in range(3):  # three commits without merging: three segments
        w = index._ix.writer()
        for _ in range(120):
            w.add_document(**to_document(_article(rng, n), f"f{n}", "h"))
            n += 1
        if batch:
            for k in rng.sample(range(n - 120), 25):  # deletions in older segments
                w.delete_by_term("id", f"a{k}")
        w.commit(merge=False)
    return index


def _queries() -> list[str]:
    rng = random.Random(11)
    out = ["oil", "title:oil", "country:US", '"united states"', '"bank of england"',
           '"per cent" trade', "oil -gold", "oil NOT (gold OR film)", "oil OR gold^2",
           "(oil AND bank) OR (trade AND talks)", 'title:"oil bank"', "zzzunknown",
           "oil zzzunknown", "oil OR zzzunknown", '"the of"', '"cent per"']
    for _ in range(60):
        words = rng.sample(WORDS, rng.randint(1, 3))
        joiner = rng.choice([" ", " OR ", " AND NOT "])
        out.append(joiner.join(words))
    for _ in range(30):
        a, b = rng.sample(WORDS, 2)
        out.append(f'"{a} {b}" {rng.choice(WORDS)}')
    return out


def _only_negative(q) -> bool:
    parts = q.subqueries if isinstance(q, query.And) else [q]
    return all(isinstance(p, query.Not) for p in parts)


@pytest.mark.parametrize("text", _queries())
def test_same_documents_and_scores_as_whoosh(ix, text):
    s = ix.searcher()
    q = parse(s, text)[0]
    expected = score_all(s, q)
    if _only_negative(q):  # nothing to find, only to leave out: Whoosh answers
        with pytest.raises(Unsupported):
            Evaluator(s, PostingsCache()).run(q)
        return
    mask, scores = Evaluator(s, PostingsCache()).run(q)
    assert set(np.flatnonzero(mask).tolist()) == set(expected), text
    for doc, score in expected.items():
        assert scores[doc] == pytest.approx(score, rel=1e-9), (text, doc)


@pytest.mark.parametrize("seed", range(15))
def test_questions_match_the_same_documents(ix, seed):
    rng = random.Random(seed)
    s = ix.searcher()
    text = " ".join(rng.sample(WORDS, rng.randint(4, 8)))
    q = _parser(s, OrGroup.factory(0.9)).parse(text)
    mask, scores = Evaluator(s, PostingsCache()).run(q)
    expected = score_all(s, q)
    assert set(np.flatnonzero(mask).tolist()) == set(expected)
    close = [d for d, v in expected.items() if scores[d] == pytest.approx(v, rel=1e-9)]
    assert len(close) >= 0.9 * len(expected), (text, len(close), len(expected))


@pytest.mark.parametrize("text", ["oil", "oil bank rates", "oil oil bank", "oil zzzunknown",
                                  "what are the oil prices in england", "zzzunknown"])
def test_a_plain_querys_words_are_counted_and_scored_as_each_word_alone(ix, text):
    """A plain query's words, added up in one pass, are what Whoosh gives each word alone,
    and what the evaluator gives each word alone (to rounding: the fields' scores are added
    in another order)."""
    s = ix.searcher()
    found = plain_words(s, text)
    count = np.zeros(s.doc_count_all(), dtype=np.int16)
    scores = np.zeros(s.doc_count_all())
    Evaluator(s, PostingsCache()).add_words(found.queries, count, scores)
    whoosh_count, whoosh_scores = np.zeros_like(count), np.zeros_like(scores)
    one_by_one = np.zeros_like(scores)
    for q in found.queries:
        for doc, score in score_all(s, q).items():
            whoosh_count[doc] += 1
            whoosh_scores[doc] += score
        one_by_one += Evaluator(s, PostingsCache()).run(q)[1]
    live = whoosh_count > 0
    assert np.array_equal(count, whoosh_count)
    assert scores[live] == pytest.approx(whoosh_scores[live], rel=1e-9)
    assert scores[live] == pytest.approx(one_by_one[live], rel=1e-12)


def test_adding_words_past_the_deadline_is_refused(ix):
    s = ix.searcher()
    count, scores = np.zeros(s.doc_count_all(), dtype=np.int16), np.zeros(s.doc_count_all())
    with pytest.raises(TooSlow):
        Evaluator(s, PostingsCache(), deadline=0.0).add_words(
            plain_words(s, "oil bank").queries, count, scores)


def test_restrict_limits_phrase_checks_but_not_the_answer_inside(ix):
    s = ix.searcher()
    q = parse(s, '"united states"')[0]
    full, _ = Evaluator(s, PostingsCache()).run(q)
    reader = s.reader()
    restrict = np.array([d % 2 == 0 and not reader.is_deleted(d) for d in range(s.doc_count_all())])
    part, _ = Evaluator(s, PostingsCache()).run(q, restrict)
    assert full.any() and (full & ~restrict).any()
    assert np.array_equal(part, full & restrict)


@pytest.mark.parametrize("text", ["oil*", "oil~", "published:[2015 to 2018]", '"oil bank"~3'])
def test_what_it_does_not_cover_is_refused_for_whoosh_to_answer(ix, text):
    s = ix.searcher()
    q = parse(s, text)[0]
    with pytest.raises(Unsupported):
        Evaluator(s, PostingsCache()).run(q)


def test_deleted_documents_never_match(ix):
    s = ix.searcher()
    mask, _ = Evaluator(s, PostingsCache()).run(query.Term("body", "oil"))
    reader = s.reader()
    assert reader.has_deletions()
    deleted = [d for d in range(s.doc_count_all()) if reader.is_deleted(d)]
    assert deleted and not mask[deleted].any()


def test_cache_stays_within_its_bound(ix):
    s = ix.searcher()
    cache = PostingsCache(max_bytes=4096)
    Evaluator(s, cache).run(_parser(s, AndGroup).parse(" OR ".join(WORDS)))
    assert cache.size <= 4096 or len(cache.lru) == 1


def test_warm_reads_frequent_words_ahead_within_its_budget(ix):
    from searchapp.search import SearchRequest

    before = ix.search(SearchRequest(query="oil trade", per_page=50))
    ix._postings.clear()
    everything = ix.warm(max_bytes=10**9)
    ix._postings.clear()
    read = ix.warm(max_bytes=20_000)
    assert 0 < read == ix._postings.size
    # Each field stops once past its share (by at most a word and the field's lengths).
    assert read < 2 * 20_000 < everything
    s = ix.searcher()
    biggest = max((sub.reader() for sub, _o in s.leaf_searchers()), key=lambda r: r.doc_count_all())
    frequent = biggest.most_frequent_terms("body", 1)[0][1]
    frequent = frequent.encode() if isinstance(frequent, str) else frequent
    cached = ix._postings.lru.keys()  # a snapshot: the cache itself is not iterable
    assert any(k[1] == "body" and k[2] == frequent for k in cached)
    ix._results.clear()
    ix._summaries.clear()
    after = ix.search(SearchRequest(query="oil trade", per_page=50))
    assert [h.id for h in after.hits] == [h.id for h in before.hits]


def test_tables_of_merged_segments_are_dropped(tmp_path):
    from searchapp.search import SearchRequest

    rng = random.Random(3)
    index = WhooshEngine(tmp_path / "ix")
    for n in range(3):
        w = index._ix.writer()
        w.add_document(**to_document(_article(rng, n), f"f{n}", "h"))
        w.commit(merge=False)
    index.search(SearchRequest(query="oil"))
    assert len(index._segment_tables) == 3
    w = index._ix.writer()
    w.commit(optimize=True)  # one segment instead of three
    index.search(SearchRequest(query="bank"))
    [seg] = [sub.reader().segment().segment_id() for sub, _o in index.searcher().leaf_searchers()]
    assert list(index._segment_tables) == [seg]


def test_tables_read_in_whole_blocks_are_those_of_whoosh_public_reads(ix, monkeypatch):
    """The facet tables read posting blocks and numeric columns at once; on another Whoosh
    they fall back to its public matchers and columns. Both give the same tables, on
    segments with deletions."""
    from searchapp.search.whoosh import internals, tables

    readers = [sub.reader() for sub, _o in ix.searcher().leaf_searchers()]
    fast = [tables.build_segment_tables(r) for r in readers]
    monkeypatch.setattr(internals, "supported", lambda: False)
    slow = [tables.build_segment_tables(r) for r in readers]
    assert any(r.has_deletions() for r in readers)
    for reader, a, b in zip(readers, fast, slow):
        deleted = internals.deleted_docs(reader)
        assert a.facets.keys() == b.facets.keys()
        for facet in a.facets:
            assert list(a.facets[facet]) == list(b.facets[facet])
            for value, docs in a.facets[facet].items():
                # Deleted documents may be listed (the tables mask them all at once).
                live = docs[~np.isin(docs, deleted)]
                assert np.array_equal(live, b.facets[facet][value][
                    ~np.isin(b.facets[facet][value], deleted)]) and docs.dtype == np.int32
        for name in ("day", "pubkey", "group"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert fast[0].day.dtype == np.int32 and 20100101 <= fast[0].day.max() <= 20291231


def test_the_time_limit_starts_after_the_doc_tables(tmp_path, monkeypatch):
    """A worker's first search after a merge builds the new segment's doc tables (seconds on
    a large archive): that is not the query's cost, and it is not refused for it."""
    import time

    from searchapp.search import SearchRequest
    from searchapp.search.whoosh import engine, matching

    rng = random.Random(5)
    index = WhooshEngine(tmp_path / "ix")
    w = index._ix.writer()
    for n in range(30):
        w.add_document(**to_document(_article(rng, n), f"f{n}", "h"))
    w.commit()
    real = engine.build_segment_tables

    def slow_tables(reader):
        time.sleep(0.6)
        return real(reader)

    monkeypatch.setattr(engine, "build_segment_tables", slow_tables)
    monkeypatch.setattr(matching, "MAX_SEARCH_SECONDS", 0.5)
    assert index.search(SearchRequest(query="oil")).total > 0


@pytest.mark.parametrize("n", [0, 7, 130, 250, 355])
def test_more_like_this_ranks_as_whoosh_does(ix, n):
    s = ix.searcher()
    docnum = s.document_number(id=f"a{n}")
    if docnum is None:  # deleted in the fixture
        pytest.skip("deleted")
    ours = ix.more_like_this(f"a{n}", limit=5)
    theirs = s.more_like(docnum, "body", top=5, numterms=12)
    assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], rel=1e-9)
    assert f"a{n}" not in [h.id for h in ours]


def test_a_search_past_its_deadline_is_refused_with_a_message(ix, monkeypatch):
    from searchapp.search import QueryError, SearchRequest
    from searchapp.search.whoosh import matching

    s = ix.searcher()
    with pytest.raises(TooSlow):
        Evaluator(s, PostingsCache(), deadline=0.0).run(parse(s, "oil")[0])
    monkeypatch.setattr(matching, "MAX_SEARCH_SECONDS", -1.0)
    for text in ("oil bank", "oil*"):  # on the arrays, and by Whoosh itself
        with pytest.raises(QueryError, match="too much of the archive"):
            ix.search(SearchRequest(query=text))


# -- the limits of Whoosh's posting format, and generated query trees ------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """300 articles with "common" (past Whoosh's 128-posting block, three blocks), and one
    article of 70,000 words (positions past 65,535), in two segments with a deletion."""
    rng = random.Random(5)
    index = WhooshEngine(tmp_path_factory.mktemp("big") / "ix")
    w = index._ix.writer()
    for n in range(300):
        body = " ".join(rng.choices(WORDS, k=rng.randint(3, 30)) + ["common"] * rng.randint(1, 3))
        w.add_document(**to_document(Article(id=f"b{n}", source="t", title="t", body=body,
                                             published=None), f"f{n}", "h"))
    w.commit(merge=False)
    w = index._ix.writer()
    long_body = " ".join(rng.choices(WORDS, k=70_000)) + " common tail words end here"
    w.add_document(**to_document(Article(id="long", source="t", title="Long", body=long_body,
                                         published=None), "long", "h"))
    w.delete_by_term("id", "b7")
    w.commit(merge=False)
    return index


def _same_as_whoosh(index, text):
    s = index.searcher()
    q = parse(s, text)[0]
    expected = score_all(s, q)
    mask, scores = Evaluator(s, PostingsCache()).run(q)
    assert set(np.flatnonzero(mask).tolist()) == set(expected), text
    for doc, score in expected.items():
        assert scores[doc] == pytest.approx(score, rel=1e-9), (text, doc)
    return expected


def test_a_posting_list_longer_than_one_block(big):
    s = big.searcher()
    assert s.doc_frequency("body", "common") > 2 * 128
    assert len(_same_as_whoosh(big, "common")) == 300  # 299 short ones and the long one
    _same_as_whoosh(big, '"common"')
    _same_as_whoosh(big, "common oil")


def test_positions_past_65535_words(big):
    found = _same_as_whoosh(big, '"tail words end here"')
    s = big.searcher()
    assert [s.stored_fields(d)["id"] for d in found] == ["long"]
    _same_as_whoosh(big, '"oil bank"')  # matches in the long article, at any position


@pytest.mark.parametrize("protocol", [2, 4])
def test_positions_read_from_the_bytes_are_those_unpickled(protocol):
    """Whoosh's positions (a count, then a pickled list of deltas) are read straight from
    the bytes when written as protocol 2 writes them: one-, two- and four-byte numbers, one
    occurrence or many, a few documents with hundreds. Any other form is unpickled."""
    import pickle
    import struct

    from searchapp.search.whoosh import internals

    rng = random.Random(protocol)
    values = []
    for _ in range(500):
        n = rng.choice([1, 1, 2, 3, 9, 70, 400])
        deltas = [rng.choice([0, 1, 7, 255, 256, 999, 65535, 65536, 123456]) for _ in range(n)]
        values.append(struct.pack("!I", n) + pickle.dumps(deltas, protocol=protocol))
    direct = internals._deltas_read_directly(values)
    unpickled = internals._deltas_unpickled(values)
    if protocol != 2:
        assert direct is None
        return
    assert direct is not None
    assert np.array_equal(direct[0], unpickled[0]) and np.array_equal(direct[1], unpickled[1])
    starts, positions = internals.decode_positions(values[:2])
    first = pickle.loads(values[0][4:])
    assert starts[1] == len(first)
    assert positions[:len(first)].tolist() == np.cumsum(first).tolist()  # deltas summed


_word = st.sampled_from(WORDS + ["common", "zzzunknown"])
_leaf = st.one_of(_word, st.lists(_word, min_size=2, max_size=3).map(lambda w: f'"{" ".join(w)}"'),
                  _word.map(lambda w: f"title:{w}"))


def _tree(children):
    joined = st.lists(children, min_size=2, max_size=3)
    return st.one_of(joined.map(" AND ".join), joined.map(" OR ".join),
                     st.tuples(children, children).map(lambda ab: f"{ab[0]} -{ab[1]}"),
                     children.map(lambda c: f"({c})"),
                     st.tuples(children, st.integers(2, 4)).map(lambda cb: f"({cb[0]})^{cb[1]}"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.recursive(_leaf, _tree, max_leaves=6))
def test_generated_query_trees_match_whoosh(ix, text):
    s = ix.searcher()
    try:
        q = parse(s, text)[0]
    except QueryError:
        return
    expected = score_all(s, q)
    try:
        mask, scores = Evaluator(s, PostingsCache()).run(q)
    except Unsupported:  # Whoosh answers these itself
        return
    assert set(np.flatnonzero(mask).tolist()) == set(expected), text
    for doc, score in expected.items():
        assert scores[doc] == pytest.approx(score, rel=1e-9), (text, doc)


def test_the_comparisons_use_the_products_weighting(ix):
    """Whoosh and the arrays above both score with the engine's BM25F and Okapi idf."""
    from searchapp.search.whoosh.scoring import OkapiBM25F

    s = ix.searcher()
    assert isinstance(s.weighting, OkapiBM25F)
    n, total = s.doc_frequency("body", "oil"), s.doc_count_all()
    assert s.idf("body", "oil") == pytest.approx(np.log(1 + (total - n + 0.5) / (n + 0.5)))


def test_warm_builds_the_doc_tables_every_search_needs(tmp_path):
    from searchapp.model import Article
    from searchapp.search import EngineConfig, open_engine

    engine = open_engine(EngineConfig(tmp_path / "ix"))
    w = engine.writer()
    w.replace_file("/f", "h", [Article(id="a", source="f", title="Oil", body="Oil rose.",
                                        published="1987-03-02")])
    w.commit()
    fresh = open_engine(EngineConfig(tmp_path / "ix"))
    assert not fresh._segment_tables
    fresh.warm()
    assert fresh._segment_tables  # built before the first search, not by it
