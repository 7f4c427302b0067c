"""Plain searches under hostile-but-valid load: do they keep their p95?

The production server (gunicorn with the repository's gunicorn.conf.py, on loopback only)
answers a fixed mix of plain searches, one at a time, twice: alone, then while HOSTILE
clients send the costliest queries the query language accepts, as fast as they are answered
(fuzzy words at two edits, ten fuzzy words in one query, broad wildcards and ranges,
misspelt words for "did you mean", over-long words). Printed side by side: the plain
searches' p50/p95 in both runs, and what the hostile queries got (status counts, latency);
a 500 or a plain search slower than the deadline is a failure.

All clients share the loopback address, as several requests of one client would: the
server runs one costly search of theirs at a time and answers the others 429 at once.

Run: python bench/hostile_load.py --index-dir DIR [--seconds 20] [--hostile 4]
Writes bench/out/hostile_load.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speedlib import OUT_DIR, free_port, machine_info, percentile, start_gunicorn, stop, wait_http, write_json

PLAIN = ["oil", "trade deficit", "bank rates", '"interest rates"', "coffee prices",
         "opec output", "dollar yen", "wheat exports", "tax reform", "crude oil prices"]
PLAIN_PARAMS = [{}, {"country": "US"}, {"topic": "crude"}]
HOSTILE = [
    "reagan~2", "petrol~", "co*", "re*", "st*", "[a TO c]", "title:[a TO m]",
    " ".join(f"qzxw{n}~2" for n in range(10)),
    " ".join(["abcdefghijklmnopqrstuvw~2"] * 3),
    "recesion goverment intrest opek coffe",
    "y" * 1000, "q" * 300,
    " ".join(f"zz{n}q*" for n in range(40)),
]


def fetch(base: str, params: dict) -> tuple[int, float]:
    url = f"{base}/api/search?{urllib.parse.urlencode(params)}"
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0  # no answer at all
    return status, (time.perf_counter() - start) * 1000


def plain_run(base: str, seconds: float) -> dict:
    times, statuses = [], Counter()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        q = PLAIN[n % len(PLAIN)]
        params = dict(PLAIN_PARAMS[(n // len(PLAIN)) % len(PLAIN_PARAMS)], q=q, page=1 + n % 3)
        status, ms = fetch(base, params)
        statuses[status] += 1
        times.append(ms)
        n += 1
    return {"requests": n, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "max_ms": max(times, default=None), "status": dict(statuses)}


def hostile_client(base: str, stop_at: float, seen: Counter, times: list, lock, k: int):
    n = k
    while time.monotonic() < stop_at:
        status, ms = fetch(base, {"q": HOSTILE[n % len(HOSTILE)]})
        with lock:
            seen[status] += 1
            times.append(ms)
        n += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each of the two runs")
    ap.add_argument("--hostile", type=int, default=4, help="hostile clients at once")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as instance:
        server = start_gunicorn(args.index_dir, port, OUT_DIR / "hostile_load_server.log",
                                Path(instance), {"SEARCHAPP_WORKERS": str(args.workers),
                                                 "SEARCHAPP_ACCESS_LOG": "/dev/null"})
        try:
            wait_http(f"{base}/api/search?q=oil", proc=server)
            for q in PLAIN:  # warm both workers' caches a little
                fetch(base, {"q": q})
            alone = plain_run(base, args.seconds)
            seen, times, lock = Counter(), [], threading.Lock()
            stop_at = time.monotonic() + args.seconds + 2
            clients = [threading.Thread(target=hostile_client,
                                        args=(base, stop_at, seen, times, lock, k), daemon=True)
                       for k in range(args.hostile)]
            for c in clients:
                c.start()
            time.sleep(1)  # the hostile load is on before the plain searches start
            loaded = plain_run(base, args.seconds)
            for c in clients:
                c.join(timeout=70)
        finally:
            stop(server)
    hostile = {"requests": sum(seen.values()), "status": dict(seen),
               "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
               "max_ms": max(times, default=None)}
    report(alone, loaded, hostile, args)
    write_json("hostile_load.json", {"machine": machine_info(), "args": vars(args) | {
        "index_dir": str(args.index_dir)}, "plain_alone": alone, "plain_under_hostile_load":
        loaded, "hostile": hostile})
    failed = seen.get(500, 0) + seen.get(0, 0) + loaded["status"].get(500, 0)
    return 1 if failed else 0


def report(alone: dict, loaded: dict, hostile: dict, args) -> None:
    def ms(v):
        return "-" if v is None else f"{v:,.0f}"

    print(f"{args.workers} workers, {args.hostile} hostile clients, {args.seconds:.0f} s per run")
    print(f"{'plain searches':28} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
    for name, r in (("alone", alone), ("under hostile load", loaded)):
        print(f"{name:28} {r['requests']:>9} {ms(r['p50_ms']):>8} {ms(r['p95_ms']):>8} "
              f"{ms(r['max_ms']):>8}  {r['status']}")
    print(f"{'hostile queries':28} {hostile['requests']:>9} {ms(hostile['p50_ms']):>8} "
          f"{ms(hostile['p95_ms']):>8} {ms(hostile['max_ms']):>8}  {hostile['status']}")


if __name__ == "__main__":
    sys.exit(main())
