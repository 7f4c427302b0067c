"""What ANY search engine must do, written through the interface only and run once per
registered engine (`searchapp.search.ENGINES`): a new engine joins by registering itself.

Where engines may differ by nature the tests say the tolerance: scores are compared only
by order (best first), snippets only by what they mark and escape, not where they cut,
and "did you mean" only where one correction is plainly right.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from searchapp.model import Article, Tag
from searchapp.search import ENGINES, UNDATED, EngineConfig, QueryError, SearchRequest, open_engine


def art(id, title, body, published, countries=(), persons=(), topics=()):
    tags = [Tag("country", c, c, "auto") for c in countries]
    tags += [Tag("person", p, p, "auto") for p in persons]
    tags += [Tag("topic", t, t, "auto") for t in topics]
    return Article(id=id, source=f"test/{id}.txt", title=title, body=body, published=published,
                   tags=tags)


ARTICLES = [
    art("ru-cn", "Russia and China to discuss sanctions",
        "Sergey Lavrov will meet Wang Yi in Sochi. The ministers discussed sanctions on Iran.",
        "2019-05-10", ["RU", "CN", "IR"], ["Sergey Lavrov"], ["diplomacy"]),
    art("iran-oil", "Oil exports from Iran fall under sanctions",
        "Iranian oil exports fell as sanctions bit. Traders in London said oil prices rose.",
        "2019-06-01T08:00:00+00:00", ["IR", "GB"], [], ["energy", "sanctions"]),
    art("cocoa", "Bahia cocoa review",
        "Showers continued in the Bahia cocoa zone, improving prospects for the crop.",
        "1987-02-26", ["BR"], [], ["agriculture"]),
    art("fed", "Volcker says the dollar is stable",
        "Federal Reserve chairman Paul Volcker said the dollar had stabilised against the yen.",
        "1987-03-02", ["US", "JP"], ["Paul Volcker"], ["markets"]),
    art("undated", "Sanctions <script>alert(1)</script> on trade",
        "A note on sanctions & tariffs <img src=x onerror=alert(1)> with no date.",
        None, ["US"], [], ["sanctions"]),
]


def _engines():
    """Each registered engine; Solr's run on the test cluster (`-m solr` selects them, and
    the quick loop, `-m "not slow"`, leaves them out)."""
    on_cluster = [pytest.mark.solr, pytest.mark.slow]
    return [pytest.param(name, marks=on_cluster) if name == "solr" else name
            for name in sorted(ENGINES)]


def _config(request, tmp_path) -> EngineConfig:
    if request.param != "solr":
        return EngineConfig(index_dir=tmp_path / "ix", engine=request.param)
    cluster = request.getfixturevalue("solr_cluster")
    # A collection of its own per test, deleted after it: no test sees another's articles.
    return EngineConfig(engine="solr", url=",".join(cluster.nodes),
                        collection=f"contract-{uuid.uuid4().hex[:8]}")


def _holding(request, tmp_path, articles):
    """The engine of the fixture's param holding `articles` (one file each)."""
    e = open_engine(_config(request, tmp_path))
    if request.param == "solr":
        request.addfinalizer(e.drop)
    w = e.writer()
    for a in articles:
        w.replace_file(f"/files/{a.id}", "hash", [a])
    w.commit()
    return e


@pytest.fixture(params=_engines())
def engine(request, tmp_path):
    """An engine of each registered kind, holding ARTICLES (one file each)."""
    return _holding(request, tmp_path, ARTICLES)


def ids(engine, q="", **kw) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(query=q, per_page=100, **kw)).hits]


def counts(result, facet) -> dict[str, int]:
    return {c.value: c.count for c in result.facets[facet]}


def test_words_match_all_of_them_by_stem(engine):
    assert set(ids(engine, "sanction iran")) == {"ru-cn", "iran-oil"}
    assert ids(engine, "cocoa showers") == ["cocoa"]
    assert engine.doc_count() == len(ARTICLES)


