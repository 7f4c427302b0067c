"""The crosswalks page: librarians see the mappings and the codes that wait, map a waiting
code (its articles are re-tagged at once), and undo it from the change log."""

from __future__ import annotations

import re
from html import unescape

import pytest

from searchapp.crosswalk import Crosswalk

WIRE = ('<REUTERS NEWID="{n}"><DATE>3-MAR-1987 09:00:00.00</DATE><TOPICS>{topics}</TOPICS>'
        "<PLACES><D>usa</D></PLACES><PEOPLE>{people}</PEOPLE><TEXT><TITLE>{title}</TITLE>"
        "<BODY>{title}, traders said.\n Reuter\n</BODY></TEXT></REUTERS>\n")


def codes(values: list[str]) -> str:
    return "".join(f"<D>{v}</D>" for v in values)


@pytest.fixture
def wire(site, tmp_path):
    """Three Reuters stories indexed into the site; two hold a code no crosswalk maps."""
    from searchapp.curation import ingest_curation
    from searchapp.ingest import index_paths

    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "reut2-950.sgm").write_text(
        WIRE.format(n=1, topics=codes(["wheat", "zz-newcode"]), people=codes(["young"]),
                    title="Quillwheat harvest late")
        + WIRE.format(n=2, topics=codes(["zz-newcode"]), people="", title="Quillwheat tender")
        + WIRE.format(n=3, topics=codes(["earn"]), people=codes(["reagan"]),
                      title="Quillwheat Corp profit"))
    conn = site.db()
    index_paths([folder], site.index_dir, workers=1, curation=ingest_curation(site.instance),
                crosswalk=Crosswalk.load(conn))
    return folder


def topics(site) -> dict[str, int]:
    data = site.client().get("/api/search", query_string={"q": "quillwheat", "facet_limit": 0}).get_json()
    return {v["value"]: v["count"] for v in data["facets"]["topic"]}


def test_the_page_lists_waiting_codes_and_mappings(site, wire):
    page = unescape(site.client("librarian").get("/curation/crosswalks").get_data(as_text=True))
    waiting = page.split("Codes waiting for a mapping", 1)[1].split("Map a code", 1)[0]
    assert "<code>zz-newcode</code>" in waiting and "<code>young</code>" in waiting
    assert re.search(r"<code>zz-newcode</code></th>\s*<td>2 ·", waiting)
    assert "<code>wheat</code>" in page and "Wheat" in page  # the mapping, by its label
    assert set(topics(site)) >= {"wheat", "earnings"} and "zz-newcode" not in str(topics(site))


def test_mapping_a_waiting_code_retags_at_once_and_is_undone_from_the_log(site, wire):
    lena = site.client("librarian")
    before = topics(site)
    response = site.post(lena, "/curation/crosswalks", {"source": "reuters", "facet": "topic",
                                                        "code": "zz-newcode", "value": "Sugar"})
    assert response.status_code == 302
    page = lena.get(response.location).get_data(as_text=True)
    assert "“zz-newcode” is mapped; 2 articles re-tagged." in site.flashes(page)
    assert topics(site)["sugar"] == 2
    assert "<code>zz-newcode</code>" not in page.split("Map a code", 1)[0]
    entry = lena.get("/api/audit").get_json()["entries"][0]
    assert entry["action"] == "crosswalk"
    audit_page = unescape(lena.get("/curation/audit").get_data(as_text=True))
    assert "Crosswalk edited" in audit_page and "Topic code “zz-newcode” of reuters" in audit_page
    assert site.post(lena, f"/curation/audit/{entry['id']}/undo").status_code == 302
    assert topics(site) == before


def test_a_person_code_is_mapped_to_a_name(site, wire):
    lena = site.client("librarian")
    site.post(lena, "/curation/crosswalks", {"source": "reuters", "facet": "person",
                                             "code": "young", "value": "Kim Young"})
    [hit] = site.client().get("/api/search", query_string={"q": "quillwheat harvest"}).get_json()["hits"]
    article = site.client().get(f"/api/articles/{hit['id']}").get_json()
    assert ("person", "Kim Young", "source") in {(t["facet"], t["value"], t["origin"])
                                                 for t in article["tags"]}


def test_a_bad_mapping_is_refused_with_a_reason(site, wire):
    lena = site.client("librarian")
    response = site.post(lena, "/curation/crosswalks", {"source": "reuters", "facet": "topic",
                                                        "code": "zz-newcode", "value": "Nowhere"})
    page = lena.get(response.location).get_data(as_text=True)
    assert any("is not a concept of the taxonomy" in f for f in site.flashes(page))
    assert "sugar" not in topics(site)


def test_the_json_lists_mappings_and_waiting_codes(site, wire):
    data = site.client("librarian").get("/api/crosswalks").get_json()
    assert {"source": "reuters", "facet": "topic", "code": "wheat", "value": "wheat",
            "edited": False} in data["mappings"]
    assert {(w["code"], w["articles"]) for w in data["waiting"]} == {("zz-newcode", 2), ("young", 1)}


def test_a_hostile_value_is_shown_as_text(site, wire):
    lena = site.client("librarian")
    site.post(lena, "/curation/crosswalks", {"source": "reuters", "facet": "person",
                                             "code": "young", "value": "<img src=x onerror=alert(1)> Eve"})
    page = lena.get("/curation/crosswalks?source=reuters&facet=person").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; Eve" in page


# -- in a browser (skipped without playwright or Chromium; slow: it needs `browser`) -------------


def test_a_librarian_maps_a_waiting_code_in_the_browser(page, site_server, wire, errors):
    page.goto(site_server + "/login")
    page.fill("input[name=name]", "lena")
    page.fill("input[name=password]", "correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")
    page.get_by_role("link", name="Curation").click()
    page.get_by_role("link", name="Crosswalks").click()
    row = page.locator(".data-table tr", has_text="zz-newcode")
    assert "2 ·" in row.inner_text()
    row.locator("input[name=value]").fill("Sugar")
    row.get_by_role("button", name="Map").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "“zz-newcode” is mapped; 2 articles re-tagged."
    assert page.locator(".data-table tr", has_text="zz-newcode").count() == 1  # now a mapping
    page.goto(site_server + "/?q=quillwheat")
    sugar = page.locator(".facet--topic .facet__link", has_text="Sugar")
    assert sugar.locator(".facet__count").inner_text() == "2"
    assert errors == []
