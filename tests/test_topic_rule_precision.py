"""The topic rules' precision on a labelled sample of BBC and Reuters stories (see
tests/fixtures/topics/README.md for how it was labelled): every topic the rules give to a story
of these corpora is in the sample, and keeps a precision of at least 0.8 on the labelled stories
the rules tag."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from searchapp.tagging.topics import TopicTagger

from .conftest import REPO, load_script

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "topics" / "rule_precision.tsv"
TARGET = 0.8
# Topics whose rules were below the target on the sample are set to "assign_by_rules": false in
# the taxonomy (tests/fixtures/topics/README.md says which and why): they still count as evidence
# for their parent but come only as the broader topic of a tagged subtopic, so they too are held
# to the target on the stories they still get. Topics the rules tag on no labelled story (no
# story of these corpora is about golf or boxing) cannot be measured here.
PENDING: tuple[str, ...] = ()


def labelled() -> dict[str, list[tuple[str, bool]]]:
    """topic -> [(article, about it)]: the rows of the sample, and for each story about a
    subtopic, that it is about each broader topic too (the taxonomy's meaning of a parent)
    where that topic was not labelled for it."""
    rows = read_sample()
    ancestors = TopicTagger().ancestors
    implied = {(article, broader) for (article, topic), about in rows.items() if about
               for broader in ancestors(topic)}
    out = defaultdict(list)
    for article, topic in sorted(rows.keys() | implied):
        out[topic].append((article, rows.get((article, topic), True)))
    return out


def read_sample() -> dict[tuple[str, str], bool]:
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        return {(row["article"], row["topic"]): row["about_it"] == "1"
                for row in csv.DictReader(f, delimiter="\t")}


def texts(corpora: Path, wanted: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """article -> (title, body), read from the corpora as the benchmarks read them (all of
    them when `wanted` is None)."""
    if wanted is None:
        wanted = {f"bbc/{p.relative_to(corpora / 'bbc').as_posix()}"
                  for p in (corpora / "bbc").glob("*/*.txt")}
        wanted |= {f"reuters/{s.newid}" for s in reuters_stories(corpora)}
    found = {}
    for name in (a for a in wanted if a.startswith("bbc/")):
        raw = (corpora / name).read_bytes()
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw.decode("latin-1")
        title, _, body = content.strip().partition("\n")
        found[name] = (title.strip(), body.strip())
    newids = {a.split("/", 1)[1] for a in wanted if a.startswith("reuters/")}
    for story in reuters_stories(corpora):
        if story.newid in newids:
            found[f"reuters/{story.newid}"] = (story.title, story.body)
    return found


def reuters_stories(corpora: Path):
    key = load_script("reuters_key", REPO / "bench" / "reuters_key.py")
    for path in sorted((corpora / "reuters21578").glob("reut2-*.sgm")):
        yield from key.stories_in(path)


def test_the_labels_keep_to_the_taxonomy():
    """A story labelled about a subtopic is not labelled as not about its broader topics."""
    rows, ancestors = read_sample(), TopicTagger().ancestors
    assert [(article, topic, broader) for (article, topic), about in rows.items() if about
            for broader in ancestors(topic) if rows.get((article, broader)) is False] == []


@pytest.mark.slow
def test_rules_keep_their_precision_on_the_labelled_sample(corpora):
    sample = labelled()
    text = texts(corpora, {a for rows in sample.values() for a, _ in rows})
    tagger = TopicTagger()
    precision = {}
    for topic, rows in sample.items():
        tagged = [about for article, about in rows if topic in tagger.tag(*text[article])]
        precision[topic] = sum(tagged) / len(tagged) if tagged else 1.0
    assert {t: p for t, p in precision.items() if t not in PENDING and p < TARGET} == {}


@pytest.mark.slow
def test_every_topic_the_rules_give_is_in_the_sample(corpora):
    tagger = TopicTagger()
    given = {topic for title, body in texts(corpora).values() for topic in tagger.tag(title, body)}
    assert given - set(labelled()) == set()
