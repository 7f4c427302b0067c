"""The topic rules' precision on a labelled sample of BBC and Reuters stories (see
tests/fixtures/topics/README.md for how it was labelled): each topic listed in PRECISE keeps a
precision of at least 0.8 on the labelled stories the rules tag."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from searchapp.tagging.topics import TopicTagger

from .conftest import REPO, load_script

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "topics" / "rule_precision.tsv"
TARGET = 0.8
# Labelled topics whose rules reach the target. The others labelled are below it so far:
# politics, government, parliament, political-parties, diplomacy, taxation, public-finance,
# economic-growth, arts, health, property, television
# (mostly business stories about a firm of the industry: its results, a deal, a contract).
# Set to "assign_by_rules": false (below the target; tagged only as the broader topic of a
# tagged subtopic): banking, currencies, energy, bankruptcy.
PRECISE = ("elections", "economy", "markets", "earnings", "science-technology", "agriculture",
           "trade", "sport", "bonds", "central-banks", "transport", "crime", "labour", "internet",
           "courts", "football", "film", "music", "defence", "retail",
           "industrial-action",
           "stocks", "commodities", "mergers-acquisitions", "oil-gas", "computing", "automotive", "mobile")


def labelled() -> dict[str, list[tuple[str, bool]]]:
    """topic -> [(article, about it)]"""
    out = defaultdict(list)
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out[row["topic"]].append((row["article"], row["about_it"] == "1"))
    return out


def texts(corpora: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """article -> (title, body), read from the corpora as the benchmarks read them."""
    found = {}
    for name in (a for a in wanted if a.startswith("bbc/")):
        raw = (corpora / name).read_bytes()
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw.decode("latin-1")
        title, _, body = content.strip().partition("\n")
        found[name] = (title.strip(), body.strip())
    key = load_script("reuters_key", REPO / "bench" / "reuters_key.py")
    newids = {a.split("/", 1)[1] for a in wanted if a.startswith("reuters/")}
    for path in sorted((corpora / "reuters21578").glob("reut2-*.sgm")):
        for story in key.stories_in(path):
            if story.newid in newids:
                found[f"reuters/{story.newid}"] = (story.title, story.body)
    return found


@pytest.mark.slow
def test_rules_keep_their_precision_on_the_labelled_sample(corpora):
    sample = labelled()
    text = texts(corpora, {a for rows in sample.values() for a, _ in rows})
    tagger = TopicTagger()
    precision = {}
    for topic, rows in sample.items():
        tagged = [about for article, about in rows if topic in tagger.tag(*text[article])]
        precision[topic] = sum(tagged) / len(tagged) if tagged else 1.0
    assert set(PRECISE) <= set(sample)
    assert {t: p for t, p in precision.items() if t in PRECISE and p < TARGET} == {}
