"""The JSON API on a real index: facets, dates, sorting, paging, errors."""

from __future__ import annotations

import pytest

from searchapp.model import FACETS
from searchapp.search import MAX_PAGE, MAX_PER_PAGE

MARKER = "quillfeather"  # a word found only in the fixture articles

# The fixture articles (tests/web/fixtures/articles.jsonl), by their source tags.
FIXTURES = 9
FR, DE, JP, BR = 4, 3, 2, 2  # articles per country
FR_OR_DE = 6  # one article has both
DATED_2019 = 4
UNDATED = 1


def hits_with(data, facet):
    return [{t["value"] for t in h["tags"] if t["facet"] == facet} for h in data["hits"]]


def facet_counts(data, facet):
    return {v["value"]: v["count"] for v in data["facets"][facet] if not v["excluded"]}


def test_search_returns_the_documented_fields(api):
    status, data = api(q=MARKER)
    assert status == 200
    assert data["query"] == MARKER
    assert data["total"] == FIXTURES
    assert data["page"] == 1 and data["per_page"] == 20
    assert set(data["facets"]) == set(FACETS)
    assert data["dates"]["granularity"] == "year"
    hit = data["hits"][0]
    assert {"id", "title", "url", "source", "published", "snippet", "tags"} <= set(hit)
    assert {"facet", "value", "label", "origin"} <= set(hit["tags"][0])
    assert all(t["facet"] != "date" for h in data["hits"] for t in h["tags"])
    value = data["facets"]["country"][0]
    assert set(value) == {"value", "label", "count", "selected", "excluded"}
    assert "suggestion" in data


def test_values_of_one_facet_are_ored(api):
    _, fr = api(q=MARKER, country="FR")
    _, de = api(q=MARKER, country="DE")
    _, both = api(q=MARKER, country=["FR", "DE"])
    assert (fr["total"], de["total"]) == (FR, DE)
    assert both["total"] == FR_OR_DE
    assert all(tags & {"FR", "DE"} for tags in hits_with(both, "country"))


def test_facets_are_anded(api):
    _, data = api(q=MARKER, country="DE", person="Jonas Brecht")
    assert data["total"] == 1
    assert hits_with(data, "person") == [{"Jonas Brecht"}]
    _, none = api(q=MARKER, country="FR", person="Jonas Brecht")
    assert none["total"] == 0


def test_a_facets_own_selection_is_left_out_of_its_counts(api):
    _, unfiltered = api(q=MARKER)
    _, data = api(q=MARKER, country="FR")
    # Country counts are what another choice would add: as if France were not chosen.
    assert facet_counts(data, "country") == facet_counts(unfiltered, "country")
    assert [v["value"] for v in data["facets"]["country"] if v["selected"]] == ["FR"]
    # Other facets count within the French articles only.
    assert facet_counts(data, "person") == {"Élodie Marchand": 3, "Aiko Tanabe": 1}


def test_country_values_are_case_insensitive(api):
    _, lower = api(q=MARKER, country="fr")
    assert lower["total"] == FR
    assert [v["value"] for v in lower["facets"]["country"] if v["selected"]] == ["FR"]


def test_excluding_a_value(api):
    _, data = api(q=MARKER, not_country="FR")
    assert data["total"] == FIXTURES - FR
    assert all("FR" not in tags for tags in hits_with(data, "country"))
    excluded = [v for v in data["facets"]["country"] if v["excluded"]]
    assert [(v["value"], v["label"]) for v in excluded] == [("FR", "France")]
    _, two = api(q=MARKER, not_country=["FR", "DE"])
    assert two["total"] == FIXTURES - FR_OR_DE


def test_date_range_and_histogram_drill_down(api):
    _, years = api(q=MARKER)
    buckets = {b["value"]: b["count"] for b in years["dates"]["buckets"]}
    assert buckets == {"2019": 4, "2020": 2, "2021": 2, "undated": 1}

    _, year = api(**{"q": MARKER, "from": "2019", "to": "2019"})
    assert year["total"] == DATED_2019
    assert year["dates"]["granularity"] == "month"
    months = {b["value"]: b["count"] for b in year["dates"]["buckets"]}
    assert len(months) == 12 and months["2019-03"] == 3 and months["2019-07"] == 1
    march = next(b for b in year["dates"]["buckets"] if b["value"] == "2019-03")
    assert (march["from"], march["to"]) == ("2019-03-01", "2019-03-31")

    _, month = api(**{"q": MARKER, "from": "2019-03", "to": "2019-03"})
    assert month["dates"]["granularity"] == "day"
    assert [b["value"] for b in month["dates"]["buckets"]] == [
        "2019-03-04", "2019-03-18", "2019-03-25"]


def test_to_means_the_end_of_the_period(api):
    _, data = api(q=MARKER, to="2019-03")
    assert data["total"] == 3  # 2019-03-25 is in; the undated article is out
    _, day = api(**{"q": MARKER, "from": "2019-03-18", "to": "2019-03-18"})
    assert day["total"] == 1


