"""Topics learned from curated tags (searchapp.tagging.learned, searchapp.topic_training, and
`searchapp topics learn`): what teaches, what is learned, how the model is kept, and the
whole path through the command line on Reuters stories."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import re
import subprocess
import sys

import pytest

from searchapp.model import Article, Tag
from searchapp.tagging import Tagger
from searchapp.tagging.learned import (
    Example,
    ModelRefused,
    TopicModel,
    examples_from,
    learnable,
    load_model,
    save_model,
    train,
)
from searchapp.tagging.topics import TopicTagger

# Two curated topics written the way wires write them, and stories about neither.
EARNINGS = ["Shr {a} cts vs {b} cts net {c} mln vs {d} mln revs {e} mln",
            "{co} said first quarter net profit rose to {c} mln dlrs, or {a} cts a share",
            "qtly div {a} cts vs {b} cts prior pay april {d} record march {e}",
            "{co} reported a net loss of {c} mln dlrs for the year, against profit of {d} mln"]
MERGERS = ["{co} said it agreed to acquire {co2} for {c} mln dlrs in cash and stock",
           "{co} completed its takeover of {co2}, buying the {a} pct it did not own",
           "{co2} rejected a {c} dlr a share tender offer from {co} as inadequate",
           "{co} will merge with {co2} in a stock swap valued at {d} mln dlrs"]
OTHER = ["Heavy rain flooded roads in the north of {co} on {a} March, police said",
         "The {co} orchestra opened its season with a symphony by a young composer",
         "Striker {co2} scored twice as the home side won the cup final {a} to {b}",
         "Ministers of {co} met to discuss fishing rights and border crossings"]
FIRMS = ["Acme Corp", "Borden Inc", "Cyclops Ltd", "Delta Holdings", "Evans Group", "Fenwick Co"]


def story(template: str, rng: random.Random) -> str:
    n = [str(rng.randint(2, 900)) for _ in range(5)]
    return template.format(a=n[0], b=n[1], c=n[2], d=n[3], e=n[4], co=rng.choice(FIRMS),
                           co2=rng.choice(FIRMS))


def corpus(per_topic: int = 30, seed: int = 0) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for templates, concepts in ((EARNINGS, {"earnings"}), (MERGERS, {"mergers-acquisitions"}),
                                (OTHER, set())):
        for k in range(per_topic):
            out.append(Example(f"Story {k}", story(templates[k % 4], rng), frozenset(concepts)))
    return out


@pytest.fixture(scope="module")
def model() -> TopicModel:
    return train(corpus(), minimum=20)


def test_a_topic_with_too_few_curated_articles_is_left_to_the_rules():
    examples = corpus() + [Example("Cup final", "won the cup", frozenset({"football"}))] * 19
    learned, too_few = learnable(examples, minimum=20)
    assert learned == ["earnings", "mergers-acquisitions"]
    assert too_few == {"football": 19}


def test_the_model_tags_what_it_learned_with_a_confidence(model):
    [(concept, confidence)] = model.predict("Results", "Shr 31 cts vs 17 cts net 4 mln vs 2 mln")
    assert concept == "earnings" and model.threshold <= confidence <= 1
    assert [c for c, _ in model.predict("Deal", "Fenwick Co agreed to acquire Acme Corp in cash")] \
        == ["mergers-acquisitions"]
    assert model.predict("Weather", "Rain flooded roads in the north, police said") == []
    ev = model.evaluation
    assert ev.classifier in ("linear-svm", "logistic-regression") and set(ev.compared) == {
        "linear-svm", "logistic-regression"}
    assert {c.concept for c in ev.concepts} == {"earnings", "mergers-acquisitions"}
    assert all(c.precision > 0.8 and c.recall > 0.8 for c in ev.concepts)


def test_the_tagger_asks_the_model_for_its_topics_and_the_rules_for_the_rest(model):
    rules = TopicTagger()
    tagger = Tagger(taggers={"topic": rules}, learned=model)
    earnings = "Shr 31 cts vs 17 cts net 4 mln vs 2 mln revs 20 mln"
    assert "earnings" in tagger.topic_values("Acme Corp results", earnings)
    assert tagger.topic_values("Acme Corp results", earnings)[:2] == ["earnings", "economy"]
    football = ("Striker Smith scored twice as the home side won the cup final in the league "
                "match, the goalkeeper and the manager said after the football game.")
    assert "football" in tagger.topic_values("Cup final", football)  # not learned: the rules
    # Where the rules say "earnings", the model, which learned it, decides.
    for text in ("Profits and earnings per share would be reported next week.",
                 "The orchestra's earnings, profits and dividends rose in the season.",
                 "Shr 3 cts vs 4 cts; profit and earnings per share fell."):
        assert "earnings" in rules.tag("Profits", text)
        said = {c for c, _ in model.predict("Profits", text)}
        assert ("earnings" in tagger.topic_values("Profits", text)) == ("earnings" in said)


def test_a_model_from_another_version_is_refused_with_the_way_out(model, tmp_path):
    path = tmp_path / "topic_model.pkl.gz"
    save_model(model, path)
    assert load_model(path).predict("R", "Shr 3 cts vs 2 cts net 4 mln vs 2 mln")
    with gzip.open(path, "rb") as f:
        saved = pickle.load(f)
    for field, value in (("format", 0), ("scikit-learn", "0.24.2")):
        with gzip.open(path, "wb") as f:
            pickle.dump({**saved, field: value}, f)
        with pytest.raises(ModelRefused, match=r"another version.*searchapp topics learn"):
            load_model(path)


def test_which_articles_teach():
    def article(n, publication, *tags):
        return Article(f"a{n}", f"s{n}", f"T{n}", "text", publication=publication, tags=list(tags))

    earn = Tag("topic", "earnings", "Corporate earnings", "source")
    mine = Tag("topic", "wheat", "Wheat", "librarian")
    auto = Tag("topic", "sport", "Sport", "auto")
    examples = examples_from(
        [article(1, "Reuters", earn), article(2, "Reuters"),  # a topic source's untagged story
         article(3, "BBC", auto),  # nobody judged it: no example
         article(4, "BBC", mine, auto), article(5, "BBC")],
        lambda a, value: value, removed={"a5": {"sport"}})
    assert [(e.title, set(e.concepts)) for e in examples] == [
        ("T1", {"earnings"}), ("T2", set()), ("T4", {"wheat"}), ("T5", set())]


# -- the whole path, as acceptance runs it ---------------------------------------------------

EMPTIED = ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES")


def emptied(sgml: str) -> str:
    """The stories with their categories taken away: only their text is left."""
    for name in EMPTIED:
        sgml = re.sub(rf"<{name}>.*?</{name}>", f"<{name}></{name}>", sgml, flags=re.S)
    return sgml


def searchapp(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchapp.cli", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=1800)


@pytest.mark.slow
def test_index_learn_then_extract_tags_stories_from_their_text(corpora, tmp_path):
    reuters = corpora / "reuters21578"
    train_dir, test_dir = tmp_path / "train", tmp_path / "test"
    train_dir.mkdir(), test_dir.mkdir()
    (train_dir / "reut2-000.sgm").write_bytes((reuters / "reut2-000.sgm").read_bytes())
    test_sgml = (reuters / "reut2-011.sgm").read_text(encoding="latin-1")
    stories = re.findall(r"<REUTERS\b.*?</REUTERS>", test_sgml, re.S)[:150]
    answers = [re.findall(r"<D>(.*?)</D>", re.search(r"<TOPICS>(.*?)</TOPICS>", s, re.S).group(1))
               for s in stories]
    (test_dir / "stories.sgm").write_text(emptied("\n".join(stories)), encoding="latin-1")
    env = {**os.environ, "SEARCHAPP_INSTANCE": str(tmp_path / "instance")}

    indexed = searchapp("index", train_dir, "--index-dir", tmp_path / "ix", env=env)
    assert indexed.returncode == 0, indexed.stderr
    learned = searchapp("topics", "learn", "--index-dir", tmp_path / "ix", env=env)
    assert learned.returncode == 0, learned.stderr
    rows = {line.split()[0]: line.split()[1:] for line in learned.stdout.splitlines()}
    # Cross-validated on the training stories, whose untagged ones count as "none of these"
    # though some are results stories Reuters left untagged: the measured precision is low.
    assert float(rows["earnings"][1]) > 0.75 and float(rows["earnings"][2]) > 0.9  # P, R
    assert "mergers-acquisitions" in rows and "left to the rules" in learned.stdout
    assert (tmp_path / "instance" / "topic_model.pkl.gz").is_file()

    extracted = searchapp("extract", "--json", test_dir, env=env)
    assert extracted.returncode == 0, extracted.stderr
    articles = [json.loads(line) for line in extracted.stdout.splitlines()]
    assert len(articles) == len(stories)
    topics = [[t for t in a["tags"] if t["facet"] == "topic"] for a in articles]
    assert all(t["origin"] == "auto" for ts in topics for t in ts)  # from the text alone
    # Scored on the stories Reuters gave topics to (its untagged ones include results and
    # takeover stories nobody tagged), as the benchmark scores them.
    judged = [(ts, a) for ts, a in zip(topics, answers, strict=True) if a]
    for code, concept in (("earn", "earnings"), ("acq", "mergers-acquisitions")):
        found = [concept in {t["value"] for t in ts} for ts, _ in judged]
        truth = [code in a for _, a in judged]
        hits = sum(f and t for f, t in zip(found, truth, strict=True))
        assert hits / sum(truth) > 0.8 and hits / sum(found) > 0.9, code  # recall, precision


def test_extract_refuses_a_model_of_another_version_and_uses_the_rules(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from searchapp.cli import main

    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path))
    with gzip.open(tmp_path / "topic_model.pkl.gz", "wb") as f:
        pickle.dump({"format": 0, "scikit-learn": "0.24.2", "model": b""}, f)
    story = tmp_path / "story.txt"
    story.write_text("Cup final\n\nStriker Smith scored twice as the home side won the cup final "
                     "in the league match, the goalkeeper and the manager said after the game.")
    result = CliRunner().invoke(main, ["extract", "--json", str(story)])
    assert result.exit_code == 0
    assert "Topics come from the rules only" in result.stderr
    assert "searchapp topics learn" in result.stderr
    topics = {t["value"] for t in json.loads(result.stdout)["tags"] if t["facet"] == "topic"}
    assert "football" in topics