def test_title_matches_rank_first(engine):
    assert ids(engine, "oil")[0] == "iran-oil"


def test_phrases_need_the_words_in_order_as_written(engine):
    assert ids(engine, '"cocoa zone"') == ["cocoa"]
    assert ids(engine, '"zone cocoa"') == []
    assert ids(engine, '"sanction bit"') == []  # not stemmed inside a phrase


def test_boolean_operators_and_fields(engine):
    assert set(ids(engine, "cocoa OR volcker")) == {"cocoa", "fed"}
    assert ids(engine, "sanctions -iranian -lavrov") == ["undated"]
    assert ids(engine, "title:dollar") == ["fed"]
    assert ids(engine, "country:jp") == ["fed"]


def test_facets_or_within_and_across(engine):
    assert set(ids(engine, filters={"country": ("BR", "JP")})) == {"cocoa", "fed"}
    assert ids(engine, filters={"country": ("IR",), "topic": ("energy",)}) == ["iran-oil"]


def test_each_facets_counts_leave_out_its_own_selection(engine):
    result = engine.search(SearchRequest(filters={"country": ("IR",)}))
    assert counts(result, "country")["BR"] == 1 and counts(result, "country")["IR"] == 2
    assert counts(result, "topic") == {"diplomacy": 1, "energy": 1, "sanctions": 1}
    assert result.total == 2


def test_exclusion(engine):
    assert set(ids(engine, "sanctions", exclude={"country": ("RU",)})) == {"iran-oil", "undated"}


def test_date_range_and_histogram(engine):
    result = engine.search(SearchRequest())
    assert [(d.value, d.count) for d in result.dates] == [("1987", 2), ("2019", 2), (UNDATED, 1)]
    months = engine.search(SearchRequest(date_from=date(1987, 1, 1), date_to=date(1987, 12, 31),
                                         date_granularity="month"))
    assert [(d.value, d.count) for d in months.dates] == [("1987-02", 1), ("1987-03", 1)]
    assert set(ids(engine, date_from=date(2019, 1, 1), include_undated=True)) == {
        "ru-cn", "iran-oil", "undated"}


def test_sort_by_date_puts_undated_last(engine):
    assert ids(engine, sort="newest") == ["iran-oil", "ru-cn", "fed", "cocoa", "undated"]
    assert ids(engine, sort="oldest") == ["cocoa", "fed", "ru-cn", "iran-oil", "undated"]


def test_relevance_scores_are_best_first(engine):
    hits = engine.search(SearchRequest("sanctions")).hits
    scores = [h.score for h in hits]
    assert all(s is not None for s in scores) and scores == sorted(scores, reverse=True)


def test_paging(engine):
    first = engine.search(SearchRequest(sort="oldest", per_page=2))
    third = engine.search(SearchRequest(sort="oldest", per_page=2, page=3))
    assert first.total == third.total == 5
    assert [h.id for h in first.hits] == ["cocoa", "fed"] and [h.id for h in third.hits] == ["undated"]


def test_snippets_escape_the_text_and_mark_the_matches(engine):
    [hit] = engine.search(SearchRequest("tariffs")).hits
    assert "<mark>tariffs</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet
    browse = engine.search(SearchRequest(sort="newest")).hits[-1]
    assert "<img" not in browse.snippet  # no query: the opening text, escaped


def test_the_highlighter_marks_the_querys_words_by_stem(engine):
    marked = engine.highlighter("sanction").mark("<b>Sanctions</b> & sanctioned <script>")
    assert marked.count("<mark>") == 2 and "<script>" not in marked and "&amp;" in marked
    assert engine.highlighter("sanc*").mark("Sanctions bite").startswith("<mark>Sanctions</mark>")
    assert not engine.highlighter("")
    assert "<mark>" not in engine.highlighter("-sanctions oil").mark("sanctions")


