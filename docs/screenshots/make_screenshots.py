"""Take screenshots of the main pages into this folder (not a test).

    python docs/screenshots/make_screenshots.py [--index-dir DIR] [--only NAME...]

Without --index-dir, a fresh index is built in a temporary folder from seeds/,
the web test fixtures and, when the corpora are there, one Reuters file.
The account pages (login, article as a librarian, saved searches, change log) use a
temporary instance folder with a demo librarian; with --index-dir, the curation made
for them changes that index. --only takes just the named shots (e.g. entity-country.png).
Needs the playwright package and Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

CORPORA = Path(os.environ.get("SEARCHAPP_CORPORA") or ROOT.parent / "shared" / "corpora")
REUTERS = CORPORA / "reuters21578" / "reut2-000.sgm"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# (file name, path and query string, viewport width, full page)
SHOTS = [
    ("search-results.png", "/?q=oil+prices&country=US", 1280, False),
    ("search-facets-dates.png", "/?q=grain&from=1987-03&to=1987-03&not_country=CA", 1280, True),
    ("browse-all.png", "/", 1280, False),
    ("article.png", None, 1280, False),  # the first hit of "oil prices", with the query
    ("help.png", "/help", 1280, True),
    ("phone-results.png", "/?q=oil+prices", 390, False),
    ("phone-filters.png", "/?q=oil+prices&country=US#filters", 390, False),
    ("search-fr.png", "/?q=cocoa&lang=fr", 1280, False),
    ("bad-query.png", "/?q=%22unclosed+phrase", 1280, False),
    # Fewer than ten articles have every word: the page says it relaxed, with the strict link.
    ("search-relaxed.png", "/?q=cocoa+prices+lavrov", 1280, False),
    ("search-field-label.png", "/?q=country%3A%22soviet+union%22+grain", 1280, False),
    # Export links above the results; entity pages reached from tags and facet values.
    ("search-export.png", "/?q=cocoa&sort=newest", 1280, False),
    ("entity-country.png", "/countries/BR", 1280, True),
    ("entity-person.png", "/people/Sergey%20Lavrov", 1280, True),
    ("entity-topic.png", "/topics/elections", 1280, True),
    # A story sent three times on the wire: one result with "+2 versions".
    ("search-versions.png", "/?q=manila+debt+bonds", 1280, False),
    # The source and organisation facets, one source chosen; its entity page.
    ("search-source-facet.png", "/?q=oil&source=Reuters#filters", 1280, True),
    ("entity-source.png", "/sources/Reuters", 1280, True),
]


# (file name, what to show) for the pages behind the login
ACCOUNT_SHOTS = [
    ("login.png", "login"),
    ("article-librarian.png", "article"),
    ("saved-searches.png", "saved"),
    ("audit-log.png", "audit"),
    ("crosswalks.png", "crosswalks"),
    ("collection-add.png", "collect"),  # an article page's "Add to a collection"
    ("collection.png", "collection"),
    ("collections.png", "collections"),
]
DEMO_USER, DEMO_PASSWORD = "lena", "demo password"
SAVED = [  # (name, search, note, shared)
    ("Oil prices in the US", "/?q=oil+prices&country=US&sort=newest",
     "For the Monday energy briefing.", True),
    ("Cocoa, not Ivory Coast", "/?q=cocoa&not_country=CI", "", False),
    ("Sanctions since 2019", "/?q=sanctions&from=2019", "Watch for new sanctions stories.", False),
]


def build_index(where: Path) -> Path:
    from searchapp.ingest import index_paths

    # Copied into the work folder and indexed by relative path, so the sources shown on
    # the pages read "archive/..." rather than where this machine keeps them.
    archive = where / "archive"
    shutil.copytree(ROOT / "seeds", archive / "seeds")
    shutil.copytree(ROOT / "tests" / "web" / "fixtures", archive / "fixtures")
    if REUTERS.exists():
        (archive / "reuters").mkdir()
        shutil.copy(REUTERS, archive / "reuters")
    cwd = os.getcwd()
    os.chdir(where)
    try:
        index_paths([Path("archive")], Path("index"), workers=1)
    finally:
        os.chdir(cwd)
    return where / "index"


def make_instance(where: Path) -> Path:
    from searchapp import accounts
    from searchapp.db import connect, db_path

    instance = where / "instance"
    conn = connect(db_path(instance))
    accounts.create_user(conn, DEMO_USER, DEMO_PASSWORD, "librarian")
    accounts.create_user(conn, "marc", DEMO_PASSWORD, "reader")
    conn.close()
    return instance


def log_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", DEMO_USER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")


def prepare_account_pages(page, base: str) -> str:
    """Save searches and curate one article as the demo librarian; -> the article's path."""
    for name, path, note, shared in SAVED:
        page.goto(base + path)
        page.click(".save-search summary")
        page.fill(".save-search input[name=name]", name)
        page.fill(".save-search textarea[name=note]", note)
        if shared:
            page.check(".save-search input[name=shared]")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url("**/saved#*")
    page.goto(base + "/?q=oil+prices")
    if page.locator(".hit__title a").count() == 0:  # no Reuters file: the seed article
        page.goto(base + "/?q=Lavrov")
    page.click(".hit__title a")
    page.wait_for_url("**/articles/**")
    article = page.url.removeprefix(base)
    automatic = page.locator(".curate-tag", has_text="tagged automatically")
    if automatic.count():
        automatic.last.locator("button").click()
        page.wait_for_selector(".flash--success")
    page.fill("#add-topic", "energy")
    page.get_by_role("button", name="Add a topic").click()
    page.wait_for_selector(".flash--success")
    page.goto(base + "/?q=oil+prices")
    if page.locator(".bulk-link").count():
        page.click(".bulk-link")
        page.select_option("select[name=tag_facet]", "topic")
        page.fill("input[name=tag_value]", "markets")
        page.get_by_role("button", name="Preview").click()
        page.locator("main form[method=post] button[type=submit]").click()
    return article


