"""Cross-site scripting: hostile articles (tests/web/fixtures/xss) go through the real ingest
pipeline, and hostile text goes into a user name, a saved search, tags, a merge and a
vocabulary through the app's own forms; then every page, the Atom feed and the JSON answers
are fetched and parsed. Nothing in them may run: no script but our own files, no event
handler attribute, no `javascript:` address, no frame, object, embed or foreign svg; the only
markup taken from article text is our own <mark>. Each page must also show the hostile text
(as text), so a page that left it out could not pass."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from searchapp import accounts
from searchapp.db import connect, db_path
from searchapp.ingest import index_paths
from searchapp.search import SearchRequest
from searchapp.web import create_app

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "xss" / "hostile_articles.ndjson"
WORD = "zanzibarite"  # in every hostile article
PASSWORD = "a hostile but long password"
EVIL_USER = "<img src=x onerror=alert('XSS-USER')>"
SAVED_NAME = "<script>alert('XSS-SAVED')</script>"
SAVED_NOTE = "\"><svg onload=alert('XSS-NOTE')>"
CURATED_PERSON = "</a><script>alert('XSS-CURATED')</script>"
MERGED_PERSON = "\"><iframe src=javascript:alert('XSS-MERGED')>"
BULK_TOPIC = "<body onload=alert('XSS-BULK')>"
COLLECTION = "<script>alert('XSS-COLL')</script>"
COLLECTION_NOTE = "\"><img src=x onerror=alert('XSS-CNOTE')>"
VOCABULARY = ("Sergey Lavrov | Lavrov\n"
              "<script>alert('XSS-VOCAB')</script> | \"><img src=x onerror=alert('XSS-ALIAS')>\n")

# Markup that is ours: the script file, the logo.
OWN_SCRIPT = re.compile(r"^/static/js/[\w.-]+\.js$")
OWN_SVG_CLASS = "brand__mark"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "xlink:href", "srcset", "cite", "ping", "manifest"}
NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math",
         "img", "video", "audio", "template"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


# -- the hostile archive -----------------------------------------------------------------


def csrf_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, url, data):
    """POST a form the way the page does, then follow the redirect to the page it lands on."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, follow_redirects=True)


