"""Topics learned from curated tags against the rules, on Reuters-21578.

Train on reut2-000 ... reut2-010: the stories as the reader gives them, their Reuters topics
mapped onto the taxonomy through the crosswalk, chosen and trained exactly as
`searchapp topics learn` does (tagging.learned.examples_from and train). Test on reut2-011 ...
reut2-014, each story tagged from its title and text alone (the reader's source tags, from
TOPICS, PLACES, PEOPLE, ORGS, EXCHANGES and COMPANIES, are dropped), by the product's tagger:
with the model (the rules for the concepts it did not learn), and by the rules alone.

Scored: micro-F1 over the ten most frequent Reuters categories. A predicted concept counts for
every Reuters code the crosswalk maps to it; the answer key is the stories' TOPICS, raw.
Nothing from the test files is used in training or in choosing settings (the classifier and
threshold are chosen by cross-validation on the training files).

Test stories: those with at least one Reuters topic (the usual setting, and what a story with
its categories emptied is); also reported: TOPICS="YES" stories (ModApte's choice, which
includes stories judged to have none) and every story.

Run: python bench/learned_topics.py  (several minutes: cross-validation fits many models)
Writes bench/out/learned_topics.json.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from reuters_key import answer_key, corpora_dir  # noqa: E402

from searchapp.crosswalk import Crosswalk, split_source_code  # noqa: E402
from searchapp.model import Article  # noqa: E402
from searchapp.readers import ReadError, read_file  # noqa: E402
from searchapp.tagging import Tagger  # noqa: E402
from searchapp.tagging.learned import examples_from, train  # noqa: E402
from searchapp.tagging.topics import TopicTagger  # noqa: E402

OUT = REPO / "bench" / "out" / "learned_topics.json"
TRAIN = range(0, 11)
TEST = range(11, 15)
TEN = ("earn", "acq", "money-fx", "grain", "crude", "trade", "interest", "ship", "wheat", "corn")
SUBSETS = ("with a topic", "TOPICS=YES", "all")


@dataclass
class TestStory:
    title: str
    body: str
    codes: set[str]  # Reuters TOPICS, raw
    judged: bool  # TOPICS="YES"


def files(numbers) -> list[Path]:
    return [corpora_dir() / "reuters21578" / f"reut2-{n:03d}.sgm" for n in numbers]


def articles_in(path: Path) -> list[Article]:
    return [a for a in read_file(path, f"reuters21578/{path.name}", str(path))
            if not isinstance(a, ReadError)]


def judged_ids(path: Path) -> set[str]:
    text = path.read_text(encoding="latin-1")
    return {m.group(1) for m in re.finditer(r'<REUTERS TOPICS="YES"[^>]*NEWID="(\d+)"', text)}


def test_stories(paths: list[Path]) -> list[TestStory]:
    stories = []
    for path in paths:
        key, judged = answer_key(path), judged_ids(path)
        for article in articles_in(path):
            newid = article.source.rsplit("#", 1)[1]
            stories.append(TestStory(article.title, article.body, set(key[newid][2]), newid in judged))
    return stories


class Mapping:
    """Reuters codes <-> concepts through the shipped crosswalk."""

    def __init__(self):
        self.crosswalk = Crosswalk.load()

    def concept(self, code: str) -> str | None:
        return self.crosswalk.map("reuters", "topic", code)

    def codes(self, concepts: list[str]) -> set[str]:
        return {code for code in TEN if self.concept(code) in concepts}


def to_concept(mapping: Mapping, taxonomy: set[str]):
    """As `searchapp topics learn` maps a story's curated topics (topic_training.concept_mapper)."""
    def convert(article: Article, value: str) -> str | None:
        if value in taxonomy:
            return value
        code = split_source_code(value)
        return mapping.crosswalk.map(code[0], "topic", code[1]) if code else None
    return convert


