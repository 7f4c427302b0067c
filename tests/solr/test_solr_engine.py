"""The Solr engine's own parts: the configset, the collection it creates, the translation of
requests, the writer's lock and visibility, failover. What every engine must do is in
tests/search/test_engine_contract.py, which runs on Solr too."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from whoosh.analysis import STOP_WORDS

from searchapp.model import Article, Tag
from searchapp.search import EngineConfig, IndexLocked, QueryError, SearchRequest, open_engine
from searchapp.search import query as policy
from searchapp.search.solr import admin, analysis, documents, solr_problem, translation
from searchapp.search.solr.client import Nodes

# -- without a cluster ------------------------------------------------------------------


def test_the_configsets_stop_words_are_whooshs():
    """Both engines drop the same words; the Python analysis reads the configset's list."""
    assert set(STOP_WORDS) == analysis.STOP_WORDS


def test_the_highlighter_marks_by_stem_folds_accents_and_escapes():
    marked = analysis.highlighter('élection "opens" -pele country:fr').mark(
        "Elections & <b>opening</b> of Pelé's")
    assert marked == "<mark>Elections</mark> &amp; &lt;b&gt;<mark>opening</mark>&lt;/b&gt; of Pelé&#39;s"
    assert analysis.term_of("Straße") == "strass" and analysis.term_of("the") is None


def test_the_configset_name_follows_its_content():
    name = admin.configset_name()
    assert name.startswith("searchapp-") and name == admin.configset_name()
    with __import__("zipfile").ZipFile(__import__("io").BytesIO(admin.configset_zip())) as z:
        assert {"managed-schema.xml", "solrconfig.xml", "stopwords.txt"} <= set(z.namelist())


def _params(request: SearchRequest, words=(1, 0)) -> dict:
    query = translation.user_query(request.query, request.all_words, lambda w: words,
                                   lambda facet: ["Sergey Lavrov"])
    return translation.search_params(request, query, None)


def test_facet_selections_are_tagged_and_each_facet_excludes_its_own():
    params = _params(SearchRequest(filters={"country": ("br", "JP")}, exclude={"topic": ("x",)}))
    assert '{!tag=f_country}country_facet:("BR" OR "JP")' in params["fq"]
    assert '-topic_facet:("x")' in params["fq"]
    facets = json.loads(params["json.facet"])
    # Each facet leaves out its own selection and the collapse of versions (counts articles).
    assert facets["country"]["domain"] == {"excludeTags": ["f_country", "versions"]}
    assert facets["topic"]["domain"] == {"excludeTags": ["versions"]} and facets["topic"]["refine"]
    assert facets["country.0"]["q"] == 'country_facet:("BR")'  # counted even past the limit


def test_plain_words_are_boosted_by_repetition_and_need_what_the_policy_says():
    params = _params(SearchRequest("oil sanctions oil Pelé"), words=(3, 0))
    assert params["q"] == "oil^1.3750 sanctions^1.0000 pelé^1.0000"
    assert (params["mm"], params["q.op"]) == ("2", "OR")  # relaxed: no article has all three
    strict = _params(SearchRequest("oil sanctions pelé", all_words=True), words=(3, 0))
    assert strict["mm"] == "3"


def test_operators_phrases_and_facet_values_are_translated():
    params = _params(SearchRequest('"bank of england" -person:lavrov published:[2019 to 2020]'))
    assert params["q"] == ('exact:"bank of england" NOT person:"Sergey Lavrov" '
                           "published:[2019 TO 2020]")
    assert "mm" not in params and "hl" in params
    # The highlighter fails on date ranges: it gets the query with them as "anything".
    assert _params(SearchRequest("oil -published:1987"))["hl.q"] == "oil *:*"


def test_dates_sort_and_histogram_span():
    request = SearchRequest(date_from=date(1987, 3, 2), date_to=date(1987, 4, 1),
                            include_undated=True, sort="oldest", date_granularity="month")
    params = _params(request)
    assert "(day:[19870302 TO 19870401] OR undated:true)" in params["fq"]
    assert params["sort"] == "undated asc,pubkey asc,id asc"
    assert translation.span(request, None, None) == (date(1987, 3, 1), date(1987, 5, 1))
    assert translation.span(SearchRequest(), 19870226, 20190601) == (date(1987, 1, 1),
                                                                    date(2020, 1, 1))


@pytest.mark.parametrize("bad", ["oil~9", "a*", "body:*", "published:soon", "colour:red",
                                 '"open', "oil AND"])
def test_refusals_come_from_the_policy(bad):
    with pytest.raises(QueryError):
        _params(SearchRequest(bad))


