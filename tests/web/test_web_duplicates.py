"""Versions of one story on the page, in the API and in headless Chromium: a results page shows
the story once with "+N versions", which opens every version; the article page lists them."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from searchapp.ingest import index_paths
from searchapp.web import create_app
from tests.web.conftest import free_port

STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "duplicates" / "stories"
BRAZIL = {"Brazil coffee areas get heavy rain", "Heavy rain in Brazil coffee areas"}


@pytest.fixture(scope="module")
def dupes_app(tmp_path_factory):
    """An index of the duplicate fixtures: one story in three versions, two other stories."""
    where = tmp_path_factory.mktemp("dupes-web")
    shutil.copytree(STORIES, where / "stories")
    report = index_paths([where / "stories"], where / "index", workers=1)
    assert report.articles_indexed == 5
    return create_app({"INDEX_DIR": str(where / "index"), "INSTANCE_PATH": str(where / "instance"),
                       "TESTING": True})


@pytest.fixture()
def dupes(dupes_app):
    return dupes_app.test_client()


def test_api_hits_carry_their_group_and_the_versions_they_stand_for(dupes):
    found = dupes.get("/api/search", query_string={"q": "brazil coffee"}).get_json()
    assert found["total"] == 2
    story = next(h for h in found["hits"] if h["versions"])
    assert story["versions"] == 2 and story["title"] in BRAZIL
    versions = dupes.get(story["links"]["versions"]).get_json()
    assert versions["total"] == 3 and versions["filters"]["group"] == story["group"]
    assert {h["group"] for h in versions["hits"]} == {story["group"]}
    # Facet counts count articles, collapsed or not.
    assert found["dates"]["buckets"][0]["count"] == 4 == versions["dates"]["buckets"][0]["count"] + 1


def test_api_article_lists_its_other_versions(dupes):
    found = dupes.get("/api/search", query_string={"q": "brazil coffee"}).get_json()
    story = next(h for h in found["hits"] if h["versions"])
    article = dupes.get(story["links"]["json"]).get_json()
    assert article["group"] == story["group"]
    assert len(article["versions"]) == 2
    assert {v["title"] for v in article["versions"]} | {article["title"]} >= BRAZIL


def test_pages_show_plus_n_versions_and_the_article_lists_them(dupes):
    page = dupes.get("/", query_string={"q": "brazil coffee"}).get_data(as_text=True)
    assert "+2 versions" in page and "2 results" in page
    assert "Facet counts count articles" in dupes.get("/help").get_data(as_text=True)


def test_a_saved_search_feed_lists_a_story_once(dupes_app, dupes):
    from searchapp import accounts, saved
    from searchapp.db import connect, db_path

    conn = connect(db_path(Path(dupes_app.instance_path)))
    owner = accounts.create_user(conn, "fern", "correct horse battery", "reader")
    slug = saved.create(conn, owner.id, "Brazil coffee", "q=brazil+coffee").slug
    conn.close()
    feed = dupes.get(f"/s/{slug}/feed.atom").get_data(as_text=True)
    assert feed.count("<entry>") == 2  # the story in three versions once, the exports story


@pytest.fixture(scope="module")
def dupes_server(dupes_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), dupes_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_plus_n_versions_opens_every_version_in_the_browser(page, dupes_server, errors):
    page.goto(f"{dupes_server}/?q=brazil+coffee")
    assert page.locator(".hit").count() == 2
    page.get_by_role("link", name="+2 versions").click()
    page.wait_for_url("**group=*")
    assert page.locator(".hit").count() == 3
    assert page.locator(".versions-notice").is_visible()
    assert set(page.locator(".hit__title").all_inner_texts()) >= BRAZIL
    page.locator(".hit__title a").first.click()
    page.wait_for_url("**/articles/*")
    assert page.locator("#versions li").count() == 2
    page.go_back()
    page.get_by_role("link", name="Back to all results").click()
    page.wait_for_url(lambda url: "group=" not in url)
    assert page.locator(".hit").count() == 2
    assert not errors
