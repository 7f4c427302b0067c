"""End to end through the engine (for spelling_speed.py --index-dir): misspelt words with
their "did you mean", fuzzy words, prefixes and ordinary faceted searches on a real index,
each timed through `engine.search` on the engine as it is (expansions and suggestions from
the per-field lexicons) and on the same engine with today's two steps put back (Whoosh
counting and expanding wildcards and fuzzy words with its own walk of the word list, its
corrector for "did you mean"), in the same run. Result caches are emptied before each
search; the lexicons are built once, timed apart.
"""

from __future__ import annotations

import random
import re
import time
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from whoosh import query

from searchapp.search import EngineConfig, QueryError, SearchRequest, open_engine
from searchapp.search.whoosh import engine as whoosh_engine

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def measure_engine(index_dir: Path, repeat: int, baseline_samples: int) -> None:
    engine = open_engine(EngineConfig(index_dir, create=False))
    # As a server does before its first request (see serving.py): tables and word lists read.
    start = time.perf_counter()
    engine.warm()
    print(f"warmed in {time.perf_counter() - start:.1f} s")
    s = engine.searcher()
    print(f"\nEND TO END on {index_dir.name}: {engine.doc_count():,} articles")
    for field in ("exact", "body", "title"):
        start = time.perf_counter()
        lexicon = engine._lexicon(s, field)
        print(f"  lexicon {field}: {len(lexicon):,} words, built in "
              f"{time.perf_counter() - start:.2f} s")
    kinds = workloads(engine._lexicon(s, "exact"), engine)
    print(f"\n{'what':28} {'n':>3} {'engine p50':>11} {'p95':>8} {'max':>8}   "
          f"{'today p50':>10} {'p95':>8} {'max':>8} {'n':>3}  (ms)  refused now/today")
    for kind, requests in kinds.items():
        ours, refused = run(engine, requests * repeat)
        with todays_steps(engine):
            theirs, refused_then = run(engine, requests[:baseline_samples])
        print(f"{kind:28} {len(requests):>3} {pct(ours, .5):>11.1f} {pct(ours, .95):>8.1f} "
              f"{max(ours):>8.1f}   {pct(theirs, .5):>10.1f} {pct(theirs, .95):>8.1f} "
              f"{max(theirs):>8.1f} {len(theirs):>3}  {refused}/{refused_then}", flush=True)
    print("\nsuggestions (engine / today):")
    for typed in ["recesion", "opek", "coffe", "intrest", "goverment"]:
        now = search(engine, SearchRequest(query=typed)).suggestion
        with todays_steps(engine):
            then = search(engine, SearchRequest(query=typed)).suggestion
        print(f"  {typed:12} {now!s:12} {then!s:12}")


def workloads(lexicon, engine) -> dict[str, list[SearchRequest]]:
    rng = random.Random(7)
    common = [w for w, f in zip(lexicon.words, lexicon.freqs.tolist(), strict=True)
              if f >= 50 and 5 <= len(w) <= 10 and w.isalpha()]
    words = rng.sample(common, min(40, len(common)))
    countries = [f.value for f in engine.search(SearchRequest(per_page=1)).facets["country"][:5]]
    return {
        "misspelt word + suggestion": [SearchRequest(query=typo(w, rng, lexicon)) for w in words],
        "fuzzy ~1": [SearchRequest(query=f"{w}~") for w in words[:20]],
        "fuzzy ~2": [SearchRequest(query=f"{w}~2") for w in words[:20]],
        "prefix (2-3 letters)*": [SearchRequest(query=f"{w[:2 + n % 2]}*")
                                  for n, w in enumerate(words[:20])],
        "faceted words": [SearchRequest(query=" ".join(words[n:n + 1 + n % 2]),
                                        filters={"country": (countries[n % len(countries)],)})
                          for n in range(20)],
    }


def typo(word: str, rng: random.Random, lexicon) -> str:
    """One edit the archive does not have: a letter dropped, doubled, swapped or changed."""
    for _ in range(50):
        i = rng.randrange(1, len(word) - 1)
        edits = [word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                 word[:i] + word[i + 1] + word[i] + word[i + 2:],
                 word[:i] + rng.choice(LETTERS) + word[i + 1:]]
        candidate = rng.choice(edits)
        if not lexicon.frequency(candidate):
            return candidate
    return word + "q"


def run(engine, requests) -> tuple[list[float], int]:
    times, refused = [], 0
    for request in requests:
        start = time.perf_counter()
        try:
            search(engine, request)
        except QueryError:
            refused += 1
        times.append((time.perf_counter() - start) * 1000)
    return times, refused


def search(engine, request):
    engine._results.clear()
    engine._summaries.clear()
    return engine.search(request)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


# -- today's two steps ----------------------------------------------------------------------


@contextmanager
def todays_steps(engine):
    saved = whoosh_engine.expand, whoosh_engine.suggest
    whoosh_engine.expand = lambda q, lexicon_of, deadline: todays_count(engine.searcher(), q)
    whoosh_engine.suggest = lambda lexicon, text, q, deadline: todays_suggest(
        engine.searcher(), text, q)
    try:
        yield
    finally:
        whoosh_engine.expand, whoosh_engine.suggest = saved


def todays_count(s, q):
    """Whoosh's walk of the word list to count what each wildcard or fuzzy word stands
    for (the query stays as parsed: Whoosh's matchers expand it again to rank it)."""
    budget = 2000
    reader = s.reader()
    for node in q.leaves() if not q.is_leaf() else [q]:
        if isinstance(node, query.MultiTerm):
            stem = re.split(r"[*?]", node.text, maxsplit=1)[0] if isinstance(
                node, query.Wildcard) else ""
            words = (reader.expand_prefix(node.fieldname, stem)
                     if isinstance(node, query.Wildcard) else node.expanded_terms(reader))
            budget -= sum(1 for _ in islice(words, budget + 1))
            if budget < 0:
                raise QueryError("too many words")
    return q


def todays_suggest(s, text: str, q) -> str | None:
    """Unknown words through Whoosh's corrector on the exact-words field."""
    if not text.strip() or isinstance(q, query.Every):
        return None
    corrector = s.corrector("exact")
    analyzer = s.schema["body"].analyzer
    changed = False

    def fix(m):
        nonlocal changed
        word = m.group(0)
        stems = [t.text for t in analyzer(word.lower())]
        if not stems or any(s.doc_frequency("body", t) or s.doc_frequency("title", t)
                            for t in stems):
            return word
        best = corrector.suggest(word.lower(), limit=1)
        if not best:
            return word
        changed = True
        return best[0]

    corrected = re.sub(r"(?<![:\w*?~])(?!(?:AND|OR|NOT)\b)[A-Za-z]{3,}(?![:\w*?~])", fix, text)
    return corrected if changed else None
