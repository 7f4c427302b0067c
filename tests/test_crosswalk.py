"""The crosswalk from Reuters' codes to the taxonomy and the person authority file."""

from __future__ import annotations

from collections import Counter

import pytest

from searchapp.crosswalk import (
    Crosswalk,
    Mapping,
    default_codes,
    default_crosswalk,
    source_code,
    source_tag,
    split_source_code,
)
from searchapp.db import connect
from searchapp.model import Article, Tag
from searchapp.tagging.persons import load_authority
from searchapp.tagging.topics import load_taxonomy

# Reuters-21578's published TOPICS category list (all-topics-strings.lc.txt), 135 names.
REUTERS_TOPICS = """
acq alum austdlr austral barley bfr bop can carcass castor-meal castor-oil castorseed citruspulp
cocoa coconut coconut-oil coffee copper copra-cake corn corn-oil cornglutenfeed cotton cotton-meal
cotton-oil cottonseed cpi cpu crude cruzado dfl dkr dlr dmk drachma earn escudo f-cattle ffr
fishmeal flaxseed fuel gas gnp gold grain groundnut groundnut-meal groundnut-oil heat hk hog
housing income instal-debt interest inventories ipi iron-steel jet jobs l-cattle lead lei lin-meal
lin-oil linseed lit livestock lumber lupin meal-feed mexpeso money-fx money-supply naphtha nat-gas
nickel nkr nzdlr oat oilseed orange palladium palm-meal palm-oil palmkernel peseta pet-chem
platinum plywood pork-belly potato propane rand rape-meal rape-oil rapeseed red-bean reserves
retail rice ringgit rubber rupiah rye saudriyal sfr ship silk silver singdlr skr sorghum soy-meal
soy-oil soybean stg strategic-metal sugar sun-meal sun-oil sunseed tapioca tea tin trade tung
tung-oil veg-oil wheat wool wpi yen zinc
""".split()

TEN_MOST_FREQUENT = {"earn": "earnings", "acq": "mergers-acquisitions", "money-fx": "currencies",
                     "grain": "grain", "crude": "crude-oil", "trade": "trade",
                     "interest": "central-banks", "ship": "shipping", "wheat": "wheat",
                     "corn": "corn"}


@pytest.fixture(scope="module")
def taxonomy() -> dict[str, dict]:
    return {t["id"]: t for t in load_taxonomy()}


def test_every_published_reuters_topic_maps_onto_a_taxonomy_concept(taxonomy):
    assert len(REUTERS_TOPICS) == 135
    crosswalk = Crosswalk.load()
    for code in REUTERS_TOPICS:
        assert crosswalk.map("reuters", "topic", code) in taxonomy, code


def test_the_ten_most_frequent_categories(taxonomy):
    crosswalk = Crosswalk.load()
    assert {c: crosswalk.map("reuters", "topic", c) for c in TEN_MOST_FREQUENT} == TEN_MOST_FREQUENT


def test_new_concepts_sit_under_the_right_parent(taxonomy):
    crosswalk = Crosswalk.load()
    wheat = taxonomy[crosswalk.map("reuters", "topic", "wheat") or ""]
    assert (wheat["label"], wheat["parent"]) == ("Wheat", "grain")
    assert taxonomy["grain"]["parent"] == "agriculture"
    assert taxonomy[crosswalk.map("reuters", "topic", "dlr") or ""]["parent"] == "currencies"
    assert taxonomy[crosswalk.map("reuters", "topic", "nat-gas") or ""]["parent"] == "oil-gas"


def test_reuters_distinctions_are_kept():
    """Two codes share a concept only when they mean the same thing: linseed is flaxseed."""
    by_value = Counter(m.value for m in default_crosswalk() if m.facet == "topic")
    shared = {v for v, n in by_value.items() if n > 1}
    assert shared == {"linseed"}
    crosswalk = Crosswalk.load()
    assert crosswalk.map("reuters", "topic", "flaxseed") == crosswalk.map("reuters", "topic", "linseed")
    assert len({crosswalk.map("reuters", "topic", c) for c in ("dlr", "can", "hk", "austdlr")}) == 4