def score(predicted: list[set[str]], stories: list[TestStory], subset: str) -> dict:
    tp = fp = fn = 0
    per = {c: [0, 0, 0] for c in TEN}
    for codes, story in zip(predicted, stories, strict=True):
        if (subset == "with a topic" and not story.codes) or (subset == "TOPICS=YES" and not story.judged):
            continue
        for c in TEN:
            hit, gold = c in codes, c in story.codes
            per[c][0] += hit and gold
            per[c][1] += hit and not gold
            per[c][2] += gold and not hit
    tp, fp, fn = (sum(v[k] for v in per.values()) for k in range(3))
    return {"micro_f1": 2 * tp / (2 * tp + fp + fn), "precision": tp / max(1, tp + fp),
            "recall": tp / max(1, tp + fn),
            "per_category": {c: {"precision": v[0] / max(1, v[0] + v[1]),
                                 "recall": v[0] / max(1, v[0] + v[2])} for c, v in per.items()}}


def evaluate(tagger: Tagger, stories: list[TestStory], mapping: Mapping) -> dict:
    start = time.perf_counter()
    predicted = [mapping.codes(tagger.topic_values(s.title, s.body)) for s in stories]
    ms = 1000 * (time.perf_counter() - start) / len(stories)
    return {"ms_per_story": ms, **{subset: score(predicted, stories, subset) for subset in SUBSETS}}


def main() -> int:
    if not files(TRAIN)[0].is_file():
        print("Reuters-21578 not found; set SEARCHAPP_CORPORA to the corpora folder.", file=sys.stderr)
        return 2
    mapping = Mapping()
    rules = TopicTagger()
    train_articles = [a for p in files(TRAIN) for a in articles_in(p)]
    examples = examples_from(train_articles, to_concept(mapping, set(rules.labels)))
    start = time.perf_counter()
    model = train(examples, progress=lambda m: print(m, file=sys.stderr))
    seconds = time.perf_counter() - start
    stories = test_stories(files(TEST))
    result = {
        "train_articles": len(examples), "test_stories": len(stories),
        "train_seconds": seconds, "cv": _cv(model.evaluation),
        "learned": evaluate(Tagger(taggers={"topic": rules}, learned=model), stories, mapping),
        "rules": evaluate(Tagger(taggers={"topic": rules}), stories, mapping),
    }
    print_report(result)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


def _cv(ev) -> dict:
    return {"classifier": ev.classifier, "threshold": ev.threshold, "micro_f1": ev.micro_f1,
            "compared": ev.compared, "concepts": len(ev.concepts), "left_to_rules": len(ev.too_few)}


def print_report(r: dict) -> None:
    cv = r["cv"]
    print(f"train articles {r['train_articles']}, test stories {r['test_stories']}")
    print(f"chosen by cross-validation on the training files: {cv['classifier']}, threshold "
          f"{cv['threshold']}, CV micro-F1 {cv['micro_f1']:.3f} (compared: "
          + ", ".join(f"{k} {v:.3f}" for k, v in cv["compared"].items())
          + f"); {cv['concepts']} topics learned, {cv['left_to_rules']} left to the rules")
    print(f"training took {r['train_seconds']:.0f} s\n")
    print(f"{'micro-F1, ten categories':<28}{'rules':>10}{'learned':>10}")
    for subset in SUBSETS:
        print(f"{'  ' + subset:<28}{r['rules'][subset]['micro_f1']:>10.3f}"
              f"{r['learned'][subset]['micro_f1']:>10.3f}")
    main_set = SUBSETS[0]
    print(f"\nper category ({main_set})      rules P / R     learned P / R")
    for c in TEN:
        a, b = r["rules"][main_set]["per_category"][c], r["learned"][main_set]["per_category"][c]
        print(f"  {c:<20}{a['precision']:>8.3f}{a['recall']:>7.3f}{b['precision']:>12.3f}{b['recall']:>7.3f}")
    print(f"\nms per story: rules {r['rules']['ms_per_story']:.2f}, "
          f"learned {r['learned']['ms_per_story']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
