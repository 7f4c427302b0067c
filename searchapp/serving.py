"""gunicorn's side of the production server (see gunicorn.conf.py).

- `SyncWorker` and `ThreadWorker`: gunicorn's own workers, whose error pages (414 request line
  too long, 431/400 header fields too large or malformed, the 500 of a worker that timed out)
  carry the same security headers as every answer of the app.
- `index_problem_in_child()`: why the index cannot be served (the engine's own check),
  checked once before gunicorn binds its port, so that a damaged index stops the server with
  one clear line instead of workers that crash at boot or answer 500. `python -m
  searchapp.serving` runs the check on its own.

Written against gunicorn 27.0.1 (pinned in setup.cfg): its workers write their error pages with
`gunicorn.util.write_error`, one `sendall` of the whole answer, from `Worker.handle_error`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gunicorn.workers import base, gthread, sync

from .search import EngineConfig, index_problem

# The headers `searchapp.web.security_headers` puts on every answer; the CSP is taken from
# there (see error_page_headers). Strict-Transport-Security is left out: the app sends it only
# over HTTPS, and gunicorn, as shipped, never speaks HTTPS itself.
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The check reads each segment's table of files, not its postings: quick on any sound index.
CHECK_SECONDS = 120


def error_page_headers() -> dict[str, str]:
    """The security headers for gunicorn's own error pages, values as the app sets them."""
    from .web import CSP  # imported in the worker, not in gunicorn's master (kept small)

    return {"Content-Security-Policy": CSP, **FIXED_HEADERS}


class SecureErrorPages(base.Worker):
    """Adds the security headers to the error pages gunicorn writes itself."""

    def init_process(self):
        # Here, not at the first error: a failing import stops the worker at boot, loudly.
        lines = "".join(f"{name}: {value}\r\n" for name, value in error_page_headers().items())
        self.error_headers = lines.encode("latin-1")
        super().init_process()

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, HeadersAfterStatusLine(client, self.error_headers), addr, exc)


class HeadersAfterStatusLine:
    """A client socket that slips extra header lines in after the status line of the
    answer written through it; everything else goes to the socket itself."""

    def __init__(self, sock, headers: bytes):
        self._sock, self._headers = sock, headers

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        status, crlf, rest = bytes(data).partition(b"\r\n")
        if self._headers and crlf and status.startswith(b"HTTP/"):
            data, self._headers = status + crlf + self._headers + rest, b""
        self._sock.sendall(data)


class SyncWorker(SecureErrorPages, sync.SyncWorker):
    """gunicorn's default worker (one request at a time), with secure error pages."""


class ThreadWorker(SecureErrorPages, gthread.ThreadWorker):
    """gunicorn's threaded worker (SEARCHAPP_THREADS > 1), with secure error pages."""


# -- the index, checked before serving ---------------------------------------------------------


def configured_engine() -> EngineConfig:
    """The engine the app will open: SEARCHAPP_INDEX_DIR, else INDEX_DIR in the instance
    folder's config.py, else ./index (read the way `searchapp.web.create_app` reads them)."""
    if os.environ.get("SEARCHAPP_INDEX_DIR"):
        return EngineConfig.from_env()
    from flask import Config

    from .db import DEFAULT_INSTANCE

    instance = Path(os.environ.get("SEARCHAPP_INSTANCE", DEFAULT_INSTANCE)).resolve()
    config = Config(str(instance))
    config.from_pyfile("config.py", silent=True)
    return EngineConfig.from_flask(config)


def index_problem_in_child() -> str | None:
    """`index_problem` for the configured index, run in a child process so that gunicorn's
    master never imports Whoosh or opens the index (the workers, forked from it, stay lean)."""
    try:
        done = subprocess.run([sys.executable, "-m", "searchapp.serving"], capture_output=True,
                              text=True, timeout=CHECK_SECONDS)
    except subprocess.TimeoutExpired:
        return f"the index could not be read within {CHECK_SECONDS} s (is its disk answering?)"
    if done.returncode == 0:
        return None
    lines = (done.stdout.strip() or done.stderr.strip() or "no reason given").splitlines()
    return lines[-1]


def main() -> int:
    problem = index_problem(configured_engine())
    print(problem or "the index can be served")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
