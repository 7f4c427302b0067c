"""Collections through the web: a reader makes one from an article page, adds articles with
notes, exports it and reads its JSON; private ones stay private, shared ones open to the
team and listed for librarians; only the owner changes one; every change needs CSRF."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from searchapp import collections as store
from searchapp.search import SearchRequest


def article_ids(site, q="quillfeather", n=3) -> list[str]:
    return [h.id for h in site.engine.search(SearchRequest(q, sort="oldest", per_page=n)).hits]


def make(site, client, name="Strike coverage", article=None, **form):
    """Make a collection with the form of an article page -> its slug."""
    data = {"name": name, **form}
    if article:
        data["article_id"] = article
    response = site.post(client, "/collections", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    if "next" in form:  # back to the article page
        assert response.location == form["next"]
    own = client.get("/api/collections").get_json()["own"]
    return next(c["slug"] for c in own if c["name"] == " ".join(name.split()))


def test_a_reader_gathers_articles_with_notes_and_exports_them(site):
    rita = site.client("reader")
    first, second, third = article_ids(site)
    page = rita.get(f"/articles/{first}").get_data(as_text=True)
    assert "Add to a collection" in page and "New collection" in page
    slug = make(site, rita, article=first, note="the opening story",
                next=f"/articles/{first}")
    # the article page's select now offers it, and says the article is in it
    page = rita.get(f"/articles/{first}").get_data(as_text=True)
    assert f'href="/collections/{slug}">Strike coverage</a>' in page
    for article, note in ((second, ""), (third, "compare with the first")):
        response = site.post(rita, "/collections/add", {"collection": slug, "article_id": article,
                                                         "note": note})
        assert response.status_code == 302
    body = rita.get(f"/api/collections/{slug}").get_json()
    assert [i["id"] for i in body["items"]] == [first, second, third]
    assert [i["note"] for i in body["items"]] == ["the opening story", "", "compare with the first"]
    assert body["shared"] is False and body["count"] == 3 and body["owner"] == "rita"
    assert all(i["in_index"] and i["title"] for i in body["items"])

    exported = rita.get(f"/collections/{slug}/export?format=csv")
    assert exported.status_code == 200 and exported.is_streamed
    assert 'filename="collection-' in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["id"] for r in rows] == [first, second, third]
    ris = rita.get(body["links"]["export"]["ris"]).get_data(as_text=True)
    assert ris.count("TY  - NEWS") == 3
    assert rita.get(f"/collections/{slug}/export?format=doc").status_code == 400

    page = rita.get(f"/collections/{slug}").get_data(as_text=True)
    assert "compare with the first" in page and "Export:" in page
    listing = rita.get("/api/collections").get_json()
    assert [c["slug"] for c in listing["own"]] == [slug] and listing["shared"] == []


def test_notes_removal_editing_and_deleting(site):
    rita = site.client("reader")
    first, second, _ = article_ids(site)
    slug = make(site, rita, article=first)
    site.post(rita, "/collections/add", {"collection": slug, "article_id": second})
    site.post(rita, f"/collections/{slug}/items/note", {"article_id": second, "note": "key quote"})
    site.post(rita, f"/collections/{slug}/items/remove", {"article_id": first})
    items = rita.get(f"/api/collections/{slug}").get_json()["items"]
    assert [(i["id"], i["note"]) for i in items] == [(second, "key quote")]
    assert site.post(rita, f"/collections/{slug}/items/remove",
                     {"article_id": first}).status_code == 404
    site.post(rita, f"/collections/{slug}/edit", {"name": "Renamed", "description": "why",
                                                  "shared": "1"})
    body = rita.get(f"/api/collections/{slug}").get_json()
    assert (body["name"], body["description"], body["shared"]) == ("Renamed", "why", True)
    response = site.post(rita, f"/collections/{slug}/edit", {"name": " "})
    assert "A collection needs a name." in site.flashes(
        rita.get(response.location).get_data(as_text=True))
    site.post(rita, f"/collections/{slug}/delete")
    assert rita.get(f"/collections/{slug}").status_code == 404


def test_private_is_private_shared_is_for_the_team_and_only_the_owner_edits(site):
    rita, owen = site.client("reader"), site.client("owner")
    first = article_ids(site)[0]
    private = make(site, rita, "Rita's notes", article=first)
    shared = make(site, rita, "Team picks", article=first, shared="1")
    # another reader: a private collection does not exist for him; a shared one opens
    assert owen.get(f"/collections/{private}").status_code == 404
    assert owen.get(f"/api/collections/{private}").status_code == 404
    assert owen.get(f"/collections/{shared}").status_code == 200
    assert len(owen.get(f"/api/collections/{shared}").get_json()["items"]) == 1
    assert owen.get(f"/collections/{shared}/export?format=jsonl").status_code == 200
    # ... but changes nothing of it
    for url, form in ((f"/collections/{shared}/edit", {"name": "Mine now"}),
                      (f"/collections/{shared}/delete", {}),
                      ("/collections/add", {"collection": shared, "article_id": first}),
                      (f"/collections/{shared}/items/note", {"article_id": first, "note": "x"}),
                      (f"/collections/{shared}/items/remove", {"article_id": first})):
        assert site.post(owen, url, form).status_code == 403, url
    assert site.post(owen, "/collections/add", {"collection": private,
                                                "article_id": first}).status_code == 404
    # readers list their own; librarians also every shared collection
    assert owen.get("/api/collections").get_json() == {"own": [], "shared": []}
    lena = site.client("librarian").get("/api/collections").get_json()
    assert [c["name"] for c in lena["shared"]] == ["Team picks"]
    page = site.client("librarian").get("/collections").get_data(as_text=True)
    assert "Shared by the team" in page and "Rita&#39;s notes" not in page
    # signed out: the login page, or 401 for the API
    anonymous = site.client()
    assert anonymous.get(f"/collections/{shared}").status_code == 302
    assert anonymous.get("/api/collections").status_code == 401


def test_every_change_needs_the_csrf_token_and_a_real_article(site):
    rita = site.client("reader")
    slug = make(site, rita)
    no_token = site.post(rita, "/collections", {"name": "x"}, token=False)
    assert no_token.status_code == 400
    assert site.post(rita, "/collections/add", {"collection": slug, "article_id": "nope"},
                     token=False).status_code == 400
    assert site.post(rita, "/collections/add", {"collection": slug,
                                                "article_id": "nope"}).status_code == 404
    conn = site.db()
    assert store.get(conn, slug).count == 0
    assert [c.name for c in store.list_own(conn, conn.execute(
        "SELECT id FROM users WHERE name = 'rita'").fetchone()["id"])] == ["Strike coverage"]


def test_titles_and_notes_are_escaped(site):
    rita = site.client("reader")
    first = article_ids(site)[0]
    slug = make(site, rita, "<script>alert(1)</script>", article=first,
                note="<img src=x onerror=alert(1)>")
    page = rita.get(f"/collections/{slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert unescape(re.search(r'<p class="collection__note">(.*?)</p>', page).group(1)) == \
        "<img src=x onerror=alert(1)>"


def test_the_api_document_lists_the_collections(site):
    paths = site.client().get("/api/openapi.json").get_json()["paths"]
    assert {"/api/collections", "/api/collections/{slug}"} <= set(paths)


def test_a_closed_archive_keeps_exports_and_entity_pages_for_users(site):
    site.app.config["ANONYMOUS_SEARCH"] = False
    anonymous = site.client()
    for url in ("/export?q=quillfeather", "/people/Sergey%20Lavrov"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    for url in ("/api/export?q=quillfeather", "/api/people/Sergey%20Lavrov"):
        assert anonymous.get(url).status_code == 401, url
    rita = site.client("reader")
    assert rita.get("/export?q=quillfeather&format=ris").status_code == 200
    assert rita.get("/api/people/Sergey%20Lavrov").status_code == 200
