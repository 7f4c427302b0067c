"""The seams of the search layer hold: only `searchapp.search.whoosh` knows Whoosh, and
engines are made by `open_engine` alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from searchapp.search import EngineConfig, open_engine

PACKAGE = Path(__file__).resolve().parents[2] / "searchapp"
WHOOSH = re.compile(r"^\s*(?:from|import)\s+whoosh\b|\bWhoosh(?:Engine|Writer)\b|\.whoosh\b", re.M)


def test_nothing_outside_the_whoosh_package_knows_whoosh():
    outside = [p for p in PACKAGE.rglob("*.py") if "whoosh" not in p.relative_to(PACKAGE).parts]
    users = [str(p.relative_to(PACKAGE)) for p in outside if WHOOSH.search(p.read_text())]
    # The interface registers the engine by name, importing it only when it is opened.
    assert users == ["search/__init__.py"]
    interface = (PACKAGE / "search" / "__init__.py").read_text()
    assert not re.search(r"^(?:from|import)\s+\.?whoosh", interface, re.M)  # not at import time


def test_the_engine_is_chosen_by_the_environment():
    config = EngineConfig.from_env({"SEARCHAPP_ENGINE": "solr", "SEARCHAPP_INDEX_DIR": "x",
                                    "SEARCHAPP_ENGINE_URL": "http://127.0.0.1:8983/solr",
                                    "SEARCHAPP_ENGINE_COLLECTION": "news"}, create=False)
    assert (config.engine, config.index_dir, config.url, config.collection, config.create) == (
        "solr", Path("x"), "http://127.0.0.1:8983/solr", "news", False)
    default = EngineConfig.from_env({}, index_dir="y")
    assert (default.engine, default.index_dir, default.create) == ("whoosh", Path("y"), True)
    flask = EngineConfig.from_flask({"INDEX_DIR": "z", "SEARCH_ENGINE": "whoosh"})
    assert (flask.engine, flask.index_dir) == ("whoosh", Path("z"))


def test_an_unknown_engine_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="unknown search engine 'nope'"):
        open_engine(EngineConfig(index_dir=tmp_path, engine="nope"))