def test_get_and_more_like_this(engine):
    article = engine.get("iran-oil")
    assert article.title.startswith("Oil exports") and article.published.startswith("2019-06-01")
    assert {t.value for t in article.tags if t.facet == "country"} == {"IR", "GB"}
    assert engine.get("nope") is None
    similar = [h.id for h in engine.more_like_this("iran-oil")]
    assert "ru-cn" in similar and "iran-oil" not in similar
    assert engine.more_like_this("nope") == []


def test_did_you_mean(engine):
    result = engine.search(SearchRequest("sanctoins"))
    assert result.total == 0 and result.suggestion == "sanctions"
    assert engine.search(SearchRequest("sanctions")).suggestion is None


def test_retag_reapplies_curation_to_the_tags_as_ingested(engine):
    def add_chile(article):
        return Article(**{**article.__dict__,
                          "tags": article.tags + [Tag("country", "CL", "Chile", "librarian")]})

    assert engine.retag(["fed"], lambda: add_chile) == 1
    assert ids(engine, filters={"country": ("CL",)}) == ["fed"]
    assert engine.ids_with_value("country", "CL") == ["fed"]
    # Curation applies to the raw tags each time: applying it again changes nothing...
    assert engine.retag(["fed"], lambda: add_chile) == 0
    # ... and no curation at all gives back the tags as ingested.
    assert engine.retag(["fed"], lambda: (lambda article: article)) == 1
    assert ids(engine, filters={"country": ("CL",)}) == []
    assert engine.ids_with_value("country", "JP") == ["fed"]


def _undated_hit(engine):
    return next(h for h in engine.search(SearchRequest(per_page=100)).hits if h.id == "undated")


def test_hits_carry_when_they_were_indexed_and_retagging_keeps_it(engine):
    indexed = _undated_hit(engine).indexed
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", indexed)
    def add_chile(a):
        return Article(**{**a.__dict__, "tags": a.tags + [Tag("country", "CL", "Chile", "librarian")]})

    assert engine.retag(["undated"], lambda: add_chile) == 1
    assert _undated_hit(engine).indexed == indexed


def test_a_title_made_from_the_text_stays_marked(engine):
    w = engine.writer()
    w.replace_file("/files/derived", "hash", [Article(
        id="derived", source="s", title="Gold rose.", body="Gold rose. Silver fell.",
        title_derived=True)])
    w.commit()
    assert engine.get("derived").title_derived and not engine.get("fed").title_derived
    assert [h.title_derived for h in engine.search(SearchRequest(query="silver")).hits] == [True]


def test_remove_file_deletes_its_articles(engine):
    assert engine.indexed_files()["/files/cocoa"] == "hash"
    w = engine.writer()
    assert w.remove_file("/files/cocoa") == 1
    w.commit()
    assert ids(engine, "cocoa") == [] and engine.get("cocoa") is None
    assert "/files/cocoa" not in engine.indexed_files()
    assert engine.doc_count() == len(ARTICLES) - 1


def test_articles_per_file_and_the_publication(engine):
    w = engine.writer()
    two = [Article(id=f"wire{n}", source=f"/files/wire#{n}", title=f"Story {n}", body="Grain.",
                   publication="Reuters") for n in (1, 2)]
    w.replace_file("/files/wire", "hash", two)
    w.commit()
    per_file = engine.articles_per_file()
    assert per_file["/files/wire"] == 2 and per_file["/files/cocoa"] == 1
    assert sum(per_file.values()) == engine.doc_count()
    assert engine.get("wire1").publication == "Reuters"
    assert {h.publication for h in engine.search(SearchRequest("story")).hits} == {"Reuters"}
    assert engine.get("cocoa").publication is None


def test_ids_for_a_request(engine):
    assert sorted(engine.ids_for(SearchRequest("sanctions"))) == ["iran-oil", "ru-cn", "undated"]
    assert len(engine.ids_for(SearchRequest())) == len(ARTICLES)


