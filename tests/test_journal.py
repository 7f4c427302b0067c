"""The curation journal: every change reaches the index, whatever held the index or killed
the process applying it (real index, real SQLite file, real processes)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from searchapp import journal
from searchapp.backup import backup
from searchapp.curation import Curator, ingest_curation
from searchapp.db import connect, db_path
from searchapp.ingest import index_paths
from searchapp.search import EngineConfig, IndexLocked, SearchRequest, open_engine

from .conftest import FIXTURES, SEED, write_kill_corpus

KILL_TRIALS = 8


def index_cmd(corpus: Path, index_dir: Path, instance: Path, *extra) -> subprocess.CompletedProcess:
    """`searchapp index` as a librarian's shell runs it."""
    env = {**os.environ, "SEARCHAPP_INSTANCE": str(instance)}
    return subprocess.run([sys.executable, "-m", "searchapp.cli", "index", str(corpus),
                           "--index-dir", str(index_dir), *extra],
                          env=env, capture_output=True, text=True, timeout=300)


def make_instance(instance: Path) -> None:
    conn = connect(db_path(instance))
    conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('lib', 'x', 'librarian')")
    conn.close()


def tags_by_article(index_dir: Path) -> dict[str, set]:
    ix = open_engine(EngineConfig(index_dir, create=False))
    hits = ix.search(SearchRequest(per_page=100, group_versions=False)).hits  # every article
    return {h.id: {(t["facet"], t["value"], t["origin"]) for t in h.tags} for h in hits}


# -- an edit made while a backup copies the index ----------------------------------------------


@pytest.fixture
def small(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    shutil.copy(FIXTURES / "readers" / "stories.sgm", corpus / "stories.sgm")
    instance, index_dir = tmp_path / "instance", tmp_path / "ix"
    make_instance(instance)
    index_paths([corpus], index_dir, curation=ingest_curation(instance))
    return corpus, instance, index_dir


def test_an_edit_made_during_a_backup_reaches_the_index_at_the_next_index_run(
        small, tmp_path, monkeypatch):
    import searchapp.search.whoosh.engine as whoosh_engine

    corpus, instance, index_dir = small
    ix = open_engine(EngineConfig(index_dir, create=False))
    [hit] = ix.search(SearchRequest("Lavrov")).hits
    copying, release = threading.Event(), threading.Event()
    real_copytree = shutil.copytree

    def slow_copytree(*args, **kwargs):  # a big index takes minutes to copy
        copying.set()
        release.wait(30)
        return real_copytree(*args, **kwargs)

    monkeypatch.setattr(shutil, "copytree", slow_copytree)
    monkeypatch.setattr(whoosh_engine, "RETAG_WAIT_SECONDS", 0.2)
    done = []
    runner = threading.Thread(target=lambda: done.append(
        backup(db_path(instance), index_dir, tmp_path / "backup")))
    runner.start()
    try:
        assert copying.wait(30)
        conn = connect(db_path(instance))
        with pytest.raises(IndexLocked):  # the backup holds the index
            Curator(conn, ix).add_tag(1, hit.id, "country", "Chile")
    finally:
        release.set()
        runner.join(60)
    monkeypatch.setattr(shutil, "copytree", real_copytree)
    assert done and done[0]["articles"] == 4
    assert ("country", "CL", "librarian") not in tags_by_article(index_dir)[hit.id]
    assert journal.pending_count(conn, ix) == 1  # saved, and known not to be in the index
    result = index_cmd(corpus, index_dir, instance)  # nothing changed in the sources
    assert result.returncode == 0, result.stderr
    assert ("country", "CL", "librarian") in tags_by_article(index_dir)[hit.id]
    assert journal.pending_count(conn, ix) == 0
    # The backup's index carries its mark: the edit is pending there too.
    copy = open_engine(EngineConfig(tmp_path / "backup" / "index", create=False))
    assert copy.journal_mark().change < journal.last_entry(conn)


def test_an_indexer_run_writes_curation_as_it_is_when_it_writes(small):
    """An edit that reached the index while an indexer ran (between two of its commits) is
    not overwritten by the indexer's older view of the database."""
    corpus, instance, index_dir = small
    for n in range(6):
        (corpus / f"more{n}.txt").write_text(SEED.read_text().replace("Sochi", f"Sochi{n}"))
    ix = open_engine(EngineConfig(index_dir, create=False))
    curation = ingest_curation(instance)  # read before the edit, as a running indexer did
    conn = connect(db_path(instance))
    [hit] = ix.search(SearchRequest("Lavrov Sochi")).hits  # seed.txt, not re-read below
    Curator(conn, ix).add_tag(1, hit.id, "country", "Peru")
    (corpus / "seed.txt").write_text(SEED.read_text() + "\n\nA new paragraph.\n")
    index_paths([corpus], index_dir, curation=curation, commit_every=1)
    assert ("country", "PE", "librarian") in tags_by_article(index_dir)[hit.id]


# -- a bulk tagging killed at any moment ---------------------------------------------------------

BULK = """
import sys
from searchapp import journal
from searchapp.curation import Curator
from searchapp.db import connect, db_path
from searchapp.search import EngineConfig, SearchRequest, open_engine

journal.CHUNK = 5  # many small commits: a kill lands between two, or inside one
conn = connect(db_path(sys.argv[1]))
ix = open_engine(EngineConfig(sys.argv[2], create=False))
cur = Curator(conn, ix, job_articles=0)  # every change is a job, as a big bulk tagging is
ids = ix.ids_for(SearchRequest())
cur.bulk_tag(1, ids, "country", "Chile")
cur.catch_up()
cur.bulk_tag(1, ids[::2], "topic", "sanctions")
cur.catch_up()
first = conn.execute("SELECT MIN(id) FROM audit").fetchone()[0]
cur.undo(1, first)
cur.catch_up()
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 articles (see write_kill_corpus)."""
    root = tmp_path_factory.mktemp("journal") / "corpus"
    write_kill_corpus(root)
    return root


def bulk_process(instance: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BULK, str(instance), str(index_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def curated_reference(corpus: Path, instance: Path, where: Path) -> dict[str, set]:
    """What the index must hold: a fresh rebuild from the sources and the database."""
    index_paths([corpus], where, rebuild=True, workers=1, curation=ingest_curation(instance))
    return tags_by_article(where)


def wait_for_server_catch_up(index_dir: Path, instance: Path) -> None:
    from searchapp.web import create_app

    app = create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance),
                      "TESTING": True})
    conn = connect(db_path(instance))
    deadline = time.monotonic() + 120
    while journal.pending_count(conn, app.extensions["searchapp.index"]):
        assert time.monotonic() < deadline, "the server's start did not apply the journal"
        time.sleep(0.2)


