"""searchapp under load: the production server (gunicorn with the repository's
gunicorn.conf.py: 2 sync workers) answering 16 concurrent clients for 60 seconds.

The clients are threads on loopback, each sending the seeded query mix of workload.py
to /api/search one request after another (a new request as soon as the previous
answer is read); the run is bounded in time and every request has a timeout.
Reported: requests per second, p50/p95 latency, errors (non-200 answers, timeouts,
refused connections), and the server's memory: the sum of the RSS of the gunicorn
master and its workers, read from /proc every 0.5 s during the run.
With --peer the same load is then sent to Datasette over the same articles (see
search_latency.py), for a side-by-side figure. Targets: RSS <= 1 GB and zero errors.

Run: python bench/load.py [--index-dir DIR] [--clients 16] [--seconds 60] [--peer]
Writes bench/out/load.json. Without an index it builds one first (see search_latency.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_latency
import workload
from speedlib import (
    REPO,
    WORK_DIR,
    free_port,
    machine_info,
    mb,
    percentile,
    start_gunicorn,
    stop,
    tree_memory,
    tree_rss,
    wait_http,
    write_json,
)

RSS_TARGET = 1_000_000_000  # bytes
REQUEST_TIMEOUT = 60.0


def get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as r:
        r.read()


def run_load(paths_for, base: str, server_pid: int, clients: int, seconds: float,
             queries: list[workload.Query]) -> dict:
    """`paths_for(query)` -> the request paths that make one answer."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    rss_samples: list[int] = []
    done = threading.Event()

    def client(n: int) -> None:
        # Clients start spread evenly over the mix, so they do not send the same
        # query at the same moment.
        i = n * len(queries) // clients
        while time.monotonic() < stop_at:
            q = queries[i % len(queries)]
            i += 1
            started = time.perf_counter()
            try:
                for path in paths_for(q):
                    get(base + path)
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    pss_samples: list[int] = []

    def sample() -> None:
        while not done.is_set():
            m = tree_memory(server_pid, "rss", "pss")
            rss_samples.append(m["rss"])
            pss_samples.append(m["pss"])
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "clients": clients, "seconds": elapsed, "requests": len(latencies),
        "rps": len(latencies) / elapsed, "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95), "max_ms": max(latencies, default=None),
        "errors": len(errors), "error_examples": sorted(set(errors))[:5],
        "rss_peak": max(rss_samples, default=0),
        "rss_mean": sum(rss_samples) / len(rss_samples) if rss_samples else 0,
        "rss_samples": len(rss_samples), "pss_peak": max(pss_samples, default=0),
    }


def print_row(name: str, r: dict) -> None:
    print(f"{name:<10}{r['requests']:>9,}{r['rps']:>8.1f}{r['p50_ms']:>10.0f}{r['p95_ms']:>10.0f}"
          f"{r['errors']:>8}{mb(r['rss_peak']):>14}{mb(r['rss_mean']):>14}{mb(r['pss_peak']):>14}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path)
    ap.add_argument("--db", type=Path, help="the peer database (with --peer)")
    ap.add_argument("--articles", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peer", action="store_true", help="also load Datasette the same way")
    args = ap.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 600:
        sys.exit("--clients must be 1..64 and --seconds 1..600")

    index_dir = args.index_dir or WORK_DIR / "index-full"
    if not list(index_dir.glob("_MAIN_*.toc")):
        search_latency.build_index(index_dir, args.articles, args.seed)
    # A large mix, every query different; a client cycles through it. searchapp keeps a
    # result cache, so repeats within a short while may be answered from it.
    queries = workload.query_mix(60, args.seed)
    run_dir = WORK_DIR / "load-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    results = {}

    port = free_port()
    app = start_gunicorn(index_dir.resolve(), port, run_dir / "gunicorn.log", run_dir / "instance")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/api/search?q=&per_page=1", proc=app)
        idle_rss = tree_rss(app.pid)[0]
        for q in queries[:40]:  # warm both workers' searchers and facet tables
            get(base + workload.searchapp_path(q))
        print(f"searchapp: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
        results["searchapp"] = run_load(lambda q: [workload.searchapp_path(q)], base, app.pid,
                                        args.clients, args.seconds, queries)
        results["searchapp"]["rss_idle_after_start"] = idle_rss
        results["searchapp"]["processes"] = tree_rss(app.pid)[1]
    finally:
        stop(app)

    if args.peer:
        db_path = args.db or index_dir.parent / f"peer-{index_dir.name}" / "archive.db"
        if not db_path.exists():
            db_path.parent.mkdir(parents=True, exist_ok=True)
            search_latency.build_peer_db(index_dir, db_path)
        port = free_port()
        peer = search_latency.start_datasette(
            db_path, port, search_latency.peer_metadata(run_dir / "metadata.json", db_path.stem),
            run_dir / "datasette.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(base + f"/{db_path.stem}.json", proc=peer)
            for q in queries[:40]:
                for path in workload.peer_paths(q, db_path.stem):
                    get(base + path)
            print(f"peer: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
            results["peer"] = run_load(lambda q: workload.peer_paths(q, db_path.stem), base,
                                       peer.pid, args.clients, args.seconds, queries)
        finally:
            stop(peer)

    print(f"\n{'server':<10}{'requests':>9}{'req/s':>8}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}"
          f"{'RSS peak':>14}{'RSS mean':>14}{'PSS peak':>14}")
    for name, r in results.items():
        print_row(name, r)
    app_r = results["searchapp"]
    if "peer" in results:
        print(f"\nsearchapp / peer: {app_r['rps'] / results['peer']['rps']:.2f}x the requests "
              f"per second, p95 ratio {app_r['p95_ms'] / results['peer']['p95_ms']:.2f}")
    checks = {"RSS <= 1 GB": app_r["rss_peak"] <= RSS_TARGET, "zero errors": app_r["errors"] == 0}
    print()
    for name, ok in checks.items():
        print(f"{name:<14} {'MET' if ok else 'NOT MET'}")
    if app_r["error_examples"]:
        print("errors, e.g.:", *app_r["error_examples"], sep="\n  ")
    print(f"mix: {len(queries)} different queries; a peer answer is two requests "
          "(facets, then ranked hits with snippets), counted as one")
    path = write_json("load.json", {"machine": machine_info(), "index_dir": str(index_dir),
                                    "unique_queries": len(queries),
                                    "results": results, "targets": checks})
    print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