@pytest.mark.parametrize("bad", ['"unclosed phrase', "(iran", "iran)", "iran AND", "a*",
                                 "x" * 1001, "oil~9", "country:", "colour:red", "body:*"])
def test_bad_queries_are_refused_with_a_message(engine, bad):
    with pytest.raises(QueryError) as err:
        engine.search(SearchRequest(bad))
    assert len(str(err.value)) > 10


def test_rebuild_swaps_in_only_a_complete_index(engine):
    with pytest.raises(RuntimeError), engine.rebuild() as fresh:
        w = fresh.writer()
        w.replace_file("/files/new", "h", [art("new", "Gold", "Gold prices rose.", None)])
        w.commit()
        raise RuntimeError("the build failed")
    assert engine.doc_count() == len(ARTICLES)  # the old index stays
    with engine.rebuild() as fresh:
        w = fresh.writer()
        w.replace_file("/files/new", "h", [art("new", "Gold", "Gold prices rose.", None)])
        w.commit()
    assert ids(engine, "gold") == ["new"] and engine.doc_count() == 1


def test_snapshot_and_restore(engine, tmp_path):
    assert engine.snapshot(tmp_path / "copy") == len(ARTICLES)
    w = engine.writer()
    w.remove_file("/files/fed")
    w.commit()
    assert engine.get("fed") is None
    assert engine.restore_from(tmp_path / "copy") == len(ARTICLES)
    assert engine.get("fed") is not None and ids(engine, "volcker") == ["fed"]


def test_the_journal_mark_is_kept_with_the_index(engine, tmp_path):
    """The id of the last curation journal entry applied: 0 at first, moved only from the
    value it was read at, carried by a snapshot and a restore; a rebuild starts without."""
    assert engine.journal_mark().change == 0
    mark = engine.journal_mark()
    assert engine.acknowledge(3, since=mark) and engine.journal_mark().change == 3
    assert not engine.acknowledge(5, since=mark)  # stale: another applier moved it meanwhile
    assert engine.journal_mark().change == 3
    assert engine.acknowledge(2)  # unconditionally (a restore re-applied everything)
    assert engine.acknowledge(4) and engine.snapshot(tmp_path / "copy") == len(ARTICLES)
    assert engine.acknowledge(9)
    engine.restore_from(tmp_path / "copy")  # an older index: entries 5 to 9 are pending
    assert engine.journal_mark().change == 4
    before_rebuild = engine.journal_mark()
    with engine.rebuild() as fresh:
        assert fresh.journal_mark().change == 0
        fresh.acknowledge(7)
    assert engine.journal_mark().change == 7
    assert not engine.acknowledge(8, since=before_rebuild)  # another index now
    assert engine.journal_mark().change == 7


# -- how plain words match, and saying so ---------------------------------------------------


def test_plain_words_need_all_of_them_and_relaxing_is_reported(engine):
    result = engine.search(SearchRequest(query="sanctions lavrov"))
    assert [h.id for h in result.hits] == ["ru-cn"]
    assert (result.match.mode, result.match.words) == ("all", 2)
    # No article has all three words: the search relaxes to two of them, and says so.
    result = engine.search(SearchRequest(query="sanctions oil lavrov", per_page=100))
    assert {h.id for h in result.hits} == {"ru-cn", "iran-oil"}  # not "undated": one word only
    assert result.match.to_json() == {"mode": "relaxed", "words": 3, "at_least": 2,
                                      "with_all": 0}
    # The strict search never relaxes.
    strict = engine.search(SearchRequest(query="sanctions oil lavrov", all_words=True))
    assert strict.total == 0 and strict.match.mode == "all"


