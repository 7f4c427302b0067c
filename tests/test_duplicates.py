"""Near-duplicate grouping: what is one story, and groups kept between runs, through a
rebuild and past the deletion of a group's first article (real index, real files)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from searchapp import duplicates
from searchapp.duplicates import Groups, state_path
from searchapp.ingest import index_paths
from searchapp.model import Article
from searchapp.readers import ReadError, read_file
from searchapp.search import EngineConfig, SearchRequest, open_engine

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "duplicates"
STORIES = FIXTURES / "stories"


def records(name: str) -> list[dict]:
    return [json.loads(line) for line in (STORIES / name).read_text().splitlines()]


def story(id: str, record: dict, **changes) -> Article:
    article = Article(id=id, source=f"test/{id}", title=record["title"], body=record["body"],
                      published=record["published"])
    return replace(article, **changes)


WIRE, KANSAS = records("wire.jsonl")
COPY, EDITED, EXPORTS = records("copies.jsonl")


def grouped(*articles: Article) -> list[str]:
    groups = Groups(lambda _id: None)
    return [groups.assign(a).group or "" for a in articles]


def test_a_wire_copy_and_an_edited_version_join_the_story_a_different_story_does_not():
    groups = grouped(story("wire", WIRE), story("kansas", KANSAS), story("copy", COPY),
                     story("edited", EDITED), story("exports", EXPORTS))
    assert groups == ["wire", "kansas", "wire", "wire", "exports"]


def test_the_same_text_a_month_later_is_another_report_undated_texts_compare_by_text():
    later = story("later", WIRE, published="1987-04-01")
    assert grouped(story("wire", WIRE), later) == ["wire", "later"]
    undated = story("undated", WIRE, published=None)
    assert grouped(story("wire", WIRE), undated) == ["wire", "wire"]
    two_days = story("two-days", WIRE, published="1987-03-04")
    assert grouped(story("wire", WIRE), two_days) == ["wire", "wire"]


def test_a_story_cut_short_joins_its_full_version():
    first_half = WIRE["body"][: len(WIRE["body"]) // 2]
    assert grouped(story("wire", WIRE), story("short", WIRE, body=first_half)) == ["wire", "wire"]


def test_the_band_index_keeps_its_articles_through_a_save_and_a_load(tmp_path):
    groups = Groups(lambda _id: None)
    for n in range(duplicates.MERGE_EVERY // 1000 + 3):
        groups.assign(story(f"k{n}", KANSAS, body=f"{KANSAS['body']} {n}"))
    groups.assign(story("wire", WIRE))
    groups.forget("k0")  # removed: left out of the saved index
    groups.save(tmp_path / "state", "build-1")
    assert Groups.load(tmp_path / "state", "build-2", len(groups), lambda _id: None) is None
    assert Groups.load(tmp_path / "state", "build-1", len(groups) + 1, lambda _id: None) is None
    loaded = Groups.load(tmp_path / "state", "build-1", len(groups), lambda _id: None)
    assert loaded is not None and loaded.ids() == groups.ids() and "k0" not in loaded.ids()
    sig = duplicates.signature(duplicates.shingles(story("copy", COPY)))
    assert loaded.lsh.query(sig) == {"wire"}


# -- through ingest: a real index, runs one after another ---------------------------------


@pytest.fixture()
def folders(tmp_path) -> tuple[Path, Path, Path]:
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    shutil.copy(STORIES / "wire.jsonl", first)
    shutil.copy(STORIES / "copies.jsonl", later)
    return first, later, tmp_path / "index"


def groups_by_title(index: Path) -> dict[str, set[str]]:
    engine = open_engine(EngineConfig(index_dir=index))
    hits = engine.search(SearchRequest(per_page=100, group_versions=False)).hits
    out: dict[str, set[str]] = {}
    for hit in hits:
        out.setdefault(hit.group or "", set()).add(hit.title)
    return out


BRAZIL = {"Brazil coffee areas get heavy rain", "Heavy rain in Brazil coffee areas"}


def test_a_new_folder_is_grouped_against_what_is_already_indexed(folders):
    first, later, index = folders
    index_paths([first], index, workers=1)
    assert state_path(index).exists()
    index_paths([later], index, workers=1)
    assert sorted(map(sorted, groups_by_title(index).values())) == [
        sorted(BRAZIL), ["Brazil coffee exports fall in February"],
        ["Rain helps drought-hit grain farmers in Kansas"]]
    result = open_engine(EngineConfig(index_dir=index)).search(SearchRequest(query="brazil coffee"))
    assert result.total == 2  # the story once, and the exports story
    assert [h.versions for h in result.hits if h.title in BRAZIL] == [2]


def test_a_lost_state_file_is_read_again_from_the_index(folders):
    first, later, index = folders
    index_paths([first], index, workers=1)
    state_path(index).unlink()
    index_paths([later], index, workers=1)
    assert sorted(BRAZIL) in map(sorted, groups_by_title(index).values())


def test_a_rebuild_groups_the_same_stories(folders):
    first, later, index = folders
    index_paths([first], index, workers=1)
    index_paths([later], index, workers=1)
    before = sorted(map(sorted, groups_by_title(index).values()))
    index_paths([first, later], index, workers=1, rebuild=True)
    assert sorted(map(sorted, groups_by_title(index).values())) == before
    # The saved state describes the rebuilt index: the next run uses it as it is.
    engine = open_engine(EngineConfig(index_dir=index))
    assert Groups.load(state_path(index), engine.journal_mark().index, engine.doc_count(),
                       engine.get) is not None


def test_deleting_the_first_article_of_a_group_keeps_the_others_together(folders, tmp_path):
    """The group id is a label each version carries: it outlives the article it names."""
    first, later, index = folders
    index_paths([first], index, workers=1)
    index_paths([later], index, workers=1)
    engine = open_engine(EngineConfig(index_dir=index))
    brazil_group = next(h.group for h in engine.search(SearchRequest(query="rain brazil")).hits
                        if h.versions)
    (first / "wire.jsonl").write_text(json.dumps(KANSAS) + "\n")  # the Brazil story's first copy gone
    index_paths([first], index, workers=1)
    assert engine.get(brazil_group) is None
    versions = engine.search(SearchRequest(group=brazil_group, per_page=100)).hits
    assert {h.title for h in versions} == BRAZIL and len(versions) == 2
    # A copy arriving later joins them through the versions that are left.
    third = tmp_path / "third"
    third.mkdir()
    (third / "again.jsonl").write_text(json.dumps({**COPY, "title": "Rain in Brazil"}) + "\n")
    index_paths([third], index, workers=1)
    assert len(engine.search(SearchRequest(group=brazil_group, per_page=100)).hits) == 3


# -- the labelled sample the thresholds were chosen on (tests/fixtures/duplicates) ----------


def test_labelled_reuters_pairs(corpora):
    """Precision and recall of the grouping on the 100 labelled Reuters pairs (see the
    fixture's README): each pair is grouped as ingest groups it, earlier story first."""
    pairs = json.loads((FIXTURES / "reuters_pairs.json").read_text())["pairs"]
    wanted = {name.split("#")[0] for p in pairs for name in (p["a"], p["b"])}
    stories = {}
    for name in sorted(wanted):
        path = corpora / "reuters21578" / name
        for item in read_file(path, f"reuters21578/{name}", name):
            if not isinstance(item, ReadError):
                stories[item.source] = item
    tp = fp = fn = 0
    for p in pairs:
        a, b = sorted((stories[p["a"]], stories[p["b"]]), key=lambda s: s.published or "")
        together = len(set(grouped(a, b))) == 1
        tp += together and p["same_story"]
        fp += together and not p["same_story"]
        fn += not together and p["same_story"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"precision {precision:.3f}, recall {recall:.3f} ({tp} of {tp + fn} same-story pairs)")
    assert precision >= 0.95 and recall >= 0.9
