"""Entity pages: a person, a country, a topic (and every other facet of FACETS) has a page
and a JSON twin, made of one search filtered on it plus what the authority files know."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from searchapp.model import FACETS
from searchapp.web.entities import segment

PERSON = "Élodie Marchand"


def counts(facet_values) -> dict[str, int]:
    return {v["value"]: v["count"] for v in facet_values}


def test_a_person_page_is_one_search_on_the_person(client, api):
    _, search = api(person=PERSON, facet_limit=0)
    body = client.get(f"/api/people/{quote(PERSON)}").get_json()
    assert body["facet"] == "person" and body["value"] == PERSON
    assert body["total"] == search["total"] >= 3
    # coverage: the date histogram, each year linking to that year's search
    assert sum(b["count"] for b in body["coverage"]) == search["total"]
    year = next(b for b in body["coverage"] if b["value"] == "2019")
    assert year["search"] == f"/?person={quote(PERSON).replace('%20', '+')}&from=2019-01-01&to=2019-12-31"
    # named with it: the other facets' counts of the same search, with combined searches
    assert set(body["related"]) == set(FACETS) - {"person"}
    assert counts(body["related"]["country"]) == {
        k: v for k, v in counts(search["facets"]["country"]).items() if v}
    france = next(v for v in body["related"]["country"] if v["value"] == "FR")
    combined = client.get(france["search"]).get_data(as_text=True)
    assert f"{france['count']} article" in combined
    assert france["page"] == "/countries/FR"
    # the latest articles, newest first
    dates = [h["published"] for h in body["latest"]]
    assert dates == sorted(dates, reverse=True)
    assert body["links"]["search"].endswith("/?person=%C3%89lodie+Marchand")


def test_aliases_names_and_topic_families_come_from_the_authority_files(client):
    lavrov = client.get("/api/people/Sergey Lavrov").get_json()
    assert "Sergei Lavrov" in lavrov["aliases"] and "Sergey Lavrov" not in lavrov["aliases"]
    france = client.get("/api/countries/fr").get_json()  # codes as a reader types them
    assert france["value"] == "FR" and france["label"] == "France"
    names = {n["language"]: n["name"] for n in france["names"]}
    assert names["de"] == "Frankreich" and names["ja"] == "フランス" and "en" not in names
    energy = client.get("/api/topics/energy").get_json()
    assert energy["parent"]["value"] == "economy"
    assert {c["value"] for c in energy["children"]} >= {"oil-gas", "renewable-energy"}
    french = client.get("/api/countries/FR?lang=fr").get_json()
    assert french["label"] == "France" and "Frankreich" in {n["name"] for n in french["names"]}


def test_the_page_shows_it_all_and_links_onwards(client):
    page = client.get(f"/people/{quote(PERSON)}").get_data(as_text=True)
    assert f"<h1 class=\"entity__title\">{PERSON}</h1>" in unescape(page)
    assert "Coverage over time" in page and "Latest articles" in page
    assert 'href="/?person=%C3%89lodie+Marchand&amp;country=FR"' in page
    assert 'href="/countries/FR"' in page
    assert "Dock strike halts grain exports" in page
    topic = client.get("/topics/energy").get_data(as_text=True)
    assert "Broader topic" in topic and 'href="/topics/economy"' in topic


def test_unknown_values_are_404_and_odd_ones_are_escaped(client):
    assert client.get("/people/Nobody%20At%20All").status_code == 404
    assert client.get("/api/people/Nobody").get_json()["status"] == 404
    page = client.get("/people/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.status_code == 404 and "<script>alert(1)" not in page.get_data(as_text=True)


def test_tags_and_facet_values_link_to_their_pages(client):
    results = client.get("/?q=marseille").get_data(as_text=True)
    assert 'class="tag tag--person" href="/people/%C3%89lodie%20Marchand"' in results
    assert re.search(r'class="facet__entity" href="/countries/FR"', results)
    hit = re.search(r'href="/articles/([^"?]+)', results).group(1)
    article = client.get(f"/articles/{hit}").get_data(as_text=True)
    assert 'href="/countries/FR"' in article


@pytest.mark.parametrize("facet", FACETS)
def test_every_facet_has_pages(app, facet):
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert f"/{segment(facet)}/<path:value>" in rules
    assert f"/api/{segment(facet)}/<path:value>" in rules


def test_the_api_document_lists_the_entity_pages(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {f"/api/{segment(f)}/{{value}}" for f in FACETS} <= set(paths)
    assert "related" in paths["/api/people/{value}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["properties"]


def test_pages_speak_french(client):
    page = client.get("/countries/FR?lang=fr").get_data(as_text=True)
    assert "Couverture dans le temps" in page and "Derniers articles" in page
    assert "Dans d’autres langues" in page
    results = client.get("/?q=quillfeather&lang=fr").get_data(as_text=True)
    assert "Exporter :" in results


def test_the_librarians_edited_authority_file_is_the_one_shown(site):
    lena = site.client("librarian")
    before = lena.get("/api/people/Sergey Lavrov").get_json()["aliases"]
    assert "Sergei Lavrov" in before
    response = site.post(lena, "/curation/vocabularies/persons",
                         {"content": "Sergey Lavrov | Lavrov; S. V. Lavrov\n"})
    assert response.status_code == 302
    assert lena.get("/api/people/Sergey Lavrov").get_json()["aliases"] == ["Lavrov",
                                                                             "S. V. Lavrov"]
