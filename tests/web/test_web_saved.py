"""Saved searches: saving the search on screen, opening its link as anyone, the list,
renaming and deleting, the Atom feed, and how many matches are new since the owner looked."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from searchapp import saved
from searchapp.ingest import index_paths

ATOM = "{http://www.w3.org/2005/Atom}"
MARKER = "quillfeather"
SEARCH = f"q={MARKER}&country=FR&country=JP&not_person=Aiko+Tanabe&from=2019&to=2020&sort=oldest"


def hit_titles(page: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h2 class="hit__title"><a [^>]*>(.*?)</a>', page)]


def save(site, client, url=f"/?{SEARCH}&page=1&per_page=5", **form):
    """Save the search shown at `url` with the page's own form -> the new SavedSearch."""
    page = client.get(url).get_data(as_text=True)
    params = unescape(re.search(r'name="params" value="([^"]*)"', page).group(1))
    form = {"name": "Quill in France or Japan", "params": params, **form}
    response = site.post(client, "/saved", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    slug = response.location.rsplit("#s-", 1)[1]
    return saved.get(site.db(), slug)


def test_save_the_search_on_screen_and_open_its_link_as_anyone(site):
    rita = site.client("reader")
    search_page = rita.get(f"/?{SEARCH}").get_data(as_text=True)
    entry = save(site, rita, note="for the weekly report")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", entry.slug)
    # the whole search state, and nothing that belongs to one page of it
    assert parse_qs(entry.params) == {"q": [MARKER], "country": ["FR", "JP"],
                                      "not_person": ["Aiko Tanabe"], "from": ["2019"],
                                      "to": ["2020"], "sort": ["oldest"]}
    assert entry.owner == "rita" and entry.note == "for the weekly report" and not entry.shared

    expected = hit_titles(search_page)
    assert len(expected) == 4
    for who in ("owner", None):  # another reader, and someone not logged in
        client = site.client(who)
        page = client.get(f"/s/{entry.slug}").get_data(as_text=True)
        assert hit_titles(page) == expected
        assert "Quill in France or Japan" in page and "for the weekly report" in page
        assert f'href="/s/{entry.slug}/feed.atom"' in page
        assert 'id="q" name="q" type="search" value="quillfeather"' in page
    assert site.client().get("/s/nosuchone").status_code == 404


def test_the_list_shows_mine_and_the_shared_ones(site):
    rita, owen = site.client("reader"), site.client("owner")
    mine = save(site, rita, name="Rita private")
    shared = save(site, owen, name="Owen shared", shared="1")
    hidden = save(site, owen, name="Owen private")
    page = rita.get("/saved").get_data(as_text=True)
    assert "Rita private" in page and "Owen shared" in page and "by owen" in page
    assert "Owen private" not in page
    assert f"http://localhost/s/{mine.slug}" in page
    assert f'action="/s/{mine.slug}/delete"' in page  # the owner's own delete form
    data = rita.get("/api/saved").get_json()
    assert [s["name"] for s in data["own"]] == ["Rita private"]
    assert [s["name"] for s in data["shared"]] == ["Owen shared"]
    assert data["shared"][0]["links"]["atom"] == f"http://localhost/s/{shared.slug}/feed.atom"
    api = rita.get(data["own"][0]["links"]["search"].replace("http://localhost", "")).get_json()
    assert api["total"] == 4
    # a shared search of someone else has no edit or delete button for a reader
    assert f"/s/{shared.slug}/edit" not in page and f"/s/{shared.slug}/delete" not in page
    assert f"/s/{hidden.slug}" not in page


def test_rename_and_delete_owner_only_admin_may_delete(site):
    rita, owen, admin = site.client("reader"), site.client("owner"), site.client("admin")
    entry = save(site, rita)
    url = f"/s/{entry.slug}"
    assert site.post(owen, url + "/edit", {"name": "Hijacked"}).status_code == 403
    assert site.post(admin, url + "/edit", {"name": "Hijacked"}).status_code == 403
    response = site.post(rita, url + "/edit", {"name": "  Renamed   search ", "note": "new note",
                                               "shared": "1"})
    assert response.status_code == 302
    entry = saved.get(site.db(), entry.slug)
    assert (entry.name, entry.note, entry.shared) == ("Renamed search", "new note", True)
    response = site.post(rita, url + "/edit", {"name": " "}, follow_redirects=True)
    assert "A saved search needs a name." in site.flashes(response.get_data(as_text=True))
    assert saved.get(site.db(), entry.slug).name == "Renamed search"

    assert site.post(owen, url + "/delete").status_code == 403
    assert site.post(admin, url + "/delete").status_code == 302
    assert saved.get(site.db(), entry.slug) is None
    assert site.client().get(url).status_code == 404
    other = save(site, rita)
    assert site.post(rita, f"/s/{other.slug}/delete").status_code == 302
    assert rita.get("/api/saved").get_json()["own"] == []


def test_a_search_that_does_not_parse_is_not_saved(site):
    rita = site.client("reader")
    response = site.post(rita, "/saved", {"name": "Broken", "params": "q=%22unclosed&sort=best"},
                         follow_redirects=True)
    assert response.status_code == 400  # back on the search page, which shows the error too
    assert any("Unknown sort order" in m for m in site.flashes(response.get_data(as_text=True)))
    assert rita.get("/api/saved").get_json()["own"] == []


# -- the Atom feed ------------------------------------------------------------------------------


def test_the_feed_lists_the_newest_matches_of_the_same_search(site):
    rita = site.client("reader")
    entry = save(site, rita, url=f"/?q={MARKER}", name="Quill & <friends>")
    response = site.client().get(f"/s/{entry.slug}/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Quill & <friends>"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "rita"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://localhost/s/{entry.slug}/feed.atom"

    entries = feed.findall(f"{ATOM}entry")
    # the page's own search sorted newest, the undated match last, dated by its indexing
    newest = site.client().get(f"/api/search?q={MARKER}&sort=newest").get_json()
    assert len(entries) == len(newest["hits"]) == 9
    assert [e.findtext(f"{ATOM}title") for e in entries] == [h["title"] for h in newest["hits"]]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [h["links"]["html"] for h in newest["hits"]]
    published = [e.findtext(f"{ATOM}published") for e in entries[:8]]
    assert published == sorted(published, reverse=True)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", p) for p in published)
    undated = entries[-1]
    assert undated.find(f"{ATOM}published") is None  # no publication date is made up
    indexed = undated.findtext(f"{ATOM}updated")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", indexed)
    assert indexed > published[0]  # indexed now, after every fixture's publication
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert feed.findtext(f"{ATOM}updated") == max(updated)
    page = site.client().get(urlsplit(links[0]).path)
    assert page.status_code == 200


def test_the_feed_escapes_titles_and_summaries(site):
    rita = site.client("reader")
    entry = save(site, rita, url=f"/?q={MARKER}+script", name="Scripts")
    raw = site.client().get(f"/s/{entry.slug}/feed.atom").get_data(as_text=True)
    assert "<script>" not in raw and "<b>" not in raw and "<mark>" not in raw
    assert "&lt;script&gt;alert(" in raw
    [item] = ET.fromstring(raw).findall(f"{ATOM}entry")
    assert item.findtext(f"{ATOM}title") == \
        "<script>alert('x')</script> and <b>bold</b> claims in Berlin"
    summary = item.findtext(f"{ATOM}summary")
    assert "<script>alert('body')</script>" in summary  # the text as written, never markup
    assert item.find(f"{ATOM}summary").get("type") == "text"


# -- new since I last looked -------------------------------------------------------------------


def new_counts(client) -> dict[str, int]:
    return {s["name"]: s["new_since_last_seen"] for s in client.get("/api/saved").get_json()["own"]}


def add_article(site, tmp_path, published: str, title: str):
    extra = tmp_path / "extra"
    extra.mkdir(exist_ok=True)
    line = {"title": title, "published": published,
            "body": f"A late {MARKER} story from Lyon.", "tags": {"country": ["FR"]}}
    (extra / f"{published}.jsonl").write_text(json.dumps(line) + "\n")
    index_paths([extra], site.index_dir, workers=1)


def test_new_since_the_owner_last_looked(site, tmp_path):
    rita, owen = site.client("reader"), site.client("owner")
    entry = save(site, rita, url=f"/?q={MARKER}&country=FR", name="France")
    assert entry.last_seen == "2020-01-20"  # the newest match when it was saved
    assert new_counts(rita) == {"France": 0}

    add_article(site, tmp_path, "2022-02-02", "Lyon joins the quill survey")
    add_article(site, tmp_path, "2020-01-20", "Same day as the newest seen: not new")
    assert new_counts(rita) == {"France": 1}
    assert "1 new</span>" in rita.get("/saved").get_data(as_text=True)

    owen.get(f"/s/{entry.slug}")  # someone else opening it changes nothing
    assert new_counts(rita) == {"France": 1}

    page = rita.get(f"/s/{entry.slug}").get_data(as_text=True)
    assert "1 new since you last looked" in page
    new_badge = re.search(r'<span class="badge badge--new">New</span>\s*'
                          r'<span class="hit__source">', page)
    assert new_badge and page.count(">New</span>") == 1
    assert saved.get(site.db(), entry.slug).last_seen == "2022-02-02"
    assert new_counts(rita) == {"France": 0}
    assert "0 new since you last looked" in rita.get(f"/s/{entry.slug}").get_data(as_text=True)


def test_new_since_keeps_to_the_searchs_own_dates(site, tmp_path):
    rita = site.client("reader")
    entry = save(site, rita, url=f"/?q={MARKER}&to=2019", name="Until 2019")
    assert entry.last_seen == "2019-07-02"
    add_article(site, tmp_path, "2022-02-02", "Outside the range")
    assert new_counts(rita) == {"Until 2019": 0}
    conn = site.db()
    conn.execute("UPDATE saved_searches SET last_seen = '2019-03-10' WHERE slug = ?", (entry.slug,))
    assert new_counts(rita) == {"Until 2019": 3}  # 18 and 25 March, 2 July 2019; nothing later


@pytest.mark.parametrize("search, last_seen", [(f"q={MARKER}&undated=only", ""),
                                               ("q=nosuchwordanywhere", "")])
def test_searches_without_dated_matches(site, search, last_seen):
    rita = site.client("reader")
    entry = save(site, rita, url=f"/?{search}", name="Odd")
    assert entry.last_seen == last_seen
    assert new_counts(rita) == {"Odd": 0}
    assert rita.get(f"/s/{entry.slug}").status_code == 200
    feed = ET.fromstring(site.client().get(f"/s/{entry.slug}/feed.atom").data)
    # an undated match is in the feed, dated by its indexing; no match, no entry
    assert len(feed.findall(f"{ATOM}entry")) == (1 if "undated" in search else 0)
