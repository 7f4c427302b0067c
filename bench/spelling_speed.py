"""Spelling suggestions, fuzzy words and prefixes on a ~200,000-article archive's word list:
the lexicon (searchapp/search/lexicon.py) beside a walk of the whole word list in Python, as
Whoosh does it (its corrector and fuzzy terms: every word through its Damerau-Levenshtein
function, ranked its way), in the same run.

The word list: the words of Reuters-21578 + BBC News as the engine's exact-words field
analyses them, with document frequencies scaled to --articles, plus the rare words a bigger
archive adds (Heaps' law, vocabulary ~ articles^0.5): one-edit variants of its words, 1-3
documents each, as typos and rare names are. Also measured: build time, memory, save/load.

With --index-dir, also END TO END through the engine on a real index (e.g. the corpora's
17,000 articles, or bench/ingest_speed.py's 200,000): searches of misspelt words (with their
"did you mean"), fuzzy words, prefixes and ordinary faceted searches, each beside the path
the engine took before (Whoosh expanding the parsed query and ranking it with its own
matchers, its corrector walking the word list), in the same run, caches emptied each time.

Run: python bench/spelling_speed.py [--articles 200000] [--baseline-samples 3]
                                    [--index-dir DIR [--engine-only]]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import bbc_stories, reuters_stories
from speedlib import REPO, require_corpora

from searchapp.search.lexicon import MAX_WORD_LENGTH, Lexicon

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def archive_counts(corpora: Path, articles: int, seed: int = 1) -> dict[str, int]:
    from whoosh.analysis import StandardAnalyzer

    stories = reuters_stories(corpora / "reuters21578") + bbc_stories(corpora / "bbc")
    analyzer = StandardAnalyzer(stoplist=None)
    counts: Counter = Counter()
    for title, body in stories:
        counts.update({t.text for t in analyzer(title + "\n" + body)})
    scale = articles / len(stories)
    scaled = {w: max(1, round(f * scale)) for w, f in counts.items()}
    rng, words = random.Random(seed), sorted(counts)
    weights = [math.sqrt(counts[w]) for w in words]
    target = round(len(counts) * math.sqrt(scale))
    while len(scaled) < target:
        for word in rng.choices(words, weights, k=target - len(scaled)):
            i = rng.randrange(len(word) + 1)
            variant = word[:i] + rng.choice(LETTERS) + word[i + rng.randrange(2):]
            scaled.setdefault(variant, rng.randint(1, 3))
    return scaled


# -- the baseline: Whoosh's own walk --------------------------------------------------------


class Walk:
    """What the product does today: every word of the list through whoosh's distance."""

    def __init__(self, counts: dict[str, int]):
        from whoosh.support.levenshtein import damerau_levenshtein

        self.distance = damerau_levenshtein
        self.words = sorted(counts)
        self.counts = counts

    def within(self, text: str, maxdist: int) -> list[str]:  # IndexReader.terms_within
        return [w for w in self.words if self.distance(w, text, limit=maxdist) <= maxdist]

    def suggest(self, text: str) -> str | None:  # ReaderCorrector: frequency decides
        found = self.within(text, 2)
        return max(found, key=lambda w: (self.counts[w], w)) if found else None

    def prefix(self, p: str) -> list[str]:  # expand_prefix: seek, then read while it matches
        from bisect import bisect_left
        from itertools import takewhile

        return list(takewhile(lambda w: w.startswith(p), self.words[bisect_left(self.words, p):]))


# -- workloads ------------------------------------------------------------------------------


def workloads(counts: dict[str, int]) -> dict[str, list]:
    rows = [line.split("\t") for line in
            (REPO / "tests" / "fixtures" / "misspellings.tsv").read_text().splitlines()
            if line and not line.startswith("#")]
    question = ("what did the central bank say about interest rates and inflation in japan "
                "after the recession").split()
    return {
        "suggest: misspelt words": [r[0] for r in rows],
        "suggest: frequent words": ["government", "prices", "japan", "market", "interest"],
        "suggest: unknown words": [f"qzxw{i}" for i in range(10)] + ["zzyzxquolt"],
        "suggest: long words": ["y" * 30, "antidisestablishmentarianisms", "x" * MAX_WORD_LENGTH,
                                "y" * 300, "y" * 1000],
        "suggest: question words": question,
        "fuzzy ~1": ["petrol", "reagan", "market", "opec", "government", "coffee"],
        "fuzzy ~2": ["petrol", "reagan", "market", "opec", "government"]
                    + [f"qzxw{i}" for i in range(10)],
        "prefix co* re*": ["co", "re"],
    }


