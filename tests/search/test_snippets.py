"""Snippets as a reader sees them: the passages never repeat a stretch of the article."""

import re

import pytest

from searchapp.search import marking
from searchapp.search.whoosh.highlight import highlighter
from searchapp.search.whoosh.snippets import BETWEEN, snippet


def _clustered_article() -> str:
    # "oil" every 14 words among words that occur once each: the matches fall into
    # neighbouring passages whose context used to overlap.
    words = []
    for i in range(120):
        words.append("oil" if i % 14 == 0 else f"w{i}")
    return " ".join(words)


def _words(fragment: str) -> list[str]:
    return re.sub(r"</?mark>", "", fragment).replace("…", " ").split()


def test_passages_never_repeat_a_stretch_of_the_article():
    text = snippet(_clustered_article(), highlighter("oil"))
    fragments = text.split(BETWEEN.strip())
    assert "<mark>oil</mark>" in text
    seen: set[str] = set()
    for fragment in fragments:
        unique = {w for w in _words(fragment) if w != "oil"}
        assert not unique & seen, f"repeated text: {sorted(unique & seen)}"
        seen |= unique


# -- which words are marked -----------------------------------------------------------------

_TEXTS = [
    "Trade talks: trading, traders and the trade's future. TRADE Trade-offs.",
    "The U.S. trade deficit; U.S.A. trade..trade e.trade trade.x x.trade trade_x trade3.",
    "Pelé and PELE; élection, election and Élections; Straße and strasse.",
    "He was happy; happiness HAPPILY happier. Oil’s “prices” rose.",
    "Dying, lying and tying; the skies and news; innings; early, only, gently.",
]
_QUERIES = ["trade", "u.s trade", "pele election", "strasse", "happy", "oil prices",
            "trad*", "dying lying skies", "news early", "x"]


def _word_by_word(text, terms, prefixes, term_of):
    """Every word of the text stemmed and compared, as marking was first written."""
    out = []
    for m in marking.WORD.finditer(text):
        lower = m.group().lower()
        term = term_of(lower)
        if term is not None and (term in terms or lower.startswith(prefixes)):
            out.append((m.start(), m.end(), term))
    return out


@pytest.mark.parametrize("engine", ["whoosh", "solr"])
def test_marked_words_are_those_of_a_word_by_word_reading(engine):
    """Only words that may match are stemmed (a stem less its last letter starts them);
    the marks are the same as reading every word, accented or not, for both analyses."""
    from searchapp.search.solr import analysis as solr_analysis
    from searchapp.search.whoosh import highlight

    make, term_of = ((highlight.highlighter, highlight.stem_of) if engine == "whoosh"
                     else (solr_analysis.highlighter, solr_analysis.term_of))
    for q in _QUERIES:
        terms = make(q)
        stems = terms.stems if engine == "whoosh" else terms.terms
        for text in _TEXTS:
            expected = _word_by_word(text, stems, terms.prefixes, term_of)
            assert marking.matches(text, stems, terms.prefixes, term_of) == expected, (q, text)
    marked = highlight.highlighter("trade").mark(_TEXTS[0])
    assert marked.count("<mark>") == 5  # Trade, trading, trade's, TRADE, Trade(-offs); not traders
    assert "<mark>traders</mark>" not in marked


@pytest.mark.parametrize("engine", ["whoosh", "solr"])
def test_a_stem_less_its_last_letter_starts_the_word(engine):
    """What the quick path of marking relies on, for both analyses, on the words that
    stemming rewrites most (y to i, -ational to -ate, -biliti to -ble, Martin's extensions)."""
    from searchapp.search.solr.analysis import term_of as solr_term
    from searchapp.search.whoosh.highlight import stem_of

    term_of = stem_of if engine == "whoosh" else solr_term
    words = ("happy happily relational rational sensibility possibly valency organization "
             "hopping conditional generously dying lying tying dies skies news innings "
             "flies spied ugly early only singly idly gently agreed feed plastered "
             "triplicate formative formalize electricity electrical hopeful goodness "
             "revival allowance inference airliner adjustable defensible irritant "
             "replacement adjustment dependent adoption homologou communism activate "
             "angulariti homologous effective bowdlerize controll roll").split()
    for word in words:
        term = term_of(word)
        assert term is None or word.startswith(term[:-1]), (word, term)
