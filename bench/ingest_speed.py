"""Ingest throughput, end to end: read, clean, tag and index with
`searchapp.ingest.index_paths` on both cores, into a fresh index.

Cases:
  reuters   the real Reuters-21578 SGML set (15 files, 15,000 stories)
  html      generated news pages with navigation, related links and footer (default 5,000)
  jsonl     a slice of the generated JSON Lines archive (default 20,000 articles)
  full      with --full: the whole generated archive (default 200,000) plus Reuters, kept
            in bench/out/work/index-full for search_latency.py and load.py
  peer      the same JSON Lines slice loaded with sqlite-utils into SQLite and given an
            FTS5 index (no cleaning or tagging): a floor for what indexing alone costs

Each case runs in its own process; its memory is the peak of the summed RSS of that
process and its worker processes, sampled every 0.2 s. Also reported: the index size on
disk and whether Reuters reaches the target of 300 stories per second.

Run: python bench/ingest_speed.py [--full] [--articles 200000] [--jsonl-articles 20000]
                                  [--html-pages 5000] [--cases reuters,html,jsonl,peer]
Writes bench/out/ingest_speed.json. Generated corpora are cached under bench/out/work/.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speedlib import (
    OUT_DIR,
    REPO,
    WORK_DIR,
    dir_size,
    machine_info,
    mb,
    require_corpora,
    tree_rss,
    write_json,
)

REUTERS_TARGET = 300.0  # stories per second


def ensure_corpus(out: Path, articles: int, fmt: str, seed: int) -> Path:
    """Generate the corpus once; a marker file records what was asked for."""
    marker = out / f".done-{fmt}-{articles}-{seed}"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, str(REPO / "bench" / "make_corpus.py"), "--articles",
               str(articles), "--out", str(out), "--format", fmt, "--seed", str(seed)]
        subprocess.run(cmd, check=True)
        marker.touch()
    return out


def jsonl_slice(corpus: Path, articles: int) -> list[str]:
    files = sorted((corpus / "jsonl").glob("articles-*.jsonl"))
    return [str(p) for p in files[: max(1, -(-articles // 1000))]]


# -- one case, in its own process --------------------------------------------------------


def run_case(kind: str, index_dir: Path, paths: list[str]) -> dict:
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    if kind == "peer":
        articles = load_sqlite(index_dir / "peer.db", paths)
    else:
        sys.path.insert(0, str(REPO))
        from searchapp.ingest import index_paths

        report = index_paths(paths, index_dir, workers=2)
        articles = report.articles_indexed
        skipped = len(report.skipped)
    seconds = time.perf_counter() - started
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"articles": articles, "seconds": seconds, "skipped": 0 if kind == "peer" else skipped,
            "index_bytes": dir_size(index_dir), "maxrss_self": self_peak,
            "maxrss_largest_child": child_peak}


def load_sqlite(db_path: Path, paths: list[str]) -> int:
    import sqlite_utils

    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path)

    def rows():
        n = 0
        for path in paths:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    n += 1
                    yield {"id": f"{Path(path).name}#{n}", "title": record["title"],
                           "body": record["body"], "published": record.get("published"),
                           "url": record.get("url")}

    db["articles"].insert_all(rows(), pk="id", batch_size=1000)
    db["articles"].enable_fts(["title", "body"], tokenize="porter")
    return db["articles"].count


# -- the parent: run each case, sample its memory ------------------------------------------


def measure(kind: str, index_dir: Path, paths: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--run-case", kind, "--index", str(index_dir), *paths]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = {"rss": 0, "procs": 0}

    def sample():
        while proc.poll() is None:
            rss, n = tree_rss(proc.pid)
            if rss > peak["rss"]:
                peak["rss"], peak["procs"] = rss, n
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"case {kind} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(case=kind, peak_tree_rss=peak["rss"], processes_at_peak=peak["procs"],
                  rate=result["articles"] / result["seconds"],
                  when=time.strftime("%Y-%m-%d %H:%M:%S"))
    return result


def merged_results(results: list[dict]) -> list[dict]:
    """This run's cases, plus the other cases of earlier runs (runs may do some cases only)."""
    path = OUT_DIR / "ingest_speed.json"
    earlier = json.loads(path.read_text()).get("results", []) if path.exists() else []
    ran = {r["case"] for r in results}
    return [r for r in earlier if r["case"] not in ran] + results


def print_table(results: list[dict]) -> None:
    print(f"\n{'case':<10}{'articles':>10}{'seconds':>10}{'articles/s':>12}"
          f"{'index on disk':>16}{'peak RSS (tree)':>18}{'skipped':>9}")
    for r in results:
        print(f"{r['case']:<10}{r['articles']:>10,}{r['seconds']:>10.1f}{r['rate']:>12,.0f}"
              f"{mb(r['index_bytes']):>16}{mb(r['peak_tree_rss']):>18}{r['skipped']:>9}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="also index the whole generated archive")
    ap.add_argument("--articles", type=int, default=200_000, help="size of the generated archive")
    ap.add_argument("--jsonl-articles", type=int, default=20_000)
    ap.add_argument("--html-pages", type=int, default=5_000)
    ap.add_argument("--cases", default="reuters,html,jsonl,peer")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--run-case", help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.run_case:
        print(json.dumps(run_case(args.run_case, Path(args.index), args.paths)))
        return 0

    corpora = require_corpora("reuters21578", "bbc")
    reuters = str(corpora / "reuters21578")
    cases = [c for c in args.cases.split(",") if c]
    if args.full:
        cases.append("full")
    archive = WORK_DIR / f"corpus-{args.articles // 1000}k"
    plan = {}
    if "reuters" in cases:
        plan["reuters"] = [reuters]
    if "html" in cases:
        pages = ensure_corpus(WORK_DIR / f"corpus-html-{args.html_pages}", args.html_pages,
                              "html", args.seed + 1)
        plan["html"] = [str(pages / "html")]
    if {"jsonl", "peer"} & set(cases) or args.full:
        ensure_corpus(archive, args.articles, "jsonl", args.seed)
    for kind in ("jsonl", "peer"):
        if kind in cases:
            plan[kind] = jsonl_slice(archive, args.jsonl_articles)
    if args.full:
        plan["full"] = [str(archive / "jsonl"), reuters]

    results = []
    for kind, paths in plan.items():
        index_dir = WORK_DIR / ("index-full" if kind == "full" else f"index-{kind}")
        print(f"{kind}: indexing {len(paths)} path(s) ...", flush=True)
        results.append(measure(kind, index_dir, paths))
        print_table(results[-1:])

    print_table(results)
    by_case = {r["case"]: r for r in results}
    if "jsonl" in by_case and "peer" in by_case:
        ratio = by_case["jsonl"]["rate"] / by_case["peer"]["rate"]
        print(f"\nsearchapp / peer (sqlite-utils + FTS5, no tagging) on the same JSON Lines: "
              f"{ratio:.2f}x the peer's rate")
    if "reuters" in by_case:
        rate = by_case["reuters"]["rate"]
        print(f"Reuters: {rate:,.0f} stories/s, target >= {REUTERS_TARGET:.0f}: "
              f"{'MET' if rate >= REUTERS_TARGET else 'NOT MET'}")
    path = write_json("ingest_speed.json", {"machine": machine_info(),
                                            "results": merged_results(results),
                                            "reuters_target_per_s": REUTERS_TARGET})
    print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
