"""The HTML pages through the Flask test client: what they link to and what they escape."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from searchapp.ingest import index_paths

MARKER = "quillfeather"  # a word found only in the fixture articles


def html(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


def links(page: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def params_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def first_hit_url(client, q):
    data = client.get("/api/search", query_string={"q": q}).get_json()
    return f"/articles/{data['hits'][0]['id']}"


def test_search_page_shows_results_and_facets(client):
    page = html(client, f"/?q={MARKER}")
    assert "9 results for “quillfeather”" in page
    assert f'value="{MARKER}"' in page
    assert "Hamburg port reports record trade volumes" in page
    for heading in ("Countries", "People", "Topics", "Date"):
        assert f">{heading}</h3>" in page
    assert "<mark>" in page


def test_facet_links_add_exclude_and_remove_values(client):
    page = html(client, f"/?q={MARKER}&country=DE")
    hrefs = [params_of(u) for u in links(page)]
    assert {"q": [MARKER], "country": ["DE", "FR"]} in hrefs  # add France: OR
    assert {"q": [MARKER], "country": ["DE"], "not_country": ["JP"]} in hrefs  # exclude Japan
    assert {"q": [MARKER]} in hrefs  # untick Germany / remove its chip
    assert "Clear all filters" in page


def test_excluding_a_selected_value_swaps_it(client):
    page = html(client, f"/?q={MARKER}&not_country=FR")
    assert "NOT</span>" in page and "Country:</span> France" in page
    assert {"q": [MARKER]} in [params_of(u) for u in links(page)]


def test_histogram_bars_drill_down(client):
    page = html(client, f"/?q={MARKER}")
    hrefs = [params_of(u) for u in links(page)]
    assert {"q": [MARKER], "from": ["2019"], "to": ["2019"]} in hrefs
    assert {"q": [MARKER], "undated": ["only"]} in hrefs
    month_view = html(client, f"/?q={MARKER}&from=2019&to=2019")
    assert "Mar 2019" in month_view
    assert {"q": [MARKER], "from": ["2019-03"], "to": ["2019-03"]} in \
        [params_of(u) for u in links(month_view)]
    day_view = html(client, f"/?q={MARKER}&from=2019-03&to=2019-03")
    assert "Mar 18, 2019" in day_view
    assert "All dates" in day_view  # the way back out


def test_bad_query_keeps_the_query_and_explains(client):
    page = html(client, "/?q=%22unclosed+phrase&country=FR", status=400)
    assert "This search could not be run" in page
    assert "quotation mark" in page
    assert 'value="&#34;unclosed phrase"' in page or 'value="&quot;unclosed phrase"' in page


def test_bad_parameter_page_is_400(client):
    page = html(client, f"/?q={MARKER}&from=2019-99", status=400)
    assert "is not a date" in page and MARKER in page


def test_paging_links(client):
    page = html(client, f"/?q={MARKER}&per_page=4&page=2")
    assert 'aria-current="page"' in page
    hrefs = [params_of(u) for u in links(page)]
    assert {"q": [MARKER], "per_page": ["4"], "page": ["3"]} in hrefs
    assert {"q": [MARKER], "per_page": ["4"]} in hrefs  # page 1 has no page parameter


def test_did_you_mean(client):
    page = html(client, "/?q=hamburk")
    assert "Did you mean" in page


def test_markup_in_articles_is_escaped(client):
    page = html(client, f"/?q={MARKER}+bold+claims")
    assert "&lt;script&gt;alert" in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    article = html(client, first_hit_url(client, f"{MARKER} bold claims"))
    assert "&lt;script&gt;alert(" in article and "<script>alert" not in article
    assert 'href="javascript:' not in article  # the source's bad URL is not a link


def test_article_page_highlights_query_stems(client):
    url = first_hit_url(client, f"{MARKER} dock strike")  # "… sanctions were not the cause"
    page = html(client, url + "?q=Sanction")
    assert "<mark>sanctions</mark>" in page
    prefix = html(client, first_hit_url(client, f"{MARKER} traders") + "?q=sanc*")
    assert "<mark>sanctioned</mark>" in prefix
    negated = html(client, url + "?q=strike+NOT+sanctions")
    assert "<mark>sanctions</mark>" not in negated


def test_article_page_has_metadata_tags_and_similar(client):
    page = html(client, first_hit_url(client, f"{MARKER} hamburg") + f"?q={MARKER}")
    assert "July 2, 2019" in page
    assert "Back to results for “quillfeather”" in page
    assert "/countries/DE" in links(page)  # a tag links to the value's page
    assert "https://example.org/news/hamburg-port" in page
    assert "More like this" in page


def test_unknown_article_is_a_404_page(client):
    page = html(client, "/articles/does-not-exist", status=404)
    assert "Not found" in page and 'role="search"' in page


def test_help_examples_are_working_searches(client):
    page = html(client, "/help")
    examples = [u for u in links(page) if u.startswith("/?q=")]
    assert len(examples) >= 10
    for url in examples:
        assert client.get(url).status_code == 200, url
    assert "/api/openapi.json" in page


@pytest.mark.parametrize("url", ["/", f"/?q={MARKER}", "/help", "/nope"])
def test_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("url", ["/", f"/?q={MARKER}&from=2019&to=2019", "/help"])
def test_no_inline_script_or_style(client, url):
    page = html(client, url)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "<style" not in page


def test_french_interface(client):
    page = html(client, f"/?q={MARKER}&lang=fr")
    assert '<html lang="fr">' in page
    assert "9 résultats pour « quillfeather »" in page
    assert "Allemagne" in page and "Affiner les résultats" in page
    # The choice is kept in links and remembered in a cookie.
    assert any(params_of(u).get("lang") == ["fr"] for u in links(page) if "country=" in u)
    assert html(client, "/help").count("Comment chercher") == 1


def test_names_on_a_page_follow_each_requests_language(app):
    """Facet and origin names are translated once per language and kept: each request
    still gets its own reader's language, whatever the one before asked for."""
    english, french = app.test_client(), app.test_client()
    for _round in range(2):
        en = html(english, f"/?q={MARKER}&lang=en")
        fr = html(french, f"/?q={MARKER}&lang=fr")
        assert 'title="tagged automatically"' in en and ">Countries<" in en
        assert 'title="étiqueté automatiquement"' in fr and ">Pays<" in fr
        assert "étiqueté automatiquement" not in en and ">Pays<" not in en


