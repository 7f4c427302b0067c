"""The word list behind "did you mean", fuzzy words and prefixes: right answers, bounded work."""

from __future__ import annotations

import html
import re
import time
from collections import Counter

import pytest

from searchapp.search.lexicon import MAX_WORD_LENGTH, DeadlineExceeded, Lexicon

from .conftest import FIXTURES

# A small archive's words and the number of articles each occurs in, with the typos a real
# archive has: "goverment" a few times beside "government" thousands of times.
VOCABULARY = {
    "the": 20000, "government": 2000, "goverment": 3, "governments": 300, "interest": 1500,
    "intrest": 1, "recession": 80, "decision": 700, "opec": 110, "open": 750, "opel": 8,
    "one": 3800, "coffee": 160, "offer": 1000, "prices": 1300, "price": 900, "japan": 900,
    "bundesbank": 85, "deficit": 400, "latter": 45, "later": 716, "filled": 32, "filed": 469,
    "planes": 60, "plans": 1100, "petrol": 30, "patrol": 12, "reagan": 380, "regan": 9,
    "market": 2300, "marked": 70, "markets": 1200, "company": 4000, "cocoa": 150,
    "coffees": 2, "copper": 140, "corn": 130, "until": 900, "untill": 1, "people": 1100,
    "peoples": 9,
}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_counts(VOCABULARY.items())


