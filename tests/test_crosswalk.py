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
