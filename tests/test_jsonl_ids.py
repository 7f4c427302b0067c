"""JSON Lines article ids: the line's own identity, never its line number, and curation that
stays on its article when lines move, also in an index built when ids were line numbers.
Real files, a real index, a real SQLite file, real ingest."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from searchapp.cli import main
from searchapp.curation import Curator, ingest_curation, rekey_articles
from searchapp.db import connect, db_path
from searchapp.ingest import content_hash, index_paths
from searchapp.readers import ReadError, legacy_jsonl_id, read_file
from searchapp.search import EngineConfig, SearchRequest, open_engine
from searchapp.tagging import Tagger

# Every story names France, so that a removal of its automatic tag landing on the wrong
# story shows; ids come from the content (no id, no url), the case most likely to go wrong.
STORIES = [
    {"title": f"Story {n}: wine exports", "published": f"2021-03-0{n}",
     "body": f"Growers in Bordeaux, France, sold more wine abroad in week {n}."}
    for n in (1, 2, 3, 4)
]
INSERTED = {"title": "Breaking: harvest news", "published": "2021-03-09",
            "body": "Vineyards in Burgundy, France, expect an early harvest."}


def write_feed(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def read_ids(path, key="feeds/news.jsonl"):
    items = list(read_file(path, key, str(path)))
    assert not [i for i in items if isinstance(i, ReadError)]
    return [a.id for a in items]


# -- where ids come from ------------------------------------------------------------------


def test_ids_come_from_the_id_field_the_url_or_the_content(tmp_path):
    feed = tmp_path / "news.jsonl"
    records = [{"id": "wire-17", "title": "A", "body": "one", "url": "https://x.org/a"},
               {"id": 18, "title": "B", "body": "two"},
               {"url": "https://x.org/c", "title": "C", "body": "three"},
               {"title": "D", "body": "four", "published": "2021-01-01"}]
    write_feed(feed, records)
    first = read_ids(feed)
    # Each line changed in everything but what identifies it, and the lines reversed.
    changed = [{**records[0], "title": "A, corrected", "url": "https://x.org/moved"},
               {**records[1], "id": "18", "body": "two, corrected"},
               {**records[2], "title": "C, corrected"},
               {**records[3], "byline": "Ana Perez", "tags": {"country": ["FR"]}}]
    write_feed(feed, [{"title": "new", "body": "line"}, *changed[::-1]])
    again = read_ids(feed)[1:][::-1]
    assert again == first
    assert len(set(first)) == 4
    # The content that makes a content id: title, body and date as written.
    write_feed(feed, [{**records[3], "published": "2021-01-02"}, {**records[3], "body": "Four"}])
    assert first[3] not in read_ids(feed)


def test_ids_are_never_line_numbers_and_are_scoped_to_the_file(tmp_path):
    feed = tmp_path / "news.jsonl"
    write_feed(feed, STORIES)
    ids = read_ids(feed)
    assert not set(ids) & {legacy_jsonl_id("feeds/news.jsonl", n) for n in range(1, 6)}
    assert not set(ids) & set(read_ids(feed, key="feeds/other.jsonl"))


def test_identical_lines_get_distinct_ids_that_do_not_depend_on_other_lines(tmp_path):
    feed = tmp_path / "news.jsonl"
    same = {"title": "Correction", "body": "An earlier story misnamed the minister."}
    twin = {"id": "w1", "title": "X", "body": "first"}
    write_feed(feed, [same, twin, same, {**twin, "body": "second"}])
    ids = read_ids(feed)
    assert len(set(ids)) == 4
    write_feed(feed, [STORIES[0], same, "not an object", same, twin, {**twin, "body": "second"}])
    items = list(read_file(feed, "feeds/news.jsonl", str(feed)))
    assert [i.source.rsplit("#", 1)[1] for i in items if isinstance(i, ReadError)] == ["3"]
    # A line inserted above and a bad line between them change none of the ids.
    kept = [i.id for i in items if not isinstance(i, ReadError)][1:]
    assert kept == [ids[0], ids[2], ids[1], ids[3]]


# -- curation stays on its article ---------------------------------------------------------


@pytest.fixture
def library(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(instance))
    conn = connect(db_path(instance))
    conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('lib', 'x', 'librarian')")
    corpus = tmp_path / "feeds"
    corpus.mkdir()
    yield {"corpus": corpus, "feed": corpus / "news.jsonl", "index_dir": tmp_path / "ix",
           "instance": instance, "conn": conn}
    conn.close()


def ingest(lib):
    """An indexer run as `searchapp index` makes it: curation from the database."""
    return index_paths([lib["corpus"]], lib["index_dir"], **curation_settings(lib))


def curation_settings(lib) -> dict:
    curation = ingest_curation(lib["instance"])
    return {"curation": curation, "vocabularies": curation.vocabularies,
            "rekey": lambda moves: rekey_articles(moves, lib["instance"])}


def engine(lib):
    return open_engine(EngineConfig(lib["index_dir"], create=False))


def by_title(ix):
    hits = ix.search(SearchRequest("", per_page=100)).hits
    return {h.title: ix.get(h.id) for h in hits}


def values(article, facet):
    return {t.value for t in article.tags if t.facet == facet}


def curate_story_2_and_3(lib):
    ix = engine(lib)
    articles = by_title(ix)
    curator = Curator(lib["conn"], ix)
    curator.add_tag(1, articles["Story 2: wine exports"].id, "person", "Angela Merkel")
    curator.remove_tag(1, articles["Story 3: wine exports"].id, "country", "FR")
    return ix


def assert_curation_on_its_articles(ix):
    articles = by_title(ix)
    assert len(articles) == 5
    assert "Angela Merkel" in values(articles["Story 2: wine exports"], "person")
    assert "FR" not in values(articles["Story 3: wine exports"], "country")  # the removal holds
    others = {title: a for title, a in articles.items() if title != "Story 2: wine exports"}
    assert not [t for t, a in others.items() if "Angela Merkel" in values(a, "person")]
    assert all("FR" in values(a, "country")
               for title, a in articles.items() if title != "Story 3: wine exports")
    assert ix.search(SearchRequest("", filters={"person": ("Angela Merkel",)})).total == 1


def test_a_line_inserted_at_the_top_moves_no_curation(library):
    write_feed(library["feed"], STORIES)
    ingest(library)
    ix = curate_story_2_and_3(library)
    assert "Angela Merkel" in values(by_title(ix)["Story 2: wine exports"], "person")

    write_feed(library["feed"], [INSERTED, *STORIES])
    report = ingest(library)
    assert report.files_indexed == 1 and report.articles_indexed == 5
    assert_curation_on_its_articles(engine(library))


def write_old_index(lib):
    """The index as searchapp wrote it when JSON Lines ids were line numbers: articles under
    `<key>#<line>` ids, the file's digest without the id scheme, curation keyed on those ids."""
    ix = open_engine(EngineConfig(lib["index_dir"]))
    items = list(read_file(lib["feed"], "feeds/news.jsonl", str(lib["feed"])))
    tagger = Tagger.from_vocabularies({})
    articles = [tagger.tag(a) for a in items]
    for number, article in enumerate(articles, start=1):
        article.id = legacy_jsonl_id("feeds/news.jsonl", number)
    writer = ix.writer()
    writer.replace_file(str(lib["feed"].resolve()), content_hash(lib["feed"]), articles)
    writer.commit()
    return ix