def misspellings() -> list[tuple[str, str, str]]:
    lines = (FIXTURES / "misspellings.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


def test_the_fixture_lists_real_misspellings_with_their_source():
    rows = misspellings()
    assert len(rows) >= 30 and all(len(row) == 3 for row in rows)
    assert {("recesion", "recession"), ("opek", "opec"), ("intrest", "interest"),
            ("goverment", "government"), ("coffe", "coffee")} <= {r[:2] for r in rows}
    assert {r[2] for r in rows} == {"reported", "wikipedia"}


@pytest.mark.parametrize("typed, meant", [
    ("recesion", "recession"),  # not "decision": the nearer word wins
    ("opek", "opec"),  # not "open", more frequent: c for k is a sound-alike, half an edit
    ("coffe", "coffee"),  # not "offer"
    ("Coffe", "coffee"),
    ("governmnet", "government"),
])
def test_an_unknown_word_gets_the_likeliest_correction(lexicon, typed, meant):
    assert lexicon.suggest(typed) == meant


def test_a_rare_variant_of_a_far_more_frequent_word_is_corrected(lexicon):
    assert lexicon.frequency("goverment") == 3
    assert lexicon.suggest("goverment") == "government"
    assert lexicon.suggest("intrest") == "interest"
    assert lexicon.suggest("untill") == "until"  # a doubled last letter is a typo...
    assert lexicon.suggest("peoples") is None  # ...a letter added at the end, an inflection


@pytest.mark.parametrize("word", ["government", "prices", "japan", "bundesbank", "deficit",
                                  "opel", "latter", "filled", "planes", "marked", "regan",
                                  "coffees"])
def test_a_real_word_is_never_corrected(lexicon, word):
    # Each sits one edit from a more frequent word; each is common, short or an inflection.
    assert lexicon.suggest(word) is None


def test_nothing_close_means_no_suggestion(lexicon):
    assert lexicon.suggest("qzxwvk") is None
    assert lexicon.suggest("ab") is None  # too short to guess


def test_fuzzy_gives_the_words_within_the_edits_nearest_and_most_frequent_first(lexicon):
    assert lexicon.fuzzy("petrol", 1) == ["petrol", "patrol"]
    assert lexicon.fuzzy("goverment", 1) == ["goverment", "government"]
    assert lexicon.fuzzy("reagan", 2) == ["reagan", "regan"]
    assert lexicon.fuzzy("market", 1) == ["market", "markets", "marked"]
    assert lexicon.fuzzy("market", 1, limit=2) == ["market", "markets"]
    # transpositions are one edit (Damerau-Levenshtein, as in Whoosh)
    assert lexicon.fuzzy("goverment", 1, prefix_length=1) == ["goverment", "government"]
    assert lexicon.fuzzy("govrenment", 1) == ["government"]
    assert lexicon.fuzzy("pettrol", 1, prefix_length=2) == ["petrol"]
    assert lexicon.fuzzy("patrol", 1, prefix_length=2) == ["patrol"]


def test_prefix_is_a_slice_of_the_sorted_words(lexicon):
    assert lexicon.prefix("co") == ["cocoa", "coffee", "coffees", "company", "copper", "corn"]
    assert lexicon.prefix("un") == ["until", "untill"]
    assert lexicon.prefix("co", limit=2) == ["cocoa", "coffee"]
    assert lexicon.count_prefix("co") == 6
    assert lexicon.prefix("zz") == [] and lexicon.count_prefix("zz") == 0
    assert lexicon.prefix("market") == ["market", "markets"]


def test_counts_of_a_word_given_twice_are_added():
    lexicon = Lexicon.from_counts([("oil", 2), ("oil", 3), ("gas", 0), ("a\tb", 4)])
    assert lexicon.frequency("oil") == 5 and lexicon.frequency("gas") == 0 and len(lexicon) == 1


@pytest.mark.parametrize("word", ["y" * 1000, "x" * (MAX_WORD_LENGTH + 1)])
def test_an_overlong_word_costs_nothing(lexicon, word):
    # A deadline already past proves that no candidate is even looked at.
    past = time.monotonic() - 1
    assert lexicon.suggest(word, deadline=past) is None
    assert lexicon.fuzzy(word, 2, deadline=past) == []


def test_the_deadline_stops_the_work(lexicon):
    past = time.monotonic() - 1
    with pytest.raises(DeadlineExceeded):
        lexicon.fuzzy("goverment", 2, deadline=past)
    assert issubclass(DeadlineExceeded, TimeoutError)
    # A suggestion is optional: out of time, there is none.
    assert lexicon.suggest("recesion", deadline=past) is None
    assert lexicon.suggest("recesion", deadline=time.monotonic() + 60) == "recession"


def test_save_and_load_give_the_same_lexicon(lexicon, tmp_path):
    path = tmp_path / "words.tsv"
    lexicon.save(path)
    loaded = Lexicon.load(path)
    assert loaded.words == lexicon.words and loaded.freqs.tolist() == lexicon.freqs.tolist()
    assert loaded.suggest("goverment") == "government"
    (tmp_path / "other.tsv").write_text("government\t3\n")
    with pytest.raises(ValueError):
        Lexicon.load(tmp_path / "other.tsv")


# -- on the real corpora ------------------------------------------------------------------


def corpus_texts(corpora):
    """The stories' text (Reuters bodies and titles, BBC files), as the archive holds them."""
    for path in sorted((corpora / "reuters21578").glob("*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for part in re.findall(r"<TITLE>(.*?)</TITLE>|<BODY>(.*?)</BODY>", raw, re.S):
            yield html.unescape(part[0] or part[1])
    for path in sorted((corpora / "bbc").glob("*/*.txt")):
        yield path.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def corpus_lexicon(corpora) -> Lexicon:
    from whoosh.analysis import StandardAnalyzer  # the analyzer of the engine's exact-words field

    analyzer = StandardAnalyzer(stoplist=None)
    counts = Counter()
    for text in corpus_texts(corpora):
        counts.update({token.text for token in analyzer(text)})
    return Lexicon.from_counts(counts.items())


def test_real_misspellings_are_corrected_from_the_archive_words(corpus_lexicon):
    rows = misspellings()
    wrong = {typed: corpus_lexicon.suggest(typed) for typed, meant, _ in rows
             if corpus_lexicon.suggest(typed) != meant}
    assert not {r[0] for r in rows if r[2] == "reported"} & set(wrong), wrong
    # A typo that occurs a few times beside a word only 30 to 70 times as frequent, with a
    # vowel edit ("seperate", 3 times beside "separate" 212), is left alone: at that ratio
    # real words one vowel apart ("planes", "plans") could not be told from typos.
    assert len(wrong) <= len(rows) // 10, wrong


def test_frequent_archive_words_are_never_corrected(corpus_lexicon):
    for word in ["government", "prices", "japan", "bundesbank", "deficit", "opel", "latter",
                 "planes", "reagan", "petrol", "coffee", "interest", "recession"]:
        assert corpus_lexicon.suggest(word) is None, word
