"""Registered sources and safe rebuilds, and the publication of every article: the command
line run in-process on real folders, a real index and a real SQLite database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp import ingest
from searchapp.cli import main
from searchapp.db import connect, db_path
from searchapp.ingest import index_paths
from searchapp.search import EngineConfig, SearchRequest, open_engine
from searchapp.sources import registered

from .conftest import FIXTURES


@pytest.fixture(autouse=True)
def instance(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.chdir(tmp_path)  # the default seeds folder is looked for here
    # Files parsed in this process: a worker pool per run would cost seconds, and the
    # parallel path has tests of its own (test_ingest).
    monkeypatch.setattr(ingest, "POOL_MIN_FILES", 1_000_000)
    return tmp_path / "instance"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def text_folder(where: Path, n: int, word: str = "harvest") -> Path:
    where.mkdir(parents=True)
    for i in range(n):
        (where / f"{i:03d}.txt").write_text(f"Story {i} of the {word}\n\nA {word} story, number {i}.\n")
    return where


def engine(index_dir):
    return open_engine(EngineConfig(index_dir, create=False))


def hits(index_dir, q=""):
    return engine(index_dir).search(SearchRequest(q, per_page=100)).hits


# -- registered sources and the safe rebuild ---------------------------------------------------


def test_rebuild_after_indexing_two_folders_keeps_both(tmp_path):
    first, second = text_folder(tmp_path / "first", 3), text_folder(tmp_path / "second", 4)
    assert run("index", first, "--index-dir", tmp_path / "ix").exit_code == 0
    assert run("index", second, "--index-dir", tmp_path / "ix").exit_code == 0
    result = run("index", "--rebuild", "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert engine(tmp_path / "ix").doc_count() == 7
    assert "0 articles removed" in result.stdout
    # `searchapp index` with no path reads both again; nothing changed, nothing removed.
    again = run("index", "--index-dir", tmp_path / "ix")
    assert "7 files unchanged, 0 articles removed" in again.stdout


def test_the_seeds_folder_is_the_default_only_on_a_fresh_install(tmp_path):
    text_folder(tmp_path / "seeds", 2)
    assert run("index", "--index-dir", tmp_path / "ix").exit_code == 0
    archive = text_folder(tmp_path / "archive", 5)
    run("index", archive, "--index-dir", tmp_path / "ix")
    conn = connect(db_path())
    assert [s.path for s in registered(conn)] == [str(archive.resolve()),
                                                  str((tmp_path / "seeds").resolve())]
    assert run("index", "--rebuild", "--index-dir", tmp_path / "ix").exit_code == 0
    assert engine(tmp_path / "ix").doc_count() == 7


def test_a_rebuild_that_would_empty_the_archive_stops_and_loses_nothing(tmp_path):
    archive = text_folder(tmp_path / "archive", 20)
    text_folder(tmp_path / "seeds", 1)
    # An archive indexed before sources were registered: the database knows no path.
    index_paths([archive], tmp_path / "ix")
    before = {h.id for h in hits(tmp_path / "ix")}
    stopped = run("index", "--rebuild", "--index-dir", tmp_path / "ix")
    assert stopped.exit_code == 1
    assert "would remove 20 of the 20 articles" in stopped.stderr
    assert "Nothing was changed" in stopped.stderr and "--yes" in stopped.stderr
    assert {h.id for h in hits(tmp_path / "ix")} == before
    # Registering the archive makes the same rebuild safe.
    assert run("index", archive, "--index-dir", tmp_path / "ix").exit_code == 0
    rebuilt = run("index", "--rebuild", "--index-dir", tmp_path / "ix")
    assert rebuilt.exit_code == 0 and "0 articles removed" in rebuilt.stdout
    assert {h.id for h in hits(tmp_path / "ix")} >= before
    # 21 articles; the seeds' story is word for word the archive's first: one result.
    assert engine(tmp_path / "ix").doc_count() == 21



def test_yes_lets_a_large_removal_through_and_the_summary_counts_it(tmp_path):
    archive = text_folder(tmp_path / "archive", 10)
    run("index", archive, "--index-dir", tmp_path / "ix")
    for path in sorted(archive.iterdir())[:3]:  # 3 of 10: more than a tenth
        path.unlink()
    stopped = run("index", "--index-dir", tmp_path / "ix")
    assert stopped.exit_code == 1 and "would remove 3 of the 10 articles" in stopped.stderr
    assert engine(tmp_path / "ix").doc_count() == 10
    done = run("index", "--yes", "--index-dir", tmp_path / "ix")
    assert done.exit_code == 0
    assert "3 articles removed (3 files gone)" in done.stdout
    assert engine(tmp_path / "ix").doc_count() == 7


def test_a_small_removal_needs_no_confirmation(tmp_path):
    archive = text_folder(tmp_path / "archive", 20)
    run("index", archive, "--index-dir", tmp_path / "ix")
    (archive / "000.txt").unlink()
    (archive / "001.txt").unlink()  # 2 of 20: a tenth, not more
    done = run("index", "--index-dir", tmp_path / "ix")
    assert done.exit_code == 0 and "2 articles removed (2 files gone)" in done.stdout


def test_a_rebuild_counts_the_articles_it_drops(tmp_path):
    archive = text_folder(tmp_path / "archive", 4)
    shutil.copy(FIXTURES / "readers" / "stories.sgm", archive / "wire.sgm")
    index_paths([archive], tmp_path / "ix")  # 4 + 3 stories
    (archive / "000.txt").unlink()
    sgm = (archive / "wire.sgm").read_text()
    (archive / "wire.sgm").write_text(sgm[:sgm.index('NEWID="103"')] + 'NEWID="103">')  # one story less
    report = index_paths([archive], tmp_path / "ix", rebuild=True, removal_limit=0.5)
    assert report.articles_removed == 2 and report.files_removed == 1
    assert "2 articles removed (1 files gone)" in report.summary()


def test_a_missing_registered_folder_removes_nothing(tmp_path):
    archive = text_folder(tmp_path / "archive", 3)
    other = text_folder(tmp_path / "other", 30)
    run("index", archive, "--index-dir", tmp_path / "ix")
    run("index", other, "--index-dir", tmp_path / "ix")
    archive.rename(tmp_path / "unmounted")  # 3 of 33: under the limit, and still kept
    result = run("index", "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0 and "0 articles removed" in result.stdout
    assert "no such file or folder" in result.stderr
    assert engine(tmp_path / "ix").doc_count() == 33


def test_sources_lists_and_removes_after_asking(tmp_path):
    archive = text_folder(tmp_path / "archive", 3)
    wire = tmp_path / "wire"
    wire.mkdir()
    shutil.copy(FIXTURES / "readers" / "stories.sgm", wire / "wire.sgm")
    run("index", archive, "--source", "BBC News", "--index-dir", tmp_path / "ix")
    run("index", wire, "--index-dir", tmp_path / "ix")
    listed = run("sources", "--index-dir", tmp_path / "ix").stdout.splitlines()
    assert listed == [f"{archive.resolve()}\tBBC News\t3", f"{wire.resolve()}\t(from the files)\t3"]
    kept = run("sources", "remove", archive, "--index-dir", tmp_path / "ix", input="n\n")
    assert "its 3 articles" in kept.output and kept.exit_code == 1
    assert engine(tmp_path / "ix").doc_count() == 6
    gone = run("sources", "remove", archive, "--index-dir", tmp_path / "ix", "--yes")
    assert gone.exit_code == 0 and "and its 3 articles" in gone.stdout
    assert engine(tmp_path / "ix").doc_count() == 3
    assert [s.path for s in registered(connect(db_path()))] == [str(wire.resolve())]
    # A rebuild now reads the wire alone, with nothing to remove.
    assert "0 articles removed" in run("index", "--rebuild", "--index-dir", tmp_path / "ix").stdout
    assert run("sources", "remove", archive, "--yes").exit_code == 1  # no longer registered


def test_sources_counts_articles_from_unregistered_paths(tmp_path):
    index_paths([text_folder(tmp_path / "old", 2)], tmp_path / "ix")
    listed = run("sources", "--index-dir", tmp_path / "ix").stdout
    assert "No registered sources" in listed and "2 articles come from paths not registered" in listed


# -- the publication of each article ---------------------------------------------------------


def write_formats(root: Path) -> Path:
    root.mkdir()
    shutil.copy(FIXTURES / "readers" / "stories.sgm", root / "reut2-003.sgm")
    (root / "084.txt").write_text("Budget row deepens\n\nMinisters argued about the budget.\n")
    (root / "site.html").write_text(
        '<html><head><meta property="og:site_name" content="The Daily Planet">'
        "<title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
        "<p>The budget vote was held on Tuesday in the capital city.</p></article></body></html>")
    (root / "ld.html").write_text(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Budget talks", "publisher": {"@type": "Organization", "name": "Le Monde"}}'
        "</script></head><body><article><h1>Budget talks</h1>"
        "<p>The budget talks went on late into the night.</p></article></body></html>")
    (root / "bare.html").write_text(
        '<html><head><link rel="canonical" href="https://www.example.org/budget"></head><body>'
        "<article><h1>Budget plan</h1><p>The budget plan was published today.</p></article>"
        "</body></html>")
    lines = [{"title": "Budget news", "body": "A budget.", "source": "Wire Service"},
             {"title": "Budget notes", "body": "More budget."}]
    (root / "feed.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return root


def publications(index_dir) -> dict[str, str]:
    return {h.title: h.publication for h in hits(index_dir)}


def test_every_article_has_its_publication_never_a_file(tmp_path):
    root = write_formats(tmp_path / "bbc")
    assert run("index", root, "--source", "BBC News", "--index-dir", tmp_path / "ix").exit_code == 0
    names = publications(tmp_path / "ix")
    assert names["Budget row deepens"] == "BBC News"  # text: the name given for the folder
    assert names["Budget vote"] == "The Daily Planet"  # og:site_name
    assert names["Budget talks"] == "Le Monde"  # the JSON-LD publisher
    assert names["Budget news"] == "Wire Service"  # the line's own `source`
    assert names["Budget notes"] == "BBC News"
    reuters = {n for t, n in names.items() if t not in {"Budget row deepens", "Budget vote",
                                                        "Budget talks", "Budget news",
                                                        "Budget notes", "Budget plan"}}
    assert reuters == {"Reuters"}
    # A page that names no site: the name given for the folder before its host.
    assert names["Budget plan"] == "BBC News"


def test_without_a_given_name_the_host_then_the_folder_name(tmp_path):
    root = write_formats(tmp_path / "bbc")
    run("index", root, "--index-dir", tmp_path / "ix")
    names = publications(tmp_path / "ix")
    assert names["Budget plan"] == "example.org"
    assert names["Budget row deepens"] == "bbc" and names["Budget notes"] == "bbc"
    assert not any("/" in n or n.endswith((".txt", ".sgm")) for n in names.values())


def test_a_new_name_for_a_folder_reads_it_again_and_is_remembered(tmp_path):
    root = text_folder(tmp_path / "bbc", 2)
    run("index", root, "--source", "BBC", "--index-dir", tmp_path / "ix")
    ids = {h.id for h in hits(tmp_path / "ix")}
    renamed = run("index", root, "--source", "BBC News", "--index-dir", tmp_path / "ix")
    assert "indexed 2 articles" in renamed.stdout
    assert set(publications(tmp_path / "ix").values()) == {"BBC News"}
    assert {h.id for h in hits(tmp_path / "ix")} == ids  # ids derive from the place alone
    # Re-indexing the folder without --source keeps its name; so does a rebuild.
    run("index", root, "--index-dir", tmp_path / "ix")
    run("index", "--rebuild", "--index-dir", tmp_path / "ix")
    assert set(publications(tmp_path / "ix").values()) == {"BBC News"}


def test_a_folder_registered_inside_another_is_read_once_with_its_own_name(tmp_path):
    archive = text_folder(tmp_path / "archive", 2)
    text_folder(archive / "bbc", 2, word="vote")
    run("index", archive, "--index-dir", tmp_path / "ix")
    ids = {h.id for h in hits(tmp_path / "ix")}
    run("index", archive / "bbc", "--source", "BBC News", "--index-dir", tmp_path / "ix")
    rebuilt = run("index", "--rebuild", "--index-dir", tmp_path / "ix")
    assert "indexed 4 articles from 4 files" in rebuilt.stdout
    assert {h.id for h in hits(tmp_path / "ix")} == ids  # the ids the whole archive gives
    assert {h.publication for h in hits(tmp_path / "ix", "vote")} == {"BBC News"}
    assert {h.publication for h in hits(tmp_path / "ix", "harvest")} == {"archive"}


def test_source_needs_paths():
    assert run("index", "--source", "BBC News").exit_code == 2


def test_search_shows_the_publication(tmp_path):
    root = write_formats(tmp_path / "bbc")
    run("index", root, "--source", "BBC News", "--index-dir", tmp_path / "ix")
    found = json.loads(run("search", "deepens", "--index-dir", tmp_path / "ix", "--json").stdout)
    assert found["hits"][0]["source"] == "BBC News"
    assert "BBC News" in run("search", "deepens", "--index-dir", tmp_path / "ix").stdout


def test_an_index_made_before_publications_takes_them_at_the_next_run(tmp_path, monkeypatch):
    from searchapp.search.whoosh import engine as whoosh_engine
    from searchapp.search.whoosh import schema as whoosh_schema

    def old_schema():
        fields = whoosh_schema.schema()
        fields.remove("publication")
        return fields

    root = text_folder(tmp_path / "bbc", 2)
    (root / "wire.sgm").write_text((FIXTURES / "readers" / "stories.sgm").read_text())
    with monkeypatch.context() as m:  # an index as an older searchapp made it
        m.setattr(whoosh_engine, "schema", old_schema)
        m.setattr(whoosh_schema, "to_document", _without_publication(whoosh_schema.to_document))
        m.setattr(whoosh_engine, "to_document", _without_publication(whoosh_schema.to_document))
        m.setattr(ingest, "file_digest", lambda f: ingest.content_hash(f.path))
        index_paths([root], tmp_path / "ix")
    assert "publication" not in engine(tmp_path / "ix")._ix.schema
    report = index_paths([root], tmp_path / "ix")
    assert report.articles_indexed == 5  # read again once, for the names
    assert set(publications(tmp_path / "ix").values()) == {"bbc", "Reuters"}


def _without_publication(to_document):
    def old(*args, **kw):
        doc = to_document(*args, **kw)
        doc.pop("publication", None)
        return doc
    return old


def test_the_api_and_pages_show_the_publication(tmp_path):
    from searchapp.web import create_app

    root = write_formats(tmp_path / "bbc")
    index_paths([root], tmp_path / "ix", names={str(root.resolve()): "BBC News"})
    app = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True})
    client = app.test_client()
    hit = client.get("/api/search?q=deepens").get_json()["hits"][0]
    assert hit["source"] == hit["source_name"] == "BBC News"
    article = client.get(f"/api/articles/{hit['id']}").get_json()
    assert article["source"] == "BBC News"
    assert str(tmp_path) not in json.dumps(article)
    page = client.get("/?q=deepens").get_data(as_text=True)
    assert "BBC News" in page and "084.txt" not in page
    article_page = client.get(f"/articles/{hit['id']}").get_data(as_text=True)
    assert "BBC News" in article_page and "084.txt" not in article_page

