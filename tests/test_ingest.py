"""Ingest into a real Whoosh index: incremental re-runs, removals, the writer lock, rebuilds."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from searchapp.ingest import index_paths, ingest_lock
from searchapp.model import Article
from searchapp.search import EngineConfig, IndexLocked, SearchRequest, open_engine

from .conftest import FIXTURES, SEED


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(SEED, root / "seed.txt")
    shutil.copy(FIXTURES / "readers" / "stories.sgm", root / "stories.sgm")
    (root / "sub").mkdir()
    shutil.copy(FIXTURES / "readers" / "articles.jsonl", root / "sub" / "articles.jsonl")
    (root / "notes.docx").write_bytes(b"ignored: not an article format")
    return root


def ids(index_dir) -> set[str]:
    ix = open_engine(EngineConfig(index_dir, create=False))
    return {h.id for h in ix.search(SearchRequest(per_page=100)).hits}


def test_first_run_indexes_everything_and_reports_bad_parts(corpus, tmp_path):
    report = index_paths([corpus], tmp_path / "ix")
    # seed 1 + Reuters 3 (1 empty story) + JSON Lines 3 (2 bad lines)
    assert report.articles_indexed == 7 and report.files_indexed == 3
    assert sorted(e.source.rsplit("#", 1)[1] for e in report.skipped) == ["104", "3", "4"]
    ix = open_engine(EngineConfig(tmp_path / "ix", create=False))
    result = ix.search(SearchRequest("Lavrov"))
    assert result.total == 1
    assert "Sergey Lavrov" in [c.value for c in result.facets["person"]]


def test_rerun_touches_only_changed_files_and_removes_gone_ones(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir)
    before = ids(index_dir)
    again = index_paths([corpus], index_dir)
    assert (again.files_indexed, again.unchanged, again.articles_removed) == (0, 3, 0)
    assert ids(index_dir) == before

    seed = corpus / "seed.txt"
    seed.write_text(seed.read_text().replace("Sochi", "Sochi and Kazan"))
    (corpus / "sub" / "articles.jsonl").unlink()
    changed = index_paths([corpus], index_dir)
    assert (changed.files_indexed, changed.unchanged, changed.files_removed) == (1, 1, 1)
    assert changed.articles_removed == 3
    ix = open_engine(EngineConfig(index_dir, create=False))
    assert ix.search(SearchRequest("Kazan")).total == 1
    assert ix.search(SearchRequest("wheat")).total == 0
    assert ix.doc_count() == 4  # the changed seed replaced, not duplicated


def test_indexing_another_folder_keeps_the_first(corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("Floods in Peru\n\nRivers burst their banks near Lima.\n")
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir)
    index_paths([other], index_dir)
    assert open_engine(EngineConfig(index_dir, create=False)).doc_count() == 8


def test_ids_survive_a_rebuild(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir)
    before = ids(index_dir)
    report = index_paths([corpus], index_dir, rebuild=True)
    assert report.articles_indexed == 7
    assert ids(index_dir) == before
    assert not list(tmp_path.glob(".ix.*-*"))  # no build or old dirs left behind


def test_a_server_sees_the_rebuilt_index(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_paths([corpus / "seed.txt"], index_dir)
    server = open_engine(EngineConfig(index_dir, create=False))
    assert server.search(SearchRequest("cocoa")).total == 0
    index_paths([corpus], index_dir, rebuild=True)
    assert server.search(SearchRequest("cocoa")).total == 1


def _hold_lock(index_dir, ready, release):
    with ingest_lock(Path(index_dir)):
        ready.set()
        release.wait(30)


def test_a_second_indexer_gets_a_clear_message(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(index_dir, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(IndexLocked, match=f"pid {holder.pid}"):
            index_paths([corpus], index_dir)
    finally:
        release.set()
        holder.join(30)
    assert index_paths([corpus], index_dir).articles_indexed == 7


def test_a_lock_left_by_a_killed_indexer_is_not_stale(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(index_dir, ready, release))
    holder.start()
    assert ready.wait(30)
    holder.kill()
    holder.join(30)
    assert index_paths([corpus], index_dir).articles_indexed == 7


def test_parallel_and_serial_runs_agree(corpus, tmp_path):
    for n in range(3):  # enough files for the worker pool
        shutil.copy(corpus / "seed.txt", corpus / f"copy{n}.txt")
    serial = index_paths([corpus], tmp_path / "a", workers=1)
    parallel = index_paths([corpus], tmp_path / "b", workers=2)
    assert serial.articles_indexed == parallel.articles_indexed == 10
    assert ids(tmp_path / "a") == ids(tmp_path / "b")


def test_missing_path_is_reported(tmp_path):
    report = index_paths([tmp_path / "nope"], tmp_path / "ix")
    assert report.skipped[0].reason == "no such file or folder"


def test_files_that_are_not_articles_are_skipped_with_a_reason(tmp_path):
    bbc = tmp_path / "bbc"
    (bbc / "business").mkdir(parents=True)
    (bbc / "business" / "001.txt").write_text("Ad sales boost profit\n\nQuarterly profits rose.")
    for name in ("README.TXT", "license.txt", "Changes.html", "CHANGELOG.txt"):
        (bbc / name).write_text("Consists of 2225 documents from the BBC news website.\n")
    report = index_paths([bbc, bbc / "README.TXT"], tmp_path / "ix", workers=1)
    assert report.articles_indexed == 1
    skipped = {Path(e.source).name: e.reason for e in report.skipped}
    assert set(skipped) == {"README.TXT", "license.txt", "Changes.html", "CHANGELOG.txt"}
    assert all("not an article" in reason for reason in skipped.values())
    ix = open_engine(EngineConfig(tmp_path / "ix", create=False))
    assert ix.search(SearchRequest("documents")).total == 0


def test_a_readme_indexed_before_is_removed(tmp_path):
    folder = tmp_path / "bbc"
    folder.mkdir()
    (folder / "001.txt").write_text("Ad sales boost Time Warner profit\n\nQuarterly profits rose.")
    (folder / "README.TXT").write_text("Consists of 2225 documents.\n")
    engine = open_engine(EngineConfig(tmp_path / "ix"))
    w = engine.writer()
    w.replace_file(str((folder / "README.TXT").resolve()), "old", [Article(
        id="readme", source="README.TXT", title="README", body="Consists of documents.")])
    w.commit()
    index_paths([folder], tmp_path / "ix", workers=1)
    left = ids(tmp_path / "ix")
    assert "readme" not in left and len(left) == 1
