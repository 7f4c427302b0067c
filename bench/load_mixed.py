"""searchapp under a mixed load: the production server (gunicorn with the repository's
gunicorn.conf.py) answering 32 concurrent clients for 60 seconds over a 20,000-article
index, with searches, article pages, saved-search feeds and librarians' tag edits at once.

Each client is a thread on loopback with its own cookie jar, sending one request after
another. Most clients are anonymous; 1 in 8 logs in as a reader, 1 in 8 as a librarian
(through /login with the form's CSRF token). Requests, by kind:
  search-api    /api/search with the seeded query mix of workload.py (facets, dates)
  search-page   / with the same mix (the HTML results page with facets and dates)
  article       /articles/<id> (a librarian's page carries the curation forms)
  feed          /s/<slug>/feed.atom of the saved searches made at setup
  missing       /articles/<unknown id>: an expected 404
  login         GET /login, POST /login (expected 302)
  edit          a librarian's POST to /articles/<id>/tags/add then .../tags/remove with
                the CSRF token of the article page (expected 302); after the add the
                article page must show the new tag, else the edit counts as "not shown"
Errors: any 5xx, connection error or timeout, and any status other than the expected one
(a 4xx other than the 404 probe). The server's memory is the sum of the RSS of the
gunicorn master and workers, read from /proc every 0.5 s: the average of the first 10 s
of the run against that of the last 10 s. Targets: zero errors, last/first <= 1.25.

Setup (once; reused later): a 20,000-article corpus from make_corpus.py, its index
(bench/out/work/index-20k, or --index-dir). Every run copies the index, so the edits never
touch the built one, and makes a fresh instance folder: a database with a librarian, a
reader and a few shared saved searches.

Run: python bench/load_mixed.py [--clients 32] [--seconds 60] [--index-dir DIR] [--articles 20000]
                                [--warmup 0]
With --warmup S, S seconds of the same load come first and are left out of the figures
(errors in them still count): the memory target then compares a warm server with itself.
Writes bench/out/load_mixed.json; the server's log is bench/out/work/load-mixed-run/gunicorn.log.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import random
import re
import secrets
import shutil
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload
from ingest_speed import ensure_corpus
from speedlib import (
    REPO,
    WORK_DIR,
    free_port,
    machine_info,
    mb,
    percentile,
    require_corpora,
    start_gunicorn,
    stop,
    tree_memory,
    tree_rss,
    wait_http,
    write_json,
)

sys.path.insert(0, str(REPO))

REQUEST_TIMEOUT = 60.0  # longer than gunicorn's worker timeout: a stuck worker shows as an error
MEMORY_WINDOW = 10.0  # seconds averaged at the start and at the end of the run
MEMORY_RATIO_TARGET = 1.25
SAMPLE_EVERY = 0.5
PASSWORD = secrets.token_urlsafe(12)
LIBRARIAN, READER = "load-librarian", "load-reader"
# What an anonymous or reader client asks for, by weight.
BROWSE_MIX = [("search-api", 35), ("search-page", 25), ("article", 25), ("feed", 12),
              ("missing", 3)]
EDIT_SHARE = 0.4  # of a librarian client's actions: an add+remove cycle
KINDS = ("search-api", "search-page", "article", "feed", "missing", "login", "edit")
# Saved searches for the feeds: (name, query string).
SAVED = [("Oil", "q=oil"), ("Central banks", "q=%22central+bank%22&country=US"),
         ("Economy 2000s", "topic=economy&from=2000&to=2009"),
         ("Elections", "q=election&sort=newest"), ("Trade with Japan", "q=trade&country=JP"),
         ("Football", "topic=football")]
ADD_VALUES = ["NO", "SE", "FI", "PT", "NZ", "CL", "KE", "VN"]  # countries an edit adds
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REMOVE_FORM = re.compile(r'name="facet" value="(\w+)">\s*<input type="hidden" name="value" '
                         r'value="([^"]*)"')


# -- setup ---------------------------------------------------------------------------------


def ensure_index(index_dir: Path, articles: int, seed: int) -> None:
    """Build the index once; an interrupted build is finished next time (ingest is
    incremental), and a marker file next to the index says it is complete."""
    marker = index_dir.parent / f".{index_dir.name}.done"
    if marker.exists():
        return
    require_corpora("reuters21578", "bbc")
    corpus = ensure_corpus(WORK_DIR / f"corpus-{articles // 1000}k", articles, "jsonl", seed)
    from searchapp.ingest import index_paths

    print(f"building the index in {index_dir} ...", flush=True)
    started = time.perf_counter()
    report = index_paths([corpus / "jsonl"], index_dir, workers=2)
    print(f"  {report.summary()} in {time.perf_counter() - started:.0f} s", flush=True)
    marker.touch()


def make_instance(instance: Path) -> list[str]:
    """A fresh database with a librarian, a reader and shared saved searches; their slugs."""
    from searchapp import accounts, db, saved

    conn = db.connect(db.db_path(instance))
    accounts.create_user(conn, LIBRARIAN, PASSWORD, "librarian")
    reader = accounts.create_user(conn, READER, PASSWORD, "reader")
    slugs = [saved.create(conn, reader.id, name, params, shared=True).slug
             for name, params in SAVED]
    conn.close()
    return slugs


# -- one client ------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to check (a POST must redirect), not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) of one request; a POST when `form` is given."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=REQUEST_TIMEOUT) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            return exc.code, exc.headers.get("Location", ""), body


class Recorder:
    """Latencies per kind and the errors, shared by the client threads."""

    def __init__(self, measure_from: float):
        self.measure_from = measure_from  # time.monotonic(): latencies before it are warm-up
        self.lock = threading.Lock()
        self.latencies = {kind: [] for kind in KINDS}
        self.errors: list[dict] = []
        self.edits_not_shown: list[str] = []

    def call(self, client: Client, kind: str, path: str, form: dict | None = None,
             expect: int = 200) -> tuple[int, str, str] | None:
        """One timed request; None (recorded as an error) when its answer is not `expect`."""
        started, counted = time.perf_counter(), time.monotonic() >= self.measure_from
        try:
            answer = client.request(path, form)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            self.error(kind, path, f"{type(exc).__name__}: {exc}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        if counted:
            with self.lock:
                self.latencies[kind].append(elapsed)
        if answer[0] != expect:
            self.error(kind, path, f"HTTP {answer[0]} (expected {expect}) {answer[2][:120]!r}")
            return None
        return answer

    def error(self, kind: str, path: str, what: str) -> None:
        with self.lock:
            self.errors.append({"kind": kind, "path": path[:160], "error": what[:300]})


def login(rec: Recorder, client: Client, name: str) -> bool:
    page = rec.call(client, "login", "/login")
    if page is None:
        return False
    form = {"csrf_token": TOKEN.search(page[2]).group(1), "name": name, "password": PASSWORD}
    return rec.call(client, "login", "/login", form, expect=302) is not None


def search_page_path(query: workload.Query) -> str:
    params = [("q", query.q), *query.filters]
    if query.date_from:
        params += [("from", query.date_from), ("to", query.date_to)]
    return "/?" + urllib.parse.urlencode(params)


def browse(rec: Recorder, client: Client, rng: random.Random, work: dict) -> None:
    kind = rng.choices([k for k, _ in BROWSE_MIX], [w for _, w in BROWSE_MIX])[0]
    if kind == "search-api":
        rec.call(client, kind, workload.searchapp_path(rng.choice(work["queries"])))
    elif kind == "search-page":
        rec.call(client, kind, search_page_path(rng.choice(work["queries"])))
    elif kind == "article":
        rec.call(client, kind, f"/articles/{rng.choice(work['ids'])}")
    elif kind == "feed":
        rec.call(client, kind, f"/s/{rng.choice(work['slugs'])}/feed.atom")
    else:
        rec.call(client, kind, f"/articles/no-such-article-{rng.randrange(10**6)}", expect=404)


def edit_cycle(rec: Recorder, client: Client, rng: random.Random, ids: list[str]) -> None:
    """Add a country the article lacks, check the page shows it, remove it again."""
    article_id = rng.choice(ids)
    path = f"/articles/{urllib.parse.quote(article_id)}"
    page = rec.call(client, "article", path)
    if page is None:
        return
    present = {(f, html.unescape(v)) for f, v in REMOVE_FORM.findall(page[2])}
    value = rng.choice([v for v in ADD_VALUES if ("country", v) not in present] or ["NO"])
    form = {"csrf_token": TOKEN.search(page[2]).group(1), "facet": "country", "value": value,
            "next": path}
    if rec.call(client, "edit", f"{path}/tags/add", form, expect=302) is None:
        return
    page = rec.call(client, "article", path)  # the redirect's target
    if page is None:
        return
    if ("country", value) not in {(f, html.unescape(v)) for f, v in REMOVE_FORM.findall(page[2])}:
        with rec.lock:
            rec.edits_not_shown.append(f"{article_id} +{value}")
        return
    form = {"csrf_token": TOKEN.search(page[2]).group(1), "facet": "country", "value": value,
            "next": path}
    rec.call(client, "edit", f"{path}/tags/remove", form, expect=302)


def run_client(n: int, base: str, rec: Recorder, work: dict, stop_at: float, seed: int) -> None:
    rng = random.Random(f"client-{seed}-{n}")
    client = Client(base)
    role = {0: "librarian", 1: "reader"}.get(n % 8, "anonymous")
    if role != "anonymous" and not login(rec, client, LIBRARIAN if role == "librarian" else READER):
        return
    # Librarians edit their own share of the articles: two never edit the same one at once.
    own_ids = work["ids"][n::max(1, work["clients"])] or work["ids"]
    while time.monotonic() < stop_at:
        if role == "librarian" and rng.random() < EDIT_SHARE:
            edit_cycle(rec, client, rng, own_ids)
        else:
            browse(rec, client, rng, work)


# -- the run -----------------------------------------------------------------------------------


def sample_memory(pid: int, start: float, done: threading.Event, samples: list) -> None:
    """(seconds since `start`, RSS, processes, anonymous RSS) every SAMPLE_EVERY seconds."""
    while not done.is_set():
        m = tree_memory(pid, "rss", "anon")
        samples.append((time.monotonic() - start, m["rss"], m["processes"], m["anon"]))
        done.wait(SAMPLE_EVERY)


def article_ids(base: str, queries: list[workload.Query], want: int = 2000) -> list[str]:
    """Ids of articles the mix finds, asked once before the run (also warms the server)."""
    ids: list[str] = []
    for word in workload.ONE_WORD + [q.q for q in queries[:20]]:
        url = base + "/api/search?" + urllib.parse.urlencode({"q": word, "per_page": 100})
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as r:
            ids += [hit["id"] for hit in json.load(r)["hits"]]
        if len(set(ids)) >= want:
            break
    return sorted(set(ids))


def run_load(base: str, pid: int, work: dict, clients: int, seconds: float, seed: int,
             warmup: float = 0.0) -> dict:
    """`warmup` seconds of the same load first, left out of the figures (errors count)."""
    measure_from = time.monotonic() + warmup
    rec, samples, done = Recorder(measure_from), [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(pid, measure_from, done, samples),
                               daemon=True)
    sampler.start()
    stop_at = measure_from + seconds
    threads = [threading.Thread(target=run_client, args=(n, base, rec, work, stop_at, seed),
                                daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, stop_at - time.monotonic()) + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - measure_from
    done.set()
    sampler.join()
    return summarize(rec, samples, elapsed, seconds, clients)


def summarize(rec: Recorder, samples: list, elapsed: float, seconds: float, clients: int) -> dict:
    kinds = {}
    for kind, values in rec.latencies.items():
        kinds[kind] = {"requests": len(values), "rps": len(values) / elapsed,
                       "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                       "max_ms": max(values, default=None),
                       "errors": sum(1 for e in rec.errors if e["kind"] == kind)}
    total = sum(k["requests"] for k in kinds.values())
    everything = [v for values in rec.latencies.values() for v in values]
    first = [s for s in samples if 0 <= s[0] <= MEMORY_WINDOW]
    last = [s for s in samples if seconds - MEMORY_WINDOW <= s[0] <= seconds]
    first_avg, last_avg = average(first, 1), average(last, 1)
    first_anon, last_anon = average(first, 3), average(last, 3)
    examples = []
    for e in rec.errors:  # one example of each kind of failure
        if not any(x["kind"] == e["kind"] and x["error"][:40] == e["error"][:40] for x in examples):
            examples.append(e)
    return {
        "clients": clients, "seconds": elapsed, "requests": total, "rps": total / elapsed,
        "p50_ms": percentile(everything, 50), "p95_ms": percentile(everything, 95),
        "kinds": kinds, "errors": len(rec.errors), "error_examples": examples[:10],
        "edits_not_shown": len(rec.edits_not_shown),
        "edits_not_shown_examples": rec.edits_not_shown[:5],
        "memory": {"first_10s_avg": first_avg, "last_10s_avg": last_avg,
                   "ratio": last_avg / first_avg if first_avg else None,
                   "peak": max((s[1] for s in samples), default=0),
                   "anon_first_10s_avg": first_anon, "anon_last_10s_avg": last_anon,
                   "anon_ratio": last_anon / first_anon if first_anon else None,
                   "samples": len(samples),
                   "processes": sorted({s[2] for s in samples}),
                   # (seconds into the run, RSS MB, anonymous MB) once a second
                   "series_mb": [(round(t), round(rss / 1e6, 1), round(anon / 1e6, 1))
                                 for t, rss, _, anon in samples[::2] if t >= 0]},
    }


def average(samples: list, field: int) -> float:
    return sum(s[field] for s in samples) / len(samples) if samples else 0


def server_trouble(log_path: Path, limit: int = 3) -> list[str]:
    """Tracebacks and worker timeouts from gunicorn's log (its error and access lines mix)."""
    lines = log_path.read_text(errors="replace").splitlines()
    found, i = [], 0
    while i < len(lines) and len(found) < limit:
        line = lines[i]
        if line.startswith("Traceback"):
            block = [lines[i - 1]] if i else []
            while i < len(lines) and (lines[i].startswith(("Traceback", " ")) or
                                      not re.match(r"^\[|^127\.0\.0\.1 ", lines[i])):
                block.append(lines[i])
                i += 1
            found.append("\n".join(block))
            continue
        if "WORKER TIMEOUT" in line or "[ERROR]" in line or "[CRITICAL]" in line:
            found.append(line)
        i += 1
    return found


