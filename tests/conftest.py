"""Shared test helpers: where the real corpora are, and small article fixtures."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = REPO / "seeds" / "000_b7353cf5176a3d63.txt"


def load_script(name: str, path: Path):
    """A script outside the package (bench/, tools/) imported as module `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def write_kill_corpus(root: Path) -> int:
    """30 one-article text files and 10 three-story Reuters files in `root`: 60 articles,
    enough for a process to be killed in the middle of its work (the fault trials)."""
    root.mkdir(parents=True)
    seed = SEED.read_text()
    for n in range(30):
        (root / f"seed{n:02d}.txt").write_text(seed.replace("Sochi", f"Sochi{n}"))
    for n in range(10):
        shutil.copy(FIXTURES / "readers" / "stories.sgm", root / f"stories{n:02d}.sgm")
    return 60


def corpora_dir() -> Path:
    """SEARCHAPP_CORPORA, or ../shared/corpora beside the repository (also when it is empty)."""
    return Path(os.environ.get("SEARCHAPP_CORPORA") or REPO.parent / "shared" / "corpora")


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = corpora_dir()
    if not path.is_dir():
        pytest.skip(f"the shared corpora are not here ({path}); set SEARCHAPP_CORPORA")
    return path


@pytest.fixture(scope="session")
def solr_cluster():
    """One SolrCloud for the whole run (ZooKeeper and 2 Solr nodes in one JVM, from solr/),
    started by the first test that asks for it; skipped where Java or Maven are missing.
    A test that stops a node starts it again before it ends."""
    from searchapp.search.solr.cluster import DevCluster, missing_tools

    problem = missing_tools()
    if problem:
        pytest.skip(problem)
    with DevCluster(nodes=2) as cluster:
        yield cluster


# -- the quick inner loop -------------------------------------------------------------------
# `python -m pytest -m "not slow"` leaves out what takes seconds per test; CI runs everything.
# Marked here, in one place, so the rule is visible and test modules stay about behaviour:
# every test that drives a browser or reads the shared corpora, whole modules that start
# servers, kill processes or fuzz, and single tests measured at seconds each
# (`python -m pytest --durations=60`). test_packaging checks that every name listed exists.
SLOW_FIXTURES = {"browser", "corpora", "reuters", "solr_cluster"}
# Every test on the SolrCloud dev cluster is on the Solr side: `python -m pytest -m solr`.
SOLR_FIXTURES = {"solr_cluster"}
SLOW_MODULES = {
    "tests/test_faults.py",  # indexers killed at random moments, searches during indexing
    "tests/test_query_fuzz.py",  # property-based: hundreds of generated queries
    "tests/web/test_web_fuzz.py",
    "tests/web/test_production_server.py",  # gunicorn with two workers
    "tests/web/test_web_huge_article.py",  # indexes a 20 MB article
}
SLOW_TESTS = {
    # bulk taggings killed at random moments, each trial checked against a rebuild
    "tests/test_journal.py::test_a_bulk_tagging_killed_at_any_moment_is_finished_by_the_next_start_or_index_run",
    "tests/test_readers.py::test_a_20_mb_page_is_read",
    "tests/test_hostile_files.py::test_every_hostile_file_is_reported_and_the_good_one_indexed",
    "tests/test_cli.py::test_index_then_search",  # the command in subprocesses
    "tests/test_cleaning.py::test_deeply_nested_markup",
    "tests/test_cleaning.py::test_extraction_f1_on_corpus",  # corpora
    "tests/test_persons.py::test_recall_on_reuters_people",  # corpora
    "tests/test_countries.py::test_shipped_gazetteer_is_what_the_build_script_makes",
    "tests/test_curation.py::test_two_librarians_editing_one_article_at_once_lose_nothing",
    "tests/test_ingest.py::test_parallel_and_serial_runs_agree",  # worker processes
    "tests/web/test_web_security.py::test_gunicorn_without_a_key_stops_with_the_reason",
    # Whole tables of cases, seconds together: the role matrix logs in for every route, the
    # array engine is compared with Whoosh's own matching on many queries, every page is
    # checked for runnable markup.
    "tests/web/test_web_roles.py::test_route_by_role",
    "tests/test_arrays.py::test_same_documents_and_scores_as_whoosh",
    "tests/test_arrays.py::test_questions_match_the_same_documents",
    "tests/web/test_web_xss.py::test_no_page_carries_runnable_markup",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        test = item.nodeid.split("[")[0]
        if (test in SLOW_TESTS or test.split("::")[0] in SLOW_MODULES
                or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)
        if SOLR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.solr)