def logged_in(app, name):
    client = app.test_client()
    response = client.post("/login", data={"name": name, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, pristine):
    """The small web index plus the hostile articles, and an instance where hostile text was
    typed into every form that keeps it. The pages seen after each form are kept too."""
    root = tmp_path_factory.mktemp("xss")
    shutil.copytree(pristine / "index", root / "index")
    shutil.copytree(pristine / "instance", root / "instance")
    (root / "hostile").mkdir()
    shutil.copy(HOSTILE, root / "hostile" / "hostile_articles.jsonl")
    report = index_paths([root / "hostile"], root / "index", workers=1)
    assert not report.skipped and report.articles_indexed == 5, report.summary()

    conn = connect(db_path(root / "instance"))
    accounts.create_user(conn, EVIL_USER, PASSWORD, "librarian")
    accounts.create_user(conn, "xss-admin", PASSWORD, "admin")
    conn.close()
    app = create_app({"INDEX_DIR": str(root / "index"), "INSTANCE_PATH": str(root / "instance"),
                      "TESTING": True})
    ids = [h.id for h in app.extensions["searchapp.index"].search(
        SearchRequest(WORD, sort="oldest", per_page=100)).hits]
    assert len(ids) == 5

    librarian = logged_in(app, EVIL_USER)
    after = {
        "saved": post(librarian, "/saved", {"name": SAVED_NAME, "note": SAVED_NOTE,
                                            "params": f"q={WORD}", "shared": "1"}),
        "tag added": post(librarian, f"/articles/{ids[0]}/tags/add",
                          {"facet": "person", "value": CURATED_PERSON}),
        "merged": post(librarian, "/curation/merge",
                       {"facet": "person", "value": CURATED_PERSON, "into": MERGED_PERSON}),
        "bulk": post(librarian, "/curation/bulk", {"params": f"q={WORD}", "tag_facet": "topic",
                                                  "tag_value": BULK_TOPIC}),
        "vocabulary": post(librarian, "/curation/vocabularies/persons", {"content": VOCABULARY}),
        "collection": post(librarian, "/collections", {
            "name": COLLECTION, "description": SAVED_NOTE, "shared": "1", "article_id": ids[0],
            "note": COLLECTION_NOTE}),
    }
    for name, response in after.items():
        assert response.status_code == 200, (name, response.status_code)
    conn = connect(db_path(root / "instance"))
    slug = conn.execute("SELECT slug FROM saved_searches").fetchone()["slug"]
    collection = conn.execute("SELECT slug FROM collections").fetchone()["slug"]
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 4
    conn.close()
    return SimpleNamespace(app=app, ids=ids, slug=slug, librarian=librarian, after=after,
                           collection=collection,
                           admin=logged_in(app, "xss-admin"))


def pages(h):
    """(who, url, markers that must show as text) for every HTML page."""
    first, titles = h.ids[0], "XSS-T1"
    return [
        ("anonymous", "/", ()),
        ("anonymous", f"/?q={WORD}", ("XSS-T1", "XSS-T2", "XSS-T3", "XSS-T4", "XSS-T5")),
        ("anonymous", f"/?q={WORD}+script+alert+mark&sort=newest", ("XSS-T1", "XSS-S1")),
        ("anonymous", f"/?q={WORD}&facet_limit=0&more=person&more=topic",
         ("XSS-P1", "XSS-P2", "XSS-P3", "xss topic1", "xss bulk", "XSS-MERGED")),
        ("anonymous", "/?person=%3Cimg+src%3Dx+onerror%3Dalert(%27XSS-P1%27)%3E", ("XSS-P1",)),
        ("anonymous", "/?not_topic=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E"
                      "&find_person=%3Csvg", ("</script><script>alert(1)</script>",)),
        ("anonymous", "/?q=%22%3E%3Csvg+onload%3Dalert(%27XSS-Q1%27)%3E", ("XSS-Q1",)),  # 400
        ("anonymous", "/?q=%3Cscript%3Ealert(%27XSS-Q2%27)%3C/script%3E", ("XSS-Q2",)),
        ("anonymous", "/?q=xss&from=%3Cscript%3E", ()),  # 400: the date is refused
        *[("anonymous", f"/articles/{i}?q=script+alert+{WORD}", ()) for i in h.ids],
        ("anonymous", f"/articles/{first}", (titles, "XSS-B1", "XSS-S1", "XSS-S2", "XSS-P1")),
        ("anonymous", f"/articles/{h.ids[1]}", ("XSS-T2", "XSS-B2", "XSS-S4", "XSS-S5")),
        ("anonymous", f"/articles/{h.ids[4]}", ("XSS-T5",)),
        ("anonymous", "/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E", ()),  # 404
        ("anonymous", "/help", ()),
        ("anonymous", "/login?next=javascript:alert(1)", ()),
        ("anonymous", "/login?next=%22%3E%3Cscript%3Ealert(%27XSS-NEXT%27)%3C/script%3E", ()),
        ("anonymous", f"/s/{h.slug}", ("XSS-SAVED", "XSS-NOTE", "XSS-USER", "XSS-T1")),
        ("librarian", f"/articles/{first}", (titles, "XSS-MERGED")),
        ("librarian", f"/s/{h.slug}", ("XSS-SAVED",)),
        ("librarian", "/saved", ("XSS-SAVED", "XSS-NOTE")),
        ("librarian", "/curation", ("XSS-USER",)),
        ("librarian", "/curation/audit", ("XSS-USER", "XSS-MERGED", "xss bulk", "XSS-T1")),
        ("librarian", "/curation/merge?facet=person&value=%3Cimg+src%3Dx+onerror%3Dalert("
                      "%27XSS-P1%27)%3E&into=%22%3E%3Cscript%3E", ("XSS-P1",)),
        ("librarian", f"/curation/bulk?q={WORD}&tag_facet=topic&tag_value=%3Cscript%3E",
         ("<script>",)),
        ("librarian", "/curation/vocabularies/persons", ("XSS-VOCAB", "XSS-ALIAS")),
        ("librarian", "/curation/vocabularies/topics", ()),
        ("admin", "/admin/users", ("XSS-USER",)),
        # entity pages of hostile values, and a collection with hostile names and notes
        ("anonymous", "/people/%3Cimg%20src%3Dx%20onerror%3Dalert(%27XSS-P1%27)%3E",
         ("XSS-P1", "XSS-T1")),
        ("anonymous", "/people/" + quote(MERGED_PERSON, safe=""), ("XSS-MERGED",)),
        ("librarian", "/collections", ("XSS-COLL", "XSS-NOTE")),
        ("librarian", f"/collections/{h.collection}", ("XSS-COLL", "XSS-CNOTE", "XSS-T1")),
        ("admin", f"/articles/{first}", (titles,)),  # "Add to a collection" for another user
    ]


PAGE_COUNT = 37


def client_for(h, who):
    return {"anonymous": h.app.test_client(), "librarian": h.librarian, "admin": h.admin}[who]


# -- what may not be in a page -------------------------------------------------------------


def scheme(value: str) -> str:
    """What a browser would take as the address's scheme (it drops controls and spaces)."""
    return re.sub(r"[\x00-\x20\x7f]", "", value).lower()


def executable_markup(page: str) -> list[str]:
    """Everything in the HTML that a browser could run, or that only an attacker would add."""
    problems = []
    soup = BeautifulSoup(page, "html.parser")
    for el in soup.find_all(True):
        for attr, value in el.attrs.items():
            values = value if isinstance(value, list) else [value]
            if attr.lower().startswith("on"):
                problems.append(f"event handler {attr}= on <{el.name}>")
            if attr.lower() == "style":
                problems.append(f"inline style on <{el.name}>")
            if attr.lower() in URL_ATTRIBUTES and any(scheme(v).startswith(BAD_SCHEMES)
                                                      for v in values):
                problems.append(f"{attr}={value!r} on <{el.name}>")
        if el.name == "script" and not (OWN_SCRIPT.match(el.get("src", "")) and not el.string):
            problems.append(f"script: {str(el)[:80]}")
        if el.name in NEVER:
            problems.append(f"<{el.name}>: {str(el)[:80]}")
        if el.name == "svg" and OWN_SVG_CLASS not in el.get("class", []):
            problems.append(f"foreign svg: {str(el)[:80]}")
        if el.name == "meta" and el.get("http-equiv"):
            problems.append(f"meta http-equiv: {str(el)[:80]}")
        if el.name in ("a", "link") and el.get("href") is not None:
            href = el["href"]
            if not (href.startswith(("/", "#", "?")) or scheme(href).startswith(("http:", "https:"))):
                problems.append(f"<{el.name} href={href!r}>")
            if href.startswith("//"):
                problems.append(f"<{el.name} href={href!r}> leaves the site")
        if el.name == "form" and not el.get("action", "/").startswith("/"):
            problems.append(f"form action {el.get('action')!r}")
    # Text taken from articles keeps no markup of its own: only our <mark>, holding text.
    for el in soup.select(".hit__snippet, .article__title, .article__body p"):
        for child in el.find_all(True):
            if child.name != "mark" or child.find(True):
                problems.append(f"markup in article text: {str(child)[:80]}")
    return problems


def test_the_checker_finds_what_it_looks_for():
    """The checker itself: every trick in the list is caught, our own page furniture is not."""
    own = ('<script src="/static/js/app.js" defer></script><svg class="brand__mark"></svg>'
           '<a href="/?q=x">x</a><a href="https://example.org/">y</a><form action="/saved">'
           '</form><p class="hit__snippet">a <mark>b</mark></p>')
    assert executable_markup(own) == []
    for bad in ["<script>alert(1)</script>", '<script src="https://evil.example/x.js"></script>',
                "<b onclick=alert(1)>x</b>", '<a href=" jav&#x09;ascript:alert(1)">x</a>',
                '<a href="JAVASCRIPT:alert(1)">x</a>', "<iframe src=/></iframe>",
                "<svg onload=alert(1)>", "<object data=x></object>", "<embed src=x>",
                "<img src=x>", '<meta http-equiv="refresh" content="0;url=/">',
                '<p style="x">y</p>', '<a href="//evil.example/">x</a>',
                '<form action="https://evil.example/"></form>',
                '<p class="hit__snippet"><b>x</b></p>', '<h1 class="article__title"><i>x</i></h1>']:
        assert executable_markup(bad), bad


# -- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(PAGE_COUNT))
def test_no_page_carries_runnable_markup(hostile, number):
    table = pages(hostile)
    assert len(table) == PAGE_COUNT
    who, url, markers = table[number]
    response = client_for(hostile, who).get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert executable_markup(page) == [], url
    text = BeautifulSoup(page, "html.parser").get_text().lower()
    for marker in markers:  # topic values are lower-cased slugs
        assert marker.lower() in text, (url, marker)
    assert hostile.app.secret_key not in page  # "{{ config }}" in an article stays text


def test_pages_after_each_form_carry_no_runnable_markup(hostile):
    """The page a form lands on (with its flash message naming the hostile value)."""
    for name, response in hostile.after.items():
        page = response.get_data(as_text=True)
        assert executable_markup(page) == [], name
    text = BeautifulSoup(hostile.after["saved"].get_data(as_text=True), "html.parser").get_text()
    assert "XSS-SAVED" in text


def test_article_text_keeps_its_markup_as_text(hostile):
    """Template syntax, entities and fake <mark> from an article show exactly as written."""
    client = hostile.app.test_client()
    page = client.get(f"/articles/{hostile.ids[3]}").get_data(as_text=True)
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "{{7*7}}" in text and "{{ config }}" in text
    assert "&lt;script&gt;" in text  # an entity in the source stays an entity, not a tag
    page = client.get(f"/articles/{hostile.ids[0]}?q=fake").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert [m.get_text() for m in soup.select(".article__body mark")] == ["fake"]
    assert "<mark>fake mark</mark>" in soup.select_one(".article__body").get_text()


def test_source_links_are_only_http(hostile):
    """`javascript:` and `data:` addresses of articles are shown as text, never as links."""
    client = hostile.app.test_client()
    for article_id, address in zip(hostile.ids, ["XSS-U1", "XSS-U2", "XSS-U3", "base64", "XSS-U5"]):
        soup = BeautifulSoup(client.get(f"/articles/{article_id}").get_data(as_text=True),
                             "html.parser")
        links = [a["href"] for a in soup.select(".details a")]
        shown = soup.select_one(".details").get_text()
        assert address in shown
        assert all(scheme(href).startswith(("http", "/")) for href in links), links


# -- the feed and the JSON ------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_is_xml_with_the_hostile_text_as_text(hostile):
    response = hostile.app.test_client().get(f"/s/{hostile.slug}/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    body = response.get_data(as_text=True)
    feed = ET.fromstring(response.get_data())  # well-formed, or this raises
    assert feed.find(f"{ATOM}title").text == SAVED_NAME
    assert feed.find(f"{ATOM}subtitle").text == SAVED_NOTE
    assert feed.find(f"{ATOM}author/{ATOM}name").text == EVIL_USER
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert any("<script>alert('XSS-T1')</script>" in t for t in titles), titles
    for element in feed.iter():
        assert element.tag.startswith(ATOM), element.tag  # no embedded (x)html elements
    for summary in feed.iter(f"{ATOM}summary"):
        assert summary.get("type") == "text"
    assert "<script" not in body and "<svg" not in body and "<img" not in body


def json_answers(h):
    return [
        ("anonymous", f"/api/search?q={WORD}&facet_limit=0"),
        ("anonymous", "/api/search?q=%22%3E%3Cscript%3E"),  # 400
        ("anonymous", "/api/articles/%3Cscript%3E"),  # 404
        *[("anonymous", f"/api/articles/{i}") for i in h.ids],
        ("librarian", "/api/saved"),
        ("librarian", "/api/audit"),
        ("librarian", "/api/vocabularies/persons"),
    ]


@pytest.mark.parametrize("number", range(11))
def test_json_answers_are_json_and_keep_text_as_data(hostile, number):
    table = json_answers(hostile)
    assert len(table) == 11
    who, url = table[number]
    response = client_for(hostile, who).get(url)
    assert response.mimetype == "application/json", url
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.get_data(as_text=True))
    if response.status_code != 200:
        assert data["error"], url
    for hit in data.get("hits", []):
        assert executable_markup(hit["snippet"]) == []
        assert not BeautifulSoup(hit["snippet"], "html.parser").find(lambda t: t.name != "mark")


def test_json_gives_the_hostile_strings_exactly(hostile):
    client = hostile.app.test_client()
    article = client.get(f"/api/articles/{hostile.ids[0]}").get_json()
    assert article["title"] == "<script>alert('XSS-T1')</script> Harbour strike in Zanzibar"
    assert article["url"] == "javascript:alert('XSS-U1')"  # data: the page never links it
    saved = hostile.librarian.get("/api/saved").get_json()
    assert saved["own"][0]["name"] == SAVED_NAME and saved["own"][0]["note"] == SAVED_NOTE