def test_reuters_people_map_onto_the_authority_file():
    names = {e["name"] for e in load_authority()}
    crosswalk = Crosswalk.load()
    assert crosswalk.map("reuters", "person", "reagan") == "Ronald Reagan"
    assert crosswalk.map("reuters", "person", "james-baker") == "James Baker"
    assert crosswalk.map("reuters", "person", "king-fahd") == "Fahd bin Abdulaziz"
    people = [m for m in default_crosswalk() if m.facet == "person"]
    assert len(people) >= 260 and all(m.value in names for m in people)
    # Listed, but too ambiguous to name (Reuters gives no first name): they wait.
    assert crosswalk.map("reuters", "person", "young") is None
    assert ("reuters", "person", "young") in default_codes("reuters")
    assert len([c for c in default_codes("reuters") if c[1] == "person"]) == 267


def test_codes_are_compared_trimmed_and_in_lower_case():
    crosswalk = Crosswalk.load()
    assert crosswalk.map("reuters", "topic", " Money-FX ") == "currencies"
    assert source_code("reuters", "Cotton ") == "reuters:cotton"


def test_source_codes_are_told_from_values():
    assert split_source_code("reuters:money-fx") == ("reuters", "money-fx")
    assert split_source_code("money-fx") is None
    assert split_source_code("Re: Reagan") is None  # not a source of codes


def test_apply_maps_codes_and_drops_those_without_a_mapping():
    article = Article("a1", "s", "t", "b", tags=[
        source_tag("reuters", "topic", "earn"), source_tag("reuters", "topic", "no-such-code"),
        source_tag("reuters", "person", "reagan"), Tag("country", "US", "United States", "source")])
    crosswalk = Crosswalk.load()
    tags = {(t.facet, t.value, t.label, t.origin) for t in crosswalk.apply(article).tags}
    assert tags == {("topic", "earnings", "Corporate earnings", "source"),
                    ("person", "Ronald Reagan", "Ronald Reagan", "source"),
                    ("country", "US", "United States", "source")}
    assert crosswalk.unmapped(article) == [("reuters", "topic", "no-such-code")]


def test_librarians_edits_overlay_the_defaults(tmp_path):
    conn = connect(tmp_path / "db.sqlite")
    conn.execute("INSERT INTO crosswalk_edits VALUES ('reuters', 'topic', 'wheat', 'agriculture')")
    conn.execute("INSERT INTO crosswalk_edits VALUES ('reuters', 'topic', 'earn', NULL)")
    conn.execute("INSERT INTO crosswalk_edits VALUES ('reuters', 'person', 'young', 'Kim Young')")
    crosswalk = Crosswalk.load(conn)
    assert crosswalk.map("reuters", "topic", "wheat") == "agriculture"
    assert crosswalk.map("reuters", "topic", "earn") is None
    assert crosswalk.map("reuters", "person", "young") == "Kim Young"
    assert Mapping("reuters", "topic", "corn", "corn") in crosswalk.mappings()
    assert Crosswalk.load().map("reuters", "topic", "earn") == "earnings"


# -- ingest applies it; librarians map what waits ------------------------------------------


def story(newid: int, topics: list[str], people: list[str], title: str) -> str:
    def items(codes):
        return "".join(f"<D>{c}</D>" for c in codes)

    return (f'<REUTERS TOPICS="YES" NEWID="{newid}"><DATE>2-MAR-1987 10:00:00.00</DATE>'
            f"<TOPICS>{items(topics)}</TOPICS><PLACES><D>usa</D></PLACES>"
            f"<PEOPLE>{items(people)}</PEOPLE><TEXT><TITLE>{title}</TITLE>"
            f"<BODY>{title.capitalize()}, the company said.\n Reuter\n</BODY></TEXT></REUTERS>\n")