def test_an_index_with_line_number_ids_migrates_on_the_next_index_command(library):
    write_feed(library["feed"], STORIES)
    old = write_old_index(library)
    story_2 = legacy_jsonl_id("feeds/news.jsonl", 2)
    curate_story_2_and_3(library)
    assert "Angela Merkel" in values(old.get(story_2), "person")

    result = CliRunner().invoke(main, ["index", str(library["corpus"]), "--index-dir",
                                       str(library["index_dir"])], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ix = engine(library)
    assert ix.get(story_2) is None  # the old ids are gone, their curation moved
    assert ix.doc_count() == 4
    articles = by_title(ix)
    assert "Angela Merkel" in values(articles["Story 2: wine exports"], "person")
    assert "FR" not in values(articles["Story 3: wine exports"], "country")
    conn = library["conn"]
    edits = {r["article_id"] for r in conn.execute("SELECT article_id FROM tag_edits")}
    assert edits == {articles["Story 2: wine exports"].id, articles["Story 3: wine exports"].id}
    [entry] = conn.execute("SELECT * FROM audit WHERE action = 'move_ids'").fetchall()
    assert "2 articles" in entry["summary"]

    # The librarian's earlier change can still be undone, on the new id.
    curator = Curator(conn, ix)
    [added] = conn.execute("SELECT id FROM audit WHERE action = 'add_tag'").fetchall()
    curator.undo(1, added["id"])
    assert "Angela Merkel" not in values(ix.get(articles["Story 2: wine exports"].id), "person")

    # Migrated once: the next run reads nothing again and moves nothing.
    again = CliRunner().invoke(main, ["index", str(library["corpus"]), "--index-dir",
                                      str(library["index_dir"])], catch_exceptions=False)
    assert "indexed 0 articles" in again.output
    assert conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'move_ids'").fetchone()[0] == 1


def test_an_old_index_migrates_when_lines_were_also_inserted_and_rebuilt(library):
    write_feed(library["feed"], STORIES)
    write_old_index(library)
    curate_story_2_and_3(library)
    write_feed(library["feed"], [INSERTED, *STORIES])
    index_paths([library["corpus"]], library["index_dir"], rebuild=True,
                **curation_settings(library))
    assert_curation_on_its_articles(engine(library))


def test_an_old_index_migrates_when_lines_above_were_deleted(library):
    write_feed(library["feed"], STORIES)
    write_old_index(library)
    ix = engine(library)
    story_4 = legacy_jsonl_id("feeds/news.jsonl", 4)  # past the end of the shorter file
    Curator(library["conn"], ix).add_tag(1, story_4, "person", "Angela Merkel")
    write_feed(library["feed"], STORIES[2:])
    ingest(library)
    articles = by_title(engine(library))
    assert set(articles) == {"Story 3: wine exports", "Story 4: wine exports"}
    assert "Angela Merkel" in values(articles["Story 4: wine exports"], "person")
    assert "Angela Merkel" not in values(articles["Story 3: wine exports"], "person")
