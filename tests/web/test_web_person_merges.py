"""The librarians' page of likely duplicate people (/curation/person-merges): who may see it,
what it proposes, and that one click merges a pair with the archive's audited merge."""

from __future__ import annotations

import re

from searchapp.search import SearchRequest

SEED_PERSON = "Sergey Lavrov"  # named in the seed article


def _seed_article(site) -> str:
    hits = site.engine.search(SearchRequest(filters={"person": (SEED_PERSON,)})).hits
    assert len(hits) == 1
    return hits[0].id


def _count(site, person: str) -> int:
    return site.engine.search(SearchRequest(filters={"person": (person,)}, per_page=1)).total


def _surname_beside_the_full_name(site, lena) -> str:
    """A librarian tags the seed article "Lavrov" too: a second value for one person."""
    aid = _seed_article(site)
    site.post(lena, f"/articles/{aid}/tags/add", {"facet": "person", "value": "Lavrov"})
    assert _count(site, "Lavrov") == 1
    return aid


def test_only_librarians_see_the_page(site):
    assert site.client().get("/curation/person-merges").status_code in (302, 401, 403)
    assert site.client("reader").get("/curation/person-merges").status_code == 403
    assert site.client("librarian").get("/curation/person-merges").status_code == 200


def test_a_surname_sharing_a_story_with_the_full_name_is_proposed_and_merged(site):
    lena = site.client("librarian")
    aid = _surname_beside_the_full_name(site, lena)
    page = lena.get("/curation/person-merges").get_data(as_text=True)
    rows = re.findall(r'<tr class="merge-proposal">(.*?)</tr>', page, re.S)
    assert any("Lavrov</a> (1)" in row and f"{SEED_PERSON}</a>" in row for row in rows), rows

    response = site.post(lena, "/curation/person-merges", {"value": "Lavrov", "into": SEED_PERSON},
                         follow_redirects=True)
    assert "“Lavrov” is now “Sergey Lavrov”: 1 article re-tagged." in site.flashes(
        response.get_data(as_text=True))
    assert _count(site, "Lavrov") == 0 and _count(site, SEED_PERSON) == 1
    entries = lena.get("/api/audit").get_json()["entries"]
    assert entries[0]["action"] == "merge" and entries[0]["user"] == "lena"
    assert "Lavrov</a> (1)" not in lena.get("/curation/person-merges").get_data(as_text=True)
    assert aid  # the article keeps its person under the one value


def test_accepting_needs_the_role_and_a_csrf_token(site):
    lena = site.client("librarian")
    _surname_beside_the_full_name(site, lena)
    form = {"value": "Lavrov", "into": SEED_PERSON}
    assert site.post(lena, "/curation/person-merges", form, token=False).status_code == 400
    rita = site.client("reader")
    assert site.post(rita, "/curation/person-merges", form).status_code == 403
    assert _count(site, "Lavrov") == 1


def test_a_librarian_merges_a_proposal_with_one_click_in_a_browser(page, site, site_server, errors):
    _surname_beside_the_full_name(site, site.client("librarian"))
    page.goto(site_server + "/login")
    page.fill("input[name=name]", "lena")
    page.fill("input[name=password]", "correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")
    page.goto(site_server + "/curation")
    page.get_by_role("link", name="Likely duplicate people").click()
    row = page.locator(".merge-proposal", has_text="Lavrov (1)")
    assert row.count() == 1 and SEED_PERSON in row.inner_text()
    row.get_by_role("button", name="Merge").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == (
        "“Lavrov” is now “Sergey Lavrov”: 1 article re-tagged.")
    assert page.locator(".merge-proposal", has_text="Lavrov (1)").count() == 0
    assert _count(site, "Lavrov") == 0
    assert errors == []
