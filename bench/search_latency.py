"""Search latency over HTTP at archive scale, against a peer in the same run.

searchapp: the production server (gunicorn with the repository's gunicorn.conf.py) on an
index of the generated archive (default 200,000 articles) plus the real Reuters set.
Every answer of /api/search carries the total, 20 hits with highlighted snippets,
facet counts for country, person and topic, and the date histogram.

peer: Datasette serving the same articles (exported from the searchapp index, with the
same tags) from SQLite FTS5, loaded with the sqlite-utils command line: `insert --pk id`,
`enable-fts` on title + body (porter stemming), the facets as JSON arrays, published and
year columns with indexes. Equivalent work per query, two requests: the table view for
the count and the facets (`_facet_array` country/person/topic, `_facet` year), and a
canned query for the top 20 hits by FTS5 rank with snippet() highlighting.

A fixed, seeded mix (workload.py): one word, two words, a phrase, a long question, each
plain, with facet filters, and with facet filters and a date range. Once searchapp's workers
have read the archive's frequent words ahead (gunicorn.conf.py; up to 20 s after they
start, while they already answer), and after a warm-up with other queries, the
queries are sent one at a time, alternating between the two servers, so both share the
machine's noise. Reported: p50/p95 per kind, per variant and overall, the ratios
searchapp/peer, and the targets: p50 <= 30 ms, p95 <= 150 ms, ratio <= 1.0 at p50 and p95.

Run: python bench/search_latency.py [--index-dir DIR] [--articles 200000] [--per-cell 12]
                                    [--profile]
Writes bench/out/search_latency.json (and bench/out/search_profile.txt with --profile).
The index and the peer database are built once and cached under bench/out/work/.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload
from speedlib import (
    OUT_DIR,
    REPO,
    WORK_DIR,
    free_port,
    machine_info,
    percentile,
    require_corpora,
    start_gunicorn,
    stop,
    wait_http,
    wait_read_ahead,
    write_json,
)

TARGET_P50_MS = 30.0
TARGET_P95_MS = 150.0
TARGET_RATIO = 1.0
DB_NAME = "archive"
REQUEST_TIMEOUT = 120.0  # seconds; gunicorn's own worker timeout (30 s) comes first
PROFILE_QUERIES = 60
_db_name = DB_NAME  # the served database (Datasette names it after the file)


# -- building what is served -------------------------------------------------------------


def build_index(index_dir: Path, articles: int, seed: int) -> None:
    from ingest_speed import ensure_corpus

    corpora = require_corpora("reuters21578", "bbc")
    archive = ensure_corpus(WORK_DIR / f"corpus-{articles // 1000}k", articles, "jsonl", seed)
    sys.path.insert(0, str(REPO))
    from searchapp.ingest import index_paths

    print(f"building the index in {index_dir} (this takes a while) ...", flush=True)
    started = time.perf_counter()
    report = index_paths([archive / "jsonl", corpora / "reuters21578"], index_dir, workers=2)
    print(f"  {report.summary()} in {time.perf_counter() - started:.0f} s", flush=True)


def export_articles(index_dir: Path, out: Path) -> int:
    """One JSON line per indexed article, with the tags as searchapp shows them."""
    sys.path.insert(0, str(REPO))
    from searchapp.search import EngineConfig, SearchRequest, open_engine

    engine = open_engine(EngineConfig.from_env(index_dir=index_dir, create=False))
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for article_id in engine.ids_for(SearchRequest()):
            article = engine.get(article_id)
            published = article.published
            row = {"id": article.id, "title": article.title, "body": article.body,
                   "url": article.url, "published": published,
                   "year": int(published[:4]) if published else None}
            for facet in ("country", "person", "topic"):
                row[facet] = json.dumps(article.tag_values(facet))
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def build_peer_db(index_dir: Path, db_path: Path) -> None:
    print(f"building the peer database {db_path} ...", flush=True)
    started = time.perf_counter()
    tmp_db = db_path.with_suffix(".tmp.db")
    tmp_db.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "articles.jsonl"
        n = export_articles(index_dir, rows)
        cli = [str(Path(sys.executable).parent / "sqlite-utils")]
        run = lambda *args: subprocess.run(cli + [str(a) for a in args], check=True)  # noqa: E731
        run("insert", tmp_db, "articles", rows, "--nl", "--pk", "id")
    run("enable-fts", tmp_db, "articles", "title", "body", "--tokenize", "porter")
    run("create-index", tmp_db, "articles", "published")
    run("create-index", tmp_db, "articles", "year")
    run("analyze", tmp_db)
    tmp_db.replace(db_path)
    print(f"  {n:,} articles in {time.perf_counter() - started:.0f} s", flush=True)


def peer_metadata(path: Path, db_name: str) -> Path:
    meta = {"databases": {db_name: {"queries": {"search": {"sql": workload.SNIPPET_SQL}}}}}
    path.write_text(json.dumps(meta, indent=2))
    return path


def start_datasette(db_path: Path, port: int, metadata: Path, log_path: Path):
    cmd = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
           "--host", "127.0.0.1", "--port", str(port), "--metadata", str(metadata),
           "--setting", "sql_time_limit_ms", "5000",
           "--setting", "facet_time_limit_ms", "5000",
           "--setting", "suggest_facets", "off",
           "--setting", "default_facet_size", str(workload.FACET_SIZE),
           "--setting", "allow_download", "off"]
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# -- asking ---------------------------------------------------------------------------------


class Failed(Exception):
    """A request that got no answer (error status, time-out); carries how long it took."""

    def __init__(self, ms: float, reason: str):
        super().__init__(reason)
        self.ms, self.reason = ms, reason


def fetch(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as r:
            body = r.read()
    except (urllib.error.URLError, OSError) as exc:
        raise Failed((time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}") from exc
    ms = (time.perf_counter() - started) * 1000
    return ms, json.loads(body)


def ask(engine: str, base: str, query: workload.Query) -> dict:
    """One answer; a failed one is kept with its time (it counts in the percentiles:
    the user waited that long) and its reason."""
    try:
        return (ask_searchapp if engine == "searchapp" else ask_peer)(base, query)
    except Failed as exc:
        return {"ms": exc.ms, "error": exc.reason}


def ask_searchapp(base: str, query: workload.Query) -> dict:
    ms, data = fetch(base + workload.searchapp_path(query))
    snippets = sum("<mark>" in h["snippet"] for h in data["hits"])
    return {"ms": ms, "total": data["total"], "hits": len(data["hits"]), "marked": snippets,
            "facets": sum(len(v) for v in data["facets"].values())}


def ask_peer(base: str, query: workload.Query) -> dict:
    table_url, canned_url = (base + p for p in workload.peer_paths(query, _db_name))
    ms_table, table = fetch(table_url)
    ms_canned, canned = fetch(canned_url)
    rows = canned["rows"]
    return {"ms": ms_table + ms_canned, "ms_table": ms_table, "ms_canned": ms_canned,
            "total": table.get("filtered_table_rows_count"), "hits": len(rows),
            "marked": sum("<mark>" in (r["snippet"] or "") for r in rows),
            "facets": sum(len(v["results"]) for v in table["facet_results"].values()),
            "facets_timed_out": len(table.get("facets_timed_out", []))}


def summarise(records: list[dict], key) -> dict:
    groups: dict[str, dict[str, list[float]]] = {}
    for r in records:
        for name in (key(r), "overall"):
            g = groups.setdefault(name, {"searchapp": [], "peer": []})
            g["searchapp"].append(r["searchapp"]["ms"])
            g["peer"].append(r["peer"]["ms"])
    out = {}
    for name, g in groups.items():
        row = {"n": len(g["searchapp"])}
        for engine in ("searchapp", "peer"):
            row[f"{engine}_p50"] = percentile(g[engine], 50)
            row[f"{engine}_p95"] = percentile(g[engine], 95)
        row["ratio_p50"] = row["searchapp_p50"] / row["peer_p50"]
        row["ratio_p95"] = row["searchapp_p95"] / row["peer_p95"]
        out[name] = row
    return out


def print_summary(title: str, table: dict, order) -> None:
    print(f"\n{title:<14}{'n':>4} | {'searchapp p50':>13}{'p95':>9} | {'peer p50':>9}{'p95':>9}"
          f" | {'ratio p50':>9}{'p95':>7}")
    for name in [*order, "overall"]:
        if name not in table:
            continue
        r = table[name]
        print(f"{name:<14}{r['n']:>4} | {r['searchapp_p50']:>10.1f} ms{r['searchapp_p95']:>6.0f} ms"
              f" | {r['peer_p50']:>6.1f} ms{r['peer_p95']:>6.0f} ms"
              f" | {r['ratio_p50']:>9.2f}{r['ratio_p95']:>7.2f}")


def targets(overall: dict) -> dict:
    checks = {
        f"searchapp p50 <= {TARGET_P50_MS:.0f} ms": overall["searchapp_p50"] <= TARGET_P50_MS,
        f"searchapp p95 <= {TARGET_P95_MS:.0f} ms": overall["searchapp_p95"] <= TARGET_P95_MS,
        f"ratio p50 <= {TARGET_RATIO}": overall["ratio_p50"] <= TARGET_RATIO,
        f"ratio p95 <= {TARGET_RATIO}": overall["ratio_p95"] <= TARGET_RATIO,
    }
    print()
    for name, ok in checks.items():
        print(f"{name:<28} {'MET' if ok else 'NOT MET'}")
    return checks


# -- profiling the engine in-process ----------------------------------------------------------


def profile_engine(index_dir: Path, queries: list[workload.Query], out: Path) -> None:
    """cProfile of the engine's search over the same mix (warm caches), without HTTP."""
    sys.path.insert(0, str(REPO))
    from datetime import date

    from searchapp.search import EngineConfig, SearchRequest, open_engine

    ix = open_engine(EngineConfig.from_env(index_dir=index_dir, create=False))

    def request(q: workload.Query) -> SearchRequest:
        return SearchRequest(
            query=q.q, filters={k: (v,) for k, v in q.filters},
            date_from=date(int(q.date_from), 1, 1) if q.date_from else None,
            date_to=date(int(q.date_to), 12, 31) if q.date_to else None,
            per_page=workload.PER_PAGE)

    started = time.perf_counter()
    ix.search(request(queries[0]))  # builds the facet tables
    cold = time.perf_counter() - started
    for q in queries[:10]:
        ix.search(request(q))
    profiler = cProfile.Profile()
    profiler.enable()
    for q in queries:
        ix.search(request(q))
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"first search (facet tables built): {cold:.2f} s\n")
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)
    stats.print_callers(r"\(deepcopy\)|\(snippet\)|\(docs_for_query\)")
    out.write_text(text.getvalue())
    print(f"\nprofile of {len(queries)} in-process searches written to {out}")
    print("\n".join(text.getvalue().splitlines()[:60]))


