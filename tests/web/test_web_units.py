"""The small pieces of the web layer: parameters, links, highlighting."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from searchapp.web.highlight import highlight, paragraphs, query_terms
from searchapp.web.links import SearchLinks
from searchapp.web.params import ParamError, auto_granularity, parse_search_args
from searchapp.web.views import page_numbers


def parse(app, **args):
    with app.test_request_context("/"):
        return parse_search_args(MultiDict(args))


def test_parameters_become_one_request(app):
    params = parse(app, q=" oil ", country=["fr", "DE", "FR"], not_person="X",
                   **{"from": "1987-02", "to": "1987-03"}, page="2", per_page="5")
    r = params.request
    assert r.query == "oil"
    assert r.filters == {"country": ("FR", "DE")}
    assert r.exclude == {"person": ("X",)}
    assert (r.date_from, r.date_to) == (date(1987, 2, 1), date(1987, 3, 31))
    assert (r.page, r.per_page, r.sort) == (2, 5, "relevance")
    assert r.date_granularity == "month"


def test_undated_only_is_a_range_no_article_falls_in(app):
    r = parse(app, undated="only", **{"from": "2019"}).request
    assert r.include_undated and r.date_from == r.date_to and r.date_from.year < 1800


@pytest.mark.parametrize("args", [{"page": "x"}, {"from": "2019-02-30"}, {"sort": "best"}])
def test_bad_parameters_raise_param_error(app, args):
    with pytest.raises(ParamError):
        parse(app, **args)


def test_granularity_follows_the_range():
    assert auto_granularity(None, None) == "year"
    assert auto_granularity(date(1987, 1, 1), None) == "year"
    assert auto_granularity(date(1987, 1, 1), date(1987, 12, 31)) == "month"
    assert auto_granularity(date(1987, 3, 1), date(1987, 3, 31)) == "day"
    assert auto_granularity(date(1986, 1, 1), date(1987, 12, 31)) == "year"


def test_links_change_one_thing(app):
    with app.test_request_context("/"):
        links = SearchLinks(MultiDict([("q", "oil"), ("country", "FR"), ("page", "3")]))
        assert links.add("country", "DE") == "/?q=oil&country=FR&country=DE"
        assert links.add("not_country", "FR") == "/?q=oil&not_country=FR"
        assert links.remove("country", "FR") == "/?q=oil"
        assert links.page(4) == "/?q=oil&country=FR&page=4"
        assert links.date_range("1987", "1987") == "/?q=oil&country=FR&from=1987&to=1987"
        assert links.clear_all() == "/?q=oil"
        assert links.json_url() == "/api/search?q=oil&country=FR&page=3"


def test_query_terms_skip_operators_fields_and_negations():
    terms = query_terms('oil AND "crude prices" NOT gas -coal title:opec country:fr sanc*')
    assert terms.stems == {"oil", "crude", "price", "opec"}
    assert terms.prefixes == ("sanc",)


def test_highlight_escapes_then_marks():
    out = highlight("<b>Sanctions</b> & sanctioned <script>", query_terms("sanction"))
    assert str(out) == ("&lt;b&gt;<mark>Sanctions</mark>&lt;/b&gt; &amp; "
                        "<mark>sanctioned</mark> &lt;script&gt;")
    assert str(highlight("a <i>b</i>", query_terms(""))) == "a &lt;i&gt;b&lt;/i&gt;"


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("one\n\ntwo\n  \nthree\n") == ["one", "two", "three"]


def test_page_numbers_with_gaps():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(2, 4) == [1, 2, 3, 4]


def test_links_find_a_country_written_in_lower_case(app):
    """`country=fr` selects FR; the links that untick or exclude it must find it."""
    with app.test_request_context("/"):
        links = SearchLinks(MultiDict([("q", "oil"), ("country", "fr"), ("not_country", "de")]))
        assert links.remove("country", "FR") == "/?q=oil&not_country=DE"
        assert links.remove("not_country", "DE") == "/?q=oil&country=FR"
        assert links.add("not_country", "FR") == "/?q=oil&not_country=DE&not_country=FR"


@pytest.mark.parametrize("article_id", ["reuters-12", "a b", "é/ü?#%", "x&y=z;@!'()*+,:", "ärger%20"])
def test_article_links_are_those_url_for_gives(app, article_id):
    from flask import url_for

    from searchapp.web.links import article_urls

    with app.test_request_context("/", base_url="https://news.example.org/archive"):
        for endpoint in ("pages.article", "api.article"):
            expected = url_for(endpoint, article_id=article_id, _external=True)
            assert article_urls(endpoint)(article_id) == expected
