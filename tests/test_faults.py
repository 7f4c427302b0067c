"""Faults: an indexer killed at random moments, and searches while an indexer runs."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from searchapp.search import EngineConfig, SearchRequest, open_engine

from .conftest import write_kill_corpus

TRIALS = 20


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("faults") / "corpus"
    return root, write_kill_corpus(root)


@pytest.fixture(autouse=True)
def instance(tmp_path, monkeypatch):
    """The indexers register their paths in the instance database: a test's own."""
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))


def indexer(corpus: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searchapp.cli", "index", str(corpus), "--index-dir", str(index_dir),
         "--commit-every", "4"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def articles_per_file(index_dir: Path) -> Counter:
    """Articles per source file name (a story's source is its file, with #N for story N)."""
    hits = open_engine(EngineConfig(index_dir, create=False)).search(
        SearchRequest(per_page=100, group_versions=False)).hits
    return Counter(Path(hit.source.split("#")[0]).name for hit in hits)


# The kill corpus is copies of one story: every copy is counted, not one per group.
EVERY_LAVROV = SearchRequest("Lavrov", per_page=1, group_versions=False)


def expected(name: str) -> int:
    return 3 if name.endswith(".sgm") else 1


def test_an_indexer_killed_at_random_moments_leaves_a_sound_index(corpus, tmp_path):
    root, total = corpus
    start = time.monotonic()
    proc = indexer(root, tmp_path / "probe")
    proc.wait(120)
    full_run = time.monotonic() - start
    rng = random.Random(20261129)
    outcomes = Counter()
    for trial in range(TRIALS):
        index_dir = tmp_path / f"ix{trial}"
        proc = indexer(root, index_dir)
        time.sleep(rng.uniform(0, full_run))
        os.killpg(proc.pid, signal.SIGKILL)  # the indexer and its workers, no clean-up at all
        proc.wait(30)
        if (index_dir / "BUILD_ID").exists():
            counts = articles_per_file(index_dir)  # the index opens
            # Each file's articles were committed together, or not at all.
            assert all(n == expected(name) for name, n in counts.items()), counts
            outcomes["partial" if sum(counts.values()) < total else "complete"] += 1
        else:
            outcomes["before the index existed"] += 1
        rerun = indexer(root, index_dir)
        assert rerun.wait(120) == 0  # no stale lock, nothing in the way
        counts = articles_per_file(index_dir)
        assert sum(counts.values()) == total and len(counts) == 40
        ix = open_engine(EngineConfig(index_dir, create=False))
        ids = [h.id for h in ix.search(SearchRequest(per_page=100, group_versions=False)).hits]
        assert len(ids) == len(set(ids)) == total
    assert outcomes["partial"] >= 3, outcomes  # the kills did land mid-run


def test_searches_keep_working_while_an_indexer_runs(corpus, tmp_path):
    root, _total = corpus
    index_dir = tmp_path / "ix"
    live = tmp_path / "live"
    live.mkdir()
    for path in sorted(root.glob("seed0*.txt"))[:5]:
        shutil.copy(path, live)
    subprocess.run([sys.executable, "-m", "searchapp.cli", "index", str(live),
                    "--index-dir", str(index_dir)], check=True, capture_output=True)
    server = open_engine(EngineConfig(index_dir, create=False))  # a long-lived reader, like a web worker
    seen, errors, done = ([], []), [], threading.Event()

    def search_loop(totals):
        while not done.is_set():
            try:
                totals.append(server.search(EVERY_LAVROV).total)
            except Exception as exc:  # any exception at all is a failure
                errors.append(repr(exc))

    threads = [threading.Thread(target=search_loop, args=(totals,)) for totals in seen]
    for t in threads:
        t.start()
    try:
        shutil.copytree(root, live, dirs_exist_ok=True)  # new articles arrive
        proc = indexer(live, index_dir)
        assert proc.wait(120) == 0
        time.sleep(0.2)
    finally:
        done.set()
        for t in threads:
            t.join(30)
    assert not errors, errors[:3]
    for totals in seen:
        assert totals and totals[0] == 5 and totals == sorted(totals)  # readers never go back
    assert server.search(EVERY_LAVROV).total == 30  # new articles, no restart
