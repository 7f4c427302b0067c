"""Whoosh, SolrCloud and Datasette side by side on the same archive, at several sizes.

For each size (--sizes, articles of the generated JSON Lines archive, whole files of 1,000
taken in order as ingest_speed.py's slice does), one run:

ingest   the same files into
         - Whoosh: `searchapp.ingest.index_paths(..., workers=2)` into a fresh index;
         - SolrCloud: the same call with SEARCHAPP_ENGINE=solr, into a fresh collection of 2
           shards (1 replica each) on a DevCluster started by this script (ZooKeeper and
           2 Solr nodes in one JVM, solr/ in the repository);
         - the peer: the articles exported from the Whoosh index with their tags (as
           search_latency.py does; not timed) loaded with sqlite-utils, FTS5 on title and
           body (porter), indexes on published and year (timed). The peer does no cleaning
           and no tagging, so its rate is a floor for indexing alone, not a like-for-like.
         Reported: articles/s, index on disk, peak memory (summed RSS of the ingest process
         and its workers every 0.2 s; for Solr, the JVM's peak RSS beside it).
search   searchapp served by gunicorn with the shipped gunicorn.conf.py twice, on Whoosh and
         on Solr (the same web app, only the engine's environment differs), and Datasette
         on the peer database; search_latency.py's seeded query mix (workload.py) and its
         way of asking (one /api/search for searchapp, two requests for the peer), one query
         at a time after a warm-up, the order of the three servers rotating per query.
         Reported: p50/p95 overall and for the faceted variants.
memory   RSS of each serving process tree (gunicorn master + workers; Datasette), sampled
         every 0.5 s while the queries run (peak) and at the end; for Solr, the JVM's RSS
         (which holds ZooKeeper and both nodes) and its heap in use (Solr's system info).

--grow measures one archive as it grows through the sizes, in bench/out/work/engines-grow/:
the first size is ingested into fresh indexes, each further size adds only the files beyond
the previous one (an archive's daily life), so 20k, 100k and 200k cost one ingest of 200k.
Ingest figures are then for the files added at that step (the peer is reloaded whole).
Whoosh's segment count is recorded beside its index size.

--derive reads bench/out/engines.json (all sizes measured so far, by any run) and prints how
each figure grows between measured sizes: the exponent b of cost ~ size^b fitted between two
neighbouring sizes, and the factor per doubling 2^b. With --extrapolate N it also carries each
figure from the largest measured size to N articles with the last measured exponent, and says
so: that is an extrapolation, not a measurement. --shards then splits Solr's N articles into
each given number of shards (one per node, answering in parallel) and carries the measured
per-shard faceted p95 and index size to each layout the same way.

Run: python bench/engines.py [--sizes 20000,100000,200000] [--grow] [--per-cell 6] [--corpus DIR]
                             [--engines whoosh,solr,peer] [--solr-heap 1g]
     python bench/engines.py --derive [--extrapolate 10000000 [--shards 2,8,16,32]]
                                  [--fit-sizes 100000,200000]
Writes bench/out/engines.json (a size and engine measured again replaces their earlier figures;
the other engines of that size keep theirs).
Work folders: bench/out/work/engines-<size>k/ (removed and rebuilt by each run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload
from ingest_speed import ensure_corpus, jsonl_slice
from search_latency import DB_NAME, ask, export_articles, peer_metadata, start_datasette
from speedlib import (
    OUT_DIR,
    REPO,
    WORK_DIR,
    dir_size,
    free_port,
    machine_info,
    memory_bytes,
    percentile,
    start_gunicorn,
    stop,
    tree_memory,
    wait_http,
    wait_read_ahead,
    write_json,
)

ENGINES = ("whoosh", "solr", "peer")
RESULTS = "engines.json"
SOLR_COLLECTION = "bench"
SOLR_SHARDS = 2
FACETED = ("facets", "facets+dates")


# -- ingest, each engine in its own process -------------------------------------------------


def engine_env(engine: str, solr_nodes: list[str]) -> dict[str, str]:
    """The environment that chooses the engine, for the indexer and the server alike."""
    if engine == "solr":
        return {"SEARCHAPP_ENGINE": "solr", "SEARCHAPP_ENGINE_URL": ",".join(solr_nodes),
                "SEARCHAPP_ENGINE_COLLECTION": SOLR_COLLECTION,
                "SEARCHAPP_SOLR_SHARDS": str(SOLR_SHARDS), "SEARCHAPP_SOLR_REPLICAS": "1"}
    return {"SEARCHAPP_ENGINE": "whoosh"}


def run_ingest(engine: str, target: Path, paths: list[str]) -> dict:
    """In the child: index `paths` (or load the peer's rows file) and say how many."""
    started = time.perf_counter()
    if engine == "peer":
        articles = load_peer(target, Path(paths[0]))
    else:
        sys.path.insert(0, str(REPO))
        from searchapp.ingest import index_paths

        articles = index_paths(paths, target, workers=2).articles_indexed
    return {"articles": articles, "seconds": time.perf_counter() - started}


def load_peer(db_path: Path, rows: Path) -> int:
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    with open(rows, encoding="utf-8") as f:
        db["articles"].insert_all((json.loads(line) for line in f), pk="id", batch_size=1000)
    db["articles"].enable_fts(["title", "body"], tokenize="porter")
    db["articles"].create_index(["published"])
    db["articles"].create_index(["year"])
    db.analyze()
    return db["articles"].count


class PeakSampler:
    """Peak summed RSS of process trees (and of single processes) in a background thread."""

    def __init__(self, trees: dict[str, int], single: dict[str, int], every: float):
        self.trees, self.single, self.every = trees, single, every
        self.peak = dict.fromkeys([*trees, *single], 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> dict[str, int]:
        now = {name: tree_memory(pid, "rss")["rss"] for name, pid in self.trees.items()}
        now.update({name: memory_bytes(pid) for name, pid in self.single.items()})
        for name, value in now.items():
            self.peak[name] = max(self.peak[name], value)
        return now

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)


def measure_ingest(engine: str, target: Path, paths: list[str], env: dict[str, str],
                   jvm_pid: int | None) -> dict:
    cmd = [sys.executable, __file__, "--run-ingest", engine, "--target", str(target), *paths]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=dict(os.environ, **env))
    single = {"jvm": jvm_pid} if jvm_pid else {}
    with PeakSampler({"ingest": proc.pid}, single, 0.2) as sampler:
        out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{engine} ingest failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["rate"] = result["articles"] / result["seconds"]
    result["seconds_total"] = result["seconds"]  # --grow adds the earlier steps' seconds
    result["peak_ingest_rss"] = sampler.peak["ingest"]
    if jvm_pid:
        result["peak_jvm_rss"] = sampler.peak["jvm"]
    return result


