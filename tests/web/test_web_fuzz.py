"""Every parameter of the search page and the JSON API, fuzzed through the Flask test client
on the real web index: the answer is 200 or 400, never a 500; an API error is JSON with an
`error` message; paging stays within its bounds."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from searchapp.search import MAX_PAGE, MAX_PER_PAGE

FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Text a browser can put in a URL: anything but lone surrogates.
any_text = st.text(st.characters(codec="utf-8"), max_size=30)
controls = st.text(st.characters(max_codepoint=0x20), max_size=5)
numbers = st.one_of(
    st.integers(-10, MAX_PAGE + 10), st.integers(-(10 ** 30), 10 ** 30),
    st.sampled_from([0, 1, MAX_PER_PAGE, MAX_PER_PAGE + 1, MAX_PAGE, MAX_PAGE + 1]),
).map(str)
odd_numbers = st.sampled_from(["", " ", "1.5", "1e3", "0x10", "+5", "-0", "١٢", "²", "NaN",
                               "inf", "9" * 400, "1_000", " 7 ", "\x00", "7\x00"])
query_words = st.sampled_from(
    ["oil", "quillfeather", "trade", "Élodie", "sanc*", "qu*", "x*", "*", "*:*", "title:*",
     "country:FR", "person:\"Élodie Marchand\"", "topic:trade", "published:2019",
     "published:[2019 to 2020]", "published:now", "\"dock strike\"", "\"a b\"~3", "strke~",
     "oil~9", "oil~2/9", "AND", "OR", "NOT", "-oil", "+oil", "(", ")", "[", "]", "{", "}",
     "\"", "^", "~", ":", "colour:red", "*:x", "<script>", "%", "\\", "\x00", "\u202e"])
queries = st.one_of(
    st.lists(query_words, max_size=8).map(" ".join),
    any_text,
    st.builds(lambda w, n: w * n, query_words, st.sampled_from([120, 400, 2500])),  # long
)
facet_values = st.one_of(
    st.sampled_from(["FR", "fr", "DE", "JP", "XX", "Élodie Marchand", "Jonas Brecht", "trade",
                     "energy", "<script>", " ", ""]),
    any_text,
)
dates = st.one_of(
    st.sampled_from(["2019", "2019-03", "2019-03-04", "1987", "2020-02-29", "2019-02-29",
                     "2019-13", "0000", "9999-12-31", "10000", "yesterday", "2019/03/04",
                     "-2019", "2019-1-1", " 2019 ", "１９８７"]),
    any_text,
)
choices = {
    "sort": st.sampled_from(["relevance", "newest", "oldest", "", "random", "NEWEST"]),
    "undated": st.sampled_from(["", "0", "1", "only", "yes", "no", "maybe", "ONLY"]),
    "date": st.sampled_from(["auto", "year", "month", "day", "", "week"]),
    "lang": st.sampled_from(["en", "fr", "de", "", "EN", "../../etc"]),
}
facet_names = st.sampled_from(["country", "person", "topic", "date", "colour", "", "COUNTRY"])


def one_of_each(name: str):
    """The values one parameter may take in a request: usually one, sometimes several."""
    if name == "q":
        value = queries
    elif name in ("from", "to"):
        value = dates
    elif name in ("page", "per_page", "facet_limit"):
        value = st.one_of(numbers, odd_numbers, any_text)
    elif name in choices:
        value = st.one_of(choices[name], any_text)
    elif name == "more":
        value = st.one_of(facet_names, any_text)
    elif name.startswith("find_"):
        value = st.one_of(any_text, st.sampled_from(["É", "x" * 100, "x" * 101]))
    elif name.startswith(("country", "person", "topic", "not_")):
        value = facet_values
    else:  # a parameter the app does not know
        value = any_text
    # Mostly values of the parameter's own kind, so that many requests get past the checks.
    usually = st.sampled_from([value, value, value, any_text, controls]).flatmap(lambda s: s)
    return st.lists(usually, min_size=1, max_size=3)


PARAMETERS = ["q", "country", "person", "topic", "not_country", "not_person", "not_topic",
              "from", "to", "undated", "sort", "page", "per_page", "facet_limit", "more",
              "find_country", "find_person", "find_topic", "lang", "date", "x", "q[]"]


@st.composite
def search_args(draw) -> MultiDict:
    chosen = draw(st.lists(st.sampled_from(PARAMETERS[1:]), max_size=6, unique=True))
    if draw(st.integers(0, 4)):  # most requests have a query
        chosen.insert(0, "q")
    args = MultiDict()
    for name in chosen:
        for value in draw(one_of_each(name)):
            args.add(name, value)
    if draw(st.integers(0, 9)) == 0:  # now and then, many values of one facet at once
        facet = draw(st.sampled_from(["country", "not_person", "topic"]))
        args.setlist(facet, [str(n) for n in range(draw(st.sampled_from([49, 50, 51, 300])))])
    return args


def assert_api_answer(response, args) -> None:
    assert response.status_code in (200, 400), (response.status_code, args)
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    if response.status_code == 400:
        assert isinstance(data["error"], str) and data["error"].strip(), args
        assert data["status"] == 400
        assert "Traceback" not in data["error"]
        return
    assert isinstance(data["total"], int) and data["total"] >= 0
    assert 1 <= data["page"] <= MAX_PAGE and 1 <= data["per_page"] <= MAX_PER_PAGE
    assert len(data["hits"]) <= data["per_page"]
    assert 1 <= data["pages"] <= MAX_PAGE


@settings(FUZZ, max_examples=1000)
@given(args=search_args())
def test_the_api_answers_200_or_400_with_json(client, args):
    assert_api_answer(client.get("/api/search", query_string=args), args)


@settings(FUZZ, max_examples=300)
@given(q=queries, sort=choices["sort"], page=st.sampled_from(["", "1", "2", "50"]))
def test_any_query_alone_answers_200_or_400(client, q, sort, page):
    args = {"q": q, "sort": sort, "page": page}
    assert_api_answer(client.get("/api/search", query_string=args), args)


@settings(FUZZ, max_examples=300)
@given(args=search_args())
def test_the_search_page_answers_200_or_400(client, args):
    response = client.get("/", query_string=args)
    assert response.status_code in (200, 400), (response.status_code, args)
    event(f"status {response.status_code}")
    assert response.mimetype == "text/html"
    if response.status_code == 400:
        assert 'role="alert"' in response.get_data(as_text=True)


@settings(FUZZ, max_examples=200)
@given(raw=st.text(st.sampled_from("q=&%;+/?#[]:@!$'()*,0123456789abcdefxXF\\\"<> ~-_."),
                   max_size=60))
def test_raw_query_strings_are_read_safely(client, raw):
    """Broken percent-escapes, stray separators and repeated keys, as they come on the wire."""
    response = client.get(f"/api/search?{raw}")
    assert_api_answer(response, raw)
    assert client.get(f"/?{raw}").status_code in (200, 400)


@settings(FUZZ, max_examples=150)
@given(q=queries)
def test_the_article_page_highlights_any_query(client, q):
    hit = client.get("/api/search", query_string={"q": "quillfeather"}).get_json()["hits"][0]
    response = client.get(f"/articles/{hit['id']}", query_string={"q": q})
    assert response.status_code == 200, q


def test_the_bounds_of_paging(api):
    assert api(per_page=str(MAX_PER_PAGE))[0] == 200
    assert api(per_page=str(MAX_PER_PAGE + 1))[0] == 400
    assert api(page=str(MAX_PAGE))[0] == 200
    status, data = api(page=str(MAX_PAGE + 1))
    assert status == 400 and str(MAX_PAGE) in data["error"]
    status, data = api(page="9" * 400)
    assert status == 400 and "between 1 and" in data["error"]


def test_a_ten_thousand_character_query_is_refused_with_a_message(client):
    for url in ("/api/search", "/"):
        response = client.get(url, query_string={"q": "oil " * 2500})
        assert response.status_code == 400
        assert "too long" in response.get_data(as_text=True)


def test_a_star_that_would_read_every_word_is_refused(api):
    status, data = api(q="body:*")
    assert status == 400 and "matches every article" in data["error"]
    status, data = api(q="*")
    assert status == 200 and data["total"] > 0  # browsing everything stays