def test_a_long_question_drops_its_framing_words_and_needs_two_of_the_others(engine):
    result = engine.search(SearchRequest(
        query="which articles say what the ministers discussed in sochi", per_page=100))
    assert [h.id for h in result.hits] == ["ru-cn"]
    assert result.match.mode == "question" and result.match.at_least == 2


def test_capital_operators_and_lower_case_words(engine):
    assert set(ids(engine, "cocoa OR volcker")) == {"cocoa", "fed"}
    # Lower-case "or", "and", "not" are words of the text, not operators: both words needed.
    assert ids(engine, "cocoa or volcker") == []
    assert ids(engine, "bahia and cocoa") == ["cocoa"]
    assert engine.search(SearchRequest(query="cocoa OR volcker")).match.mode == "operators"


def test_accents_are_folded_but_phrases_stay_exact(engine):
    w = engine.writer()
    w.replace_file("/files/pele", "hash", [art(
        "pele", "Pelé opens the élection campaign", "Edson Arantes do Nascimento, Pelé, spoke.",
        "2019-07-01")])
    w.commit()
    for q in ("pele", "Pelé", "PELE", "election pele", "élections"):
        assert ids(engine, q) == ["pele"], q
    assert ids(engine, '"Pelé opens"') == ["pele"]
    assert ids(engine, '"pele opens"') == []  # a phrase is matched as written


@pytest.mark.parametrize("q, expected", [
    ("person:lavrov", ["ru-cn"]),
    ('person:"sergey lavrov"', ["ru-cn"]),
    ('person:"Sergey Lavrov"', ["ru-cn"]),
    ("person:Volcker", ["fed"]),
    ('country:"united kingdom"', ["iran-oil"]),
    ("country:gb", ["iran-oil"]),
    ("country:Brazil", ["cocoa"]),
    ('country:"Royaume-Uni"', ["iran-oil"]),  # the French label the reader may see
    ('topic:"financial markets"', ["fed"]),  # the taxonomy's label
    ("topic:Agriculture", ["cocoa"]),
    ('topic:"diplomacy and international relations" sochi', ["ru-cn"]),
    ("sanctions -person:lavrov -country:gb", ["undated"]),
])
def test_fields_take_the_values_the_reader_sees(engine, q, expected):
    assert ids(engine, q) == expected


# -- the organisation and source facets, the byline --------------------------------------
# Their own articles (the fixture above stays as it is): names as the readers see them.

NAMED = [
    Article(id="bbc-ferry", source="test/bbc-ferry.txt", title="Ferry service resumes",
            body="The ferry across the estuary runs again.", published="2021-05-03",
            byline="By Jane Smithers", publication="BBC News",
            tags=[Tag("source", "BBC News", "BBC News", "source"),
                  Tag("organisation", "Port Authority", "Port Authority", "source")]),
    Article(id="bbc-bridge", source="test/bbc-bridge.txt", title="Bridge tolls to rise",
            body="Tolls on the ferry bridge rise.", published="2021-05-04",
            byline="By Omar Haddad", publication="BBC News",
            tags=[Tag("source", "BBC News", "BBC News", "source")]),
    Article(id="opec", source="test/reut.sgm#1", title="Ministers hold the ferry ceiling",
            body="Oil ministers agreed.", published="1987-03-02", publication="Reuters",
            tags=[Tag("source", "Reuters", "Reuters", "source"),
                  Tag("organisation", "OPEC", "OPEC", "source"),
                  Tag("organisation", "Port Authority", "Port Authority", "auto")]),
]


@pytest.fixture(params=_engines())
def named(request, tmp_path):
    """An engine of each registered kind, holding NAMED."""
    return _holding(request, tmp_path, NAMED)


# -- near-duplicate groups: stored with the article, collapsed in results ------------------
# Grouping is decided at ingest (searchapp.duplicates); an engine stores Article.group,
# shows one hit per group, counts the group's other matches, and lists an article's versions.