# -- the Solr cluster -----------------------------------------------------------------------


def start_cluster(base_dir: Path, heap: str):
    sys.path.insert(0, str(REPO))
    from searchapp.search.solr.cluster import DevCluster

    print(f"starting a Solr dev cluster (2 nodes, heap {heap}) ...", flush=True)
    started = time.perf_counter()
    cluster = DevCluster(nodes=2, base_dir=base_dir, heap=heap).start()
    print(f"  up in {time.perf_counter() - started:.0f} s: {', '.join(cluster.nodes)}", flush=True)
    return cluster


def solr_heap_used(node: str) -> int | None:
    """Bytes of JVM heap in use (live data and garbage not yet collected), from the node's
    system info (one JVM hosts both nodes; the dev cluster has Solr's metrics turned off)."""
    try:
        with urllib.request.urlopen(f"{node}/admin/info/system?wt=json", timeout=30) as r:
            return int(json.loads(r.read())["jvm"]["memory"]["raw"]["used"])
    except (OSError, KeyError, ValueError):
        return None


def solr_index_bytes(cloud_dir: Path) -> int:
    """The collection's index files on disk, all shards (ZooKeeper's data left out)."""
    return sum(dir_size(p) for p in cloud_dir.rglob("index") if p.is_dir()
               and SOLR_COLLECTION in str(p.relative_to(cloud_dir)))


