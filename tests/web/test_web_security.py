"""Web security: the headers on every kind of answer, the session cookie over HTTP, HTTPS and
behind a proxy, the production checks on the secret key and debug mode, login throttling,
and where `next` may lead after a login."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from searchapp import accounts, saved
from searchapp.db import connect, db_path
from searchapp.search import SearchRequest
from searchapp.web import ConfigError, create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"
KEY = "k" * 64


def csrf_token(client, **request) -> str:
    page = client.get("/login", **request).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name, password=PASSWORD, next_url=None, **request):
    """The login form as a browser sends it; `request`: base_url, headers, environ_base."""
    data = {"name": name, "password": password, "csrf_token": csrf_token(client, **request)}
    if next_url is not None:
        data["next"] = next_url
    base = request.get("base_url", "http://localhost")
    # Over HTTPS Flask-WTF also wants the Referer of a page of this site, as browsers send it.
    headers = {"Referer": f"{base}/login", **request.pop("headers", {})}
    return client.post("/login", data=data, headers=headers, **request)


def new_instance(where: Path, users=(("ann", "reader"), ("lib", "librarian"), ("adm", "admin"))):
    conn = connect(db_path(where))
    for name, role in users:
        accounts.create_user(conn, name, PASSWORD, role)
    conn.close()
    return where


@pytest.fixture(scope="module")
def users(tmp_path_factory) -> Path:
    """An instance folder with the three users, made once (hashing passwords takes a while)."""
    return new_instance(tmp_path_factory.mktemp("users") / "instance")


@pytest.fixture()
def make_app(index_dir, users, tmp_path, monkeypatch):
    """An app on the shared web index with its own instance (three users) and config."""
    for name in ("SEARCHAPP_ENV", "SEARCHAPP_PROXY_FIX", "SEARCHAPP_SECRET_KEY", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    shutil.copytree(users, instance)

    def make(**config):
        return create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance),
                           "TESTING": True, **config})

    make.instance = instance
    return make


# -- headers on every answer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(index_dir, users, tmp_path_factory):
    instance = tmp_path_factory.mktemp("headers") / "instance"
    shutil.copytree(users, instance)
    app = create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance),
                      "TESTING": True})
    conn = connect(db_path(instance))
    slug = saved.create(conn, accounts.find_user(conn, "ann").id, "Oil", "q=oil").slug
    conn.close()
    article = app.extensions["searchapp.index"].search(SearchRequest("quillfeather")).hits[0].id
    clients = {"anonymous": app.test_client()}
    for name, role in (("ann", "reader"), ("adm", "admin")):
        clients[role] = app.test_client()
        assert login(clients[role], name).status_code == 302
    return SimpleNamespace(app=app, slug=slug, article=article, clients=clients)


def answers(w):
    """(who, method, url, form, expected status): every kind of answer the app gives."""
    return [
        ("anonymous", "GET", "/", None, 200),
        ("anonymous", "GET", "/?q=oil&country=FR", None, 200),
        ("anonymous", "GET", "/?q=%22unclosed", None, 400),
        ("anonymous", "GET", "/?page=0", None, 400),
        ("anonymous", "GET", f"/articles/{w.article}", None, 200),
        ("anonymous", "GET", "/articles/nope", None, 404),
        ("anonymous", "GET", "/help", None, 200),
        ("anonymous", "GET", "/nope", None, 404),
        ("anonymous", "PUT", "/", None, 405),
        ("anonymous", "GET", "/login", None, 200),
        ("anonymous", "POST", "/login", {"name": "x"}, 400),  # no CSRF token
        ("anonymous", "GET", "/saved", None, 302),
        ("anonymous", "GET", f"/s/{w.slug}", None, 200),
        ("anonymous", "GET", f"/s/{w.slug}/feed.atom", None, 200),
        ("anonymous", "GET", "/static/js/app.js", None, 200),
        ("anonymous", "GET", "/static/css/app.css", None, 200),
        ("anonymous", "GET", "/api/search?q=oil", None, 200),
        ("anonymous", "GET", "/api/search?per_page=1000", None, 400),
        ("anonymous", "GET", f"/api/articles/{w.article}", None, 200),
        ("anonymous", "GET", "/api/articles/nope", None, 404),
        ("anonymous", "GET", "/api/openapi.json", None, 200),
        ("anonymous", "GET", "/api/saved", None, 401),
        ("reader", "GET", "/saved", None, 200),
        ("reader", "GET", "/curation", None, 403),
        ("reader", "GET", "/api/audit", None, 403),
        ("admin", "GET", "/curation", None, 200),
        ("admin", "GET", "/curation/audit", None, 200),
        ("admin", "GET", "/curation/vocabularies/topics", None, 200),
        ("admin", "GET", "/admin/users", None, 200),
        ("admin", "GET", "/api/audit", None, 200),
    ]


ANSWER_COUNT = 30


def assert_security_headers(response, where=""):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"], (where, csp)
    assert directives.get("script-src") == ["'self'"], (where, csp)
    assert directives.get("style-src") == ["'self'"], (where, csp)
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("base-uri") == ["'none'"], (where, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where


@pytest.mark.parametrize("number", range(ANSWER_COUNT))
def test_every_answer_carries_the_security_headers(world, number):
    table = answers(world)
    assert len(table) == ANSWER_COUNT
    who, method, url, form, expected = table[number]
    response = world.clients[who].open(url, method=method, data=form)
    assert response.status_code == expected, (url, response.status_code)
    assert_security_headers(response, url)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no promise


def test_an_unexpected_error_is_a_500_with_headers_and_no_trace(make_app):
    app = make_app()

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret detail")

    @app.get("/boom")
    def boom_page():
        raise RuntimeError("secret detail")

    client = app.test_client()
    for url in ("/api/boom", "/boom"):
        response = client.get(url)
        assert response.status_code == 500
        assert_security_headers(response, url)
        assert "secret detail" not in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/api/boom").get_json()["error"]


def test_a_throttled_login_carries_the_headers_too(make_app):
    client = make_app(LOGIN_FAILURES_PER_ACCOUNT=1).test_client()
    login(client, "ann", "wrong password")
    response = login(client, "ann", "wrong password")
    assert response.status_code == 429
    assert_security_headers(response)


# -- cookies ------------------------------------------------------------------------------------


def cookie(response, name="session") -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, response.headers.getlist("Set-Cookie")
    return found[-1]


def attributes(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}


def test_the_session_cookie_over_plain_http_is_http_only_and_same_site(make_app):
    client = make_app().test_client()
    set_cookie = cookie(login(client, "ann"))
    assert {"httponly", "samesite"} <= attributes(set_cookie)
    assert "SameSite=Lax" in set_cookie
    assert "secure" not in attributes(set_cookie)


def test_over_https_the_cookies_are_secure(make_app):
    client = make_app().test_client()
    response = login(client, "ann", base_url="https://localhost")
    assert response.status_code == 302
    assert {"secure", "httponly", "samesite"} <= attributes(cookie(response))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    lang = client.get("/?lang=fr", base_url="https://localhost")
    assert {"secure", "httponly", "samesite"} <= attributes(cookie(lang, "lang"))


@pytest.mark.parametrize("config", [{"PREFERRED_URL_SCHEME": "https"},
                                    {"SESSION_COOKIE_SECURE": True}])
def test_configured_for_https_the_cookie_is_always_secure(make_app, config):
    # The login form already starts a session (for its CSRF token).
    response = make_app(**config).test_client().get("/login")
    assert {"secure", "httponly", "samesite"} <= attributes(cookie(response))


def test_behind_a_trusted_proxy_its_https_counts(make_app):
    client = make_app(PROXY_FIX=1).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = client.get("/login", headers=forwarded)
    assert "secure" in attributes(cookie(response))
    assert "Strict-Transport-Security" in response.headers
    plain = make_app(PROXY_FIX=1).test_client().get("/login", headers={"X-Forwarded-Proto": "http"})
    assert "secure" not in attributes(cookie(plain))


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(make_app):
    client = make_app().test_client()  # PROXY_FIX = 0: anyone could send these headers
    response = login(client, "ann", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert "secure" not in attributes(cookie(response))
    assert "Strict-Transport-Security" not in response.headers


def test_proxy_fix_comes_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("SEARCHAPP_PROXY_FIX", "1")
    response = make_app().test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "secure" in attributes(cookie(response))


# -- production ---------------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key(make_app, monkeypatch):
    monkeypatch.setenv("SEARCHAPP_ENV", "production")
    with pytest.raises(ConfigError) as err:
        make_app()
    message = str(err.value)
    assert "no secret key" in message
    assert "SEARCHAPP_SECRET_KEY" in message and "config.py" in message
    assert not (make_app.instance / "secret_key").exists()  # no made-up key in production


def test_development_still_makes_its_own_key(make_app):
    app = make_app()
    assert len(app.secret_key) == 64
    assert (make_app.instance / "secret_key").exists()


@pytest.mark.parametrize("where", ["environment", "config.py", "test_config"])
def test_production_starts_with_a_key_of_its_own(make_app, monkeypatch, where):
    monkeypatch.setenv("SEARCHAPP_ENV", "production")
    if where == "environment":
        monkeypatch.setenv("SEARCHAPP_SECRET_KEY", KEY)
        app = make_app()
    elif where == "config.py":
        (make_app.instance / "config.py").write_text(f'SECRET_KEY = "{KEY}"\n')
        app = make_app()
    else:
        app = make_app(SECRET_KEY=KEY)
    assert app.secret_key == KEY
    assert not (make_app.instance / "secret_key").exists()


def test_production_refuses_a_short_key(make_app, monkeypatch):
    monkeypatch.setenv("SEARCHAPP_ENV", "production")
    monkeypatch.setenv("SEARCHAPP_SECRET_KEY", "changeme")
    with pytest.raises(ConfigError, match="too short"):
        make_app()


@pytest.mark.parametrize("how", ["FLASK_DEBUG", "DEBUG"])
def test_production_refuses_debug_mode(make_app, monkeypatch, how):
    monkeypatch.setenv("SEARCHAPP_ENV", "production")
    if how == "FLASK_DEBUG":
        monkeypatch.setenv("FLASK_DEBUG", "1")
        config = {}
    else:
        config = {"DEBUG": True}
    with pytest.raises(ConfigError, match="Debug mode"):
        make_app(SECRET_KEY=KEY, **config)


def test_gunicorn_conf_declares_production(monkeypatch):
    monkeypatch.setenv("SEARCHAPP_ENV", "placeholder")
    monkeypatch.delenv("SEARCHAPP_ENV")
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["SEARCHAPP_ENV"] == "production"
    monkeypatch.setenv("SEARCHAPP_ENV", "staging")  # an explicit choice is kept
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["SEARCHAPP_ENV"] == "staging"


def test_gunicorn_without_a_key_stops_with_the_reason(index_dir, tmp_path):
    if shutil.which("gunicorn") is None and not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.skip("gunicorn is not installed")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SEARCHAPP_SECRET_KEY", "SEARCHAPP_ENV", "FLASK_DEBUG")}
    env.update(SEARCHAPP_INDEX_DIR=str(index_dir), SEARCHAPP_INSTANCE=str(tmp_path / "instance"),
               SEARCHAPP_BIND="127.0.0.1:0", SEARCHAPP_WORKERS="1", SEARCHAPP_ACCESS_LOG="-")
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "no secret key is set" in done.stderr + done.stdout
    assert not (tmp_path / "instance" / "secret_key").exists()


# -- login throttling ---------------------------------------------------------------------------


def logged_in(client) -> bool:
    return client.get("/saved").status_code == 200


def age_failures(instance: Path, seconds: float) -> None:
    """Move every recorded failure `seconds` into the past (the clock, without waiting)."""
    conn = connect(db_path(instance))
    conn.execute("UPDATE login_failures SET at = at - ?", (seconds,))
    conn.close()


def test_five_failures_lock_the_account_for_five_minutes(make_app):
    client = make_app().test_client()
    for _ in range(5):
        response = login(client, "ann", "wrong password")
        assert response.status_code == 200
        assert "Wrong user name or password." in response.get_data(as_text=True)
    refused = login(client, "ann")  # the right password, too late
    assert refused.status_code == 429
    assert 240 < int(refused.headers["Retry-After"]) <= 300
    assert "Too many failed logins" in refused.get_data(as_text=True)
    assert "Try again in 5 minutes." in refused.get_data(as_text=True)
    assert not logged_in(client)
    # A margin of 20 s: on a loaded machine the five wrong logins themselves take seconds.
    age_failures(make_app.instance, 280)
    assert login(client, "ann").status_code == 429  # not quite yet
    age_failures(make_app.instance, 21)
    assert login(client, "ann").status_code == 302
    assert logged_in(client)


def test_other_accounts_from_the_same_address_may_still_log_in(make_app):
    app = make_app()
    attacker, colleague = app.test_client(), app.test_client()
    for _ in range(5):
        login(attacker, "ann", "wrong password")
    assert login(attacker, "ann").status_code == 429
    assert login(colleague, "lib").status_code == 302


def test_a_successful_login_clears_the_failures(make_app):
    client = make_app().test_client()
    for _ in range(4):
        login(client, "ann", "wrong password")
    assert login(client, "ann").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for _ in range(4):  # 8 failures in all, but only 4 since the last success
        assert login(client, "ann", "wrong password").status_code == 200
    assert login(client, "ann").status_code == 302


def test_unknown_names_are_throttled_like_known_ones(make_app):
    client = make_app().test_client()
    for name in ("ann", "nobody"):
        for _ in range(5):
            login(client, name.upper(), "wrong password")  # names are not case-sensitive
        assert login(client, name, "wrong password").status_code == 429


def test_one_address_trying_many_names_is_throttled(make_app):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS=6)
    client = app.test_client()
    for number in range(6):
        assert login(client, f"guess{number}", "wrong password").status_code == 200
    assert login(client, "ann").status_code == 429  # a name never tried, from that address
    elsewhere = app.test_client()
    response = login(elsewhere, "ann", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302


def test_forged_forwarded_for_does_not_dodge_the_address_limit(make_app):
    client = make_app(LOGIN_FAILURES_PER_ADDRESS=3).test_client()
    for number in range(3):
        login(client, f"guess{number}", "wrong password",
              headers={"X-Forwarded-For": f"192.0.2.{number}"})
    assert login(client, "ann", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(make_app):
    client = make_app(PROXY_FIX=1, LOGIN_FAILURES_PER_ADDRESS=3).test_client()
    for number in range(3):
        login(client, f"guess{number}", "wrong password",
              headers={"X-Forwarded-For": "192.0.2.1"})
    assert login(client, "ann", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert login(client, "ann", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 302


def test_the_count_is_shared_by_every_server_process(make_app):
    """Two apps on one instance stand for two gunicorn workers: the database holds the count."""
    first, second = make_app().test_client(), make_app().test_client()
    for client in (first, second, first, second, first):
        login(client, "ann", "wrong password")
    assert login(second, "ann").status_code == 429
    conn = connect(db_path(make_app.instance))
    assert conn.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] == 5
    conn.close()


def test_old_failures_are_forgotten(make_app):
    client = make_app().test_client()
    login(client, "ann", "wrong password")
    age_failures(make_app.instance, 3600)
    login(client, "lib", "wrong password")  # recording a failure prunes the expired ones
    conn = connect(db_path(make_app.instance))
    rows = conn.execute("SELECT account FROM login_failures").fetchall()
    conn.close()
    assert [r["account"] for r in rows] == ["lib"]


# -- where a login leads ------------------------------------------------------------------------


@pytest.mark.parametrize("next_url, lands", [
    ("/saved", "/saved"),
    ("https://localhost/saved", "/saved"),
    ("https:evil.example", "/"),
    ("http://localhost@evil.example/", "/"),
    ("http://evil.example%2F@localhost/", "/"),
    ("http://localhost\\@evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("http:/\\evil.example", "/"),
    (" //evil.example", "/"),
    ("//localhost/saved", "/"),
    ("ftp://localhost/saved", "/"),
    ("data:text/html,<script>alert(1)</script>", "/"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path on this site, encoded slashes
])
def test_next_never_leaves_the_site(make_app, next_url, lands):
    client = make_app().test_client()
    response = login(client, "ann", next_url=next_url)
    assert response.status_code == 302
    assert response.location == lands


def test_a_forged_host_header_does_not_make_next_external(make_app):
    client = make_app().test_client()
    response = login(client, "ann", next_url="http://evil.example/saved",
                     base_url="http://evil.example")
    assert response.status_code == 302
    assert response.location == "/saved"  # only the path is kept, on whatever host served it


# -- races and forged hosts ---------------------------------------------------------------------


def hold_the_database(instance: Path):
    """Another process's write transaction on the database (as a busy gunicorn worker holds
    one): requests read past it, but wait for it to end before they write."""
    conn = connect(db_path(instance))
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(make_app):
    """16 wrong passwords at once: 5 are checked, 11 refused. A check, then a record after
    the password, let every one of them past the check."""
    app = make_app()
    clients = [app.test_client() for _ in range(16)]
    tokens = [csrf_token(c) for c in clients]
    answers, ready = [], threading.Barrier(17)

    def guess(client, token):
        ready.wait()
        answers.append(client.post("/login", data={"name": "ann", "password": "wrong password",
                                                   "csrf_token": token}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    held = hold_the_database(make_app.instance)
    ready.wait()
    time.sleep(1.5)  # every request is in, up to the database
    held.execute("COMMIT")
    held.close()
    for t in threads:
        t.join(30)
    assert sorted(answers) == [200] * 5 + [429] * 11
    conn = connect(db_path(make_app.instance))
    assert conn.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] == 5
    conn.close()


def test_a_forged_host_header_is_not_in_the_openapi_document(make_app):
    client = make_app().test_client()
    doc = client.get("/api/openapi.json", headers={"Host": "evil.com"}).get_json()
    assert doc["servers"] == [{"url": "/"}]
    assert "evil.com" not in json_text(doc)
    configured = make_app(SERVER_NAME="news.example.org").test_client()
    doc = configured.get("/api/openapi.json", base_url="http://news.example.org").get_json()
    assert doc["servers"] == [{"url": "http://news.example.org"}]


def json_text(doc) -> str:
    return json.dumps(doc)
