"""Who may do what: every state-changing route and every role page, tried as anonymous,
reader, librarian and admin; and the CSRF token every POST needs."""

from __future__ import annotations

import pytest

from searchapp import collections, saved
from searchapp.curation import Curator
from searchapp.search import SearchRequest

ROLES = ("anonymous", "reader", "librarian", "admin")
LOGIN = "login"  # expected: a redirect to the login page
OK = 302  # expected: done, then a redirect (post/redirect/get)


@pytest.fixture()
def world(site):
    """An article, a saved search of another reader (owen), one audited change."""
    [hit] = site.engine.search(SearchRequest("Lavrov")).hits
    conn = site.db()
    owen = conn.execute("SELECT id FROM users WHERE name = 'owen'").fetchone()["id"]
    lena = conn.execute("SELECT id FROM users WHERE name = 'lena'").fetchone()["id"]
    slug = saved.create(conn, owen, "Owen's search", "q=quillfeather").slug
    change = Curator(conn, site.engine).add_tag(lena, hit.id, "topic", "sanctions")
    shelf = collections.create(conn, owen, "Owen's shelf", shared=True)
    collections.add(conn, shelf, hit.id, hit.title)
    conn.close()
    return {"article": hit.id, "slug": slug, "owen": owen, "audit": change["id"],
            "collection": shelf.slug}


# (method, url, form, expected status for anonymous, reader, librarian, admin)
def routes(w):
    article, slug, owen, shelf = w["article"], w["slug"], w["owen"], w["collection"]
    return [
        ("POST", "/logout", {}, (302, OK, OK, OK)),
        ("POST", "/saved", {"name": "Mine", "params": "q=oil"}, (LOGIN, OK, OK, OK)),
        ("POST", f"/s/{slug}/edit", {"name": "Renamed"}, (LOGIN, 403, 403, 403)),
        ("POST", f"/s/{slug}/delete", {}, (LOGIN, 403, 403, OK)),
        ("POST", f"/articles/{article}/tags/add", {"facet": "country", "value": "Norway"},
         (LOGIN, 403, OK, OK)),
        ("POST", f"/articles/{article}/tags/remove", {"facet": "country", "value": "RU"},
         (LOGIN, 403, OK, OK)),
        ("POST", "/curation/merge", {"facet": "person", "value": "Wang Yi", "into": "Wang Yi (FM)"},
         (LOGIN, 403, OK, OK)),
        ("POST", "/curation/bulk", {"params": "q=quillfeather", "tag_facet": "topic",
                                    "tag_value": "media"}, (LOGIN, 403, OK, OK)),
        ("POST", "/curation/vocabularies/persons", {"content": "Sergey Lavrov | Lavrov\n"},
         (LOGIN, 403, OK, OK)),
        ("POST", "/curation/vocabularies/topics/reset", {}, (LOGIN, 403, OK, OK)),
        ("POST", f"/curation/audit/{w['audit']}/undo", {}, (LOGIN, 403, OK, OK)),
        ("POST", f"/admin/users/{owen}/role", {"role": "librarian"}, (LOGIN, 403, 403, OK)),
        ("POST", f"/admin/users/{owen}/remove", {}, (LOGIN, 403, 403, OK)),
        ("POST", "/curation/delete", {"facet": "person", "value": "Wang Yi"}, (LOGIN, 403, OK, OK)),
        ("POST", "/curation/crosswalks", {"source": "reuters", "facet": "topic", "code": "wheat",
                                          "value": "agriculture"}, (LOGIN, 403, OK, OK)),
        ("POST", "/curation/person-merges", {"value": "Wang Yi", "into": "Wang Yi (FM)"},
         (LOGIN, 403, OK, OK)),
        ("POST", "/curation/topic-suggestions/decide",
         {"article": article, "value": "media", "decision": "accept"}, (LOGIN, 403, OK, OK)),
        # collections: anyone signed in makes one; only the owner (owen) changes his
        ("POST", "/collections", {"name": "Mine"}, (LOGIN, OK, OK, OK)),
        ("POST", f"/collections/{shelf}/edit", {"name": "Taken"}, (LOGIN, 403, 403, 403)),
        ("POST", f"/collections/{shelf}/delete", {}, (LOGIN, 403, 403, 403)),
        ("POST", "/collections/add", {"collection": shelf, "article_id": article},
         (LOGIN, 403, 403, 403)),
        ("POST", f"/collections/{shelf}/items/note", {"article_id": article, "note": "x"},
         (LOGIN, 403, 403, 403)),
        ("POST", f"/collections/{shelf}/items/remove", {"article_id": article},
         (LOGIN, 403, 403, 403)),
        # pages
        ("GET", "/saved", None, (LOGIN, 200, 200, 200)),
        ("GET", "/curation", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/audit", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/merge?facet=person&value=Wang+Yi", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/delete?facet=person&value=Wang+Yi", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/bulk?q=quillfeather", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/vocabularies/persons", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/crosswalks", None, (LOGIN, 403, 200, 200)),
        ("GET", "/admin/users", None, (LOGIN, 403, 403, 200)),
        ("GET", "/api/saved", None, (401, 200, 200, 200)),
        ("GET", "/api/audit", None, (401, 403, 200, 200)),
        ("GET", "/api/vocabularies/topics", None, (401, 403, 200, 200)),
        ("GET", "/api/crosswalks", None, (401, 403, 200, 200)),
        ("GET", "/curation/person-merges", None, (LOGIN, 403, 200, 200)),
        ("GET", "/curation/topic-suggestions", None, (LOGIN, 403, 200, 200)),
        ("GET", "/collections", None, (LOGIN, 200, 200, 200)),
        ("GET", f"/collections/{shelf}", None, (LOGIN, 200, 200, 200)),
        ("GET", "/api/collections", None, (401, 200, 200, 200)),
        # open to everyone while ANONYMOUS_SEARCH is on (the default)
        ("GET", f"/s/{slug}", None, (200, 200, 200, 200)),
        ("GET", f"/s/{slug}/feed.atom", None, (200, 200, 200, 200)),
        ("GET", f"/articles/{article}", None, (200, 200, 200, 200)),
    ]


