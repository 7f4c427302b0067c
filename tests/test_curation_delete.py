"""Deleting a value everywhere, on a real SQLite file and a real index: whatever put the tag
there, it goes now and at every re-index; one audit entry; undo brings every tag back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from searchapp.cli import main
from searchapp.curation import CurationError, Curator, catch_up
from searchapp.search import SearchRequest

from .test_curation import facet_values, rebuild, setup  # noqa: F401  (setup: a fixture)


@pytest.fixture
def curated(setup):  # noqa: F811  (the fixture imported above)
    """The seed and stories indexed, a librarian, a database and a curator (test_curation's)."""
    return setup


def all_tags(ix):
    return {h.id: sorted((t.facet, t.value, t.label, t.origin) for t in ix.get(h.id).tags)
            for h in ix.search(SearchRequest(per_page=100)).hits}


def japan_id(ix):
    [hit] = ix.search(SearchRequest(filters={"country": ("JP",)})).hits
    return hit.id


def with_value(ix, facet, value):
    return {aid for aid, tags in all_tags(ix).items() if any(t[:2] == (facet, value) for t in tags)}


def test_a_value_goes_from_every_article_whatever_its_origin_and_stays_gone(curated):
    ix, cur = curated["ix"], curated["curator"]
    cur.add_tag(1, japan_id(ix), "country", "US")  # a librarian's own tag goes too
    assert facet_values(ix, "country")["US"] == 4  # two from the source, one auto, one librarian
    result = cur.delete_value(1, "country", "US")
    assert result["retagged"] == 4 and result["job"] is None
    assert "US" not in facet_values(ix, "country")
    assert with_value(ix, "country", "US") == set()
    assert ix.search(SearchRequest(filters={"country": ("US",)})).total == 0
    [entry, *_] = cur.log()
    assert entry["action"] == "delete_value" and entry["user"] == "lib"
    assert entry["summary"] == "deleted country 'United States' everywhere"

    rebuild(curated)  # the source and the tagger give it again: the deletion holds
    assert with_value(ix, "country", "US") == set()
    assert facet_values(ix, "country")["BR"] == 1  # the other values are untouched


def test_the_deletion_holds_through_the_index_command_with_rebuild(curated, monkeypatch):
    ix, cur = curated["ix"], curated["curator"]
    cur.delete_value(1, "person", "Wang Yi")
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(curated["instance"]))
    result = CliRunner().invoke(main, ["index", str(curated["corpus"]), "--index-dir",
                                       str(curated["index_dir"]), "--rebuild"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert ix.search(SearchRequest("Lavrov")).total == 1  # rebuilt, and read again
    assert with_value(ix, "person", "Wang Yi") == set()
    assert "Xi Jinping" in facet_values(ix, "person")


def test_undo_brings_every_tag_back_exactly(curated):
    ix, cur = curated["ix"], curated["curator"]
    cur.add_tag(1, japan_id(ix), "country", "US")
    before = all_tags(ix)
    change = cur.delete_value(1, "country", "US")
    rebuild(curated)
    cur.undo(1, change["id"])
    assert all_tags(ix) == before
    rebuild(curated)
    assert all_tags(ix) == before


def test_a_value_merged_into_the_deleted_one_goes_too_and_comes_back(curated):
    ix, cur = curated["ix"], curated["curator"]
    cur.merge(1, "person", "Sergey Lavrov", "Sergei Lavrov")
    before = all_tags(ix)
    change = cur.delete_value(1, "person", "Sergei Lavrov")
    assert not with_value(ix, "person", "Sergei Lavrov") | with_value(ix, "person", "Sergey Lavrov")
    cur.undo(1, change["id"])  # found by its tags as ingested, though none shows the value
    assert all_tags(ix) == before


def test_a_librarian_may_still_add_a_deleted_value_to_one_article(curated):
    ix, cur = curated["ix"], curated["curator"]
    cur.delete_value(1, "country", "US")
    aid = japan_id(ix)
    cur.add_tag(1, aid, "country", "US")
    assert with_value(ix, "country", "US") == {aid}
    rebuild(curated)
    assert with_value(ix, "country", "US") == {aid}


def test_a_big_deletion_is_a_background_job_that_catch_up_applies(curated):
    ix, conn = curated["ix"], curated["conn"]
    result = Curator(conn, ix, job_articles=1).delete_value(1, "topic", "economy")
    assert result["job"] == result["id"]
    assert "economy" in facet_values(ix, "topic")  # not applied by the request
    catch_up(ix, curated["instance"])
    assert "economy" not in facet_values(ix, "topic")


def test_deleting_twice_or_merging_a_deleted_value_is_refused(curated):
    cur = curated["curator"]
    cur.delete_value(1, "person", "Wang Yi")
    with pytest.raises(CurationError, match="already deleted"):
        cur.delete_value(1, "person", "Wang Yi")
    with pytest.raises(CurationError, match="undo its deletion"):
        cur.merge(1, "person", "Xi Jinping", "Wang Yi")
    with pytest.raises(CurationError, match="undo its deletion"):
        cur.merge(1, "person", "Wang Yi", "Xi Jinping")
    with pytest.raises(CurationError):
        cur.delete_value(1, "country", "Atlantis")
