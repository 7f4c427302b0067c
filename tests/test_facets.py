"""The facet registry (searchapp.facets): every layer lists every registered facet, a new
facet is one entry, and the organisation and source facets get their values."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from searchapp import facets
from searchapp.cli import main
from searchapp.model import FACETS, Article, Tag
from searchapp.readers import ReadError, read_file
from searchapp.search import facet_value
from searchapp.search.query import QUERY_FIELDS, resolve_fields
from searchapp.search.whoosh.schema import schema
from searchapp.tagging import Tagger
from searchapp.tagging.labels import label
from searchapp.tagging.normalize import normalize_tag
from searchapp.web import create_app
from searchapp.web.labels import FACET_ADD_LABELS, FACET_NAMES, FACET_PLACEHOLDERS, FACET_PLURALS
from searchapp.web.openapi import FACET_NAME, SEARCH_PARAMETERS
from searchapp.web.params import SEARCH_KEYS, parse_search_args

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "facets"


def test_model_facets_are_the_registered_names_in_order():
    assert FACETS == facets.names() == ("country", "person", "topic", "organisation", "source")
    assert [f.name for f in facets.REGISTRY] == list(FACETS)
    assert len({f.cli_flag for f in facets.REGISTRY}) == len(FACETS)


@pytest.mark.parametrize("name", FACETS)
def test_every_layer_lists_every_registered_facet(name, tmp_path):
    entry = facets.facet(name)
    # the index: a field to filter and count on
    assert name in schema().names()
    # the query language: `name:value`
    assert name in QUERY_FIELDS
    # the URL: filter, exclusion and find parameters, kept in a saved search
    assert {name, f"not_{name}"} <= set(SEARCH_KEYS)
    app = create_app({"INDEX_DIR": str(tmp_path / "ix"), "INSTANCE_PATH": str(tmp_path / "i"),
                      "TESTING": True})
    with app.test_request_context():
        params = parse_search_args(MultiDict([(name, "x"), (f"not_{name}", "y"),
                                              (f"find_{name}", "z")]))
    assert params.filters[name] == (facet_value(name, "x"),)
    assert params.exclude[name] == (facet_value(name, "y"),) and params.find[name] == "z"
    # the OpenAPI document
    documented = {p["name"] for p in SEARCH_PARAMETERS}
    assert {name, f"not_{name}", f"find_{name}"} <= documented
    assert name in FACET_NAME["enum"]
    # the command line
    search = main.get_command(None, "search")
    assert any(entry.cli_flag in option.opts for option in search.params)
    # the names shown
    for shown in (FACET_NAMES, FACET_PLURALS, FACET_ADD_LABELS, FACET_PLACEHOLDERS):
        assert name in shown


@pytest.mark.slow  # a fresh interpreter
def test_adding_a_facet_is_one_registry_entry(tmp_path):
    """A facet declared in the registry alone is indexed, counted, filtered, searched with
    `genre:`, offered as a URL parameter, an OpenAPI parameter and a command-line flag."""
    script = textwrap.dedent(f"""
        import searchapp.facets as F
        F.REGISTRY += (F.Facet("genre", "Genre", "Genres", "Add a genre", "Genre",
                               "Genre; repeat to OR values.", "Only genres with this text.",
                               "obituary", "--genre"),)
        F.BY_NAME["genre"] = F.REGISTRY[-1]
        from searchapp.model import FACETS, Article, Tag
        from searchapp.search import EngineConfig, SearchRequest, open_engine
        from searchapp.web.openapi import SEARCH_PARAMETERS
        from searchapp.web.params import SEARCH_KEYS
        from searchapp.cli import main
        assert "genre" in FACETS and "not_genre" in SEARCH_KEYS
        assert "find_genre" in {{p["name"] for p in SEARCH_PARAMETERS}}
        assert any("--genre" in o.opts for o in main.get_command(None, "search").params)
        engine = open_engine(EngineConfig(index_dir=r"{tmp_path / 'ix'}"))
        writer = engine.writer()
        for n, genre in enumerate(["obituary", "review", "obituary"]):
            article = Article(id=str(n), source="f", title="Lark singer", body="A lark.",
                              tags=[Tag("genre", genre, genre, "source")])
            writer.replace_file(f"f{{n}}", "h", [article])
        writer.commit()
        result = engine.search(SearchRequest("lark", filters={{"genre": ("obituary",)}}))
        assert result.total == 2, result.total
        counts = {{c.value: c.count for c in engine.search(SearchRequest("lark")).facets["genre"]}}
        assert counts == {{"obituary": 2, "review": 1}}, counts
        assert engine.search(SearchRequest("genre:Review")).total == 1
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# -- organisations -------------------------------------------------------------------------


