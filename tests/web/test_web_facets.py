"""The organisation and source facets, and `source:` / `byline:` searches, through the JSON
API, the command line and a browser, on a real index of two publications' articles and
Reuters stories with organisations."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp.cli import main
from searchapp.ingest import index_paths
from searchapp.model import Tag
from searchapp.web import create_app
from searchapp.web.presenter import source_name
from tests.web.conftest import free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facets"
MARKER = "kestrelwing"  # in every article of the fixtures, and nowhere else


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("facets")
    shutil.copytree(FIXTURES, where / "sources")
    report = index_paths([where / "sources"], where / "index", workers=1)
    assert not report.skipped, report.skipped
    return where / "index"


@pytest.fixture(scope="module")
def app(index_dir, tmp_path_factory):
    instance = tmp_path_factory.mktemp("facets-instance")
    return create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance),
                       "TESTING": True})


@pytest.fixture()
def api(app):
    client = app.test_client()

    def get(**params):
        response = client.get("/api/search", query_string=params)
        return response.status_code, response.get_json()

    return get


def counts(data, facet) -> dict[str, int]:
    return {v["value"]: v["count"] for v in data["facets"][facet]}


def titles(data) -> set[str]:
    return {h["title"] for h in data["hits"]}


def test_the_source_facet_counts_publications(api):
    status, data = api(q=MARKER)
    assert status == 200 and data["total"] == 6
    assert counts(data, "source") == {"Reuters": 3, "BBC News": 2, "The Harbour Gazette": 1}
    labels = {v["value"]: v["label"] for v in data["facets"]["source"]}
    assert labels["BBC News"] == "BBC News"


def test_the_source_facet_filters_and_excludes(api):
    _, bbc = api(q=MARKER, source="BBC News")
    assert bbc["total"] == 2 and {h["source"] for h in bbc["hits"]} == {"BBC News"}
    # the facet's own counts leave out its selection; the others follow it
    assert counts(bbc, "source")["Reuters"] == 3
    assert counts(bbc, "organisation") == {"Port Authority": 1}
    _, either = api(q=MARKER, source=["BBC News", "The Harbour Gazette"])
    assert either["total"] == 3
    _, not_reuters = api(q=MARKER, not_source="Reuters")
    assert not_reuters["total"] == 3 and "Reuters" not in {h["source"] for h in not_reuters["hits"]}
    _, found = api(q=MARKER, find_source="gazette")
    assert [v["value"] for v in found["facets"]["source"]] == ["The Harbour Gazette"]


def test_the_organisation_facet_comes_from_reuters_orgs_and_exchanges(api):
    _, data = api(q=MARKER)
    assert counts(data, "organisation") == {
        "OPEC": 1, "New York Mercantile Exchange": 1, "International Coffee Organization": 1,
        "World Bank": 1, "New York Stock Exchange": 1, "SSE": 1, "Port Authority": 1}
    _, opec = api(q=MARKER, organisation="OPEC")
    assert titles(opec) == {"KESTRELWING: OIL MINISTERS HOLD OUTPUT CEILING"}
    tags = {(t["facet"], t["value"], t["origin"]) for t in opec["hits"][0]["tags"]}
    assert ("organisation", "OPEC", "source") in tags
    assert not [t for t in tags if t[0] == "person"]


@pytest.mark.parametrize("query, expected", [
    ("source:reuters", 3),
    ('source:"bbc news"', 2),
    ("source:BBC", 2),  # the start of a name
    ("source:gazette", 1),  # its last word
    ("organisation:opec", 1),
    ('organisation:"world bank"', 1),
])
def test_source_and_organisation_by_name_in_the_query(api, query, expected):
    status, data = api(q=f"{MARKER} AND {query}")
    assert status == 200, data
    assert data["total"] == expected


def test_byline_searches_the_byline_words(api):
    _, smithers = api(q="byline:smithers")
    assert titles(smithers) == {"Kestrelwing ferry service resumes",
                                "Kestrelwing harbour dredging approved"}
    _, phrase = api(q='byline:"jane smithers"')
    assert phrase["total"] == 2
    _, wei = api(q="byline:wei")
    assert titles(wei) == {"Kestrelwing harbour dredging approved"}
    # the byline is not the body: the word is in no article's text
    _, body = api(q="smithers")
    assert body["total"] == 0
    _, combined = api(q="byline:smithers AND source:bbc")
    assert titles(combined) == {"Kestrelwing ferry service resumes"}


def test_an_unknown_field_names_the_new_ones(api):
    status, data = api(q="author:smith")
    assert status == 400
    assert "byline" in data["error"] and "source" in data["error"]


def test_the_openapi_document_lists_the_new_facets(app):
    doc = app.test_client().get("/api/openapi.json").get_json()
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert {"organisation", "not_organisation", "find_organisation",
            "source", "not_source", "find_source"} <= names


def test_the_help_page_explains_source_and_byline(app):
    page = app.test_client().get("/help").get_data(as_text=True)
    assert "source:&#34;bbc news&#34;" in page or 'source:"bbc news"' in page
    assert "byline:smith" in page and "organisation:opec" in page


def test_the_search_command_filters_by_organisation_and_publication(index_dir):
    runner = CliRunner()
    result = runner.invoke(main, ["search", MARKER, "--index-dir", str(index_dir),
                                  "--publication", "BBC News", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 2 and {h["source"] for h in data["hits"]} == {"BBC News"}
    result = runner.invoke(main, ["search", MARKER, "--index-dir", str(index_dir),
                                  "--organisation", "World Bank", "--organisation", "OPEC"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 results")
    assert re.search(r"^source: Reuters \(2\)", result.output, re.M)


def test_results_show_the_publication_once_and_facet_links(app):
    page = app.test_client().get("/", query_string={"q": MARKER}).get_data(as_text=True)
    assert page.count('class="tag tag--source"') == 0  # a result's source is its publication
    assert 'class="hit__source">BBC News<' in page
    assert "Organisations" in page and "Sources" in page


def test_the_french_page_names_the_new_facets(app):
    page = app.test_client().get("/", query_string={"q": MARKER, "lang": "fr"}).get_data(as_text=True)
    assert "Organisations" in page and "Sources" in page
    help_page = app.test_client().get("/help", query_string={"lang": "fr"}).get_data(as_text=True)
    assert "signature" in help_page  # the byline example, in French


# -- in a browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(app):
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def test_a_reader_filters_by_organisation_then_by_source(server, page):
    page.goto(f"{server}/?q={MARKER}")
    organisations = page.locator(".facet--organisation")
    assert organisations.locator(".facet__title").inner_text() == "Organisations"
    organisations.locator(".facet__link", has_text="World Bank").click()
    page.wait_for_url(re.compile(r"organisation=World\+Bank"))
    assert page.locator(".hit__title").all_inner_texts() == ["KESTRELWING: COFFEE QUOTA TALKS RESUME"]
    page.locator(".chip", has_text="World Bank").click()  # removes the filter
    page.wait_for_url(lambda url: "organisation=" not in url)
    assert page.locator(".hit").count() == 6
    page.locator(".facet--source .facet__link", has_text="BBC News").click()
    page.wait_for_url(re.compile(r"source=BBC\+News"))
    assert set(page.locator(".hit__source").all_inner_texts()) == {"BBC News"}
    assert page.locator(".hit").count() == 2
    assert page.locator(".chip", has_text="BBC News").count() == 1
    # the other facets follow the selection: only the BBC's organisation is left
    assert page.locator(".facet--organisation .facet__label").all_inner_texts() == ["Port Authority"]


def test_the_publication_shown_is_the_source_tag_as_curated():
    renamed = [{"facet": "country", "value": "GB"}, {"facet": "source", "value": "BBC"}]
    assert source_name("BBC News", None, renamed) == "BBC"
    assert source_name("BBC News", None, [Tag("source", "BBC", "BBC", "librarian")]) == "BBC"
    assert source_name("BBC News", "https://www.bbc.co.uk/x") == "BBC News"
    assert source_name(None, "https://www.bbc.co.uk/x", []) == "bbc.co.uk"