@pytest.fixture
def archive(tmp_path):
    from searchapp.curation import Curator, ingest_curation
    from searchapp.db import db_path
    from searchapp.ingest import index_paths
    from searchapp.search import EngineConfig, open_engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "reut2-900.sgm").write_text(
        story(1, ["earn"], ["reagan"], "Acme quarterly profit up")
        + story(2, ["grain", "wheat", "no-such-code"], ["young"], "Wheat exports rise")
        + story(3, ["money-fx", "dlr", "no-such-code"], [], "Dollar falls against the yen"))
    instance = tmp_path / "instance"
    conn = connect(db_path(instance))
    conn.execute("INSERT INTO users (name, password_hash, role) VALUES ('lib', 'x', 'librarian')")
    index_dir = tmp_path / "ix"
    index_paths([corpus], index_dir, curation=ingest_curation(instance), crosswalk=Crosswalk.load(conn))
    engine = open_engine(EngineConfig(index_dir, create=False))
    return {"conn": conn, "engine": engine, "curator": Curator(conn, engine), "corpus": corpus,
            "instance": instance, "index_dir": index_dir}


def topic_values(engine) -> dict[str, int]:
    from searchapp.search import SearchRequest

    return {c.value: c.count for c in engine.search(SearchRequest("", facet_limit=0)).facets["topic"]}


def by_title(engine, words: str):
    from searchapp.search import SearchRequest

    [hit] = engine.search(SearchRequest(words)).hits
    return engine.get(hit.id)


def test_no_raw_source_code_is_a_topic_value(archive, taxonomy):
    values = topic_values(archive["engine"])
    assert set(values) <= set(taxonomy)  # every value is a concept of the taxonomy
    assert {"earnings", "grain", "wheat", "currencies", "us-dollar"} <= set(values)
    assert not any(":" in v for v in values)  # no source code either
    profit = by_title(archive["engine"], "Acme profit")
    tags = {(t.facet, t.value, t.origin) for t in profit.tags}
    assert {("topic", "earnings", "source"), ("person", "Ronald Reagan", "source")} <= tags


def test_unmapped_codes_wait_with_their_counts(archive):
    from searchapp.curation import waiting_codes

    waiting = {(w["facet"], w["code"]): w for w in waiting_codes(archive["conn"])}
    assert set(waiting) == {("topic", "no-such-code"), ("person", "young")}
    assert waiting[("topic", "no-such-code")]["articles"] == 2
    assert archive["engine"].get(waiting[("person", "young")]["example"]).title == "Wheat exports rise"
    wheat = by_title(archive["engine"], "wheat exports")
    assert "young" not in {t.value.lower() for t in wheat.tags if t.facet == "person"}


def test_mapping_a_waiting_code_retags_its_articles_and_undo_takes_it_back(archive):
    from searchapp.curation import waiting_codes

    engine, curator = archive["engine"], archive["curator"]
    before = topic_values(engine)
    assert before.get("agriculture", 0) < 2  # the wheat story's words may suggest it
    done = curator.map_code(1, "reuters", "topic", "no-such-code", "Agriculture")
    assert done["retagged"] == 2
    assert topic_values(engine)["agriculture"] == 2
    assert [w["code"] for w in waiting_codes(archive["conn"])] == ["young"]
    assert "mapped reuters topic code 'no-such-code' to 'Agriculture'" in done["summary"]
    curator.undo(1, done["id"])
    assert topic_values(engine) == before
    assert {w["code"] for w in waiting_codes(archive["conn"])} == {"young", "no-such-code"}


def test_a_changed_mapping_and_a_mapping_taken_away_reach_the_index(archive):
    engine, curator = archive["engine"], archive["curator"]
    curator.map_code(1, "reuters", "topic", "dlr", "currencies")
    assert "us-dollar" not in topic_values(engine)
    curator.map_code(1, "reuters", "topic", "earn", None)
    profit = by_title(engine, "Acme profit")
    assert ("earnings", "source") not in {(t.value, t.origin) for t in profit.tags}
    from searchapp.curation import waiting_codes

    assert ("earn", 1) in {(w["code"], w["articles"]) for w in waiting_codes(archive["conn"])}


def test_the_mapping_holds_through_a_rebuild(archive):
    from searchapp.curation import ingest_curation
    from searchapp.ingest import index_paths

    archive["curator"].map_code(1, "reuters", "person", "young", "Kim Young")
    index_paths([archive["corpus"]], archive["index_dir"], rebuild=True,
                curation=ingest_curation(archive["instance"]),
                crosswalk=Crosswalk.load(archive["conn"]))
    wheat = by_title(archive["engine"], "wheat exports")
    assert ("person", "Kim Young") in {(t.facet, t.value) for t in wheat.tags}