def version(id, group, published, title="Cocoa rains in Bahia", body="Showers fell in Bahia."):
    article = art(id, title, body, published, ["BR"], [], ["agriculture"])
    return Article(**{**article.__dict__, "group": group})


GROUPED = [
    version("bahia-1", "bahia-1", "1987-02-26"),
    version("bahia-2", "bahia-1", "1987-02-26T12:00:00", body="Showers fell in Bahia today."),
    version("bahia-3", "bahia-1", "1987-02-27", body="Showers fell in Bahia, traders said."),
    version("cocoa-stocks", "cocoa-stocks", "1987-02-27", "Cocoa stocks in Bahia",
            "Cocoa stocks rose in Bahia warehouses."),
]


@pytest.fixture(params=_engines())
def grouped_engine(request, tmp_path):
    """An engine of each registered kind holding a story in three versions and another one."""
    return _holding(request, tmp_path, GROUPED)


def test_organisation_and_source_are_counted_leaving_out_their_own_filter(named):
    everything = named.search(SearchRequest("ferry"))
    assert counts(everything, "source") == {"BBC News": 2, "Reuters": 1}
    assert counts(everything, "organisation") == {"Port Authority": 2, "OPEC": 1}
    bbc = named.search(SearchRequest("ferry", filters={"source": ("BBC News",)}))
    assert bbc.total == 2
    assert counts(bbc, "source") == {"BBC News": 2, "Reuters": 1}
    assert counts(bbc, "organisation") == {"Port Authority": 1}


def test_organisation_and_source_filter_and_exclude(named):
    assert set(ids(named, "ferry", filters={"organisation": ("Port Authority",)})) == {
        "bbc-ferry", "opec"}
    assert ids(named, "ferry", filters={"organisation": ("Port Authority",),
                                        "source": ("Reuters",)}) == ["opec"]
    assert set(ids(named, "ferry", exclude={"source": ("Reuters",)})) == {"bbc-ferry", "bbc-bridge"}


@pytest.mark.parametrize("query, expected", [
    ("source:reuters", {"opec"}),
    ('source:"bbc news"', {"bbc-ferry", "bbc-bridge"}),
    ("source:BBC", {"bbc-ferry", "bbc-bridge"}),
    ('organisation:"port authority"', {"bbc-ferry", "opec"}),
    ("organisation:opec", {"opec"}),
    ("byline:smithers", {"bbc-ferry"}),
    ('byline:"jane smithers"', {"bbc-ferry"}),
    ("ferry AND NOT byline:haddad", {"bbc-ferry", "opec"}),
])
def test_source_organisation_and_byline_in_the_query(named, query, expected):
    assert set(ids(named, query)) == expected


def test_the_byline_is_kept_and_is_not_the_text(named):
    assert named.get("bbc-ferry").byline == "By Jane Smithers"
    assert named.get("opec").source == "test/reut.sgm#1"  # where it was read, as given
    assert ids(named, "smithers") == []


def test_export_gives_the_matches_in_the_requests_order_as_stored(engine):
    """Every matching article, not one page; in relevance or date order; page and per_page
    ignored; whole stored articles (body and tags), no more than the limit."""
    by_relevance = [h.id for h in engine.search(SearchRequest("sanctions")).hits]
    exported = list(engine.export(SearchRequest("sanctions", per_page=1, page=2), limit=100))
    assert [a.id for a in exported] == by_relevance and len(by_relevance) == 3
    assert [a.id for a in engine.export(SearchRequest(sort="newest"), 100)] == [
        "iran-oil", "ru-cn", "fed", "cocoa", "undated"]
    first_two = engine.export(SearchRequest(sort="oldest"), 2)
    assert first_two.total == 5  # every match counted, though only two are read
    assert [a.id for a in first_two] == ["cocoa", "fed"]
    fed = next(iter(engine.export(SearchRequest(filters={"person": ("Paul Volcker",)}), 10)))
    assert fed == engine.get("fed") and fed.body.startswith("Federal Reserve chairman")
    assert list(engine.export(SearchRequest("nosuchword"), 10)) == []


