"""Topic tagger: hand-written stories, hierarchy, custom taxonomies, BBC accuracy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from searchapp.crosswalk import default_crosswalk
from searchapp.tagging.labels import taxonomy_labels, topic_label
from searchapp.tagging.topics import TopicTagger, load_taxonomy, validate_taxonomy

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "topics"

BBC_FOLDER_TOPIC = {
    "business": "economy",
    "entertainment": "arts",
    "politics": "politics",
    "sport": "sport",
    "tech": "science-technology",
}

IPTC_TOP_LEVEL = {
    "arts": "medtop:01000000", "crime": "medtop:02000000", "disaster": "medtop:03000000",
    "economy": "medtop:04000000", "education": "medtop:05000000", "environment": "medtop:06000000",
    "health": "medtop:07000000", "human-interest": "medtop:08000000", "labour": "medtop:09000000",
    "lifestyle": "medtop:10000000", "politics": "medtop:11000000", "religion": "medtop:12000000",
    "science-technology": "medtop:13000000", "society": "medtop:14000000", "sport": "medtop:15000000",
    "conflict": "medtop:16000000", "weather": "medtop:17000000",
}


def story(name: str) -> tuple[str, str]:
    """A fixture story: line 1 is the headline, the rest is the body."""
    title, _, body = (FIXTURES / name).read_text(encoding="utf-8").partition("\n")
    return title.strip(), body.strip()


@pytest.fixture(scope="module")
def tagger() -> TopicTagger:
    return TopicTagger()


@pytest.fixture(scope="module")
def parents() -> dict[str, str | None]:
    return {t["id"]: t["parent"] for t in load_taxonomy()}


def top_level(topic_id: str, parents: dict[str, str | None]) -> str:
    while parents[topic_id] is not None:
        topic_id = parents[topic_id]
    return topic_id


# --- hand-written stories ---------------------------------------------------

def test_sanctions_story_is_diplomacy_and_sanctions(tagger, parents):
    tags = tagger.tag(*story("sanctions.txt"))
    assert {"sanctions", "diplomacy", "politics"} <= set(tags)
    assert top_level(tags[0], parents) == "politics"


def test_football_match_report(tagger):
    tags = tagger.tag(*story("football.txt"))
    assert tags[:2] == ["football", "sport"]


def test_earnings_report(tagger):
    tags = tagger.tag(*story("earnings.txt"))
    assert tags[0] == "earnings"
    assert "economy" in tags


def test_election_story(tagger):
    tags = tagger.tag(*story("election.txt"))
    assert tags[:2] == ["elections", "politics"]


def test_text_without_a_clear_topic_gets_no_tags(tagger):
    assert tagger.tag(*story("no_topic.txt")) == []


def test_empty_text_gets_no_tags(tagger):
    assert tagger.tag("", "") == []


def test_few_topics_at_most(tagger):
    for name in ("sanctions.txt", "football.txt", "earnings.txt", "election.txt"):
        assert 1 <= len(tagger.tag(*story(name))) <= TopicTagger.MAX_TOPICS


def test_subtopics_come_with_their_ancestors(tagger, parents):
    for name in ("sanctions.txt", "football.txt", "earnings.txt", "election.txt", "astronomy.txt"):
        tags = tagger.tag(*story(name))
        assert len(tags) == len(set(tags))
        for topic_id in tags:
            parent = parents[topic_id]
            assert parent is None or parent in tags, (name, topic_id, tags)


def test_three_level_branch_includes_every_ancestor(tagger):
    tags = tagger.tag("Shares slide as FTSE 100 falls",
                      "Shares in London fell sharply, with the FTSE 100 index down 2% and "
                      "blue-chip stocks hit by a sell-off on Wall Street.")
    assert tags[:3] == ["stocks", "markets", "economy"]


def test_title_counts_more_than_body(tagger):
    body = "The report was published on Tuesday."
    assert tagger.tag("Election result", body) == ["elections", "politics"]
    assert tagger.tag("Report published", "Election result. " + body) == []


def test_phrase_beats_the_words_inside_it(tagger):
    # "labour market" is about jobs, not the Labour party.
    scores = tagger.score("Labour market tightens", "The labour market tightened again.")
    assert "political-parties" not in scores
    assert scores["labour"] > 0


# --- custom taxonomy --------------------------------------------------------

def test_custom_taxonomy_replaces_the_shipped_vocabulary():
    custom = TopicTagger(load_taxonomy(FIXTURES / "custom_taxonomy.json"))
    assert custom.tag(*story("astronomy.txt")) == ["astronomy", "science"]
    assert custom.tag(*story("football.txt")) == []


def test_custom_taxonomy_from_plain_dicts():
    taxonomy = [
        {"id": "food", "label": "Food", "parent": None, "iptc": None,
         "rules": {"recipe*": 3, "bake": 2}},
        {"id": "baking", "label": "Baking", "parent": "food", "iptc": None,
         "rules": {"sourdough": 3, "loaf": 2, "oven": 1.5}},
    ]
    tagger = TopicTagger(taxonomy)
    tags = tagger.tag("Sourdough loaf recipe", "Bake the sourdough loaf in a hot oven.")
    assert tags == ["baking", "food"]
    assert tagger.labels["baking"] == "Baking"
    assert topic_label("baking", topics=taxonomy_labels(taxonomy)) == "Baking"


def test_invalid_taxonomies_are_rejected():
    with pytest.raises(ValueError, match="unknown parent"):
        validate_taxonomy([{"id": "a", "label": "A", "parent": "missing", "rules": {}}])
    with pytest.raises(ValueError, match="cycle"):
        validate_taxonomy([{"id": "a", "label": "A", "parent": "b", "rules": {}},
                           {"id": "b", "label": "B", "parent": "a", "rules": {}}])
    with pytest.raises(ValueError, match="duplicate"):
        validate_taxonomy([{"id": "a", "label": "A", "parent": None, "rules": {}}] * 2)
    with pytest.raises(ValueError, match="not a number"):
        validate_taxonomy([{"id": "a", "label": "A", "parent": None, "rules": {"x": "3"}}])
    with pytest.raises(ValueError, match="assign_by_rules"):
        validate_taxonomy([{"id": "a", "label": "A", "parent": None, "rules": {},
                            "assign_by_rules": "no"}])


def test_a_topic_not_assigned_by_rules_comes_only_with_a_tagged_subtopic():
    taxonomy = [
        {"id": "economy", "label": "Economy", "parent": None, "assign_by_rules": False,
         "rules": {"economy": 3, "economic": 3}},
        {"id": "wheat", "label": "Wheat", "parent": "economy", "rules": {"wheat": 3}},
    ]
    tagger = TopicTagger(taxonomy)
    vague = ("Economic outlook", "The economy grew. Economic data were mixed for the economy.")
    assert tagger.score(*vague)["economy"] > TopicTagger.MIN_SCORE  # it has the evidence ...
    assert tagger.tag(*vague) == []  # ... but its rules do not tag it alone
    assert tagger.tag("Wheat harvest", "The wheat crop and wheat exports rose.") == [
        "wheat", "economy"]


# --- shipped taxonomy -------------------------------------------------------

def test_shipped_taxonomy_has_the_iptc_top_level():
    taxonomy = load_taxonomy()
    roots = {t["id"]: t["iptc"] for t in taxonomy if t["parent"] is None}
    assert roots == IPTC_TOP_LEVEL


def test_shipped_taxonomy_is_well_formed():
    data = json.loads((Path(__file__).resolve().parents[1] / "searchapp" / "data" / "topics.json")
                      .read_text(encoding="utf-8"))
    assert data["about"]
    # Concepts made for a source's codes (Wheat, for Reuters' `wheat`) may have no rules:
    # the crosswalk tags them, and their words ("lead", "tin", "gold") are too ambiguous.
    mapped = {m.value for m in default_crosswalk() if m.facet == "topic"}
    parents = {t["parent"] for t in data["topics"]}
    for topic in data["topics"]:
        assert set(topic) - {"assign_by_rules"} == {"id", "label", "parent", "iptc", "rules"}
        assert topic.get("assign_by_rules", True) in (True, False), topic["id"]
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", topic["id"])
        assert topic["iptc"] is None or re.fullmatch(r"medtop:\d{8}", topic["iptc"])
        assert topic["rules"] or topic["id"] in mapped | parents, topic["id"]
        for term in topic["rules"]:
            assert term == term.lower().strip(), (topic["id"], term)


def test_topic_label():
    assert topic_label("diplomacy") == "Diplomacy and international relations"
    assert topic_label("economy") == "Economy, business and finance"
    assert topic_label("money-fx") == "money fx"  # a source's own code: its id, spaced
    food = taxonomy_labels([{"id": "food", "label": "Food", "parent": None, "rules": {}}])
    assert topic_label("food", topics=food) == "Food"  # an edited taxonomy's own topic
    assert topic_label("economy", topics=food) == "Economy, business and finance"
    assert topic_label("economy", translate=str.upper) == "ECONOMY, BUSINESS AND FINANCE"


# --- real data --------------------------------------------------------------

def read_bbc(folder: Path) -> list[tuple[str, str, str]]:
    articles = []
    for name, topic in BBC_FOLDER_TOPIC.items():
        for path in sorted((folder / name).glob("*.txt")):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # sport/199.txt has a bare Latin-1 pound sign
                text = raw.decode("latin-1")
            title, _, body = text.strip().partition("\n")
            articles.append((topic, title, body))
    return articles


def test_bbc_accuracy(corpora, tagger, parents):
    folder = corpora / "bbc"
    if not folder.is_dir():
        pytest.skip(f"BBC corpus not found at {folder}")
    articles = read_bbc(folder)
    assert len(articles) == 2225
    correct = 0
    for topic, title, body in articles:
        tags = tagger.tag(title, body)
        correct += bool(tags) and top_level(tags[0], parents) == topic
    assert correct / len(articles) >= 0.85
