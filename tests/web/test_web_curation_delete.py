"""Deleting a value everywhere through the web: the confirmation step says how many articles
it touches, the post needs the librarian role and the CSRF token, the value leaves facet
counts and article pages at once, holds through a full rebuild, and undo brings it back."""

from __future__ import annotations

import time
from html import unescape

import pytest

MARKER = "quillfeather"
FORM = "/curation/delete?facet=person&value=Jonas+Brecht"


def counts(site, facet) -> dict[str, int]:
    data = site.client().get("/api/search", query_string={"q": MARKER, "facet_limit": 0}).get_json()
    return {v["value"]: v["count"] for v in data["facets"][facet] if not v["excluded"]}


def ids_with(site, facet, value) -> set[str]:
    data = site.client().get("/api/search", query_string={facet: value}).get_json()
    return {h["id"] for h in data["hits"]}


def test_the_merge_page_leads_to_a_confirmation_that_counts_the_articles(site):
    lena = site.client("librarian")
    merge = lena.get("/curation/merge?facet=person&value=Jonas+Brecht").get_data(as_text=True)
    assert "/curation/delete?facet=person&amp;value=Jonas+Brecht" in merge
    page = lena.get(FORM).get_data(as_text=True)
    assert "Person “Jonas Brecht” is removed from 2 articles" in unescape(page)
    assert 'action="/curation/delete"' in page and 'name="csrf_token"' in page
    assert counts(site, "person")["Jonas Brecht"] == 2  # the confirmation changes nothing


@pytest.mark.parametrize("who", [None, "reader"])
def test_only_librarians_may_delete(site, who):
    client = site.client(who)
    assert client.get(FORM).status_code in (302, 403)
    response = site.post(client, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"})
    assert response.status_code in (302, 403)
    assert counts(site, "person")["Jonas Brecht"] == 2


def test_a_post_without_the_csrf_token_is_refused(site):
    lena = site.client("librarian")
    response = site.post(lena, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"},
                         token=False)
    assert response.status_code == 400
    assert counts(site, "person")["Jonas Brecht"] == 2


def test_delete_everywhere_survives_a_rebuild_and_undo_restores_it(site):
    lena = site.client("librarian")
    having = ids_with(site, "person", "Jonas Brecht")
    assert len(having) == 2
    response = site.post(lena, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"},
                         follow_redirects=True)
    assert ("“Jonas Brecht” is deleted everywhere: 2 articles re-tagged."
            in site.flashes(response.get_data(as_text=True)))
    assert "Jonas Brecht" not in counts(site, "person")
    for aid in having:
        assert "Jonas Brecht" not in {t["value"] for t in
                                      site.client().get(f"/api/articles/{aid}").get_json()["tags"]}
        assert "/?person=Jonas+Brecht" not in site.client().get(f"/articles/{aid}").get_data(as_text=True)

    log = lena.get("/curation/audit").get_data(as_text=True)
    assert "Value deleted everywhere" in log and "Person “Jonas Brecht”" in unescape(log)
    [entry, *_] = lena.get("/api/audit").get_json()["entries"]
    assert entry["action"] == "delete_value"

    site.rebuild()
    assert "Jonas Brecht" not in counts(site, "person")

    site.post(lena, f"/curation/audit/{entry['id']}/undo")
    assert counts(site, "person")["Jonas Brecht"] == 2
    assert ids_with(site, "person", "Jonas Brecht") == having


def test_deleting_twice_is_refused_in_the_readers_language(site):
    lena = site.client("librarian")
    site.post(lena, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"})
    response = site.post(lena, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"},
                         follow_redirects=True, headers={"Accept-Language": "fr"})
    [message] = site.flashes(response.get_data(as_text=True))
    assert "Jonas Brecht" in message and "déjà supprimée" in message


def test_a_big_deletion_runs_as_a_job_whose_page_shows_its_progress(site, monkeypatch):
    from searchapp import curation

    monkeypatch.setattr(curation, "JOB_ARTICLES", 1)  # these articles stand for thousands
    lena = site.client("librarian")
    response = site.post(lena, "/curation/delete", {"facet": "person", "value": "Jonas Brecht"})
    assert response.status_code == 302 and response.location.startswith("/curation/jobs/")
    api = "/api" + response.location.split("?")[0]
    deadline = time.monotonic() + 60
    while lena.get(api).get_json()["pending"]:  # each poll may resume it
        assert time.monotonic() < deadline, "the job never finished"
        time.sleep(0.2)
    assert lena.get(api).get_json()["summary"] == "deleted person 'Jonas Brecht' everywhere"
    assert "Jonas Brecht" not in counts(site, "person")
