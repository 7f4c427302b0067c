"""Backup and restore round trip, with the database and a live index."""

from __future__ import annotations

import shutil

import pytest

from searchapp.backup import backup, restore
from searchapp.curation import Curator
from searchapp.db import connect, db_path
from searchapp.ingest import index_paths, ingest_lock
from searchapp.search import EngineConfig, IndexLocked, SearchRequest, open_engine

from .conftest import FIXTURES, SEED


@pytest.fixture
def live(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    shutil.copy(FIXTURES / "readers" / "stories.sgm", corpus)
    index_dir = tmp_path / "index"
    index_paths([corpus], index_dir)
    db_file = db_path(tmp_path / "instance")
    conn = connect(db_file)
    conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('lib', 'x', 'librarian')")
    server = open_engine(EngineConfig(index_dir, create=False))
    return {"corpus": corpus, "index": index_dir, "db": db_file, "conn": conn, "server": server,
            "curator": Curator(conn, server)}


def seed_id(ix):
    return ix.search(SearchRequest("Lavrov")).hits[0].id


def countries(ix, article_id):
    return {t.value for t in ix.get(article_id).tags if t.facet == "country"}


def test_round_trip_while_the_server_runs(live, tmp_path):
    server, cur = live["server"], live["curator"]
    aid = seed_id(server)
    cur.add_tag(1, aid, "country", "Norway")
    report = backup(live["db"], live["index"], tmp_path / "backup")
    assert report == {"articles": 4, "database": True}

    # Things go wrong after the backup: an edit, and the index is lost.
    cur.remove_tag(1, aid, "country", "NO")
    cur.add_tag(1, aid, "country", "Chile")
    shutil.rmtree(live["index"])

    restored = restore(tmp_path / "backup", live["db"], live["index"])
    assert restored["articles"] == 4
    assert "NO" in countries(server, aid) and "CL" not in countries(server, aid)  # same server object
    rows = live["conn"].execute("SELECT value, state FROM tag_edits").fetchall()
    assert [tuple(r) for r in rows] == [("NO", "added")]


def test_restore_reapplies_curation_that_missed_the_index_copy(live, tmp_path):
    server, conn = live["server"], live["conn"]
    aid = seed_id(server)
    backup(live["db"], live["index"], tmp_path / "backup")
    # An edit saved in the database whose index update never happened:
    conn.execute("INSERT INTO tag_edits VALUES (?, 'country', 'PE', 'Peru', 'added')", (aid,))
    backup(live["db"], live["index"], tmp_path / "backup2")
    assert "PE" not in countries(open_engine(EngineConfig(tmp_path / "backup2" / "index", create=False)), aid)
    restore(tmp_path / "backup2", live["db"], live["index"])
    assert "PE" in countries(server, aid)


def test_backup_refuses_a_used_folder_and_a_running_indexer(live, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        backup(live["db"], live["index"], tmp_path / "full")
    with ingest_lock(live["index"]), pytest.raises(IndexLocked):  # as an indexer holds it
        backup(live["db"], live["index"], tmp_path / "new")


def test_restore_refuses_a_folder_without_a_backup(live, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        restore(tmp_path / "empty", live["db"], live["index"])


def test_backup_and_restore_commands(live, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from searchapp.cli import main

    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(live["db"].parent))
    runner = CliRunner()
    done = runner.invoke(main, ["backup", str(tmp_path / "b"), "--index-dir", str(live["index"])])
    assert done.exit_code == 0 and "backed up 4 articles and the database" in done.output
    again = runner.invoke(main, ["backup", str(tmp_path / "b"), "--index-dir", str(live["index"])])
    assert again.exit_code == 1 and "not empty" in again.output
    back = runner.invoke(main, ["restore", str(tmp_path / "b"), "--index-dir", str(live["index"])])
    assert back.exit_code == 0 and "restored 4 articles" in back.output