def wait_for_a_mapping(page, base: str) -> None:
    """Take the mapping of Reuters' `veg-oil` away, so that the crosswalks page shows a code
    waiting for a librarian, as one the crosswalk does not know would."""
    page.goto(base + "/curation/crosswalks")
    form = page.locator("#map form")
    form.locator("select[name=facet]").select_option("topic")
    form.locator("input[name=code]").fill("veg-oil")
    form.get_by_role("button", name="Save the mapping").click()
    page.wait_for_selector(".flash--success")


def prepare_collection(page, base: str) -> str:
    """A shared collection of two cocoa or Brazil stories, with notes; -> its path."""
    page.goto(base + "/?q=cocoa&sort=newest")
    if page.locator(".hit__title a").count() < 2:
        page.goto(base + "/?q=quillfeather")
    titles = page.locator(".hit__title a")
    first, second = titles.nth(0).get_attribute("href"), titles.nth(1).get_attribute("href")
    page.goto(base + first)
    panel = page.locator(".panel--collect")
    panel.locator("input[name=name]").fill("Cocoa harvest")
    panel.locator(".collect-new textarea[name=note]").fill("Crop outlook for the weekly note.")
    panel.locator("input[name=shared]").check()
    panel.get_by_role("button", name="Make it and add the article").click()
    page.wait_for_selector(".flash--success")
    page.goto(base + second)
    panel = page.locator(".panel--collect")
    panel.locator(".collect-form textarea[name=note]").fill("Compare the prices quoted.")
    panel.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_selector(".flash--success")
    page.locator(".panel--collect a", has_text="Cocoa harvest").click()
    page.wait_for_url("**/collections/**")
    return page.url.removeprefix(base)


def pretend_last_seen(instance: Path, name: str, day: str) -> None:
    """As if the owner last looked at the saved search on `day`, so the list shows new matches."""
    from searchapp.db import connect, db_path

    conn = connect(db_path(instance))
    conn.execute("UPDATE saved_searches SET last_seen = ? WHERE name = ?", (day, name))
    conn.close()


def account_shots(browser, base: str, instance: Path) -> None:
    context = browser.new_context(locale="en-US", device_scale_factor=1,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    if wanted("login.png"):
        page.screenshot(path=str(HERE / "login.png"))
        print("wrote", HERE / "login.png")
    log_in(page, base)
    article = prepare_account_pages(page, base)
    pretend_last_seen(instance, SAVED[0][0], "1987-03-01")
    wait_for_a_mapping(page, base)
    for name, what in ACCOUNT_SHOTS[1:]:
        page.goto(base + {"article": article, "saved": "/saved", "audit": "/curation/audit",
                          "crosswalks": "/curation/crosswalks"}[what])
        page.screenshot(path=str(HERE / name), full_page=what == "article")
    collection = prepare_collection(page, base)
    paths = {"article": article, "saved": "/saved", "audit": "/curation/audit",
             "collect": article, "collection": collection, "collections": "/collections"}
    for name, what in ACCOUNT_SHOTS[1:]:
        if not wanted(name):
            continue
        page.goto(base + paths[what])
        if what == "collect":
            page.locator(".panel--collect").scroll_into_view_if_needed()
        page.screenshot(path=str(HERE / name), full_page=what in ("article", "collection"))
        print("wrote", HERE / name)
    context.close()


ONLY: set[str] = set()  # --only: these shots alone


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="use this index instead of building one")
    parser.add_argument("--only", nargs="+", default=[], help="take only these shots")
    args = parser.parse_args()
    ONLY.update(args.only)

    from playwright.sync_api import sync_playwright

    from searchapp.web import create_app

    tmp = Path(tempfile.mkdtemp(prefix="searchapp-shots-"))
    try:
        index_dir = args.index_dir or build_index(tmp)
        instance = make_instance(tmp)
        server = serve(create_app({"INDEX_DIR": str(index_dir), "INSTANCE_PATH": str(instance)}))
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, width, full in SHOTS:
                if not wanted(name):
                    continue
                context = browser.new_context(locale="en-US", device_scale_factor=1,
                                              viewport={"width": width, "height": 900})
                page = context.new_page()
                if path is None:
                    page.goto(base + "/?q=oil+prices")
                    page.click(".hit__title a")
                else:
                    page.goto(base + path)
                if "#" in (path or ""):  # jump at once: smooth scrolling would still be moving
                    page.evaluate("document.querySelector(location.hash)"
                                  ".scrollIntoView({behavior: 'instant'})")
                page.screenshot(path=str(HERE / name), full_page=full)
                print("wrote", HERE / name)
                context.close()
            if not ONLY or ONLY & {name for name, _ in ACCOUNT_SHOTS}:
                account_shots(browser, base, instance)
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
