"""The production server as shipped (gunicorn with gunicorn.conf.py), attacked from this machine:
forged HTTPS headers, requests gunicorn refuses itself, a worker that times out, a damaged
index; and the database file's permissions. Real gunicorn, real index, loopback only."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from searchapp.db import backup, connect, db_path
from searchapp.search.whoosh.health import index_problem

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "gunicorn.conf.py")
# Headers that describe one answer, not the site's security policy.
PER_ANSWER = {"server", "date", "connection", "content-type", "content-length", "vary",
              "set-cookie", "cache-control", "expires", "last-modified", "etag", "location"}
LONG_REQUEST_LINE = b"GET /?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"
LARGE_HEADER = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Large: " + b"a" * 9000 + b"\r\n\r\n"
MANY_HEADERS = (b"GET / HTTP/1.1\r\nHost: localhost\r\n"
                + b"".join(b"X-Field-%d: x\r\n" % n for n in range(120)) + b"\r\n")
BAD_HEADER_NAME = b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Name: x\r\n\r\n"

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(index_dir: Path, instance: Path, port: int, **settings: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SEARCHAPP_") and k not in ("FLASK_DEBUG", "FORWARDED_ALLOW_IPS")}
    env.update(SEARCHAPP_INDEX_DIR=str(index_dir), SEARCHAPP_INSTANCE=str(instance),
               SEARCHAPP_BIND=f"127.0.0.1:{port}", SEARCHAPP_WORKERS="1",
               SEARCHAPP_SECRET_KEY="k" * 64, **settings)
    return env


class Server:
    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log

    def exchange(self, raw: bytes, timeout: float = 20.0) -> http.client.HTTPResponse:
        """Send raw bytes, read the answer (status, headers and body)."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock.sendall(raw)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        answer.body = answer.read()
        sock.close()
        return answer

    def get(self, path: str, *headers: str) -> http.client.HTTPResponse:
        lines = [f"GET {path} HTTP/1.1", "Host: localhost", "Connection: close", *headers]
        return self.exchange(("\r\n".join(lines) + "\r\n\r\n").encode())


@contextmanager
def gunicorn(index_dir: Path, where: Path, *args: str, **settings: str):
    """gunicorn -c gunicorn.conf.py [args], one worker, until it answers (at most 60 s)."""
    port, log = free_port(), where / "gunicorn.log"
    env = server_env(index_dir, where / "instance", port, **settings)
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", CONFIG, *args],
                                   cwd=where, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                server.get("/help")
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def shipped(index_dir, tmp_path_factory):
    """The server as shipped: no SEARCHAPP_PROXY_FIX, no SEARCHAPP_FORWARDED_ALLOW_IPS."""
    with gunicorn(index_dir, tmp_path_factory.mktemp("shipped")) as server:
        yield server


def security_headers(answer: http.client.HTTPResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in answer.getheaders()
            if name.lower() not in PER_ANSWER}


def assert_same_security_headers(error, page) -> None:
    wanted = security_headers(page)
    assert {"content-security-policy", "x-content-type-options", "x-frame-options",
            "referrer-policy"} <= wanted.keys()  # the comparison below cannot pass empty
    assert security_headers(error) == wanted


def assert_not_https(answer) -> None:
    assert answer.status == 200
    assert answer.getheader("Strict-Transport-Security") is None
    cookie = answer.getheader("Set-Cookie") or ""
    assert cookie.startswith("lang=fr")
    assert "secure" not in cookie.lower()


def assert_https(answer) -> None:
    assert answer.status == 200
    assert answer.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert "; secure" in answer.getheader("Set-Cookie").lower()


# -- 1. forwarded scheme headers: trusted only when the operator says so -------------------------


@pytest.mark.parametrize("header", ["X-Forwarded-Proto: https", "X-Forwarded-Ssl: on",
                                    "X-Forwarded-Protocol: ssl"])
def test_a_local_client_cannot_claim_https(shipped, header):
    # From 127.0.0.1, where any program on the machine can connect.
    assert_not_https(shipped.get("/?lang=fr", header))


def test_a_local_client_cannot_move_the_site_under_another_path(shipped):
    # gunicorn lets a trusted proxy set SCRIPT_NAME (a site mounted under a path); trusted,
    # this header would put every link of the page under /elsewhere/.
    answer = shipped.get("/elsewhere/help", "SCRIPT_NAME: /elsewhere")
    assert answer.status == 404
    assert b'href="/static/css/app.css"' in answer.body  # not /elsewhere/static/...


@pytest.mark.parametrize("settings", [{"SEARCHAPP_PROXY_FIX": "1"},
                                      {"SEARCHAPP_FORWARDED_ALLOW_IPS": "127.0.0.1"}],
                         ids=["proxy_fix", "forwarded_allow_ips"])
