"""Ranking quality on classic test collections: the product beside a plain BM25 and SQLite FTS5.

Collections (the corpora's ir/ folder): Cranfield (1,400 aeronautics abstracts, 225 questions)
and NPL (11,429 electronics abstracts, 93 questions), each with people's relevance judgments.
Every question goes to every system as a reader would type it: lower-case (so AND, OR and NOT
are words), the query language's syntax characters replaced by spaces. Each system returns its
top 100; reported per collection: nDCG@10 (binary gains), MAP@100 (average precision over the
first 100, divided by all the question's relevant documents, as trec_eval does), P@10, and how
many questions got no answer at all. Questions with no relevant document are left out (none
here). One setting for every collection: nothing is tuned per collection.

- product: searchapp's own index, built in a temporary folder through the public ingest API
  (`index_paths` on JSON Lines), searched with SearchRequest(query=..., per_page=100). Each
  document's text is its body, and its title one neutral token (`doc<number>`, a word no question
  holds): the product weighs titles x2, and Cranfield's text already begins with its title, so a
  real title would count those words twice.
- bm25: Okapi BM25 from the `bm25s` library (Lucene's variant: idf = ln(1 + (N-n+0.5)/(n+0.5)),
  k1 = 1.2, b = 0.75, the values Lucene and Whoosh use), on the product's own index analyzer
  (Whoosh's StemmingAnalyzer: the same tokenizer, lower-casing, stop words and Porter stemmer)
  applied to documents and questions alike; a repeated question word counts each time.
- fts5: SQLite FTS5 with `tokenize='porter unicode61'`, the question's words (runs of letters and
  digits) each quoted and OR'ed, ranked by `bm25()` (k1 = 1.2, b = 0.75, no stop words).

Run: python bench/relevance.py [--collections cranfield npl] [--out bench/out/relevance.json]
Needs `pip install -e '.[bench]'` (bm25s) and the corpora (SEARCHAPP_CORPORA or ../shared/corpora).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from speedlib import OUT_DIR, corpora_dir, machine_info  # noqa: E402

COLLECTIONS = ("cranfield", "npl")
DEPTH = 100  # answers taken from each system
BM25_K1, BM25_B = 1.2, 0.75
# What the product's query language reads as syntax (quotes, groups, fields, wildcards, fuzzy,
# ranges, boosts, required words; Whoosh's single quotes); a minus starting a word excludes it.
_SYNTAX = re.compile(r"""["'()*?~:\[\]{}^+]|(?:^|(?<=\s))-""")

Search = Callable[[str], list[str]]  # a typed question -> document numbers, best first


@dataclass
class Collection:
    name: str
    docs: dict[str, str]  # number -> text, in file order
    questions: dict[str, str]  # number -> question
    relevant: dict[str, set[str]]  # question number -> relevant document numbers


# -- loading --------------------------------------------------------------------------------


def load(name: str, root: Path) -> Collection:
    return {"cranfield": load_cranfield, "npl": load_npl}[name](root / "ir" / name)


def load_cranfield(folder: Path) -> Collection:
    docs = {n: fields.get("W", "") for n, fields in _dot_records(folder / "cran.all.1400")}
    # The question labels skip numbers (001, 002, 004...); the judgments number questions
    # by their position in the file.
    questions = {str(i): fields["W"]
                 for i, (_label, fields) in enumerate(_dot_records(folder / "cran.qry"), 1)}
    relevant: dict[str, set[str]] = {}
    for line in (folder / "cranqrel").read_text().splitlines():
        if not line.strip():
            continue
        qid, docid, code = line.split()[:3]
        if 1 <= int(code) <= 4:  # -1 marks the paper the question came from: not relevant
            relevant.setdefault(qid, set()).add(docid)
    return Collection("cranfield", docs, questions, relevant)


def _dot_records(path: Path) -> Iterable[tuple[str, dict[str, str]]]:
    """SMART-style records: `.I n`, then fields `.X` each followed by its lines."""
    number, fields, field = None, {}, None
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(".I "):
            if number is not None:
                yield number, fields
            number, fields, field = line[3:].strip(), {}, None
        elif re.fullmatch(r"\.[A-Z]", line.strip()):
            field = line.strip()[1]
            fields[field] = ""
        elif field:
            fields[field] = f"{fields[field]} {line.strip()}".strip()
    if number is not None:
        yield number, fields


def load_npl(folder: Path) -> Collection:
    docs = dict(_slash_records(folder / "doc-text"))
    questions = dict(_slash_records(folder / "query-text"))
    relevant = {number: set(text.split()) for number, text in _slash_records(folder / "rlv-ass")}
    return Collection("npl", docs, questions, relevant)


def _slash_records(path: Path) -> Iterable[tuple[str, str]]:
    """Records of a number line, then text lines, ended by a line holding `/`."""
    lines: list[str] = []
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.strip() == "/":
            if lines:
                yield lines[0].strip(), " ".join(s.strip() for s in lines[1:] if s.strip())
            lines = []
        elif line.strip() or lines:
            lines.append(line)


def as_typed(question: str) -> str:
    """The question as a reader types it into the search box: lower-case (AND, OR, NOT are
    words, not operators), the query language's syntax characters replaced by spaces."""
    return " ".join(_SYNTAX.sub(" ", question.lower()).split())


# -- measures (binary relevance) ------------------------------------------------------------