def test_answers_map_back_to_results():
    answer = {"responseHeader": {}, "response": {"numFound": 1, "docs": [
        {"id": "a", "title": "T", "body": "x <b>", "tags": "[]", "score": 2.5}]},
        "highlighting": {"a": {"body": ["the <mark>oil</mark>\n price"]}},
        "facets": {"country": {"buckets": [{"val": "IR", "count": 1}], "numBuckets": 3},
                   "dates": {"buckets": [{"val": "2019-01-01T00:00:00Z", "count": 1},
                                         {"val": "2020-01-01T00:00:00Z", "count": 0}]},
                   "undated": {"count": 2}},
        "spellcheck": {"suggestions": ["sanctoins", {"suggestion": ["sanctions"]}]}}
    query = translation.Query({"q": "x"}, policy.plan_match(1, 1, 1, False, False))
    result = translation.result(SearchRequest("Sanctoins"), query, answer)
    assert result.hits[0].snippet == "the <mark>oil</mark> price" and result.hits[0].score == 2.5
    assert result.facet_totals["country"] == 3 and result.facets["person"] == []
    assert [(d.value, d.count) for d in result.dates] == [("2019", 1), ("undated", 2)]
    assert result.suggestion == "Sanctions"
    answer["responseHeader"]["partialResults"] = True
    with pytest.raises(QueryError):
        translation.result(SearchRequest("x"), query, answer)


def test_a_facet_is_a_dynamic_field(monkeypatch):
    monkeypatch.setattr(documents, "FACETS", ("country", "organisation"))
    article = Article("a", "s", "T", "B", tags=[Tag("organisation", "UN", "UN", "auto")])
    assert documents.to_document(article, "f", "h")["organisation_facet"] == ["UN"]


# -- on the cluster ---------------------------------------------------------------------


@pytest.fixture
def solr(solr_cluster):
    """A fresh collection on the test cluster, deleted after the test."""
    config = EngineConfig(engine="solr", url=",".join(solr_cluster.nodes),
                          collection=f"t-{uuid.uuid4().hex[:8]}")
    engine = open_engine(config)
    yield engine
    engine.drop()


def test_opening_uploads_the_configset_and_makes_the_collection_behind_an_alias(solr):
    nodes = solr.nodes
    assert admin.configset_name() in nodes.get("/admin/configs", {"action": "LIST"})["configSets"]
    target = admin.aliases(nodes)[solr.name]
    status = admin.cluster_status(nodes)["collections"][target]
    assert len(status["shards"]) == 2 and status["configName"] == admin.configset_name()
    assert admin.META_COLLECTION in admin.collections(nodes)


def test_opening_without_create_needs_the_collection(solr_cluster):
    with pytest.raises(FileNotFoundError):
        open_engine(EngineConfig(engine="solr", url=solr_cluster.nodes[0], create=False,
                                 collection=f"none-{uuid.uuid4().hex[:8]}"))


def _article(n: int) -> Article:
    return Article(f"a{n}", f"f#{n}", f"Grain {n}", "Wheat and barley.")


def test_a_file_is_visible_only_once_committed_and_cancel_drops_it(solr):
    w = solr.writer()
    w.replace_file("/f", "h", [_article(1), _article(2)])
    assert solr.doc_count() == 0  # written, not committed: not shown
    w.checkpoint()
    assert solr.doc_count() == 2
    w.replace_file("/g", "h", [_article(3)])
    w.cancel()
    assert solr.doc_count() == 2 and solr.indexed_files() == {"/f": "h"}


def test_one_writer_at_a_time(solr):
    first = solr.writer()
    with pytest.raises(IndexLocked):
        solr.writer(wait=0.5)
    first.commit()
    solr.writer(wait=0.5).cancel()  # released by the commit


# Words whose stems the Porter implementations disagree on (Whoosh's and Snowball's among
# them), and every word of the test fixtures' articles.
TRICKY = ("accelerated added assemblies assembly beginning buoyancy anyone generalization "
          "archaeology sanctions élections Pelé Straße U.S. relational happily conditional")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_python_analysis_is_solrs(solr):
    texts = [TRICKY] + [p.read_text(errors="replace") for p in sorted(FIXTURES.rglob("*"))
                        if p.suffix in (".txt", ".sgm", ".jsonl", ".json")]
    words = " ".join(sorted(set(" ".join(texts).split())))
    answer = solr.nodes.post(f"/{solr.name}/analysis/field", data={
        "analysis.fieldtype": "text_stemmed", "analysis.fieldvalue": words, "wt": "json"})
    stages = answer["analysis"]["field_types"]["text_stemmed"]["index"]
    solr_terms = [token["text"] for token in stages[-1]]
    python_terms = [t for w in re.finditer(r"\w+(?:\.?\w+)*", words) if (t := analysis.term_of(w.group()))]
    assert len(solr_terms) > 800 and python_terms == solr_terms


def test_another_node_answers_when_the_first_does_not(solr_cluster):
    nodes = Nodes(["http://127.0.0.1:9/solr", *solr_cluster.nodes], retry_seconds=5)
    assert "collections" in nodes.get("/admin/collections", {"action": "LIST"})


def test_the_problem_check_names_an_unreachable_cluster(solr_cluster):
    assert solr_problem(EngineConfig(engine="solr", url=solr_cluster.nodes[0])) is None
    problem = solr_problem(EngineConfig(engine="solr", url="http://127.0.0.1:9/solr"))
    assert problem and "cannot be reached" in problem
