"""Export speed: 10,000 results taken away from the archive, in each format, over HTTP.

searchapp's production server (gunicorn with the repository's gunicorn.conf.py) on the
200,000-article index (bench/out/work/index-full, as search_latency.py builds it; when it is
absent, a 20,000-article index is built under bench/out/work/). For each search, the time
until the last byte of:

- /export?<search>&format=csv|jsonl|ris&limit=10000 (one streamed answer), against
- the baseline: the JSON API paged 100 at a time (/api/search, pages 1..100), which is how
  a client took a result set away before exports existed.

Searches: browsing the whole archive newest first, and a common word by relevance. Each
timing is the median of --runs runs, after one warm-up; beside it, the CPU seconds the
server's processes spent on it (from /proc), a figure a busy machine disturbs less than
the wall clock. Target: every export of 10,000 results within 5 s.

Run: python bench/export_speed.py [--index-dir DIR] [--articles 200000] [--runs 3]
Writes bench/out/export_speed.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speedlib import (
    WORK_DIR,
    code_version,
    free_port,
    machine_info,
    process_tree,
    start_gunicorn,
    stop,
    wait_http,
    write_json,
)

EXPORT = 10_000
PAGE = 100
TARGET_SECONDS = 5.0
FORMATS = ("csv", "jsonl", "ris")
SEARCHES = {"browse, newest first": {"sort": "newest"},
            "\"market\", by relevance": {"q": "market"}}
SMALL_ARTICLES = 20_000
WORKERS = 2  # gunicorn.conf.py's default


def fetch(url: str) -> tuple[float, int]:
    """(seconds until the last byte, bytes) of one GET."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as answer:
        size = len(answer.read())
    return time.perf_counter() - started, size


_server_pid = 0  # the gunicorn master, whose process tree serves the requests
_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu() -> float:
    """CPU seconds (user + system) used so far by the server's processes."""
    total = 0
    for pid in process_tree(_server_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def export_once(base: str, search: dict, fmt: str) -> tuple[float, int]:
    query = urllib.parse.urlencode({**search, "format": fmt, "limit": EXPORT})
    return fetch(f"{base}/export?{query}")


def paged_once(base: str, search: dict) -> tuple[float, int]:
    """The whole 10,000 through /api/search, 100 hits a page."""
    seconds = size = 0
    for page in range(1, EXPORT // PAGE + 1):
        query = urllib.parse.urlencode({**search, "per_page": PAGE, "page": page})
        took, got = fetch(f"{base}/api/search?{query}")
        seconds, size = seconds + took, size + got
    return seconds, size


def median_of(runs: int, measure) -> dict:
    measure()  # warm-up: postings and stored fields read once
    timings, cpu = [], []
    for _ in range(runs):
        before = server_cpu()
        timings.append(measure())
        cpu.append(server_cpu() - before)
    return {"seconds": round(statistics.median(t for t, _ in timings), 3),
            "server_cpu_seconds": round(statistics.median(cpu), 3), "bytes": timings[0][1]}


def total_of(base: str, search: dict) -> int:
    import json

    query = urllib.parse.urlencode({**search, "per_page": 1})
    with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=120) as answer:
        return json.loads(answer.read())["total"]


def warm_workers(base: str, search: dict) -> None:
    """A few small exports of the search, so that each worker has built its tables for the
    index (a worker's first search does, whatever it is) before anything is timed."""
    for _ in range(WORKERS * 2):
        fetch(f"{base}/export?{urllib.parse.urlencode({**search, 'limit': 10})}")


def measure(base: str, runs: int) -> dict:
    out = {}
    for name, search in SEARCHES.items():
        warm_workers(base, search)
        total = total_of(base, search)
        row = {"total": total, "exported": min(total, EXPORT)}
        for fmt in FORMATS:
            row[fmt] = median_of(runs, lambda f=fmt, s=search: export_once(base, s, f))
        row["paged_json"] = median_of(runs, lambda s=search: paged_once(base, s))
        out[name] = row
        print_row(name, row)
    return out


def print_row(name: str, row: dict) -> None:
    print(f"\n{name}: {row['total']:,} results, {row['exported']:,} exported")
    for key in (*FORMATS, "paged_json"):
        r = row[key]
        label = "JSON API, 100 a page" if key == "paged_json" else f"/export {key}"
        print(f"  {label:<22} {r['seconds']:>7.2f} s  (server CPU {r['server_cpu_seconds']:>5.2f} s)"
              f"  {r['bytes'] / 1e6:>7.1f} MB", flush=True)


def ensure_index(index_dir: Path | None, articles: int) -> Path:
    if index_dir:
        return index_dir
    full = WORK_DIR / "index-full"
    if list(full.glob("_MAIN_*.toc")):
        return full
    from search_latency import build_index

    small = WORK_DIR / f"index-export-{SMALL_ARTICLES // 1000}k"
    if not list(small.glob("_MAIN_*.toc")):
        build_index(small, articles or SMALL_ARTICLES, seed=1)
    return small


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, help="an existing searchapp index")
    ap.add_argument("--articles", type=int, default=0,
                    help="articles of the index built when there is none")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    index_dir = ensure_index(args.index_dir, args.articles).resolve()

    run_dir = WORK_DIR / "export-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    port = free_port()
    server = start_gunicorn(index_dir, port, run_dir / "gunicorn.log", run_dir / "instance")
    global _server_pid
    _server_pid = server.pid
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/api/search?q=&per_page=1", proc=server)
        print(f"index: {index_dir.name}, exporting {EXPORT:,} results (median of {args.runs})")
        results = measure(base, args.runs)
    finally:
        stop(server)
    slowest = max(row[f]["seconds"] for row in results.values() for f in FORMATS)
    met = slowest <= TARGET_SECONDS
    print(f"\nslowest export: {slowest:.2f} s (target <= {TARGET_SECONDS:.0f} s): "
          f"{'met' if met else 'NOT met'}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    path = write_json("export_speed.json", {
        "machine": machine_info(), "code": code_version(), "index": index_dir.name,
        "export": EXPORT, "runs": args.runs, "results": results,
        "load_average": os.getloadavg()[0],
        "target_seconds": TARGET_SECONDS, "slowest_seconds": slowest, "target_met": met})
    print(f"wrote {path}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
