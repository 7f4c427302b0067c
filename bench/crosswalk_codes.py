"""Raw source codes among the topic values, before and after the crosswalk, on the shared
Reuters-21578 files.

Before: Reuters' TOPICS codes were normalised straight into topic values (`money-fx`,
`l-cattle`), so every code without a taxonomy concept of the same id showed in the topic
facet beside the taxonomy's own values. The taxonomy of then is today's less the concepts
added for the crosswalk (the ones without rules). After: each code goes through the crosswalk
(searchapp.crosswalk) and shows as its concept, or not at all (it waits for a librarian).

The stories are read with searchapp's own reader, as ingest reads them. Only the source's
topics are counted: the tagger's own topics are taxonomy concepts either way.

Run: python bench/crosswalk_codes.py
Writes bench/out/crosswalk_codes.json.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from searchapp.crosswalk import Crosswalk, split_source_code  # noqa: E402
from searchapp.model import Article  # noqa: E402
from searchapp.readers import read_file  # noqa: E402
from searchapp.tagging.topics import load_taxonomy  # noqa: E402

OUT = ROOT / "bench" / "out" / "crosswalk_codes.json"


def corpus() -> Path:
    env = os.environ.get("SEARCHAPP_CORPORA")
    return (Path(env) if env else ROOT.parent / "shared" / "corpora") / "reuters21578"


def stories(folder: Path) -> list[Article]:
    found = []
    for path in sorted(folder.glob("*.sgm")):
        found += [a for a in read_file(path, f"reuters21578/{path.name}", str(path))
                  if isinstance(a, Article)]
    return found


def old_value(code: str) -> str:
    """The topic value the reader gave before the crosswalk: the code as a slug."""
    return code.replace(" ", "-")


def count(folder: Path) -> dict:
    taxonomy = load_taxonomy()
    concepts = {t["id"] for t in taxonomy}
    concepts_before = {t["id"] for t in taxonomy if t["rules"]}
    crosswalk = Crosswalk.load()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    articles = stories(folder)
    for article in articles:
        codes = [split_source_code(t.value) for t in article.tags if t.facet == "topic"]
        before.update(old_value(c[1]) for c in codes if c)
        after.update(t.value for t in crosswalk.apply(article).tags if t.facet == "topic")
        waiting.update(c for s, f, c in crosswalk.unmapped(article) if f == "topic")
    return {
        "stories": len(articles),
        "before": summary(before, concepts_before),
        "after": summary(after, concepts),
        "waiting": dict(waiting.most_common()),
    }


def summary(values: Counter[str], concepts: set[str]) -> dict:
    raw = {v: n for v, n in values.items() if v not in concepts}
    return {"values": len(values), "raw_codes": len(raw), "tags": sum(values.values()),
            "tags_with_raw_codes": sum(raw.values()),
            "top_raw_codes": dict(Counter(raw).most_common(10))}


def main() -> None:
    folder = corpus()
    if not folder.is_dir():
        sys.exit(f"no Reuters-21578 files at {folder}; set SEARCHAPP_CORPORA")
    result = count(folder)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1))
    print(f"Reuters-21578, {result['stories']:,} stories: topic values from the source's TOPICS")
    for when in ("before", "after"):
        r = result[when]
        print(f"  {when:6}: {r['values']:4} values, {r['raw_codes']:4} of them raw codes "
              f"(not taxonomy concepts); {r['tags_with_raw_codes']:,} of {r['tags']:,} tags")
    print(f"  codes waiting for a mapping: {len(result['waiting'])}")


if __name__ == "__main__":
    main()
