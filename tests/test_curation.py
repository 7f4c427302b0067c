"""Curation on a real SQLite file and a real index: edits, merges, bulk, undo, and rebuilds."""

from __future__ import annotations

import shutil

import pytest

from searchapp.curation import CurationError, Curator, ingest_settings
from searchapp.db import MIGRATIONS, connect, db_path, schema_version
from searchapp.ingest import index_paths
from searchapp.search import EngineConfig, SearchRequest, open_engine

from .conftest import FIXTURES, SEED


@pytest.fixture
def setup(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    shutil.copy(FIXTURES / "readers" / "stories.sgm", corpus / "stories.sgm")
    instance = tmp_path / "instance"
    conn = connect(db_path(instance))
    conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('lib', 'x', 'librarian')")
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir)
    ix = open_engine(EngineConfig(index_dir, create=False))
    return {"corpus": corpus, "instance": instance, "conn": conn, "ix": ix, "index_dir": index_dir,
            "curator": Curator(conn, ix)}


def seed_id(ix):
    [hit] = ix.search(SearchRequest("Lavrov")).hits
    return hit.id


def tags(ix, article_id, facet):
    return {(t.value, t.origin) for t in ix.get(article_id).tags if t.facet == facet}


def facet_values(ix, facet, q=""):
    return {c.value: c.count for c in ix.search(SearchRequest(q, facet_limit=0)).facets[facet]}


def rebuild(s):
    curate, vocabularies, _ = ingest_settings(s["instance"])
    index_paths([s["corpus"]], s["index_dir"], rebuild=True, curate=curate, vocabularies=vocabularies)


def test_the_database_is_migrated_and_in_wal_mode(setup):
    conn = setup["conn"]
    assert schema_version(conn) == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_add_and_remove_show_at_once_and_survive_a_rebuild(setup):
    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    count = ix.doc_count()
    assert ("RU", "auto") in tags(ix, aid, "country")
    cur.add_tag(1, aid, "country", "Norway")
    cur.remove_tag(1, aid, "country", "RU")
    assert ("NO", "librarian") in tags(ix, aid, "country")
    assert ix.doc_count() == count  # re-tagged in place, never a second copy
    assert ix.search(SearchRequest("Lavrov")).total == 1
    assert "RU" not in {v for v, _ in tags(ix, aid, "country")}
    assert "NO" in facet_values(ix, "country", "Lavrov")
    assert ix.search(SearchRequest("Lavrov", filters={"country": ("RU",)})).total == 0

    rebuild(setup)
    assert ("NO", "librarian") in tags(ix, aid, "country")
    assert "RU" not in {v for v, _ in tags(ix, aid, "country")}  # the removal sticks


def test_merge_everywhere_and_undo(setup):
    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    assert "Sergey Lavrov" in {v for v, _ in tags(ix, aid, "person")}
    change = cur.merge(1, "person", "Sergey Lavrov", "Sergei Lavrov")
    assert change["retagged"] == 1
    persons = {v for v, _ in tags(ix, aid, "person")}
    assert "Sergei Lavrov" in persons and "Sergey Lavrov" not in persons
    assert ix.search(SearchRequest(filters={"person": ("Sergei Lavrov",)})).total == 1

    rebuild(setup)
    assert "Sergei Lavrov" in {v for v, _ in tags(ix, aid, "person")}

    cur.undo(1, change["id"])
    persons = {v for v, _ in tags(ix, aid, "person")}
    assert "Sergey Lavrov" in persons and "Sergei Lavrov" not in persons
    with pytest.raises(CurationError, match="already been undone"):
        cur.undo(1, change["id"])


def test_bulk_tagging_a_search_result(setup):
    ix, cur = setup["ix"], setup["curator"]
    ids = ix.ids_for(SearchRequest("cocoa OR japan"))
    assert len(ids) == 2
    result = cur.bulk_tag(1, ids, "topic", "commodities")
    assert result["retagged"] == 2
    assert ix.search(SearchRequest(filters={"topic": ("commodities",)})).total == 2


def test_audit_log_records_who_what_before_and_after(setup):
    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    cur.remove_tag(1, aid, "person", "Wang Yi")
    [entry] = cur.log()
    assert entry["user"] == "lib" and entry["action"] == "remove_tag"
    assert "Wang Yi" in entry["summary"] and entry["at"]
    assert '"before": null' in entry["change"] and '"state": "removed"' in entry["change"]


def test_undo_refuses_when_a_later_change_touched_the_same_tag(setup):
    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    first = cur.add_tag(1, aid, "topic", "sanctions")
    cur.remove_tag(1, aid, "topic", "sanctions")
    with pytest.raises(CurationError, match="later change"):
        cur.undo(1, first["id"])


def test_bad_values_are_refused(setup):
    cur = setup["curator"]
    with pytest.raises(CurationError):
        cur.add_tag(1, "x", "country", "Atlantis")
    with pytest.raises(CurationError):
        cur.add_tag(1, "x", "colour", "red")
    with pytest.raises(CurationError):
        cur.merge(1, "person", "A B", "A B")


def test_edited_person_vocabulary_is_used_on_the_next_ingest(setup):
    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    assert "Brookings Institution" not in {v for v, _ in tags(ix, aid, "person")}
    cur.set_vocabulary(1, "persons", [{"name": "Sergey Viktorovich Lavrov",
                                       "aliases": ["Lavrov", "Sergey Lavrov"]}])
    rebuild(setup)
    persons = {v for v, _ in tags(ix, aid, "person")}
    assert "Sergey Viktorovich Lavrov" in persons
    with pytest.raises(CurationError):
        cur.set_vocabulary(1, "persons", [{"aliases": ["nameless"]}])


def test_two_librarians_editing_one_article_at_once_lose_nothing(setup):
    import threading

    ix, db = setup["ix"], db_path(setup["instance"])
    aid = seed_id(ix)
    values = ["Norway", "Chile", "Peru", "Kenya", "Japan", "Mexico"]
    errors = []

    def librarian(names):
        conn = connect(db)  # each librarian has their own connection, as web workers do
        try:
            for name in names:
                Curator(conn, ix).add_tag(1, aid, "country", name)
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=librarian, args=(values[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    librarian_tags = {v for v, origin in tags(ix, aid, "country") if origin == "librarian"}
    assert librarian_tags == {"NO", "CL", "PE", "KE", "JP", "MX"}


def test_an_edit_made_while_an_indexer_holds_the_index_lands_after_it(setup):
    import searchapp.search.whoosh.engine as engine
    from searchapp.curation import catch_up
    from searchapp.search import IndexLocked

    ix, cur = setup["ix"], setup["curator"]
    aid = seed_id(ix)
    indexer = ix.writer()  # as a running ingest holds it
    old_wait, engine.RETAG_WAIT_SECONDS = engine.RETAG_WAIT_SECONDS, 0.1
    try:
        with pytest.raises(IndexLocked):
            cur.add_tag(1, aid, "country", "Chile")
    finally:
        engine.RETAG_WAIT_SECONDS = old_wait
        indexer.cancel()
    assert "CL" not in {v for v, _ in tags(ix, aid, "country")}  # saved, not yet shown
    assert ix.journal_mark().change < cur.last_change()  # pending
    assert catch_up(ix, setup["instance"]) == 1
    assert ix.journal_mark().change == cur.last_change()
    assert ("CL", "librarian") in tags(ix, aid, "country")
