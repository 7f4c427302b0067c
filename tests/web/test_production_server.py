"""The production server as shipped: gunicorn with gunicorn.conf.py, its warm-up and its
read-ahead of frequent words, answering searches over HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_workers_warm_up_read_ahead_and_answer(index_dir, tmp_path):
    if not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.skip("gunicorn is not installed")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in ("SEARCHAPP_ENV", "FLASK_DEBUG")}
    env.update(SEARCHAPP_INDEX_DIR=str(index_dir), SEARCHAPP_INSTANCE=str(tmp_path / "instance"),
               SEARCHAPP_BIND=f"127.0.0.1:{port}", SEARCHAPP_WORKERS="2",
               SEARCHAPP_SECRET_KEY="k" * 64)
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
                                  cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        read_ahead = []
        while time.monotonic() < deadline and len(read_ahead) < 2:
            assert server.poll() is None, log.read_text()
            read_ahead = re.findall(r"worker \d+ read (\d+) MB of postings ahead", log.read_text())
            time.sleep(0.2)
        assert len(read_ahead) == 2, log.read_text()  # each worker, in the background
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=lavrov", timeout=10) as r:
            answer = json.load(r)
        assert answer["total"] >= 1
        assert "<mark>" in answer["hits"][0]["snippet"].lower()
        assert "Traceback" not in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_failed_warm_up_search_still_reads_ahead(index_dir, caplog, monkeypatch):
    """gunicorn.conf.py's post_worker_init: when the warm-up search fails (it did on a
    200,000-article archive, past its time limit), the worker still reads the frequent
    words ahead; before, it gave up and every first use of a word was read cold."""
    import logging
    import runpy
    import threading
    from types import SimpleNamespace

    from searchapp.search import EngineConfig, QueryError, open_engine

    # The settings file sets SEARCHAPP_ENV=production for the server it configures: here it
    # is read in the test process, whose environment must come back as it was.
    monkeypatch.setenv("SEARCHAPP_ENV", os.environ.get("SEARCHAPP_ENV", "development"))
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    engine = open_engine(EngineConfig.from_env(index_dir=index_dir, create=False))

    def refuse(_request):
        raise QueryError("This search matches too much of the archive to rank in time.")

    engine.search = refuse  # the one part that cannot happen on a small index by itself
    worker = SimpleNamespace(pid=os.getpid(), log=logging.getLogger("test.worker"),
                             wsgi=SimpleNamespace(extensions={"searchapp.index": engine}))
    with caplog.at_level(logging.INFO, logger="test.worker"):
        conf["post_worker_init"](worker)
        for thread in threading.enumerate():
            if thread.name == "warm-postings":
                thread.join(timeout=60)
    assert "index warm-up failed" in caplog.text
    assert re.search(r"worker \d+ read \d+ MB of postings ahead", caplog.text), caplog.text
