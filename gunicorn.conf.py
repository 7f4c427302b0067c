"""gunicorn settings for the search UI:  gunicorn -c gunicorn.conf.py

The app factory runs in each worker (no preload), so every worker opens its own
index searcher; SEARCHAPP_INDEX_DIR points at the index (default: ./index). An index that
cannot be read stops the server before it opens its port (on_starting); gunicorn's own error
pages carry the app's security headers (searchapp/serving.py). See docs/security.md.
"""

import os
import sys

# This is the production server: the app refuses to start without a secret key of its own
# (SEARCHAPP_SECRET_KEY or SECRET_KEY in instance/config.py) or with debug on.
os.environ.setdefault("SEARCHAPP_ENV", "production")

wsgi_app = "searchapp.web:create_app()"
bind = os.environ.get("SEARCHAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SEARCHAPP_WORKERS", "2"))
threads = int(os.environ.get("SEARCHAPP_THREADS", "1"))
preload_app = False
timeout = 30  # a search that takes longer is stuck: restart the worker
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 200
accesslog = os.environ.get("SEARCHAPP_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("SEARCHAPP_LOG_LEVEL", "info")
# gunicorn takes the scheme (https) from X-Forwarded-Proto/-Ssl/-Protocol, and SCRIPT_NAME,
# only from these addresses; with https the app sends HSTS and Secure cookies. Nobody by
# default: any local program can send such headers. Behind a reverse proxy,
# SEARCHAPP_PROXY_FIX=1 trusts the proxy on this machine (127.0.0.1);
# SEARCHAPP_FORWARDED_ALLOW_IPS names other addresses.
proxy_fix = int(os.environ.get("SEARCHAPP_PROXY_FIX") or 0) > 0
forwarded_allow_ips = (os.environ.get("SEARCHAPP_FORWARDED_ALLOW_IPS")
                       or ("127.0.0.1" if proxy_fix else ""))
# gunicorn's own workers, whose error pages (414, 431, 400, a timed-out worker's 500) carry the
# app's security headers too; threads > 1 means gunicorn's threaded worker, as gunicorn decides.
worker_class = ("searchapp.serving.ThreadWorker" if threads > 1
                else "searchapp.serving.SyncWorker")


def on_starting(server):
    """Refuse to start, with one line saying why, when the index cannot be read: every
    search would fail. Checked before the port opens and before any worker boots, so a
    supervisor sees a failed start (exit status 1) rather than a server answering 500s."""
    from searchapp.serving import index_problem_in_child

    problem = index_problem_in_child()
    if problem:
        server.log.error(problem)
        sys.exit(1)


def post_worker_init(worker):
    """Build the index caches (facet tables) before this worker's first request instead of
    during it (seconds for 200,000 articles), then read the most frequent words' postings
    in the background while the worker serves (see SearchEngine.warm)."""
    from searchapp.search import SearchRequest

    engine = worker.wsgi.extensions["searchapp.index"]
    try:
        engine.search(SearchRequest())
    except Exception:  # a warm-up must never keep a worker from serving
        worker.log.exception("index warm-up failed; the first search will build the caches")

    def warm():
        try:
            read = engine.warm()
            worker.log.info("worker %s read %.0f MB of postings ahead", worker.pid, read / 1e6)
        except Exception:
            worker.log.exception("reading postings ahead failed; searches read them as needed")

    import threading

    threading.Thread(target=warm, name="warm-postings", daemon=True).start()