def ndcg(ranking: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def average_precision(ranking: list[str], relevant: set[str], k: int = DEPTH) -> float:
    """Precision at each relevant answer in the first k, summed, over all relevant documents
    (a relevant document not found counts as precision 0, as in trec_eval's map)."""
    found, total = 0, 0.0
    for i, d in enumerate(ranking[:k], 1):
        if d in relevant:
            found += 1
            total += found / i
    return total / len(relevant) if relevant else 0.0


def precision(ranking: list[str], relevant: set[str], k: int = 10) -> float:
    return sum(1 for d in ranking[:k] if d in relevant) / k


def evaluate(search: Search, collection: Collection) -> dict:
    """The system's mean measures over the collection's judged questions."""
    rows = []
    for qid, question in collection.questions.items():
        relevant = collection.relevant.get(qid)
        if not relevant:
            continue
        ranking = search(as_typed(question))[:DEPTH]
        rows.append((ndcg(ranking, relevant), average_precision(ranking, relevant),
                     precision(ranking, relevant), not ranking))
    n = len(rows)
    return {"questions": n,
            "ndcg@10": round(sum(r[0] for r in rows) / n, 4),
            "map@100": round(sum(r[1] for r in rows) / n, 4),
            "p@10": round(sum(r[2] for r in rows) / n, 4),
            "empty": sum(1 for r in rows if r[3])}


# -- the systems ----------------------------------------------------------------------------


def product_index(collection: Collection, folder: Path) -> Path:
    """The collection in a product index under `folder`, through the public ingest API."""
    from searchapp.ingest import index_paths

    source = folder / collection.name
    source.mkdir(parents=True)
    numbers = list(collection.docs)
    parts = 4  # several files, so that the ingest's worker processes share the reading
    for p in range(parts):
        with open(source / f"part{p}.jsonl", "w", encoding="utf-8") as f:
            for number in numbers[p::parts]:
                record = {"title": f"doc{number}", "body": collection.docs[number]}
                f.write(json.dumps(record) + "\n")
    index_dir = folder / f"{collection.name}-index"
    report = index_paths([source], index_dir)
    if report.articles_indexed != len(numbers):
        raise RuntimeError(f"{collection.name}: {report.summary()}")
    return index_dir


def product_search(index_dir: Path) -> Search:
    """The product's search, through its public interface (the one place it is called)."""
    from searchapp.search import EngineConfig, QueryError, SearchRequest, open_engine

    engine = open_engine(EngineConfig(index_dir=index_dir, create=False))

    def search(question: str) -> list[str]:
        try:
            hits = engine.search(SearchRequest(query=question, per_page=DEPTH)).hits
        except QueryError:  # refused: the reader gets no answer
            return []
        return [h.title.removeprefix("doc") for h in hits]

    return search


def analyze(text: str) -> list[str]:
    """The product's index analyzer: Whoosh's StemmingAnalyzer (tokens, lower case, its stop
    words, Porter stems)."""
    return [t.text for t in _stemming_analyzer()(text)]


@lru_cache(maxsize=1)
def _stemming_analyzer():
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer()


def bm25_search(collection: Collection) -> Search:
    import bm25s
    import numpy as np

    numbers = list(collection.docs)
    retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
    retriever.index([analyze(text) for text in collection.docs.values()], show_progress=False)
    vocabulary = retriever.vocab_dict

    def search(question: str) -> list[str]:
        words = [w for w in analyze(question) if w in vocabulary]
        if not words:
            return []
        scores = retriever.get_scores(words)
        top = np.argsort(-scores, kind="stable")[:DEPTH]
        return [numbers[i] for i in top if scores[i] > 0]

    return search


def fts5_search(collection: Collection) -> Search:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(number UNINDEXED, body, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs (number, body) VALUES (?, ?)", collection.docs.items())

    def search(question: str) -> list[str]:
        words = re.findall(r"\w+", question)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute("SELECT number FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) "
                          "LIMIT ?", (match, DEPTH))
        return [number for (number,) in rows]

    return search


# -- the run --------------------------------------------------------------------------------


def run(names: Iterable[str], root: Path) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        for name in names:
            collection = load(name, root)
            started = time.perf_counter()
            index_dir = product_index(collection, Path(tmp))
            print(f"{name}: {len(collection.docs)} documents indexed in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            systems = {"product": product_search(index_dir), "bm25": bm25_search(collection),
                       "fts5": fts5_search(collection)}
            results[name] = {system: evaluate(search, collection)
                             for system, search in systems.items()}
    return results


def table(results: dict) -> str:
    lines = [f"{'collection':<11}{'system':<9}{'nDCG@10':>9}{'MAP@100':>9}{'P@10':>8}"
             f"{'empty':>7}{'questions':>11}"]
    for name, systems in results.items():
        for system, m in systems.items():
            lines.append(f"{name:<11}{system:<9}{m['ndcg@10']:>9.4f}{m['map@100']:>9.4f}"
                         f"{m['p@10']:>8.4f}{m['empty']:>7}{m['questions']:>11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--collections", nargs="+", choices=COLLECTIONS, default=list(COLLECTIONS))
    parser.add_argument("--out", type=Path, default=OUT_DIR / "relevance.json")
    args = parser.parse_args(argv)
    root = corpora_dir()
    if not (root / "ir").is_dir():
        sys.exit(f"the test collections are not here: {root / 'ir'} (set SEARCHAPP_CORPORA)")
    results = run(args.collections, root)
    print(table(results))
    report = {"machine": machine_info(), "depth": DEPTH,
              "bm25": {"library": "bm25s", "method": "lucene", "k1": BM25_K1, "b": BM25_B,
                       "analyzer": "whoosh StemmingAnalyzer (the product's index analyzer)"},
              "fts5": {"tokenize": "porter unicode61", "query": "the question's words OR'ed"},
              "collections": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