def test_deleting_a_concept_everywhere_is_undone_for_articles_given_it_by_the_crosswalk(archive):
    engine, curator = archive["engine"], archive["curator"]
    done = curator.delete_value(1, "topic", "wheat")
    assert "wheat" not in topic_values(engine)
    curator.undo(1, done["id"])
    assert topic_values(engine)["wheat"] == 1


def test_without_a_database_ingest_maps_with_the_shipped_crosswalk(tmp_path, taxonomy):
    from searchapp.ingest import index_paths
    from searchapp.search import EngineConfig, open_engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "reut2-901.sgm").write_text(story(1, ["crude", "nat-gas"], [], "Oil prices firm"))
    report = index_paths([corpus], tmp_path / "ix")
    engine = open_engine(EngineConfig(tmp_path / "ix", create=False))
    assert {"crude-oil", "natural-gas"} <= set(topic_values(engine)) <= set(taxonomy)
    assert report.waiting == {}


def test_a_mapping_onto_no_concept_is_refused(archive):
    from searchapp.curation import CurationError

    with pytest.raises(CurationError, match="not a concept"):
        archive["curator"].map_code(1, "reuters", "topic", "wheat", "no such concept")
    with pytest.raises(CurationError, match="Unknown facet"):
        archive["curator"].map_code(1, "reuters", "country", "usa", "US")


# -- the command line ---------------------------------------------------------------------------


def test_vocab_crosswalk_prints_one_json_object_a_line(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from searchapp.cli import main
    from searchapp.db import db_path

    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["vocab", "crosswalk", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"source": "reuters", "facet": "topic", "code": "wheat", "value": "wheat"} in lines
    assert all(set(line) == {"source", "facet", "code", "value"} for line in lines)
    assert len([m for m in lines if m["facet"] == "topic"]) == 135
    # A librarian's edit is in effect for the command line too.
    conn = connect(db_path(tmp_path / "instance"))
    conn.execute("INSERT INTO crosswalk_edits VALUES ('reuters', 'topic', 'wheat', 'grain')")
    result = CliRunner().invoke(main, ["vocab", "crosswalk", "--json"], catch_exceptions=False)
    assert {"source": "reuters", "facet": "topic", "code": "wheat", "value": "grain"} in \
        [json.loads(line) for line in result.stdout.splitlines()]


def test_extract_shows_reuters_codes_mapped(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from searchapp.cli import main

    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(tmp_path / "instance"))
    (tmp_path / "reut2-902.sgm").write_text(story(1, ["earn", "no-such-code"], ["reagan"], "Profit up"))
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "reut2-902.sgm"), "--json"])
    [article] = [json.loads(line) for line in result.stdout.splitlines()]
    given = {(t["facet"], t["value"]) for t in article["tags"] if t["origin"] == "source"}
    assert {("topic", "earnings"), ("person", "Ronald Reagan")} <= given
    assert not any(":" in value for _, value in given)


@pytest.mark.slow
def test_raw_codes_among_topic_values_on_the_shared_reuters_corpus(corpora):
    """113 of Reuters' topic codes showed as values of their own; none does now."""
    from .conftest import REPO, load_script

    bench = load_script("crosswalk_codes", REPO / "bench" / "crosswalk_codes.py")
    result = bench.count(corpora / "reuters21578")
    print(f"\nraw codes among the topic values from Reuters' TOPICS: before "
          f"{result['before']['raw_codes']} of {result['before']['values']}, after "
          f"{result['after']['raw_codes']} of {result['after']['values']}")
    assert result["before"]["raw_codes"] > 100
    assert result["after"]["raw_codes"] == 0 and result["waiting"] == {}


def test_a_mapping_touching_many_articles_runs_as_a_job(archive):
    from searchapp.curation import Curator

    curator = Curator(archive["conn"], archive["engine"], job_articles=1)
    done = curator.map_code(1, "reuters", "topic", "no-such-code", "sugar")
    assert done["job"] == done["id"] and "sugar" not in topic_values(archive["engine"])
    curator.catch_up()
    assert topic_values(archive["engine"])["sugar"] == 2
