"""A real index for the web tests: the seeds, the fixture articles and, when the
corpora are present, one Reuters file; built once per test session."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from searchapp.ingest import index_paths
from searchapp.web import create_app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT / "seeds"
CORPORA = Path(os.environ.get("SEARCHAPP_CORPORA") or ROOT.parent / "shared" / "corpora")
REUTERS = CORPORA / "reuters21578" / "reut2-000.sgm"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def has_reuters() -> bool:
    return REUTERS.exists()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, has_reuters) -> Path:
    where = tmp_path_factory.mktemp("web-index")
    sources = where / "sources"
    shutil.copytree(SEEDS, sources / "seeds")
    shutil.copytree(FIXTURES, sources / "fixtures")
    paths = [sources / "seeds", sources / "fixtures"] + ([REUTERS] if has_reuters else [])
    index = where / "index"
    report = index_paths(paths, index, workers=1)
    assert not report.skipped, report.skipped
    return index


@pytest.fixture(scope="session")
def app(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def api(client):
    """GET /api/search with parameters -> (status, json)."""

    def get(**params):
        response = client.get("/api/search", query_string=params)
        return response.status_code, response.get_json()

    return get


@pytest.fixture()
def reuters(has_reuters):
    if not REUTERS.exists():
        pytest.skip(f"the Reuters corpus is absent ({REUTERS.name} not found under "
                    "../shared/corpora or SEARCHAPP_CORPORA)")
    return REUTERS


# -- a live server for the browser tests ------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright==1.65.2)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)  # fail fast instead of waiting 30 s for a missing element
    page = context.new_page()
    yield page
    context.close()