# -- main --------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, help="reuse this searchapp index")
    ap.add_argument("--db", type=Path, help="reuse this peer database")
    ap.add_argument("--articles", type=int, default=200_000)
    ap.add_argument("--per-cell", type=int, default=12, help="queries per kind and variant")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="also cProfile the engine in-process")
    args = ap.parse_args(argv)

    index_dir = args.index_dir or WORK_DIR / "index-full"
    if not (index_dir / "_MAIN_0.toc").exists() and not list(index_dir.glob("_MAIN_*.toc")):
        build_index(index_dir, args.articles, args.seed)
    db_path = args.db or index_dir.parent / f"peer-{index_dir.name}" / f"{DB_NAME}.db"
    if not db_path.exists():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        build_peer_db(index_dir, db_path)

    global _db_name
    _db_name = db_path.stem
    run_dir = WORK_DIR / "latency-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    app_port, peer_port = free_port(), free_port()
    app = peer = None
    try:
        app = start_gunicorn(index_dir.resolve(), app_port, run_dir / "gunicorn.log",
                             run_dir / "instance")
        peer = start_datasette(db_path, peer_port,
                               peer_metadata(run_dir / "metadata.json", db_path.stem),
                               run_dir / "datasette.log")
        app_base, peer_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{peer_port}"
        wait_http(app_base + "/api/search?q=&per_page=1", proc=app)
        wait_http(peer_base + f"/{db_path.stem}.json", proc=peer)
        waited = wait_read_ahead(run_dir / "gunicorn.log")
        print(f"searchapp's workers read frequent words ahead: {waited:.0f} s", flush=True)

        queries = workload.query_mix(args.per_cell, args.seed)
        warm = workload.query_mix(max(1, args.warmup // 12), args.seed + 1000,
                                  avoid=frozenset(queries))[: args.warmup]
        cold = {"searchapp_first_ms": ask("searchapp", app_base, warm[0])["ms"],
                "peer_first_ms": ask("peer", peer_base, warm[0])["ms"]}
        for q in warm:
            ask("searchapp", app_base, q)
            ask("peer", peer_base, q)

        records = []
        print(f"measuring {len(queries)} queries on each server ...", flush=True)
        for i, q in enumerate(queries):
            pair = [("searchapp", app_base), ("peer", peer_base)]
            if i % 2:
                pair.reverse()  # neither server always goes first
            record = {"query": q.label(), "kind": q.kind, "variant": q.variant}
            for name, base in pair:
                record[name] = ask(name, base, q)
                if "error" in record[name]:
                    print(f"  {name} failed after {record[name]['ms']:.0f} ms: {q.label()}: "
                          f"{record[name]['error']}", flush=True)
            records.append(record)
    finally:
        stop(app)
        stop(peer)

    by_kind = summarise(records, lambda r: r["kind"])
    by_variant = summarise(records, lambda r: r["variant"])
    print_summary("kind", by_kind, workload.KINDS)
    print_summary("variant", by_variant, workload.VARIANTS)
    print(f"\nfirst request after start (index opened, facet tables built): searchapp "
          f"{cold['searchapp_first_ms']:.0f} ms, peer {cold['peer_first_ms']:.0f} ms")
    failed = {e: sum("error" in r[e] for r in records) for e in ("searchapp", "peer")}
    print(f"failed answers (counted in the percentiles at the time they took): "
          f"searchapp {failed['searchapp']}, peer {failed['peer']}")
    timed_out = sum(r["peer"].get("facets_timed_out", 0) for r in records)
    if timed_out:
        print(f"peer: {timed_out} facet computations timed out (answers incomplete)")
    checks = targets(by_kind["overall"])

    result = {"machine": machine_info(), "index_dir": str(index_dir), "queries": len(queries),
              "by_kind": by_kind, "by_variant": by_variant, "cold": cold, "targets": checks,
              "failed": failed, "peer_facets_timed_out": timed_out, "records": records}
    path = write_json("search_latency.json", result)
    print(f"wrote {path.relative_to(REPO)}")
    if args.profile:
        profile_engine(index_dir, queries[:PROFILE_QUERIES], OUT_DIR / "search_profile.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