def print_report(r: dict) -> None:
    print(f"\n{'kind':<13}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for kind, k in r["kinds"].items():
        if k["requests"] or k["errors"]:
            p50 = f"{k['p50_ms']:.0f}" if k["p50_ms"] is not None else "-"
            p95 = f"{k['p95_ms']:.0f}" if k["p95_ms"] is not None else "-"
            print(f"{kind:<13}{k['requests']:>9,}{k['rps']:>8.1f}{p50:>9}{p95:>9}{k['errors']:>8}")
    print(f"{'all':<13}{r['requests']:>9,}{r['rps']:>8.1f}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
          f"{r['errors']:>8}")
    m = r["memory"]
    print(f"\nserver RSS (master + workers): first 10 s {mb(m['first_10s_avg'])}, last 10 s "
          f"{mb(m['last_10s_avg'])} (x{m['ratio']:.2f}), peak {mb(m['peak'])}, "
          f"{m['samples']} samples")
    print(f"  of which anonymous (heap): first 10 s {mb(m['anon_first_10s_avg'])}, last 10 s "
          f"{mb(m['anon_last_10s_avg'])} (x{m['anon_ratio']:.2f}); the rest is code and "
          "mapped files")
    print(f"edits not shown on the page right after: {r['edits_not_shown']}")
    if r["error_examples"]:
        print("errors, e.g.:")
        for e in r["error_examples"]:
            print(f"  [{e['kind']}] {e['path']}: {e['error']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, help="an index to reuse (it is copied, not edited)")
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warmup", type=float, default=0.0,
                    help="seconds of load before the measured run (default 0: a cold server)")
    args = ap.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 20 <= args.seconds <= 600 \
            or not 0 <= args.warmup <= 300:
        sys.exit("--clients must be 1..64, --seconds 20..600 and --warmup 0..300")

    if args.index_dir:
        index_dir = args.index_dir
        if not list(index_dir.glob("_MAIN_*.toc")):
            sys.exit(f"no index in {index_dir}")
    else:
        index_dir = WORK_DIR / f"index-{args.articles // 1000}k"
        ensure_index(index_dir, args.articles, args.seed)
    run_dir = WORK_DIR / "load-mixed-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    shutil.copytree(index_dir, run_dir / "index")  # the edits change this copy only
    slugs = make_instance(run_dir / "instance")
    queries = workload.query_mix(60, args.seed)

    port = free_port()
    log_path = run_dir / "gunicorn.log"
    app = start_gunicorn(run_dir / "index", port, log_path, run_dir / "instance")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/api/search?q=&per_page=1", proc=app)
        idle_rss = tree_rss(app.pid)[0]
        ids = article_ids(base, queries)
        for path in [f"/s/{s}/feed.atom" for s in slugs] + [search_page_path(queries[0])]:
            urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT).read()
        work = {"queries": queries, "ids": ids, "slugs": slugs, "clients": args.clients}
        warm = f" after {args.warmup:.0f} s of warm-up" if args.warmup else ""
        print(f"{args.clients} clients for {args.seconds:.0f} s{warm} against {index_dir.name} "
              f"({len(ids)} article ids, {len(queries)} queries, {len(slugs)} feeds) ...",
              flush=True)
        result = run_load(base, app.pid, work, args.clients, args.seconds, args.seed,
                          args.warmup)
        result["warmup_seconds"] = args.warmup
        result["memory"]["idle_after_start"] = idle_rss
    finally:
        stop(app)
    result["server_log_trouble"] = server_trouble(log_path)

    print_report(result)
    checks = {"zero errors": result["errors"] == 0,
              f"memory steady (last/first <= {MEMORY_RATIO_TARGET})":
                  (result["memory"]["ratio"] or 99) <= MEMORY_RATIO_TARGET}
    print()
    for name, ok in checks.items():
        print(f"{name:<40} {'MET' if ok else 'NOT MET'}")
    if result["server_log_trouble"]:
        print(f"\nfrom the server's log ({log_path.relative_to(REPO)}):")
        print(*result["server_log_trouble"], sep="\n---\n")
    path = write_json("load_mixed.json", {"machine": machine_info(), "index_dir": str(index_dir),
                                          "results": result, "targets": checks})
    print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