def test_accept_language_picks_french(app):
    fresh = app.test_client()
    page = html(fresh, "/", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert "Rechercher" in page


def test_empty_results_give_advice(client):
    page = html(client, f"/?q={MARKER}&country=FR&person=Jonas+Brecht")
    assert "No articles match" in page and "Remove all filters" in page


def test_reuters_dates_are_localized(client, reuters):
    page = html(client, "/?q=cocoa&lang=fr")
    assert "1987" in page and re.search(r"\d+ (févr|mars)\.? 1987", page)


def test_long_runs_of_empty_years_fold_into_one_row(client, reuters):
    page = html(client, "/")  # Reuters 1987, then the fixtures from 2019 on
    assert 'class="histogram__gap"' in page
    assert ">1987<" in page and ">2019<" in page and ">1988<" not in page
    buckets = client.get("/api/search").get_json()["dates"]["buckets"]
    assert "" not in [b["value"] for b in buckets]


def test_an_articles_language_is_named_in_the_readers_language(site, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    line = {"title": "Hafenstreik in Hamburg", "published": "2020-03-01", "language": "de",
            "body": f"Ein {MARKER} Bericht aus dem Hafen."}
    (extra / "de.jsonl").write_text(json.dumps(line) + "\n")
    index_paths([extra], site.index_dir, workers=1)
    reader = site.client()
    [hit] = reader.get("/api/search?q=Hafenstreik").get_json()["hits"]
    assert reader.get(f"/api/articles/{hit['id']}").get_json()["language"] == "de"  # codes
    english = html(reader, f"/articles/{hit['id']}?lang=en")
    assert "<dd>German</dd>" in english and "<dd>de</dd>" not in english
    assert "<dd>allemand</dd>" in html(reader, f"/articles/{hit['id']}?lang=fr")


def test_an_untitled_article_is_named_by_its_first_sentence_marked_as_such(site, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    line = {"title": "", "published": "2020-03-02",
            "body": f"Dockers in Lagos walked out over {MARKER} pay. Talks resume on Monday."}
    (extra / "untitled.jsonl").write_text(json.dumps(line) + "\n")
    index_paths([extra], site.index_dir, workers=1)
    reader = site.client()
    [hit] = reader.get("/api/search?q=Lagos").get_json()["hits"]
    title = f"Dockers in Lagos walked out over {MARKER} pay."
    assert hit["title"] == title and hit["title_derived"] is True
    assert reader.get(f"/api/articles/{hit['id']}").get_json()["title_derived"] is True
    results = html(reader, "/?q=Lagos")
    assert title in results and "(from the text)" in results and "(untitled)" not in results
    page = html(reader, f"/articles/{hit['id']}")
    assert re.search(r'<h1 class="article__title">[^<]*Lagos.*\(from the text\)</span></h1>', page)
    assert "(d’après le texte)" in html(reader, "/?q=Lagos&lang=fr")