ROUTE_COUNT = 44


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("number", range(ROUTE_COUNT))
def test_route_by_role(site, world, number, role):
    table = routes(world)
    assert len(table) == ROUTE_COUNT
    method, url, form, expected = table[number]
    expected = expected[ROLES.index(role)]
    client = site.client(None if role == "anonymous" else role)
    if method == "POST":
        response = site.post(client, url, form)
    else:
        response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert response.location.startswith("/login"), response.location
    else:
        assert response.status_code == expected, (url, response.get_data(as_text=True)[:300])
    if expected == 401:
        assert response.get_json()["status"] == 401
    if expected == 403 and not url.startswith("/api/"):
        assert "not allowed" in response.get_data(as_text=True)


def test_allowed_changes_really_happen_and_refused_ones_do_not(site, world):
    reader, admin = site.client("reader"), site.client("admin")
    assert site.post(reader, f"/articles/{world['article']}/tags/add",
                     {"facet": "country", "value": "Norway"}).status_code == 403
    assert site.post(reader, f"/s/{world['slug']}/delete").status_code == 403
    conn = site.db()
    assert saved.get(conn, world["slug"]) is not None
    assert "NO" not in site.engine.get(world["article"]).tag_values("country")
    assert site.post(admin, f"/s/{world['slug']}/delete").status_code == 302
    assert saved.get(conn, world["slug"]) is None


POST_ROUTES = range(23)  # the POST rows of the table


@pytest.mark.parametrize("number", POST_ROUTES)
def test_every_post_needs_the_csrf_token(site, world, number):
    method, url, form, _ = routes(world)[number]
    assert method == "POST"
    admin = site.client("admin")  # allowed everywhere: only the token is missing
    missing = site.post(admin, url, form, token=False)
    assert missing.status_code == 400, url
    assert "did not come from this site" in missing.get_data(as_text=True)
    bad = site.post(admin, url, {**form, "csrf_token": "forged"}, token=False)
    assert bad.status_code == 400, url
    # nothing changed: the admin is still logged in, the saved search and the users are there
    conn = site.db()
    assert saved.get(conn, world["slug"]).name == "Owen's search"
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 4
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 1
    assert collections.get(conn, world["collection"]).count == 1
    assert len(collections.list_own(conn, world["owen"])) == 1
    assert admin.get("/admin/users").status_code == 200


def test_login_form_needs_the_csrf_token(site):
    client = site.app.test_client()
    response = client.post("/login", data={"name": "rita", "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/saved").status_code == 302  # not logged in


def test_a_token_from_another_session_is_refused(site):
    reader, other = site.client("reader"), site.client("librarian")
    stolen = site.csrf_token(other)
    response = site.post(reader, "/saved", {"name": "x", "params": "q=oil", "csrf_token": stolen},
                         token=False)
    assert response.status_code == 400