def test_a_bulk_tagging_killed_at_any_moment_is_finished_by_the_next_start_or_index_run(
        corpus, tmp_path):
    pristine = tmp_path / "pristine"
    index_paths([corpus], pristine, workers=1)

    def fresh(where: Path) -> None:  # the archive as indexed, no curation yet
        shutil.copytree(pristine, where / "ix")
        make_instance(where / "instance")

    fresh(tmp_path / "probe")
    start = time.monotonic()
    probe = bulk_process(tmp_path / "probe" / "instance", tmp_path / "probe" / "ix")
    assert probe.wait(300) == 0, probe.stderr.read()  # a run to the end, to time it
    full_run = time.monotonic() - start
    rng = random.Random(20261205)
    killed_with_pending = 0
    for trial in range(KILL_TRIALS):
        where = tmp_path / f"trial{trial}"
        fresh(where)
        proc = bulk_process(where / "instance", where / "ix")
        time.sleep(rng.uniform(0.2, 1.0) * full_run)
        os.killpg(proc.pid, signal.SIGKILL)  # no clean-up at all
        proc.wait(30)
        conn = connect(db_path(where / "instance"))
        ix = open_engine(EngineConfig(where / "ix", create=False))
        killed_with_pending += journal.pending_count(conn, ix) > 0
        if trial % 2:
            wait_for_server_catch_up(where / "ix", where / "instance")
        else:
            result = index_cmd(corpus, where / "ix", where / "instance")
            assert result.returncode == 0, result.stderr
        assert journal.pending_count(conn, ix) == 0
        expected = curated_reference(corpus, where / "instance", where / "reference")
        assert tags_by_article(where / "ix") == expected, f"trial {trial}"
        assert len(expected) == 60
    assert killed_with_pending >= 3  # the kills did land while changes were on their way
