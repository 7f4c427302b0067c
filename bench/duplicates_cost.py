"""What near-duplicate grouping costs at ingest: articles per second with and without it,
side by side, in the same run, on the same machine.

Cases (each into a fresh index, read, cleaned, tagged and written on both cores with
`searchapp.ingest.index_paths`, grouping on and off by `group_duplicates`):
  reuters   the real Reuters-21578 SGML set (15 files, 15,000 stories, ~480 wire copies)
  jsonl     a slice of the generated JSON Lines archive (bench/make_corpus.py, default 10,000)

The two settings alternate, `--rounds` times each (the machine is shared: alternating
spreads a busy moment over both); the median rate of each is reported, and the cost as the
share of the rate lost. The target: grouping costs at most 15% of ingest speed.
On a machine busy with other work the rates say more about the neighbours than about
grouping, so the CPU time is reported too: of the writing process (the one that groups,
and the bottleneck) and of all the processes together (with the readers), per article.

Run: python bench/duplicates_cost.py [--rounds 2] [--jsonl-articles 10000] [--cases reuters,jsonl]
Writes bench/out/duplicates_cost.json.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speedlib import REPO, WORK_DIR, machine_info, require_corpora, write_json

sys.path.insert(0, str(REPO))

from searchapp.ingest import index_paths
from searchapp.search import EngineConfig, SearchRequest, open_engine

TARGET = 0.15  # share of ingest speed grouping may cost


def ensure_jsonl(articles: int, seed: int) -> list[str]:
    """The generated JSON Lines slice, made once (same seed and count, same files)."""
    out = WORK_DIR / f"corpus-dupes-{articles}"
    marker = out / f".done-{articles}-{seed}"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        import subprocess

        subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "--articles",
                        str(articles), "--out", str(out), "--format", "jsonl", "--seed",
                        str(seed)], check=True)
        marker.touch()
    return [str(out / "jsonl")]


def cpu_seconds() -> tuple[float, float]:
    """(this process, this process and its finished children): user + system seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the readers, once joined
    mine = me.ru_utime + me.ru_stime
    return mine, mine + children.ru_utime + children.ru_stime


def one_run(paths: list[str], grouping: bool) -> dict:
    index_dir = WORK_DIR / "index-dupes-cost"
    shutil.rmtree(index_dir, ignore_errors=True)
    cpu_before, started = cpu_seconds(), time.perf_counter()
    report = index_paths(paths, index_dir, workers=2, group_duplicates=grouping)
    seconds = time.perf_counter() - started
    writer, total = (after - before for after, before in zip(cpu_seconds(), cpu_before))
    collapsed = open_engine(EngineConfig(index_dir=index_dir)).search(SearchRequest()).total
    n = report.articles_indexed
    return {"articles": n, "seconds": seconds, "rate": n / seconds, "groups": collapsed,
            "writer_ms": 1000 * writer / n, "all_ms": 1000 * total / n}


def measure(paths: list[str], rounds: int) -> dict:
    runs: dict[str, list[dict]] = {"without": [], "with": []}
    for _ in range(rounds):
        for name, grouping in (("without", False), ("with", True)):
            runs[name].append(one_run(paths, grouping))
            r = runs[name][-1]
            print(f"  {name} grouping: {r['rate']:.0f} articles/s, CPU per article "
                  f"{r['writer_ms']:.2f} ms writing, {r['all_ms']:.2f} ms in all", flush=True)
    out = {"runs": runs, "articles": runs["with"][0]["articles"],
           "groups": runs["with"][0]["groups"]}
    for figure in ("rate", "writer_ms", "all_ms"):
        for name, found in runs.items():
            out[f"{figure}_{name}"] = statistics.median(r[figure] for r in found)
    out["cost"] = 1 - out["rate_with"] / out["rate_without"]
    out["cpu_cost_writer"] = out["writer_ms_with"] / out["writer_ms_without"] - 1
    out["cpu_cost_all"] = out["all_ms_with"] / out["all_ms_without"] - 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jsonl-articles", type=int, default=10_000)
    ap.add_argument("--cases", default="reuters,jsonl")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    plan = {}
    if "reuters" in args.cases:
        plan["reuters"] = [str(require_corpora("reuters21578") / "reuters21578")]
    if "jsonl" in args.cases:
        plan["jsonl"] = ensure_jsonl(args.jsonl_articles, args.seed)
    results = {}
    for case, paths in plan.items():
        print(f"{case}:", flush=True)
        results[case] = measure(paths, args.rounds)
    print(f"\n{'case':8} {'articles':>8} {'without':>10} {'with':>10} {'cost':>6}  "
          f"{'CPU cost: writer':>16} {'all':>6}  groups shown")
    for case, r in results.items():
        print(f"{case:8} {r['articles']:>8,} {r['rate_without']:>8.0f}/s {r['rate_with']:>8.0f}/s "
              f"{r['cost']:>6.1%}  {r['cpu_cost_writer']:>16.1%} {r['cpu_cost_all']:>6.1%}  "
              f"{r['groups']:,} (of {r['articles']:,} articles)")
    worst = max((r["cost"] for r in results.values()), default=0.0)
    print(f"target: grouping costs at most {TARGET:.0%} of ingest speed: "
          f"{'met' if worst <= TARGET else 'NOT met'} (worst {worst:.1%})")
    write_json("duplicates_cost", {"machine": machine_info(), "rounds": args.rounds,
                                   "target": TARGET, "results": results})
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