def test_reuters_orgs_and_exchanges_are_organisations_by_name():
    path = FIXTURES / "organisations.sgm"
    articles = list(read_file(path, f"t/{path.name}", str(path)))
    assert not [a for a in articles if isinstance(a, ReadError)]
    orgs = {a.source.rsplit("#", 1)[1]: a.tag_values("organisation") for a in articles}
    assert orgs == {"901": ["OPEC", "New York Mercantile Exchange"],
                    "902": ["International Coffee Organization", "World Bank"],
                    # a code the shipped list does not name is shown in capitals, never guessed
                    "903": ["New York Stock Exchange", "SSE"]}
    assert all(t.origin == "source" for a in articles for t in a.tags if t.facet == "organisation")
    assert all(not a.tag_values("person") for a in articles)  # organisations are not people


def test_organisation_values_are_normalised_from_codes_and_names():
    assert normalize_tag("organisation", "worldbank", "librarian") == Tag(
        "organisation", "World Bank", "World Bank", "librarian")
    assert normalize_tag("organisation", "  bank of tokyo ", "source").value == "Bank Of Tokyo"
    assert normalize_tag("organisation", "Deutsche Bundesbank", "source").value == "Deutsche Bundesbank"
    assert normalize_tag("organisation", " , ", "source") is None


def test_the_organisation_tagger_hook_is_called_on_the_text():
    class Finds:
        def tag(self, title, body):
            return ["Bundesbank"] if "Bundesbank" in body else []

    article = Article(id="a", source="f", title="Rates", body="The Bundesbank held rates.")
    tagged = Tagger(taggers={"organisation": Finds()}).tag(article)
    assert Tag("organisation", "Bundesbank", "Bundesbank", "auto") in tagged.tags


# -- sources -------------------------------------------------------------------------------


def test_the_publication_is_the_source_facet_value():
    article = Article(id="a", source="bbc/084.txt", title="Ferry", body="The ferry runs.",
                      publication="BBC News")
    tagged = Tagger().tag(article)
    assert tagged.tag_values("source") == ["BBC News"]
    assert [t.origin for t in tagged.tags if t.facet == "source"] == ["source"]
    unnamed = Tagger().tag(Article(id="b", source="x.txt", title="Ferry", body="Runs."))
    assert unnamed.tag_values("source") == []


def test_labels_come_from_the_registered_label_functions():
    assert label("country", "SU") == "Soviet Union"
    assert label("country", "DE", "fr") == "Allemagne"
    assert label("topic", "central-banks", topics={"central-banks": "Central banks"}) == "Central banks"
    assert label("organisation", "OPEC") == "OPEC"
    assert label("source", "BBC News") == "BBC News"
    assert label("date", "1987-03-02") == "1987-03-02"


def test_source_and_organisation_values_resolve_by_name_in_queries():
    held = {"source": ["BBC News", "Reuters", "The Harbour Gazette"],
            "organisation": ["OPEC", "World Bank"]}.get
    assert resolve_fields("source:reuters", lambda f: held(f, [])) == 'source:"Reuters"'
    assert resolve_fields('source:"bbc news"', lambda f: held(f, [])) == 'source:"BBC News"'
    assert resolve_fields("source:BBC", lambda f: held(f, [])) == 'source:"BBC News"'
    assert resolve_fields("organisation:opec", lambda f: held(f, [])) == 'organisation:"OPEC"'
    # a name the index does not hold is searched as written
    assert resolve_fields("source:nowhere", lambda f: held(f, [])) == 'source:"nowhere"'