# -- serving and asking ---------------------------------------------------------------------


def start_servers(engines: list[str], work: Path, env: dict[str, dict], ports: dict[str, int]):
    procs = {}
    for engine in engines:
        if engine == "peer":
            db = work / "peer" / f"{DB_NAME}.db"
            meta = peer_metadata(work / "metadata.json", DB_NAME)
            procs[engine] = start_datasette(db, ports[engine], meta, work / "datasette.log")
        else:
            procs[engine] = start_gunicorn((work / engine).resolve(), ports[engine],
                                           work / f"gunicorn-{engine}.log",
                                           work / f"instance-{engine}", extra_env=env[engine])
    for engine, proc in procs.items():
        base = f"http://127.0.0.1:{ports[engine]}"
        wait_http(base + ("/archive.json" if engine == "peer" else "/api/search?q=&per_page=1"),
                  timeout=300, proc=proc)
    for engine in procs:
        if engine != "peer":  # measured once the workers' read-ahead is over, as it runs
            wait_read_ahead(work / f"gunicorn-{engine}.log")
    return procs


def ask_engine(engine: str, base: str, query: workload.Query) -> dict:
    return ask("peer" if engine == "peer" else "searchapp", base, query)


def run_queries(engines: list[str], bases: dict[str, str], per_cell: int, warmup: int,
                seed: int) -> list[dict]:
    queries = workload.query_mix(per_cell, seed)
    warm = workload.query_mix(max(1, warmup // 12), seed + 1000,
                              avoid=frozenset(queries))[:warmup]
    for q in warm:
        for engine in engines:
            ask_engine(engine, bases[engine], q)
    print(f"measuring {len(queries)} queries on each of {', '.join(engines)} ...", flush=True)
    records = []
    for i, q in enumerate(queries):
        order = engines[i % len(engines):] + engines[:i % len(engines)]  # none always first
        record = {"query": q.label(), "kind": q.kind, "variant": q.variant}
        for engine in order:
            record[engine] = ask_engine(engine, bases[engine], q)
        records.append(record)
    return records


def latency(records: list[dict], engine: str) -> dict:
    def stats(rows):
        ms = [r[engine]["ms"] for r in rows]
        return {"n": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}

    faceted = [r for r in records if r["variant"] in FACETED]
    return {"overall": stats(records), "faceted": stats(faceted),
            "failed": sum("error" in r[engine] for r in records),
            "median_total": percentile([r[engine].get("total") or 0 for r in records], 50)}


# -- one size -----------------------------------------------------------------------------


@contextlib.contextmanager
def engine_setup(work: Path, engines: list[str], heap: str):
    """(cluster, env per engine, JVM pid): a Solr dev cluster when Solr is measured, closed
    at the end."""
    cluster = start_cluster(work / "solr-cluster", heap) if "solr" in engines else None
    try:
        env = {e: engine_env(e, cluster.nodes if cluster else []) for e in ENGINES}
        yield cluster, env, (cluster._process.pid if cluster and cluster._process else None)
    finally:
        if cluster is not None:
            cluster.close()


def measure_size(size: int, corpus: Path, engines: list[str], args) -> dict:
    print(f"\n== {size:,} articles ==", flush=True)
    work = WORK_DIR / f"engines-{size // 1000}k"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    paths = jsonl_slice(corpus, size)
    result: dict = {"size": size, "files": len(paths), "engines": {},
                    "load_before": os.getloadavg()}
    with engine_setup(work, engines, args.solr_heap) as (cluster, env, jvm):
        ingest_all(engines, work, paths, env, jvm, result)
        serve_and_ask(engines, work, env, jvm, cluster, args, result)
    return finished(result)


def finished(result: dict) -> dict:
    result["load_after"] = os.getloadavg()
    result["when"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return result


def measure_growing(sizes: list[int], corpus: Path, engines: list[str], args):
    """--grow: one archive through every size; yields each size's result as it is measured."""
    work = WORK_DIR / "engines-grow"
    if not args.grown_from:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    with engine_setup(work, engines, args.solr_heap) as (cluster, env, jvm):
        # --grown-from N: the folder already holds the first N articles (an earlier --grow run).
        done: list[str] = jsonl_slice(corpus, args.grown_from) if args.grown_from else []
        spent: dict[str, float] = {}
        for size in sizes:
            print(f"\n== {size:,} articles (growing) ==", flush=True)
            paths = jsonl_slice(corpus, size)
            result: dict = {"size": size, "files": len(paths), "engines": {},
                            "grown_from_files": len(done), "load_before": os.getloadavg()}
            ingest_all(engines, work, paths[len(done):], env, jvm, result)
            add_totals(result, spent, bool(args.grown_from))
            done = paths
            serve_and_ask(engines, work, env, jvm, cluster, args, result)
            yield finished(result)


def add_totals(result: dict, spent: dict[str, float], earlier_unknown: bool) -> None:
    """Each engine's whole ingest so far (`seconds_total`); the peer is reloaded whole each
    time. After --grown-from, the earlier run's time is not known here: None."""
    for engine, e in result["engines"].items():
        if "seconds" not in e["ingest"]:  # nothing added at this size
            continue
        if earlier_unknown and engine != "peer":
            e["ingest"]["seconds_total"] = None
            continue
        spent[engine] = e["ingest"]["seconds"] + (spent.get(engine, 0.0) if engine != "peer" else 0.0)
        e["ingest"]["seconds_total"] = spent[engine]


def ingest_all(engines, work, paths, env, jvm, result) -> None:
    # Whoosh first: the peer's rows are exported from its index (with searchapp's tags).
    for engine in [e for e in ("whoosh", "solr", "peer") if e in engines]:
        target = work / engine
        if engine == "peer":
            shutil.rmtree(target, ignore_errors=True)  # reloaded whole when the archive grows
            target.mkdir()
            rows = work / "peer-rows.jsonl"
            export_articles(work / "whoosh", rows)
            target, paths_for = target / f"{DB_NAME}.db", [str(rows)]
        else:
            paths_for = paths
        if not paths_for:  # --grown-from: this size is already in the index
            result["engines"][engine] = {"ingest": {"index_bytes": dir_size(target),
                                                    "segments": len(list(target.glob("*.seg"))),
                                                    "note": "indexed by an earlier run"}}
            continue
        print(f"{engine}: ingesting {len(paths)} file(s) ...", flush=True)
        figures = measure_ingest(engine, target, paths_for, env[engine],
                                 jvm if engine == "solr" else None)
        figures["index_bytes"] = (solr_index_bytes(work / "solr-cluster") if engine == "solr"
                                  else dir_size(target.parent if engine == "peer" else target))
        if engine == "whoosh":
            figures["segments"] = len(list(target.glob("*.seg")))
        result["engines"][engine] = {"ingest": figures}
        print(f"  {figures['articles']:,} articles in {figures['seconds']:.1f} s "
              f"({figures['rate']:,.0f}/s)", flush=True)


def serve_and_ask(engines, work, env, jvm, cluster, args, result) -> None:
    ports = {e: free_port() for e in engines}
    procs = {}
    try:
        procs = start_servers(engines, work, env, ports)
        bases = {e: f"http://127.0.0.1:{ports[e]}" for e in engines}
        single = {"jvm": jvm} if jvm and "solr" in engines else {}
        with PeakSampler({e: p.pid for e, p in procs.items()}, single, 0.5) as sampler:
            records = run_queries(engines, bases, args.per_cell, args.warmup, args.seed)
            end = sampler.sample()
            heap = solr_heap_used(cluster.nodes[0]) if cluster else None
    finally:
        for proc in procs.values():
            stop(proc)
    for engine in engines:
        memory = {"serving_rss_peak": sampler.peak[engine], "serving_rss_end": end[engine]}
        if engine == "solr":
            memory.update(jvm_rss_peak=sampler.peak["jvm"], jvm_rss_end=end["jvm"],
                          jvm_heap_used_end=heap)
        result["engines"][engine].update(search=latency(records, engine), memory=memory)
    result["queries"] = len(records)
    result["records"] = records


# -- the table ----------------------------------------------------------------------------


def gb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e9:.2f} GB"


def print_table(results: list[dict]) -> None:
    print(f"\n{'size':>8} {'engine':<7}{'ingest/s':>9}{'on disk':>10}{'ingest RSS':>11}"
          f" | {'p50':>7}{'p95':>7} | {'facet p50':>9}{'p95':>7} | {'serving RSS':>11}"
          f"{'JVM RSS':>9}{'JVM heap':>9}")
    for r in results:
        for engine, e in r["engines"].items():
            i, s, m = e["ingest"], e.get("search"), e.get("memory", {})
            rate = f"{i['rate']:>9,.0f}" if "rate" in i else f"{'earlier':>9}"
            line = (f"{r['size']:>8,} {engine:<7}{rate}{gb(i['index_bytes']):>10}"
                    f"{gb(i.get('peak_ingest_rss')):>11}")
            if s:
                line += (f" | {s['overall']['p50_ms']:>5.0f}ms{s['overall']['p95_ms']:>5.0f}ms"
                         f" | {s['faceted']['p50_ms']:>7.0f}ms{s['faceted']['p95_ms']:>5.0f}ms"
                         f" | {gb(m.get('serving_rss_peak')):>11}{gb(m.get('jvm_rss_peak')):>9}"
                         f"{gb(m.get('jvm_heap_used_end')):>9}")
            if "segments" in i:
                line += f"  ({i['segments']} segments)"
            print(line)


# -- growth between sizes (measured figures only) -------------------------------------------

# (label, path into an engine's figures, unit shown, scale from the stored value)
FIGURES = [
    ("seconds to ingest", ("ingest", "seconds_total"), "s", 1.0),
    ("index on disk", ("ingest", "index_bytes"), "GB", 1e-9),
    ("search p50", ("search", "overall", "p50_ms"), "ms", 1.0),
    ("search p95", ("search", "overall", "p95_ms"), "ms", 1.0),
    ("faceted p95", ("search", "faceted", "p95_ms"), "ms", 1.0),
    ("serving RSS (peak)", ("memory", "serving_rss_peak"), "GB", 1e-9),
    ("JVM RSS (peak)", ("memory", "jvm_rss_peak"), "GB", 1e-9),
    ("JVM heap in use", ("memory", "jvm_heap_used_end"), "GB", 1e-9),
]


def figure(entry: dict, path: tuple) -> float | None:
    for key in path:
        if not isinstance(entry, dict) or entry.get(key) is None:
            return None
        entry = entry[key]
    return float(entry)  # type: ignore[arg-type]


def growth(results: list[dict]) -> list[dict]:
    """For each engine and figure, between each pair of neighbouring measured sizes:
    the exponent b of figure ~ size^b and the factor per doubling 2^b."""
    ordered = sorted(results, key=lambda r: r["size"])
    out = []
    for small, large in zip(ordered, ordered[1:]):
        for engine in ENGINES:
            a, b = small["engines"].get(engine), large["engines"].get(engine)
            if not a or not b:
                continue
            for label, path, unit, scale in FIGURES:
                x, y = figure(a, path), figure(b, path)
                if not x or not y:
                    continue
                exponent = math.log(y / x) / math.log(large["size"] / small["size"])
                out.append({"engine": engine, "figure": label, "unit": unit,
                            "from": small["size"], "to": large["size"],
                            "at_from": x * scale, "at_to": y * scale,
                            "exponent": exponent, "per_doubling": 2 ** exponent})
    return out


def fitted_exponent(results: list[dict], engine: str, path: tuple) -> float | None:
    """Least-squares slope of log(figure) on log(size) over every measured size."""
    points = [(math.log(r["size"]), math.log(v)) for r in results
              if (v := figure(r["engines"].get(engine) or {}, path))]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def extrapolate(results: list[dict], target: int) -> list[dict]:
    """Each figure carried from the largest measured size to `target` with the exponent
    fitted over all measured sizes: an extrapolation, not a measurement."""
    largest = max(results, key=lambda r: r["size"])
    out = []
    for engine in ENGINES:
        for label, path, unit, scale in FIGURES:
            at = figure(largest["engines"].get(engine) or {}, path)
            b = fitted_exponent(results, engine, path)
            if at and b is not None:
                out.append({"engine": engine, "figure": label, "unit": unit, "exponent": b,
                            "per_doubling": 2 ** b, "from": largest["size"], "at": at * scale,
                            "target": target,
                            "extrapolated": at * scale * (target / largest["size"]) ** b})
    return out


def shard_layouts(results: list[dict], target: int, shard_counts: list[int]) -> list[dict]:
    """Solr at `target` articles split into s shards, each on its own node: a shard's p95 and
    index carried from the measured per-shard size (size / SOLR_SHARDS) with the fitted
    exponents. An extrapolation that assumes the shards answer in parallel."""
    largest = max(results, key=lambda r: r["size"])
    solr = largest["engines"].get("solr")
    if not solr:
        return []
    per_shard = largest["size"] / SOLR_SHARDS
    b_p95 = fitted_exponent(results, "solr", ("search", "faceted", "p95_ms"))
    b_disk = fitted_exponent(results, "solr", ("ingest", "index_bytes"))
    p95, disk = figure(solr, ("search", "faceted", "p95_ms")), figure(solr, ("ingest", "index_bytes"))
    if b_p95 is None or b_disk is None or not p95 or not disk:
        return []
    out = []
    for s in shard_counts:
        grow = target / s / per_shard
        out.append({"shards": s, "articles_per_shard": target / s,
                    "faceted_p95_ms": p95 * grow ** b_p95,
                    # A bound that needs no fitted exponent: a shard's work at most in
                    # proportion to its articles (the fixed costs included, so generous).
                    "faceted_p95_ms_if_linear": p95 * max(grow, 1.0),
                    "index_gb_per_shard": disk / SOLR_SHARDS * grow ** b_disk / 1e9})
    return out


def derive(target: int | None, shard_counts: list[int] | None = None,
           fit_sizes: list[int] | None = None) -> int:
    path = OUT_DIR / RESULTS
    if not path.exists():
        sys.exit(f"no {path.relative_to(REPO)} yet: run the benchmark first")
    results = json.loads(path.read_text())["sizes"]
    if fit_sizes:  # e.g. only the sizes measured on a quiet machine
        results = [r for r in results if r["size"] in fit_sizes]
    rows = growth(results)
    if not rows:
        print("one size measured: growth needs at least two (run --sizes with another)")
        return 0
    print(f"{'engine':<7} {'figure':<20}{'sizes':>18}{'measured':>24}{'b':>7}{'x per doubling':>16}")
    for r in rows:
        print(f"{r['engine']:<7} {r['figure']:<20}{r['from']:>9,}>{r['to']:<8,}"
              f"{r['at_from']:>10.3g} > {r['at_to']:<7.3g}{r['unit']:<3}{r['exponent']:>7.2f}"
              f"{r['per_doubling']:>16.2f}")
    if target:
        sizes_text = ", ".join(f"{r['size']:,}" for r in results)
        print(f"\nEXTRAPOLATED to {target:,} articles, NOT MEASURED: figure x (N / largest measured "
              "size)^b, b fitted (least squares, log-log) over the measured sizes "
              f"{sizes_text}:")
        for r in extrapolate(results, target):
            print(f"{r['engine']:<7} {r['figure']:<20} {r['at']:>9.3g} {r['unit']:<3}at "
                  f"{r['from']:>7,}  b {r['exponent']:>5.2f} (x{r['per_doubling']:.2f}/doubling)"
                  f"  -> {r['extrapolated']:>10.3g} {r['unit']}")
        for layout in shard_layouts(results, target, shard_counts or []):
            print(f"solr in {layout['shards']:>3} shards: {layout['articles_per_shard']:>10,.0f} "
                  f"articles, faceted p95 {layout['faceted_p95_ms']:>6.0f} ms (at most "
                  f"{layout['faceted_p95_ms_if_linear']:.0f} ms if linear), index "
                  f"{layout['index_gb_per_shard']:.2f} GB per shard (EXTRAPOLATED)")
    return 0


# -- main ---------------------------------------------------------------------------------


def merged(results: list[dict]) -> list[dict]:
    """This run's figures plus those of earlier runs: a size and engine measured again
    replaces its earlier figures; the engines this run did not measure keep theirs (each
    engine's entry says when it was measured)."""
    path = OUT_DIR / RESULTS
    earlier = json.loads(path.read_text()).get("sizes", []) if path.exists() else []
    by_size = {r["size"]: r for r in earlier}
    for r in results:
        for e in r["engines"].values():
            e.setdefault("when", r.get("when"))
        kept = by_size.get(r["size"], {}).get("engines", {})
        by_size[r["size"]] = {**r, "engines": {**kept, **r["engines"]}}
    return [by_size[size] for size in sorted(by_size)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000", help="comma-separated article counts")
    ap.add_argument("--corpus", type=Path, default=WORK_DIR / "corpus-200k",
                    help="the generated archive (made with make_corpus.py when absent)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--per-cell", type=int, default=6, help="queries per kind and variant")
    ap.add_argument("--warmup", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--solr-heap", default="1g", help="-Xmx of the dev cluster's JVM")
    ap.add_argument("--grow", action="store_true",
                    help="one archive growing through the sizes (each step adds files)")
    ap.add_argument("--grown-from", type=int, default=0,
                    help="with --grow: go on from the first N articles an earlier run indexed")
    ap.add_argument("--derive", action="store_true", help="growth between measured sizes")
    ap.add_argument("--extrapolate", type=int, help="with --derive: carry figures to N articles")
    ap.add_argument("--shards", default="2,8,16,32",
                    help="with --extrapolate: Solr layouts to carry the per-shard figures to")
    ap.add_argument("--fit-sizes", default="",
                    help="with --derive: only these measured sizes (e.g. the quiet runs)")
    ap.add_argument("--run-ingest", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.run_ingest:
        print(json.dumps(run_ingest(args.run_ingest, args.target, args.paths)))
        return 0
    if args.derive:
        return derive(args.extrapolate, [int(s) for s in args.shards.split(",") if s],
                      [int(s) for s in args.fit_sizes.split(",") if s])

    engines = [e for e in ENGINES if e in args.engines.split(",")]
    if "peer" in engines and "whoosh" not in engines:
        sys.exit("the peer's rows come from the Whoosh index: keep whoosh in --engines")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    corpus = args.corpus
    if not (corpus / "jsonl").is_dir():
        corpus = ensure_corpus(corpus, max(200_000, *sizes), "jsonl", args.seed)
    results = []
    measured = (measure_growing(sizes, corpus, engines, args) if args.grow else
                (measure_size(size, corpus, engines, args) for size in sizes))
    for result in measured:
        results.append(result)
        print_table(results[-1:])
        all_sizes = merged(results)
        path = write_json(RESULTS, {"machine": machine_info(), "sizes": all_sizes})
    print_table(all_sizes)
    print(f"wrote {path.relative_to(REPO)}")
    derive(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
