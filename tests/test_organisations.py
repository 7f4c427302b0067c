"""Tests for the organisation tagger (searchapp.tagging.organisations)."""

from __future__ import annotations

import json

import pytest

from searchapp.tagging.organisations import DATA_FILE, OrganisationTagger, load_bodies
from searchapp.tagging.persons import PersonTagger, fold


@pytest.fixture(scope="module")
def tagger():
    return OrganisationTagger()


def test_listed_bodies_by_their_names_and_aliases(tagger):
    body = ("Oil ministers of the Organization of Petroleum Exporting Countries met in Vienna.\n\n"
            "The Bundesbank left rates alone, and the Fed watched the dollar. The EC and the IMF "
            "agreed; the World Bank did not.")
    assert set(tagger.tag("", body)) == {"OPEC", "Bundesbank", "Federal Reserve", "European Community",
                                         "International Monetary Fund", "World Bank"}


def test_capital_aliases_need_capitals_and_mixed_case_text(tagger):
    assert tagger.tag("", "Who knows what the ec or the imf will do?") == []
    # "WHO" in an upper-case headline is a word; the body names no health body.
    assert tagger.tag("WHO WILL PAY FOR THE DAM", "The ministers could not say.") == []
    assert tagger.tag("", "The WHO said the outbreak was over.") == ["World Health Organization"]


def test_headline_counts_only_what_the_body_names(tagger):
    assert tagger.tag("OPEC MEETS IN VIENNA", "Ministers met on Monday.") == []
    assert tagger.tag("OPEC MEETS IN VIENNA", "OPEC ministers met on Monday.") == ["OPEC"]


def test_names_with_an_organisation_word_without_their_legal_form(tagger):
    body = ("Shares of Exxon Corp fell after Morgan Stanley Group Inc cut its rating.\n\n"
            "Westdeutsche Landesbank Girozentrale lent the money, and Bank of England Governor "
            "Robin Leigh-Pemberton said Federal Reserve Board Chairman Paul Volcker agreed.")
    assert tagger.tag("", body) == ["Exxon", "Morgan Stanley Group", "Westdeutsche Landesbank Girozentrale",
                                    "Bank of England", "Federal Reserve"]


def test_a_description_is_not_an_organisation(tagger):
    body = "The Foreign Ministry said the Central Bank and the Finance Ministry disagreed."
    assert tagger.tag("", body) == []


def test_firms_known_only_from_their_context(tagger):
    body = ("Shares of E.F. Hutton rose. An analyst at Smith Barney said the bid by E.F. Hutton "
            "was fair, and lead manager Morgan Stanley agreed.")
    found = tagger.tag("", body)
    assert set(found) == {"E.F. Hutton", "Smith Barney", "Morgan Stanley"}
    assert found[0] == "E.F. Hutton"  # named twice
    assert PersonTagger().tag("", body) == []


def test_most_mentioned_first(tagger):
    body = "The IMF met OPEC. OPEC said no. OPEC will meet again."
    assert tagger.tag("", body) == ["OPEC", "International Monetary Fund"]


def test_a_given_list_is_used_instead_of_the_shipped_one():
    tagger = OrganisationTagger([{"name": "Acme Guild", "aliases": ["AG"]}])
    assert tagger.tag("", "The AG met. OPEC did not.") == ["Acme Guild"]


def test_canonical_names():
    tagger = OrganisationTagger()
    assert tagger.canonical("Eli Lilly and Co".split()) == "Eli Lilly"
    assert tagger.canonical("The Bundesbank".split()) == "Bundesbank"
    assert tagger.canonical("Deutsche Bundesbank".split()) == "Bundesbank"


def test_shipped_list_is_well_formed():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert {"bodies", "heads", "suffixes", "generic"} <= set(data)
    owners: dict[str, str] = {}
    for entry in load_bodies():
        assert entry["name"].strip() and isinstance(entry["aliases"], list)
        for alias in {fold(a) for a in [entry["name"], *entry["aliases"]]}:
            assert alias not in owners, (alias, owners.get(alias), entry["name"])
            owners[alias] = entry["name"]
    names = {fold(e["name"]) for e in load_bodies()}
    assert {"opec", "bundesbank", "federal reserve", "international monetary fund", "world bank",
            "european community", "gatt"} <= names
