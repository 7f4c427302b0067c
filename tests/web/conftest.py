"""A real index for the web tests: the seeds, the fixture articles and, when the
corpora are present and a test of this run reads it, one Reuters file; built once per session."""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from searchapp.ingest import index_paths
from searchapp.web import create_app
from tests.conftest import corpora_dir

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT / "seeds"
CORPORA = corpora_dir()
REUTERS = CORPORA / "reuters21578" / "reut2-000.sgm"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def has_reuters(request) -> bool:
    # Indexing the Reuters file is most of the index's build time: only when a test reads it.
    wanted = any("reuters" in getattr(item, "fixturenames", ()) for item in request.session.items)
    return wanted and REUTERS.exists()


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
def app(index_dir, tmp_path_factory):
    # Its own instance folder: no database or secret key is written into the working directory.
    instance = tmp_path_factory.mktemp("web-instance")
    app = create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance), "TESTING": True})
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


# -- accounts, saved searches and curation ------------------------------------------------
# These tests change tags and accounts, so each gets its own copy of a small index (seeds and
# fixture articles) and of a database with one user per role, made once per session.

PASSWORD = "correct horse battery"
USERS = {"reader": "rita", "librarian": "lena", "admin": "ada", "owner": "owen"}
USER_ROLES = {"rita": "reader", "lena": "librarian", "ada": "admin", "owen": "reader"}


@pytest.fixture(scope="session")
def pristine(tmp_path_factory):
    """A small index and an instance folder with the users, to be copied by each test."""
    from searchapp import accounts
    from searchapp.db import connect, db_path

    where = tmp_path_factory.mktemp("curation-pristine")
    sources = where / "sources"
    shutil.copytree(SEEDS, sources / "seeds")
    shutil.copytree(FIXTURES, sources / "fixtures")
    report = index_paths([sources / "seeds", sources / "fixtures"], where / "index", workers=1)
    assert not report.skipped, report.skipped
    conn = connect(db_path(where / "instance"))
    for name, role in USER_ROLES.items():
        accounts.create_user(conn, name, PASSWORD, role)
    conn.close()
    return where


class Site:
    """A running app on its own index and database, with helpers to act as a user."""

    def __init__(self, root: Path, pristine: Path):
        self.root = root
        self.sources = [pristine / "sources" / "seeds", pristine / "sources" / "fixtures"]
        self.index_dir = root / "index"
        self.instance = root / "instance"
        shutil.copytree(pristine / "index", self.index_dir)
        shutil.copytree(pristine / "instance", self.instance)
        self.app = create_app({"INDEX_DIR": str(self.index_dir), "INSTANCE_PATH": str(self.instance),
                               "TESTING": True})

    @property
    def engine(self):
        return self.app.extensions["searchapp.index"]

    def db(self):
        from searchapp.db import connect, db_path

        return connect(db_path(self.instance))

    def client(self, who: str | None = None):
        """A test client, logged in as a role ("reader", ...) or a user name, or anonymous."""
        client = self.app.test_client()
        if who:
            response = login(client, USERS.get(who, who))
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    # helpers, here so that the test modules need no imports from this file
    @staticmethod
    def login(client, name, password=PASSWORD, next_url=None):
        return login(client, name, password, next_url)

    @staticmethod
    def post(client, url, data=None, token=True, **kwargs):
        return post(client, url, data, token, **kwargs)

    @staticmethod
    def csrf_token(client):
        return csrf_token(client)

    @staticmethod
    def flashes(page):
        return flashes(page)

    def rebuild(self):
        """A full rebuild, as `searchapp index --rebuild` does it: curation and vocabularies applied."""
        from searchapp.curation import ingest_curation

        curation = ingest_curation(self.instance)
        index_paths(self.sources, self.index_dir, rebuild=True, workers=1, curation=curation,
                    vocabularies=curation.vocabularies)


@pytest.fixture()
def site(tmp_path, pristine) -> Site:
    return Site(tmp_path / "site", pristine)


def csrf_token(client) -> str:
    """The session's CSRF token, read from the login form."""
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name: str, password: str = PASSWORD, next_url: str | None = None):
    data = {"name": name, "password": password, "csrf_token": csrf_token(client)}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def post(client, url: str, data: dict | None = None, token: bool = True, **kwargs):
    """POST a form with the session's CSRF token (token=False: without one)."""
    data = dict(data or {})
    if token:
        data["csrf_token"] = csrf_token(client)
    return client.post(url, data=data, **kwargs)


def flashes(page: str) -> list[str]:
    import re
    from html import unescape

    return [unescape(" ".join(m.split())) for m in
            re.findall(r'<p class="flash flash--\w+"[^>]*>(.*?)</p>', page, re.S)]


@pytest.fixture()
def site_server(site):
    """The site's app on a local port, for the browser."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture()
def errors(page):
    """Console errors (a CSP violation shows up here too)."""
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen
