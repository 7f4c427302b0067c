"""Entity pages' latency over HTTP, beside plain searches in the same run.

searchapp's production server (gunicorn with the repository's gunicorn.conf.py) on the
200,000-article index (bench/out/work/index-full, as search_latency.py builds it; when it
is absent, the index export_speed.py builds). Entity pages: the most frequent values of
each facet (from the archive's own facet counts) plus values drawn at random further down
the list, each asked as its page (/people/<name>, /countries/<code>, ...) and its JSON
(/api/people/<name>, ...). Each page is one search filtered on the value (its facet counts,
date histogram and ten newest hits) plus the authority files. Plain searches: the seeded
mix of search_latency.py (workload.py), through /api/search. After a warm-up the requests
are sent one at a time, pages and searches interleaved, so both share the machine's noise.
Targets (the search latency targets): p50 about 20 ms (at most 30 ms), p95 <= 150 ms.

Run: python bench/entity_latency.py [--index-dir DIR] [--per-facet 20] [--searches 60]
Writes bench/out/entity_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload
from export_speed import ensure_index
from search_latency import TARGET_P50_MS, TARGET_P95_MS
from speedlib import (
    WORK_DIR,
    code_version,
    free_port,
    machine_info,
    percentile,
    start_gunicorn,
    stop,
    wait_http,
    write_json,
)

SEGMENTS = {"person": "people", "country": "countries", "topic": "topics",
            "organisation": "organisations", "source": "sources"}


def timed(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()
    return (time.perf_counter() - started) * 1000


def entity_paths(base: str, per_facet: int, seed: int) -> list[tuple[str, str]]:
    """(kind, path): each facet's most frequent values and some drawn from the rest, as
    the page and as JSON."""
    with urllib.request.urlopen(f"{base}/api/search?per_page=1&facet_limit=500",
                                timeout=120) as answer:
        facets = json.loads(answer.read())["facets"]
    rng = random.Random(seed)
    out = []
    for facet, values in facets.items():
        names = [v["value"] for v in values]
        top, rest = names[: per_facet // 2], names[per_facet // 2:]
        chosen = top + rng.sample(rest, min(len(rest), per_facet - len(top)))
        segment = SEGMENTS.get(facet, f"{facet}s")
        for value in chosen:
            quoted = urllib.parse.quote(value, safe="")
            out += [("entity page", f"/{segment}/{quoted}"),
                    ("entity JSON", f"/api/{segment}/{quoted}")]
    return out


def run(base: str, per_facet: int, searches: int, seed: int) -> dict[str, list[float]]:
    pages = entity_paths(base, per_facet, seed)
    queries = [("plain search", workload.searchapp_path(q))
               for q in workload.query_mix(max(1, searches // 12), seed)][:searches]
    warm = pages[::5] + queries[::5]
    for _kind, path in warm:
        timed(base + path)
    mixed = pages + queries
    random.Random(seed + 1).shuffle(mixed)  # interleaved: both share the machine's noise
    times: dict[str, list[float]] = {}
    for kind, path in mixed:
        times.setdefault(kind, []).append(timed(base + path))
    return times


def summary(times: dict[str, list[float]]) -> dict:
    return {kind: {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1),
                   "p95_ms": round(percentile(ms, 95), 1)} for kind, ms in times.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, help="an existing searchapp index")
    ap.add_argument("--per-facet", type=int, default=20, help="values per facet")
    ap.add_argument("--searches", type=int, default=60, help="plain searches beside them")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    index_dir = ensure_index(args.index_dir, 0).resolve()

    run_dir = WORK_DIR / "entity-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    port = free_port()
    server = start_gunicorn(index_dir, port, run_dir / "gunicorn.log", run_dir / "instance")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/api/search?q=&per_page=1", proc=server)
        table = summary(run(base, args.per_facet, args.searches, args.seed))
    finally:
        stop(server)
    print(f"\nindex: {index_dir.name}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"{'':<14}{'n':>5}{'p50':>10}{'p95':>10}")
    for kind in ("plain search", "entity page", "entity JSON"):
        r = table[kind]
        print(f"{kind:<14}{r['n']:>5}{r['p50_ms']:>7.1f} ms{r['p95_ms']:>7.0f} ms")
    met = all(table[k]["p50_ms"] <= TARGET_P50_MS and table[k]["p95_ms"] <= TARGET_P95_MS
              for k in ("entity page", "entity JSON"))
    print(f"\nentity pages p50 <= {TARGET_P50_MS:.0f} ms and p95 <= {TARGET_P95_MS:.0f} ms: "
          f"{'met' if met else 'NOT met'}")
    path = write_json("entity_latency.json", {
        "machine": machine_info(), "code": code_version(), "index": index_dir.name,
        "load_average": os.getloadavg()[0], "results": table,
        "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS},
        "target_met": met})
    print(f"wrote {path}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