def run_lexicon(lexicon: Lexicon, kind: str, word: str):
    if kind.startswith("suggest"):
        return lexicon.suggest(word)
    if kind.startswith("fuzzy"):
        return lexicon.fuzzy(word, int(kind[-1]), limit=2000)
    return lexicon.prefix(word, limit=2000)


def run_walk(walk: Walk, kind: str, word: str):
    if kind.startswith("suggest"):
        return walk.suggest(word)
    if kind.startswith("fuzzy"):
        return walk.within(word, int(kind[-1]))
    return walk.prefix(word)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure_build(counts: dict[str, int]) -> tuple[Lexicon, dict]:
    """Build and load times; memory as a fresh load holds it (its own strings, as when the
    engine reads its word list), measured by tracemalloc on a second load."""
    pairs = list(counts.items())
    start = time.perf_counter()
    lexicon = Lexicon.from_counts(pairs)
    build = time.perf_counter() - start
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "lexicon.tsv"
        start = time.perf_counter()
        lexicon.save(path)
        save = time.perf_counter() - start
        start = time.perf_counter()
        Lexicon.load(path)
        load = time.perf_counter() - start
        tracemalloc.start()
        loaded = Lexicon.load(path)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del loaded
        size = path.stat().st_size
    return lexicon, {"words": len(lexicon), "build s": build, "save s": save, "load s": load,
                     "file MB": size / 2**20, "held MB": current / 2**20,
                     "peak MB": peak / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=200_000)
    ap.add_argument("--baseline-samples", type=int, default=2,
                    help="words per row run through the baseline (each takes seconds)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each lexicon call")
    ap.add_argument("--index-dir", type=Path, help="also measure end to end on this index")
    ap.add_argument("--engine-only", action="store_true", help="only the end-to-end part")
    args = ap.parse_args()
    if args.index_dir:
        from engine_spelling import measure_engine

        measure_engine(args.index_dir, args.repeat, args.baseline_samples)
        if args.engine_only:
            return
    corpora = require_corpora("reuters21578", "bbc")
    counts = archive_counts(corpora, args.articles)
    lexicon, build = measure_build(counts)
    print(f"word list for {args.articles:,} articles: " +
          ", ".join(f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v:,}"
                    for k, v in build.items()), flush=True)
    walk = Walk(counts)
    print(f"\n{'what':28} {'n':>3} {'lexicon p50':>12} {'p95':>8} {'max':>8}   "
          f"{'walk p50':>9} {'p95':>8} {'n':>3}  (ms)")
    for kind, words in workloads(counts).items():
        ours = [timed(run_lexicon, lexicon, kind, w) for w in words for _ in range(args.repeat)]
        sample = [w for w in words if len(w) <= 300][:args.baseline_samples]
        theirs = [timed(run_walk, walk, kind, w) for w in sample]
        print(f"{kind:28} {len(words):>3} {pct(ours, .5):>12.2f} {pct(ours, .95):>8.2f} "
              f"{max(ours):>8.2f}   {pct(theirs, .5):>9.0f} {pct(theirs, .95):>8.0f} "
              f"{len(theirs):>3}", flush=True)
    print("\nsuggestions (lexicon / walk):")
    for typed in ["recesion", "opek", "coffe", "intrest", "goverment"]:
        print(f"  {typed:12} {lexicon.suggest(typed)!s:12} {walk.suggest(typed)!s:12}")
    print(f"count_prefix: co {lexicon.count_prefix('co'):,} words, re "
          f"{lexicon.count_prefix('re'):,} words, "
          f"{statistics.median(timed(lexicon.count_prefix, 'co') for _ in range(50)):.3f} ms")


if __name__ == "__main__":
    main()