def test_behind_a_proxy_the_operator_opted_in_for_https_counts(index_dir, tmp_path, settings):
    # X-Forwarded-Ssl: only gunicorn reads it (the app's ProxyFix reads X-Forwarded-Proto).
    with gunicorn(index_dir, tmp_path, **settings) as server:
        assert_https(server.get("/?lang=fr", "X-Forwarded-Ssl: on"))
        assert_not_https(server.get("/?lang=fr"))


# -- 2. gunicorn's own error pages carry the app's security headers ------------------------------


@pytest.mark.parametrize("raw, status", [(LONG_REQUEST_LINE, 414), (LARGE_HEADER, 431),
                                         (MANY_HEADERS, 431), (BAD_HEADER_NAME, 400)],
                         ids=["request_line_too_long", "header_too_large", "too_many_headers",
                              "malformed_header"])
def test_gunicorns_error_pages_carry_the_security_headers(shipped, raw, status):
    error = shipped.exchange(raw)
    assert error.status == status  # gunicorn's answer: the app never saw the request
    assert b"searchapp" not in error.body.lower() and b"<html>" in error.body
    assert_same_security_headers(error, shipped.get("/"))


def test_with_threads_the_error_pages_carry_them_too(index_dir, tmp_path):
    with gunicorn(index_dir, tmp_path, SEARCHAPP_THREADS="2") as server:
        assert "Using worker: searchapp.serving.ThreadWorker" in server.log.read_text()
        error = server.exchange(LONG_REQUEST_LINE)
        assert error.status == 414
        assert_same_security_headers(error, server.get("/"))


def test_a_worker_that_times_out_answers_500_with_the_security_headers(index_dir, tmp_path):
    # A body that never comes keeps the worker reading until gunicorn's timeout (2 s here,
    # 30 s as shipped) stops it; the request gets gunicorn's 500.
    stalled = (b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname=a")
    with gunicorn(index_dir, tmp_path, "--timeout", "2") as server:
        page = server.get("/")
        error = server.exchange(stalled, timeout=30)
        assert error.status == 500
        assert "WORKER TIMEOUT" in server.log.read_text()
        assert_same_security_headers(error, page)


# -- 3. a damaged index stops the server with one clear line -------------------------------------


def truncate_toc(index: Path) -> None:
    toc = max(index.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[: toc.stat().st_size // 2])


def truncate_largest_segment(index: Path) -> None:
    segment = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    os.truncate(segment, segment.stat().st_size // 2)


def remove_toc(index: Path) -> None:
    for toc in index.glob("_MAIN_*.toc"):
        toc.unlink()


@pytest.mark.parametrize("damage", [truncate_toc, truncate_largest_segment, remove_toc])
def test_a_damaged_index_stops_gunicorn_with_the_reason(index_dir, tmp_path, damage):
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    damage(index)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", CONFIG], cwd=tmp_path,
                                   env=server_env(index, tmp_path / "instance", port),
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        status = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("gunicorn is serving a damaged index:\n" + log.read_text())
    finally:
        process.kill()
        process.wait()
    text = log.read_text()
    assert status != 0
    reasons = [line for line in text.splitlines() if "cannot be read" in line]
    assert len(reasons) == 1, text
    assert f"the index at {index.resolve()} cannot be read: " in reasons[0]
    assert "restore a backup or run `searchapp index --rebuild`" in reasons[0]
    assert "Traceback" not in text
    assert "Listening at" not in text and "Booting worker" not in text  # no port, no workers


def test_a_sound_index_and_no_index_at_all_pass_the_check(index_dir, tmp_path):
    assert index_problem(index_dir) is None
    assert index_problem(tmp_path / "not-yet") is None  # the app starts with an empty index
    (tmp_path / "empty").mkdir()
    assert index_problem(tmp_path / "empty") is None


# -- 4. the database holds password hashes: its owner's only -------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_backup_are_readable_by_the_owner_only(tmp_path):
    instance = tmp_path / "instance"
    path = db_path(instance)
    umask = os.umask(0o022)  # the usual one, under which files are made world-readable
    try:
        conn = connect(path)
        conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('u', 'hash', 'admin')")
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()  # while the connection is open
        assert (mode(instance), mode(path), mode(wal), mode(shm)) == (0o700, 0o600, 0o600, 0o600)
        conn.close()
    finally:
        os.umask(umask)
    conn = connect(path)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    # A backup copy (`searchapp backup`) holds the same hashes.
    umask = os.umask(0o022)
    try:
        backup(conn, tmp_path / "backup" / "searchapp.sqlite")
    finally:
        os.umask(umask)
    assert mode(tmp_path / "backup" / "searchapp.sqlite") == 0o600
