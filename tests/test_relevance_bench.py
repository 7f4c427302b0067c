"""The ranking benchmark (bench/relevance.py): its loaders, its measures and its three systems,
on a tiny collection of our own written in both collections' file layouts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from .conftest import REPO, load_script

bench = load_script("relevance", REPO / "bench" / "relevance.py")

# Three documents, three questions: each question has one clearly best document.
DOCS = {
    "1": "wing flutter at supersonic speed . flutter of thin wings in supersonic flow",
    "2": "heat transfer in the boundary layer of a hypersonic cone",
    "3": "buckling of cylindrical shells under axial compression",
}
QUESTIONS = [("001", "what is known about wing flutter at supersonic speed ."),
             ("002", "HEAT TRANSFER AND THE BOUNDARY LAYER"),
             ("004", "buckling of (cylindrical) shells?")]


def write_cranfield(folder: Path) -> None:
    folder.mkdir(parents=True)
    docs = "".join(f".I {n}\n.T\ntitle {n}\n.A\nsomeone\n.B\nsomewhere\n.W\n{text}\n"
                   for n, text in DOCS.items())
    (folder / "cran.all.1400").write_text(docs)
    (folder / "cran.qry").write_text("".join(f".I {label}\n.W\n{q}\n" for label, q in QUESTIONS))
    # Questions are numbered by position (label 004 is question 3); -1 is the source paper.
    (folder / "cranqrel").write_text("1 1 2\n1 3 -1\n2 2 1\n2 1 4\n3 3 3\n")


def write_npl(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "doc-text").write_text("".join(f"{n}\n{text}\n   /\n" for n, text in DOCS.items()))
    (folder / "query-text").write_text(
        "".join(f"{i}\n{q}\n/\n" for i, (_label, q) in enumerate(QUESTIONS, 1)))
    (folder / "rlv-ass").write_text("1\n    1\n   /\n2\n    2     1\n   /\n3\n    3\n   /\n")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpora")
    write_cranfield(root / "ir" / "cranfield")
    write_npl(root / "ir" / "npl")
    return root


def test_cranfield_questions_are_numbered_by_position_and_minus_one_is_not_relevant(root):
    c = bench.load("cranfield", root)
    assert c.docs == DOCS  # the .W text only: it already begins with the title
    assert list(c.questions) == ["1", "2", "3"]
    assert c.questions["3"] == "buckling of (cylindrical) shells?"
    assert c.relevant == {"1": {"1"}, "2": {"2", "1"}, "3": {"3"}}


def test_npl_records_end_at_a_slash_line(root):
    c = bench.load("npl", root)
    assert c.docs == DOCS
    assert c.questions["2"] == "HEAT TRANSFER AND THE BOUNDARY LAYER"
    assert c.relevant == {"1": {"1"}, "2": {"2", "1"}, "3": {"3"}}


def test_questions_are_typed_lower_case_without_query_syntax():
    assert bench.as_typed("HEAT TRANSFER AND THE BOUNDARY LAYER") == \
        "heat transfer and the boundary layer"
    typed = bench.as_typed('buckling of (cylindrical) shells? "x" -y lift-drag kuchemann\'s a:b')
    assert typed == "buckling of cylindrical shells x y lift-drag kuchemann s a b"


def test_measures_match_hand_computed_values():
    ranking, relevant = ["a", "x", "b", "y"], {"a", "b", "c"}
    assert bench.precision(ranking, relevant) == pytest.approx(0.2)
    assert bench.average_precision(ranking, relevant) == pytest.approx((1 + 2 / 3) / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert bench.ndcg(ranking, relevant) == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert bench.ndcg(["a", "b", "c"], relevant) == pytest.approx(1.0)
    # Only the first k answers count.
    assert bench.average_precision(["x", "a"], {"a"}, k=1) == 0.0


def test_evaluate_averages_over_judged_questions_and_counts_empty_answers(root):
    c = bench.load("cranfield", root)
    answers = {"what is known about wing flutter at supersonic speed .": ["1"],
               "heat transfer and the boundary layer": ["1", "2"]}
    m = bench.evaluate(lambda q: answers.get(q, []), c)
    assert m["questions"] == 3 and m["empty"] == 1
    assert m["p@10"] == pytest.approx((0.1 + 0.2 + 0) / 3, abs=1e-4)
    assert m["map@100"] == pytest.approx((1 + 1 + 0) / 3, abs=1e-4)


@pytest.mark.parametrize("system", ["bm25", "fts5"])
def test_the_baselines_rank_the_matching_document_first(root, system):
    if system == "bm25":
        pytest.importorskip("bm25s")
    c = bench.load("npl", root)
    search = {"bm25": bench.bm25_search, "fts5": bench.fts5_search}[system](c)
    for qid, question in c.questions.items():
        assert search(bench.as_typed(question))[0] == {"1": "1", "2": "2", "3": "3"}[qid]
    assert search("zeppelin") == []


def test_the_product_answers_from_its_own_index_with_neutral_titles(root, tmp_path):
    c = bench.load("cranfield", root)
    search = bench.product_search(bench.product_index(c, tmp_path))
    assert search("buckling shells") == ["3"]
    assert search("wing flutter at supersonic speed")[0] == "1"
    assert search("title") == []  # the documents' real titles were left out
