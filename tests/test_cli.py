"""The command line, run in-process on real files and a real index."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from searchapp.cli import main

from .conftest import FIXTURES, SEED


@pytest.fixture(autouse=True)
def instance(tmp_path, monkeypatch):
    """`searchapp index` registers its paths in the instance database: a test's own."""
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))


def run(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


def test_extract_prints_json_lines_and_exit_0(tmp_path):
    result = run("extract", SEED, "--json")
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    article = json.loads(line)
    assert set(article) == {"id", "source", "title", "body", "published", "url", "byline",
                            "language", "tags", "publication", "title_derived"}
    assert article["published"] is None
    assert article["publication"] == "seeds"  # a text file names no publisher: its folder
    persons = {t["value"] for t in article["tags"] if t["facet"] == "person"}
    assert {"Sergey Lavrov", "Wang Yi", "Maria Zakharova", "Xi Jinping", "Vladimir Putin",
            "Donald Trump"} <= persons
    # The text gives no tags; the source facet is its publication.
    assert all(t["origin"] == "auto" for t in article["tags"] if t["facet"] != "source")
    assert [t for t in article["tags"] if t["facet"] == "source"] == [
        {"facet": "source", "value": "seeds", "label": "seeds", "origin": "source"}]


def test_extract_exit_1_when_something_was_skipped(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(SEED, tmp_path / "seed.txt")
    result = run("extract", tmp_path, "--json")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert "empty.txt: empty file" in result.stderr


def test_extract_reuters_story_numbers(tmp_path):
    result = run("extract", FIXTURES / "readers" / "stories.sgm", "--json")
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert [s.rsplit("#", 1)[1] for s in sources] == ["101", "102", "103"]
    assert result.exit_code == 1 and "#104" in result.stderr


def test_usage_error_exit_2():
    assert run("extract").exit_code == 2
    assert run("search", "x", "--sort", "random").exit_code == 2


def test_index_then_search(tmp_path):
    index_dir = tmp_path / "ix"
    result = run("index", FIXTURES / "readers", "--index-dir", index_dir)
    assert result.exit_code == 0
    assert "indexed 8 articles from 4 files" in result.stdout
    assert "skipped" in result.stderr  # the bad parts are named

    again = run("index", FIXTURES / "readers", "--index-dir", index_dir)
    assert "4 files unchanged" in again.stdout

    found = run("search", "cocoa", "--index-dir", index_dir, "--json")
    data = json.loads(found.stdout)
    assert data["total"] == 1
    [hit] = data["hits"]
    assert set(hit) >= {"id", "source", "title", "published", "snippet", "tags"}
    assert "<mark>cocoa</mark>" in hit["snippet"].lower()
    assert {"value": "US", "label": "United States", "count": 1} in data["facets"]["country"]

    filtered = json.loads(run("search", "", "--country", "ar", "--from", "2021", "--to", "2021-03",
                              "--index-dir", index_dir, "--json").stdout)
    assert [h["title"] for h in filtered["hits"]] == ["Wheat harvest beats forecasts in Argentina"]

    bad = run("search", '"unclosed', "--index-dir", index_dir)
    assert bad.exit_code == 2 and "quotation mark" in bad.stderr


def test_search_without_an_index_says_so(tmp_path):
    result = run("search", "x", "--index-dir", tmp_path / "none")
    assert result.exit_code == 1 and "searchapp index" in result.stderr


def test_serve_refuses_debug_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCHAPP_ENV", "production")
    result = run("serve", "--debug", "--index-dir", tmp_path / "ix")
    assert result.exit_code == 2 and "--debug is refused" in result.stderr


def test_an_empty_query_browses_everything(tmp_path):
    """`searchapp search ""` lists the whole archive, newest first too, as the web's empty
    search does."""
    index_dir = tmp_path / "ix"
    run("index", FIXTURES / "readers", "--index-dir", index_dir)
    for args in ([""], ["", "--sort", "newest"], [" ", "--json"], []):
        result = run("search", *args, "--index-dir", index_dir, "--limit", 100)
        assert result.exit_code == 0, result.output
    data = json.loads(run("search", "", "--index-dir", index_dir, "--json", "--limit", 100).stdout)
    assert data["total"] == len(data["hits"]) == 8
    assert run("search", "", "--index-dir", index_dir).stdout.startswith("8 results")