def test_undated_articles_with_a_range(api):
    _, dated = api(**{"q": MARKER, "from": "2020"})
    _, with_undated = api(**{"q": MARKER, "from": "2020", "undated": "1"})
    assert with_undated["total"] == dated["total"] + UNDATED
    assert with_undated["dates"]["buckets"][-1]["value"] == "undated"
    _, only = api(q=MARKER, undated="only")
    assert only["total"] == UNDATED
    assert only["hits"][0]["published"] is None
    assert only["filters"]["undated"] == "only"


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date(api, sort):
    _, data = api(q=MARKER, sort=sort)
    dates = [h["published"] for h in data["hits"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=sort == "newest")
    if sort == "oldest":
        assert dates[-1] is None  # undated articles come last


def test_sort_defaults(api):
    assert api(q=MARKER)[1]["sort"] == "relevance"
    assert api()[1]["sort"] == "newest"  # browsing without a query: latest first


def test_relevance_puts_the_title_match_first(api):
    _, data = api(q=f"{MARKER} hamburg")
    assert data["hits"][0]["title"].startswith("Hamburg port")


def test_pages_partition_the_results(api):
    seen = []
    for page in (1, 2, 3):
        _, data = api(q=MARKER, per_page=4, page=page, sort="oldest")
        assert data["pages"] == 3
        seen += [h["id"] for h in data["hits"]]
    assert len(seen) == len(set(seen)) == FIXTURES
    _, beyond = api(q=MARKER, per_page=4, page=4)
    assert beyond["hits"] == [] and beyond["total"] == FIXTURES


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": str(MAX_PAGE + 1)}, {"page": "two"},
    {"per_page": "0"}, {"per_page": str(MAX_PER_PAGE + 1)}, {"per_page": "1.5"},
    {"sort": "popular"}, {"from": "2019-13"}, {"from": "yesterday"}, {"to": "2019-02-30"},
    {"from": "2020", "to": "2019"}, {"undated": "maybe"}, {"more": "colour"},
    {"date": "week"}, {"facet_limit": "-1"}, {"find_person": "x" * 101},
    {"q": '"unclosed'}, {"q": "(a"}, {"q": "a)"}, {"q": "oil AND"}, {"q": "s*"},
    {"q": "x" * 1001}, {"q": "published:[yesterday to x]"},
])
def test_bad_parameters_are_a_400_with_a_message(client, params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    data = response.get_json()
    assert data["status"] == 400 and data["error"]
    assert "Traceback" not in data["error"]


def test_facet_limit_more_and_find(api):
    _, small = api(q=MARKER, facet_limit=1)
    # Every facet with values shows one (the fixtures name no organisation).
    assert {f: len(v) for f, v in small["facets"].items() if v} == {
        "country": 1, "person": 1, "topic": 1, "source": 1}
    assert small["facet_totals"]["topic"] > 1
    _, more = api(q=MARKER, facet_limit=1, more="topic")
    assert len(more["facets"]["topic"]) == more["facet_totals"]["topic"]
    assert len(more["facets"]["country"]) == 1
    _, everything = api(q=MARKER, facet_limit=0)
    assert len(everything["facets"]["topic"]) == everything["facet_totals"]["topic"]


def test_find_a_facet_value_by_name(api):
    _, data = api(q=MARKER, find_person="MARCH")
    assert [v["value"] for v in data["facets"]["person"]] == ["Élodie Marchand"]
    _, by_label = api(q=MARKER, find_country="germ")
    assert [v["value"] for v in by_label["facets"]["country"]] == ["DE"]
    _, by_code = api(q=MARKER, find_country="de")
    assert [v["value"] for v in by_code["facets"]["country"]] == ["DE"]


def test_a_selected_value_stays_listed_beyond_the_limit(api):
    _, data = api(q=MARKER, facet_limit=1, country="JP")
    listed = [v["value"] for v in data["facets"]["country"]]
    assert listed[0] == "FR" and "JP" in listed


def test_country_labels_follow_the_language(client):
    fr = client.get("/api/search", query_string={"q": MARKER, "lang": "fr"}).get_json()
    assert {v["label"] for v in fr["facets"]["country"]} >= {"Allemagne", "Japon", "Brésil"}
    by_header = client.get("/api/search", query_string={"q": MARKER},
                           headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_json()
    assert "Allemagne" in {v["label"] for v in by_header["facets"]["country"]}


def test_article_json(client, api):
    _, data = api(q=f"{MARKER} hamburg")
    hit = data["hits"][0]
    article = client.get(f"/api/articles/{hit['id']}").get_json()
    assert article["id"] == hit["id"]
    assert article["title"] == hit["title"]
    assert "Jonas Brecht" in article["body"]
    assert {"facet": "country", "value": "DE", "label": "Germany", "origin": "source"} \
        in article["tags"]
    assert all(m["id"] != hit["id"] for m in article["more_like_this"])


def test_unknown_article_is_a_json_404(client):
    response = client.get("/api/articles/0000000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"]
    assert client.get("/api/nothing-here").status_code == 404


def test_titles_stay_data_in_json(api):
    _, data = api(q=f"{MARKER} bold claims")
    hit = data["hits"][0]
    assert hit["title"].startswith("<script>")  # JSON carries the text as written
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]


def test_openapi_document_lists_every_parameter(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert names >= {"q", "country", "person", "topic", "not_country", "not_person",
                     "not_topic", "from", "to", "undated", "sort", "page", "per_page",
                     "date", "facet_limit", "more", "find_person"}
    assert "/api/articles/{id}" in doc["paths"]


def test_reuters_stories_are_searchable(api, reuters):
    _, data = api(q="cocoa")
    assert data["total"] > 0
    assert all(h["published"].startswith("1987") for h in data["hits"] if h["published"])
    _, year = api(**{"q": "oil", "from": "1987", "to": "1987"})
    assert year["dates"]["granularity"] == "month"
    # Date buckets count articles; the total counts stories (a story's versions once).
    articles = sum(b["count"] for b in year["dates"]["buckets"])
    assert articles > year["total"] > 0, "reut2-000.sgm has wire copies about oil"
    assert year["facets"]["country"], "Reuters stories carry countries"


@pytest.mark.parametrize("q, english, french", [
    ("title:", "The field 'title' needs a value", "Le champ « title » attend une valeur"),
    ('"bank of', "A quotation mark is not closed", "Un guillemet n’est pas refermé"),
    ("a*", "The wildcard 'a*' is too broad", "Le joker 'a*' est trop large"),
])
def test_query_errors_are_in_the_readers_language(client, q, english, french):
    en = client.get("/api/search", query_string={"q": q, "lang": "en"})
    fr = client.get("/api/search", query_string={"q": q, "lang": "fr"})
    assert en.status_code == fr.status_code == 400
    assert english in en.get_json()["error"]
    assert french in fr.get_json()["error"]
    page = client.get("/", query_string={"q": q, "lang": "fr"})
    assert page.status_code == 400 and french in page.get_data(as_text=True).replace("&#39;", "'")


def test_topic_labels_follow_the_language(client):
    en = client.get("/api/search", query_string={"lang": "en", "facet_limit": 0}).get_json()
    fr = client.get("/api/search", query_string={"lang": "fr", "facet_limit": 0}).get_json()
    english = {v["value"]: v["label"] for v in en["facets"]["topic"]}
    french = {v["value"]: v["label"] for v in fr["facets"]["topic"]}
    assert english and english.keys() == french.keys()
    assert english.get("economy") == "Economy, business and finance"
    assert french.get("economy") == "Économie, entreprises et finance"


def test_every_taxonomy_label_is_offered_for_translation():
    from searchapp.tagging.topics import load_taxonomy
    from searchapp.web.topic_names import TOPIC_LABELS

    assert sorted(TOPIC_LABELS) == sorted(t["label"] for t in load_taxonomy())


# -- how the words matched -------------------------------------------------------------------

RELAXING = f"{MARKER} marseille tokyo"  # no fixture article has all three words


def test_the_match_is_reported_and_relaxing_is_never_silent(api, client):
    _, every = api(q=f"{MARKER} marseille")
    assert every["match"] == {"mode": "all", "words": 2, "at_least": 2, "with_all": 2}
    assert every["total"] == 2
    _, relaxed = api(q=RELAXING)
    assert relaxed["match"] == {"mode": "relaxed", "words": 3, "at_least": 2, "with_all": 0}
    assert {h["title"] for h in relaxed["hits"]} == {
        "Dock strike halts grain exports from Marseille", "Grain traders watch Marseille strike",
        "Tokyo utilities raise power prices"}
    _, strict = api(q=RELAXING, all="1")
    assert strict["total"] == 0 and strict["match"]["mode"] == "all"
    _, browsing = api()
    assert browsing["match"] is None
    page = client.get("/", query_string={"q": RELAXING}).get_data(as_text=True)
    assert "No article has all 3 words; showing articles with at least 2 of them." in page
    assert "all=1" in page
    page = client.get("/", query_string={"q": RELAXING, "all": "1"}).get_data(as_text=True)
    assert "Showing only articles with all the words." in page


def test_the_relaxing_notice_is_in_the_readers_language(client):
    page = client.get("/", query_string={"q": RELAXING, "lang": "fr"}).get_data(as_text=True)
    assert "Aucun article ne contient les 3 mots" in page


def test_accents_are_folded(api):
    for q in ("elodie marchand", "Élodie", "ELODIE"):
        _, data = api(q=q)
        assert data["total"] == 3, q


def test_openapi_documents_the_match(client):
    doc = client.get("/api/openapi.json").get_json()
    search = doc["paths"]["/api/search"]["get"]
    assert "all" in {p["name"] for p in search["parameters"]}
    schema = search["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["match"]["properties"]["mode"]["enum"] == [
        "all", "relaxed", "question", "operators"]