def test_export_refuses_a_bad_query_before_it_is_read(engine):
    with pytest.raises(QueryError):
        engine.export(SearchRequest('"unclosed'), 10)  # raised by the call, not the iteration


def test_a_group_is_one_hit_counting_its_other_matching_versions(grouped_engine):
    result = grouped_engine.search(SearchRequest(query="bahia", per_page=100))
    assert result.total == 2  # groups, not articles
    by_group = {h.group: h.versions for h in result.hits}
    assert by_group == {"bahia-1": 2, "cocoa-stocks": 0}
    # Facet counts and date buckets count articles.
    assert counts(result, "country") == {"BR": 4}
    assert {d.value: d.count for d in result.dates} == {"1987": 4}
    # Only the versions matching the query count.
    only_some = grouped_engine.search(SearchRequest(query="bahia AND (traders OR today)"))
    assert [(h.group, h.versions) for h in only_some.hits] == [("bahia-1", 1)]


def test_the_hit_shown_for_a_group_is_the_one_the_order_puts_first(grouped_engine):
    newest = grouped_engine.search(SearchRequest(query="bahia", sort="newest")).hits
    assert [h.id for h in newest] == ["bahia-3", "cocoa-stocks"]
    oldest = grouped_engine.search(SearchRequest(query="bahia", sort="oldest")).hits
    assert [h.id for h in oldest] == ["bahia-1", "cocoa-stocks"]


def test_versions_can_be_listed_in_full_or_one_group_at_a_time(grouped_engine):
    every = grouped_engine.search(SearchRequest(query="bahia", group_versions=False, per_page=100))
    assert every.total == 4 and all(h.versions == 0 for h in every.hits)
    one = grouped_engine.search(SearchRequest(query="bahia", group="bahia-1", sort="oldest"))
    assert [h.id for h in one.hits] == ["bahia-1", "bahia-2", "bahia-3"]
    assert grouped_engine.search(SearchRequest(group="no-such-group")).total == 0


def test_an_article_lists_its_other_versions_and_more_like_this_leaves_them_out(grouped_engine):
    assert [h.id for h in grouped_engine.versions("bahia-2")] == ["bahia-1", "bahia-3"]
    assert grouped_engine.versions("cocoa-stocks") == []
    assert grouped_engine.versions("missing") == []
    assert grouped_engine.get("bahia-3").group == "bahia-1"
    similar = [h.id for h in grouped_engine.more_like_this("bahia-1")]
    assert not {"bahia-2", "bahia-3"} & set(similar)


def test_an_article_written_without_a_group_stands_alone(engine):
    hits = engine.search(SearchRequest(query="sanctions", per_page=100)).hits
    assert {h.group for h in hits} == {h.id for h in hits}
    assert all(h.versions == 0 for h in hits)


@pytest.mark.parametrize("q, expected", [
    ("sanctions oil OR cocoa", {"iran-oil"}),  # sanctions AND (oil OR cocoa)
    ("oil AND iran OR cocoa", {"iran-oil", "cocoa"}),  # (oil AND iran) OR cocoa
    ("(volcker OR lavrov) dollar", {"fed"}),
])
def test_and_binds_before_or_and_or_before_words_side_by_side(engine, q, expected):
    assert set(ids(engine, q)) == expected


@pytest.fixture(params=_engines())
def empty_engine(request, tmp_path):
    """An engine of each registered kind holding no article yet (a new archive)."""
    return _holding(request, tmp_path, [])


def test_a_new_empty_archive_answers_a_search_with_nothing_to_suggest(empty_engine):
    """Nothing found, and no "did you mean": an archive without words has none to offer."""
    result = empty_engine.search(SearchRequest(query="oil prices"))
    assert result.total == 0 and result.hits == []
    assert result.suggestion is None
