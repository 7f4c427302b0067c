"""Article-body extraction quality of searchapp.cleaning on the extraction corpus.

Each page's extracted body is compared with its ground-truth article body
over word 4-gram shingles:

    tokens   = re.findall(r"\\w+", text.lower())
    shingles = set of 4-grams of consecutive tokens
    precision = |pred & true| / |pred|   (0 when the prediction is empty)
    recall    = |pred & true| / |true|   (1 when the truth is empty)

Precision and recall are each averaged over the pages, and F1 is computed
from the two averages. readability-lxml and trafilatura are scored side by
side when they are installed (they are never needed by searchapp itself).

Run: python bench/extraction_quality.py
Writes bench/out/extraction_quality.json.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from searchapp.cleaning import clean_html  # noqa: E402

OUT = REPO / "bench" / "out" / "extraction_quality.json"
SHINGLE = 4


def corpus_dir() -> Path:
    base = os.environ.get("SEARCHAPP_CORPORA")
    root = Path(base) if base else REPO.parent / "shared" / "corpora"
    return root / "extraction"


def load_corpus(folder: Path) -> list[dict]:
    """[{id, url, html, truth}] sorted by id."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append({"id": page_id, "url": truth[page_id].get("url"),
                      "html": raw.decode("utf-8"), "truth": truth[page_id]["articleBody"]})
    return pages


def shingles(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def page_scores(predicted: str, truth: str) -> tuple[float, float]:
    pred, true = shingles(predicted), shingles(truth)
    common = len(pred & true)
    precision = common / len(pred) if pred else 0.0
    recall = common / len(true) if true else 1.0
    return precision, recall


def evaluate(extract: Callable[[str, str | None], str], pages: list[dict]) -> dict:
    """Score one extractor over the pages; per-page rows and the averages."""
    rows = []
    started = time.perf_counter()
    for page in pages:
        try:
            text = extract(page["html"], page["url"]) or ""
        except Exception as exc:  # a peer failing on a page scores 0 there
            print(f"  {page['id'][:12]}: {type(exc).__name__}: {exc}", file=sys.stderr)
            text = ""
        precision, recall = page_scores(text, page["truth"])
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"id": page["id"], "url": page["url"], "precision": precision,
                     "recall": recall, "f1": f1})
    n = len(rows) or 1
    precision = sum(r["precision"] for r in rows) / n
    recall = sum(r["recall"] for r in rows) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(rows), "precision": precision, "recall": recall, "f1": f1,
            "seconds": time.perf_counter() - started, "rows": rows}


def searchapp_extract(html: str, url: str | None) -> str:
    return clean_html(html, url).body


def peer_extractors() -> dict[str, Callable[[str, str | None], str]]:
    """Other extractors for comparison, when installed."""
    peers: dict[str, Callable[[str, str | None], str]] = {}
    try:
        import readability  # type: ignore
        from bs4 import BeautifulSoup

        def readability_extract(html: str, url: str | None) -> str:
            summary = readability.Document(html, url=url).summary(html_partial=True)
            return BeautifulSoup(summary, "lxml").get_text("\n")

        peers["readability-lxml"] = readability_extract
    except ImportError:
        pass
    try:
        import trafilatura  # type: ignore

        def trafilatura_extract(html: str, url: str | None) -> str:
            return trafilatura.extract(html, url=url) or ""

        peers["trafilatura"] = trafilatura_extract
    except ImportError:
        pass
    return peers


def print_report(results: dict[str, dict]) -> None:
    print(f"{'extractor':<18} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>7} {'secs':>6}")
    for name, result in results.items():
        print(f"{name:<18} {result['pages']:>5} {result['precision']:>9.4f} "
              f"{result['recall']:>7.4f} {result['f1']:>7.4f} {result['seconds']:>6.1f}")
    ours = results["searchapp"]
    print("\nworst 10 pages (searchapp):")
    print(f"{'F1':>6} {'P':>6} {'R':>6}  page / url")
    for row in sorted(ours["rows"], key=lambda r: r["f1"])[:10]:
        print(f"{row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f}  "
              f"{row['id'][:12]} {row['url']}")


def main() -> int:
    folder = corpus_dir()
    if not (folder / "ground-truth.json").is_file():
        print(f"extraction corpus not found at {folder}; "
              "set SEARCHAPP_CORPORA to the folder holding extraction/", file=sys.stderr)
        return 2
    pages = load_corpus(folder)
    results = {"searchapp": evaluate(searchapp_extract, pages)}
    for name, extract in peer_extractors().items():
        results[name] = evaluate(extract, pages)
    print_report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
