"""Topic tagging quality of searchapp.tagging.topics on the BBC News corpus.

The BBC set has 2,225 articles in five folders. Each folder is mapped onto a
top-level topic of the shipped taxonomy (below). An article counts as correct
when the top-level ancestor of the FIRST topic the tagger returns equals its
folder's topic; an article with no topic counts as wrong. The folder names are
used only as this answer key.

Reported: accuracy, coverage (share of articles with any topic), per-class
precision and recall, the confusion matrix (columns include "other" for any
other top-level topic and "none" for no topic) and milliseconds per article.

Run: python bench/topic_quality.py
Writes bench/out/topic_quality.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from searchapp.tagging.topics import TopicTagger, load_taxonomy  # noqa: E402

OUT = REPO / "bench" / "out" / "topic_quality.json"

FOLDER_TOPIC = {
    "business": "economy",
    "entertainment": "arts",
    "politics": "politics",
    "sport": "sport",
    "tech": "science-technology",
}


def corpus_dir() -> Path:
    base = os.environ.get("SEARCHAPP_CORPORA")
    root = Path(base) if base else REPO.parent / "shared" / "corpora"
    return root / "bbc"


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_bbc(folder: Path) -> list[dict]:
    """[{id, label, title, body}]; line 1 of each file is the headline."""
    articles = []
    for name in sorted(FOLDER_TOPIC):
        for path in sorted((folder / name).glob("*.txt")):
            title, _, body = read_text(path).strip().partition("\n")
            articles.append({"id": f"{name}/{path.name}", "label": FOLDER_TOPIC[name],
                             "title": title.strip(), "body": body.strip()})
    return articles


def top_level(topic_id: str, parents: dict[str, str | None]) -> str:
    while parents.get(topic_id) is not None:
        topic_id = parents[topic_id]
    return topic_id


def evaluate(articles: list[dict], tagger: TopicTagger, parents: dict[str, str | None]) -> dict:
    classes = sorted(set(FOLDER_TOPIC.values()))
    columns = classes + ["other", "none"]
    confusion = {c: dict.fromkeys(columns, 0) for c in classes}
    correct = tagged = 0
    start = time.perf_counter()
    for article in articles:
        topics = tagger.tag(article["title"], article["body"])
        if not topics:
            predicted = "none"
        else:
            tagged += 1
            predicted = top_level(topics[0], parents)
            if predicted not in classes:
                predicted = "other"
        confusion[article["label"]][predicted] += 1
        correct += predicted == article["label"]
    elapsed = time.perf_counter() - start
    per_class = {}
    for c in classes:
        true_pos = confusion[c][c]
        predicted_as = sum(confusion[row][c] for row in classes)
        actual = sum(confusion[c].values())
        per_class[c] = {"precision": true_pos / predicted_as if predicted_as else 0.0,
                        "recall": true_pos / actual if actual else 0.0, "support": actual}
    n = len(articles)
    return {"articles": n, "accuracy": correct / n, "coverage": tagged / n,
            "ms_per_article": 1000 * elapsed / n, "per_class": per_class,
            "confusion_columns": columns, "confusion": confusion}


def print_report(result: dict) -> None:
    print(f"articles      {result['articles']}")
    print(f"accuracy      {result['accuracy']:.3f}")
    print(f"coverage      {result['coverage']:.3f}")
    print(f"ms / article  {result['ms_per_article']:.2f}")
    print()
    print(f"{'class':<20}{'precision':>10}{'recall':>10}{'support':>9}")
    for c, m in result["per_class"].items():
        print(f"{c:<20}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['support']:>9}")
    print()
    columns = result["confusion_columns"]
    short = {"science-technology": "sci-tech"}
    print("confusion (rows: true, columns: predicted)")
    print(f"{'':<20}" + "".join(f"{short.get(c, c):>10}" for c in columns))
    for row, counts in result["confusion"].items():
        print(f"{row:<20}" + "".join(f"{counts[c]:>10}" for c in columns))


def main() -> int:
    folder = corpus_dir()
    if not folder.is_dir():
        print(f"BBC corpus not found at {folder}; set SEARCHAPP_CORPORA to the corpora folder.",
              file=sys.stderr)
        return 2
    taxonomy = load_taxonomy()
    parents = {t["id"]: t.get("parent") for t in taxonomy}
    result = evaluate(load_bbc(folder), TopicTagger(taxonomy), parents)
    print_report(result)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
