"""The Whoosh engine's own operations: the write lock beside the index folder during a
rebuild's swap, leftovers of killed rebuilds, and the fall-back to Whoosh's own matching
on a Whoosh other than the pinned one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import whoosh

from searchapp.model import Article
from searchapp.search import (
    EngineConfig,
    IndexLocked,
    IndexOutdated,
    SearchRequest,
    index_problem,
    open_engine,
)
from searchapp.search.whoosh import engine as whoosh_engine
from searchapp.search.whoosh import internals


def article(n: int, body: str) -> Article:
    return Article(id=f"a{n}", source="t", title=f"Story {n}", body=body, published=None)


@pytest.fixture
def engine(tmp_path):
    e = open_engine(EngineConfig(index_dir=tmp_path / "ix"))
    w = e.writer()
    for n, body in enumerate(["Oil prices rose in London.", "Gold fell.", "Oil and gold."]):
        w.replace_file(f"/f/{n}", "h", [article(n, body)])
    w.commit()
    return e


def test_the_write_lock_is_beside_the_index_folder(engine, tmp_path):
    w = engine.writer()
    try:
        assert (tmp_path / ".ix.writelock").exists()
        assert not [p for p in (tmp_path / "ix").iterdir() if "LOCK" in p.name]
        with pytest.raises(IndexLocked):
            engine.writer(wait=0.1)
    finally:
        w.cancel()


def test_a_rebuild_waits_for_a_running_edit_before_swapping(engine):
    """A librarian's edit that holds the writer when a rebuild finishes: the swap waits for
    it, the edit commits into the folder it started in (no FileNotFoundError), and the
    next edit goes to the new index."""
    edit = engine.writer()
    edit.replace_file("/f/9", "h", [article(9, "Copper rose.")])
    swapped = threading.Event()

    def rebuild():
        with engine.rebuild() as fresh:
            w = fresh.writer()
            w.replace_file("/f/0", "h", [article(0, "Oil prices rose in London.")])
            w.commit()
        swapped.set()

    thread = threading.Thread(target=rebuild)
    thread.start()
    time.sleep(1.0)
    assert not swapped.is_set()  # waiting for the edit's lock
    edit.commit()  # would fail with FileNotFoundError if the folder had been swapped under it
    thread.join(30)
    assert swapped.is_set()
    assert engine.doc_count() == 1
    assert engine.retag(["a0"], lambda: (lambda a: a)) == 0  # writes to the new index


def test_a_swap_gives_up_when_the_lock_stays_held(engine, monkeypatch):
    monkeypatch.setattr(whoosh_engine, "SWAP_WAIT_SECONDS", 0.2)
    held = engine.writer()
    try:
        with pytest.raises(IndexLocked), engine.rebuild() as fresh:
            fresh.writer().commit()
    finally:
        held.cancel()
    assert engine.doc_count() == 3  # the old index is still there


def test_leftovers_of_killed_rebuilds_are_removed_at_the_next_run(engine, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for kind in ("rebuild", "old", "restore"):
        (tmp_path / f".ix.{kind}-{dead.pid}").mkdir()
        (tmp_path / f".ix.{kind}-{dead.pid}" / "MAIN_x.seg").write_text("x")
    living = tmp_path / f".ix.rebuild-{os.getppid()}"
    living.mkdir()  # a process that is still running: not ours to remove
    other = tmp_path / f".other.rebuild-{dead.pid}"
    other.mkdir()  # another index's
    open_engine(EngineConfig(index_dir=tmp_path / "ix", create=False))  # as the next run does
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert left == sorted([".ix.writelock", living.name, other.name])
    with engine.rebuild() as fresh:  # and a rebuild leaves none of its own
        fresh.writer().commit()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == left


def test_another_whoosh_version_falls_back_to_whooshs_own_matching(engine, monkeypatch):
    queries = ["oil", "oil gold", '"oil prices"', "oil -gold", "gold OR london"]
    expected = {q: [(h.id, h.score) for h in engine.search(SearchRequest(q)).hits]
                for q in queries}
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    assert not internals.supported()
    with pytest.raises(internals.Unsupported):
        internals.bm25_parameters(engine.searcher().weighting)
    fallback = open_engine(EngineConfig(index_dir=engine.dir, create=False))  # no caches
    for q in queries:
        got = [(h.id, h.score) for h in fallback.search(SearchRequest(q)).hits]
        assert [i for i, _s in got] == [i for i, _s in expected[q]], q
        assert [s for _i, s in got] == pytest.approx([s for _i, s in expected[q]], rel=1e-9)


def test_an_index_of_an_older_format_is_refused_until_rebuilt(engine, tmp_path):
    # An index written before accents were folded: its words would silently miss.
    (tmp_path / "ix" / "FORMAT").unlink()
    old = open_engine(EngineConfig(index_dir=tmp_path / "ix"))
    for use in (lambda: old.search(SearchRequest(query="oil")), old.writer):
        with pytest.raises(IndexOutdated, match=r"searchapp index --rebuild"):
            use()
    assert "searchapp index --rebuild" in index_problem(EngineConfig(index_dir=tmp_path / "ix"))
    with old.rebuild() as fresh:
        w = fresh.writer()
        w.replace_file("/f/0", "h", [article(0, "Pelé scored.")])
        w.commit()
    assert index_problem(EngineConfig(index_dir=tmp_path / "ix")) is None
    assert [h.id for h in old.search(SearchRequest(query="pele")).hits] == ["a0"]
