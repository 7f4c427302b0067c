"""Facet values as the reader writes them resolved to the values an index holds, from the
vocabularies (authority file, gazetteer, taxonomy) and the held values."""

from __future__ import annotations

import pytest

from searchapp.search.query import for_parser
from searchapp.search.values import resolve

HELD = {"person": ["Ronald Reagan", "Nancy Reagan", "Pelé", "Sergey Lavrov"],
        "country": ["SU", "US", "DD"],
        "topic": ["central-banks", "money-fx", "markets"]}


def held(facet):
    return HELD[facet]


@pytest.mark.parametrize("facet, written, expected", [
    ("person", "reagan", ["Ronald Reagan"]),  # the authority file's alias
    ("person", "Ronald W. Reagan", ["Ronald Reagan"]),
    ("person", "nancy reagan", ["Nancy Reagan"]),
    ("person", "pele", ["Pelé"]),
    ("person", "lavrov", ["Sergey Lavrov"]),  # a surname the index holds
    ("person", "Nobody Known", ["Nobody Known"]),  # searched as written
    ("country", "soviet union", ["SU"]),
    ("country", "su", ["SU"]),
    ("country", "USSR", ["SU"]),
    ("country", "East Germany", ["DD"]),
    ("country", "Union soviétique", ["SU"]),
    ("topic", "central banks", ["central-banks"]),
    ("topic", "Central banks and interest rates", ["central-banks"]),
    ("topic", "money fx", ["money-fx"]),
    ("topic", "financial markets", ["markets"]),
])
def test_values_resolve(facet, written, expected):
    assert resolve(facet, written, held) == expected


def test_the_query_text_gets_the_held_values_ored():
    assert for_parser("person:reagan oil", held) == 'person:"Ronald Reagan" oil'
    assert for_parser('-country:"soviet union"', held) == 'NOT country:"SU"'
    assert for_parser("person:reag*", held) == "person:reag*"  # wildcards: the engine's
    assert for_parser("person:pel\u00e9 OR topic:fx", held) == (
        'person:"Pelé" OR topic:"fx"')


def test_topics_resolve_from_their_label_in_every_language_of_the_interface():
    held = {"topic": ["central-banks", "elections"]}.get
    assert resolve("topic", "Central banks and interest rates", held) == ["central-banks"]
    assert resolve("topic", "banques centrales et taux d'intérêt", held) == ["central-banks"]
    assert resolve("topic", "Élections", held) == ["elections"]
    assert resolve("topic", "banques", held) == ["banques"]  # a word of a label is not the label
