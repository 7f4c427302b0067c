"""Measure the country tagger against the Reuters-21578 librarians' PLACES.

Stories with a body and at least one PLACES value are tagged from their title
and body (dateline first, as the Reuters reader gives it) and compared with
PLACES mapped to ISO codes. Prints micro-averaged precision/recall/F1 over
(story, code) pairs (the main figure), macro averages per story, the most
frequent false positives and negatives, and ms per story, next to a plain
country-name baseline. Writes bench/out/country_quality.json.

    python bench/country_quality.py [--show N]

The corpus is found at ../shared/corpora next to the repository, or wherever
SEARCHAPP_CORPORA points.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reuters_key  # noqa: E402
from reuters_key import KeyedStory as Story  # noqa: E402

from searchapp.tagging.countries import CountryTagger  # noqa: E402

OUT = ROOT / "bench" / "out" / "country_quality.json"

# Reuters' PLACES spellings that differ from Babel's English country names. This
# is the answer key's mapping only; the tagger never sees it.
REUTERS_PLACES = {
    "usa": "US", "uk": "GB", "uae": "AE", "ussr": "SU", "west-germany": "DE",
    "east-germany": "DD", "yugoslavia": "YU", "czechoslovakia": "CS", "hong-kong": "HK",
    "south-korea": "KR", "north-korea": "KP", "ivory-coast": "CI", "burma": "MM",
    "zaire": "CD", "kampuchea": "KH", "yemen-arab-republic": "YE",
    "yemen-demo-republic": "YD", "trinidad-tobago": "TT", "us-virgin-islands": "VI",
    "taiwan": "TW", "brunei": "BN", "iran": "IR", "syria": "SY", "vietnam": "VN", "tanzania": "TZ",
    "bolivia": "BO", "venezuela": "VE", "congo": "CG", "turkey": "TR",
}


def corpora_dir() -> Path:
    return reuters_key.corpora_dir()


@lru_cache(maxsize=1)
def english_names() -> dict[str, str]:
    """Babel's English country names as Reuters spells them: lower case, hyphens."""
    from babel import Locale

    return {name.lower().replace(" ", "-"): code
            for code, name in Locale.parse("en").territories.items()
            if re.fullmatch(r"[A-Z]{2}", code)}


def place_code(slug: str) -> str | None:
    return REUTERS_PLACES.get(slug) or english_names().get(slug)


# -- scoring ------------------------------------------------------------------------


def evaluate(tagger: CountryTagger, stories: list[tuple[Story, set[str]]]) -> dict:
    tp = fp = fn = 0
    macro_p = macro_r = macro_f = 0.0
    false_pos, false_neg = Counter(), Counter()
    errors = []
    started = time.perf_counter()
    predictions = [set(tagger.tag(s.title, s.body)) for s, _ in stories]
    elapsed = time.perf_counter() - started
    for (story, gold), pred in zip(stories, predictions):
        hit = len(pred & gold)
        tp, fp, fn = tp + hit, fp + len(pred - gold), fn + len(gold - pred)
        false_pos.update(pred - gold)
        false_neg.update(gold - pred)
        p = hit / len(pred) if pred else 0.0
        r = hit / len(gold)
        macro_p, macro_r = macro_p + p, macro_r + r
        macro_f += 2 * p * r / (p + r) if p + r else 0.0
        if pred != gold:
            errors.append((story, gold, pred))
    n = len(stories)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "stories": n,
        "micro": {"precision": precision, "recall": recall, "f1": f1(precision, recall),
                  "tp": tp, "fp": fp, "fn": fn},
        "macro": {"precision": macro_p / n, "recall": macro_r / n, "f1": macro_f / n},
        "ms_per_story": 1000 * elapsed / n,
        "top_false_positives": false_pos.most_common(15),
        "top_false_negatives": false_neg.most_common(15),
        "_errors": errors,
    }


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def baseline_tagger() -> CountryTagger:
    """Plain country names from Babel, every mention counts: no abbreviations,
    demonyms, cities, datelines or relevance cut-off."""
    from babel import Locale

    names = {name: code for code, name in Locale.parse("en").territories.items()
             if re.fullmatch(r"[A-Z]{2}", code)}
    return CountryTagger({"forms": {"name": names},
                          "rules": {"datelines": False, "min_score": 0.0, "min_share": 0.0}})


def unweighted_tagger() -> CountryTagger:
    """The full gazetteer with no weighting at all: every mention counts once and any
    mentioned country is kept. Shows how much of the score comes from recognising
    countries rather than from the relevance weights."""
    from searchapp.tagging.countries import GAZETTEER_PATH

    gazetteer = json.loads(GAZETTEER_PATH.read_text())
    ones = {"name": 1.0, "demonym": 1.0, "city": 1.0, "region": 1.0, "landmark": 1.0}
    return CountryTagger({**gazetteer, "rules": {
        "kind_weights": ones, "title_factor": 1.0, "lead_factor": 1.0, "dateline_weight": 1.0,
        "min_score": 1.0, "min_share": 0.0, "strong_score": 1.0, "currency_factor": 1.0}})


def load(corpus: Path) -> tuple[list[tuple[Story, set[str]]], Counter]:
    stories, unmapped = [], Counter()
    for story in reuters_key.load_stories(corpus):
        if not story.body.strip() or not story.places:
            continue
        gold = set()
        for slug in story.places:
            code = place_code(slug)
            if code:
                gold.add(code)
            else:
                unmapped[slug] += 1
        if gold:
            stories.append((story, gold))
    return stories, unmapped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print N wrongly tagged stories")
    args = parser.parse_args()

    corpus = corpora_dir() / "reuters21578"
    if not corpus.is_dir():
        print(f"Reuters-21578 corpus not found at {corpus}; set SEARCHAPP_CORPORA.", file=sys.stderr)
        return 2
    stories, unmapped = load(corpus)
    if unmapped:
        print(f"unmapped PLACES (ignored): {dict(unmapped)}")

    result = evaluate(CountryTagger(), stories)
    base = evaluate(baseline_tagger(), stories)
    flat = evaluate(unweighted_tagger(), stories)

    print(f"stories with a body and PLACES: {result['stories']}")
    print(f"{'':22}{'tagger':>10}{'unweighted':>11}{'names only':>11}")
    for avg in ("micro", "macro"):
        for k in ("precision", "recall", "f1"):
            print(f"{avg + ' ' + k:22}{result[avg][k]:10.3f}{flat[avg][k]:11.3f}{base[avg][k]:11.3f}")
    print(f"{'ms per story':22}{result['ms_per_story']:10.3f}{flat['ms_per_story']:11.3f}"
          f"{base['ms_per_story']:11.3f}")
    print("top false positives:", " ".join(f"{c}:{n}" for c, n in result["top_false_positives"]))
    print("top false negatives:", " ".join(f"{c}:{n}" for c, n in result["top_false_negatives"]))

    for story, gold, pred in result["_errors"][: args.show]:
        print(f"\n#{story.newid} gold={sorted(gold)} pred={sorted(pred)}\n  {story.title}\n"
              f"  {story.body[:300]!r}")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    strip = lambda r: {k: v for k, v in r.items() if not k.startswith("_")}  # noqa: E731
    OUT.write_text(json.dumps({"corpus": "Reuters-21578", "tagger": strip(result),
                               "unweighted": strip(flat), "baseline": strip(base)}, indent=2) + "\n")
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
