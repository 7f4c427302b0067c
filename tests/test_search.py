"""The search layer on a real Whoosh index: queries, facets, dates, sorting, snippets, errors."""

from __future__ import annotations

from datetime import date

import pytest

from searchapp.model import Article, Tag
from searchapp.search import UNDATED, EngineConfig, QueryError, SearchRequest, open_engine


def art(id, title, body, published, countries=(), persons=(), topics=()):
    tags = [Tag("country", c, c, "auto") for c in countries]
    tags += [Tag("person", p, p, "auto") for p in persons]
    tags += [Tag("topic", t, t, "source") for t in topics]
    return Article(id=id, source=f"test/{id}.txt", title=title, body=body, published=published,
                   tags=tags)


ARTICLES = [
    art("ru-cn", "Russia and China to discuss sanctions",
        "Sergey Lavrov will meet Wang Yi in Sochi. The ministers discussed sanctions on Iran.",
        "2019-05-10", ["RU", "CN", "IR"], ["Sergey Lavrov", "Wang Yi"], ["diplomacy"]),
    art("iran-oil", "Oil exports from Iran fall under sanctions",
        "Iranian oil exports fell as sanctions bit. Traders in London said prices rose.",
        "2019-06-01T08:00:00+00:00", ["IR", "GB"], [], ["energy", "sanctions"]),
    art("cocoa", "Bahia cocoa review",
        "Showers continued in the Bahia cocoa zone, improving prospects for the temporao crop.",
        "1987-02-26T15:01:01", ["BR"], [], ["agriculture"]),
    art("fed", "Volcker says the dollar is stable",
        "Federal Reserve chairman Paul Volcker said the dollar had stabilised against the yen.",
        "1987-03-02", ["US", "JP"], ["Paul Volcker"], ["markets"]),
    art("undated", "Sanctions <script>alert(1)</script> on <b>trade</b>",
        "A note on sanctions & tariffs <img src=x onerror=alert(1)> with no date.",
        None, ["US"], [], ["sanctions"]),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    index = open_engine(EngineConfig(tmp_path_factory.mktemp("search") / "ix"))
    w = index.writer()
    for a in ARTICLES:
        w.replace_file(f"/files/{a.id}", "hash", [a])
    w.commit()
    return index


def search(ix, q="", **kw):
    return ix.search(SearchRequest(query=q, **kw))


def hit_ids(result):
    return [h.id for h in result.hits]


def test_words_are_anded_and_stemmed(ix):
    assert set(hit_ids(search(ix, "sanction iran"))) == {"ru-cn", "iran-oil"}
    assert hit_ids(search(ix, "cocoa showers")) == ["cocoa"]


def test_title_matches_rank_first(ix):
    assert hit_ids(search(ix, "oil"))[0] == "iran-oil"


def test_a_long_question_still_finds_the_best_matches(ix):
    q = "what did the foreign ministers of russia and china say about sanctions when they met in sochi"
    result = search(ix, q)
    # Framing words ("what", "say", "when") are dropped; at least two of the others count:
    # the articles with "sanctions" alone are left out.
    assert hit_ids(result) == ["ru-cn"]
    assert (result.match.mode, result.match.at_least) == ("question", 2)


def test_phrases_need_the_words_in_order(ix):
    assert hit_ids(search(ix, '"cocoa zone"')) == ["cocoa"]
    assert search(ix, '"zone cocoa"').total == 0


def test_boolean_operators_and_fields(ix):
    assert set(hit_ids(search(ix, "cocoa OR volcker"))) == {"cocoa", "fed"}
    assert hit_ids(search(ix, "sanctions NOT iranian NOT lavrov")) == ["undated"]
    assert hit_ids(search(ix, "title:dollar")) == ["fed"]
    assert hit_ids(search(ix, "country:jp")) == ["fed"]
    assert set(hit_ids(search(ix, "sanc*"))) == {"ru-cn", "iran-oil", "undated"}
    assert hit_ids(search(ix, "volckr~")) == ["fed"]
    assert set(hit_ids(search(ix, "published:[1987 to 1988]"))) == {"cocoa", "fed"}


def test_facet_values_or_within_and_across(ix):
    either = search(ix, filters={"country": ("BR", "JP")})
    assert set(hit_ids(either)) == {"cocoa", "fed"}
    both = search(ix, filters={"country": ("IR",), "topic": ("energy",)})
    assert hit_ids(both) == ["iran-oil"]


def test_a_facets_counts_leave_out_its_own_filter(ix):
    result = search(ix, filters={"country": ("IR",)})
    countries = {c.value: c.count for c in result.facets["country"]}
    assert countries["BR"] == 1 and countries["IR"] == 2  # other choices stay visible
    topics = {c.value: c.count for c in result.facets["topic"]}
    assert topics == {"diplomacy": 1, "energy": 1, "sanctions": 1}  # narrowed by the country
    assert result.facets["country"][0].value == "US" or result.facets["country"][0].count >= 2


def test_facet_counts_are_most_frequent_first_and_limited(ix):
    result = search(ix, facet_limit=2)
    assert [c.value for c in result.facets["country"]] == ["IR", "US"]
    assert result.facet_totals["country"] == 7


def test_excluding_a_value(ix):
    result = search(ix, "sanctions", exclude={"country": ("RU",)})
    assert set(hit_ids(result)) == {"iran-oil", "undated"}


def test_date_range_and_histogram(ix):
    result = search(ix)
    assert [(d.value, d.count) for d in result.dates] == [("1987", 2), ("2019", 2), (UNDATED, 1)]
    in_1987 = search(ix, date_from=date(1987, 1, 1), date_to=date(1987, 12, 31),
                     date_granularity="month")
    assert [(d.value, d.count) for d in in_1987.dates] == [("1987-02", 1), ("1987-03", 1)]
    with_undated = search(ix, date_from=date(2019, 1, 1), include_undated=True)
    assert set(hit_ids(with_undated)) == {"ru-cn", "iran-oil", "undated"}


def test_sorting_by_date_puts_undated_last(ix):
    assert hit_ids(search(ix, sort="newest")) == ["iran-oil", "ru-cn", "fed", "cocoa", "undated"]
    assert hit_ids(search(ix, sort="oldest")) == ["cocoa", "fed", "ru-cn", "iran-oil", "undated"]


def test_pages(ix):
    first = search(ix, sort="oldest", per_page=2)
    third = search(ix, sort="oldest", per_page=2, page=3)
    assert first.total == third.total == 5
    assert hit_ids(first) == ["cocoa", "fed"] and hit_ids(third) == ["undated"]


def test_snippets_escape_article_text_and_mark_matches(ix):
    [hit] = search(ix, "tariffs").hits
    assert "<mark>tariffs</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet
    assert "&amp;" in hit.snippet
    browse = search(ix, filters={"topic": ("sanctions",)}, sort="newest").hits[-1]
    assert "<img" not in browse.snippet  # no query: the opening text, escaped


def test_did_you_mean(ix):
    result = search(ix, "sanctoins")
    assert result.total == 0 and result.suggestion == "sanctions"
    assert search(ix, "sanctions").suggestion is None


@pytest.mark.parametrize("bad", ['"unclosed phrase', "(iran", "iran)", "iran AND", "a*",
                                 "x" * 1001, "published:[2019 to", "oil~9", "country:",
                                 "colour:red", "title: oil"])
def test_malformed_queries_raise_a_helpful_error(ix, bad):
    with pytest.raises(QueryError) as err:
        search(ix, bad)
    assert len(str(err.value)) > 10


@pytest.mark.parametrize("kw", [{"page": 0}, {"per_page": 1000}, {"sort": "random"},
                                {"filters": {"colour": ("red",)}},
                                {"date_from": date(2020, 1, 1), "date_to": date(2019, 1, 1)}])
def test_bad_parameters_raise(ix, kw):
    with pytest.raises(QueryError):
        search(ix, **kw)


def test_get_and_more_like_this(ix):
    article = ix.get("iran-oil")
    assert article.title.startswith("Oil exports") and article.published.startswith("2019-06-01")
    assert {t.value for t in article.tags if t.facet == "country"} == {"IR", "GB"}
    assert ix.get("nope") is None
    assert "ru-cn" in [h.id for h in ix.more_like_this("iran-oil")]


def test_a_lone_star_browses_everything(ix):
    assert search(ix, "*").total == len(ARTICLES)


def test_phrases_are_exact_words_not_stems(ix):
    assert hit_ids(search(ix, '"sanctions bit"')) == ["iran-oil"]
    assert search(ix, '"sanction bit"').total == 0  # not stemmed inside a phrase
    assert hit_ids(search(ix, '"fell as sanctions"')) == ["iran-oil"]  # stop words count
    assert search(ix, '"fell sanctions"').total == 0
    assert hit_ids(search(ix, '"lavrov sochi"~6')) == ["ru-cn"]  # proximity
    assert search(ix, '"lavrov sochi"~2').total == 0
    [hit] = search(ix, '"sanctions bit"').hits
    assert "<mark>sanctions</mark> <mark>bit</mark>" in hit.snippet


def test_urls_and_times_are_not_mistaken_for_fields(ix):
    assert search(ix, "http://example.org").total == 0
    assert search(ix, "10:30").total == 0


def test_selected_values_are_listed_beyond_the_facet_limit(ix):
    result = search(ix, filters={"country": ["jp"]}, facet_limit=1)
    values = [(c.value, c.count) for c in result.facets["country"]]
    assert values == [("IR", 2), ("JP", 1)]  # the most frequent (IR before US), then the selected
    assert result.facet_totals["country"] == 7
    plain = search(ix, facet_limit=1)
    assert [c.value for c in plain.facets["country"]] == ["IR"]


def test_two_words_never_together_find_nothing_and_a_filter_never_relaxes(ix):
    # Relaxing keeps articles with at least two of the words: two words need each other.
    result = search(ix, "tariffs cocoa")
    assert result.total == 0 and result.match.mode == "all"
    # One word the archive lacks never hides the other.
    result = search(ix, "cocoa zzyzzx")
    assert hit_ids(result) == ["cocoa"]
    assert (result.match.mode, result.match.words, result.match.at_least) == ("relaxed", 2, 1)
    # Together in ru-cn, which is not British: the filter leaves none, no fallback to "any word".
    assert search(ix, "sanctions lavrov", filters={"country": ["GB"]}).total == 0
    assert hit_ids(search(ix, "sanctions lavrov")) == ["ru-cn"]
