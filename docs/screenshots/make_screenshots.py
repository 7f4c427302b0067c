"""Take screenshots of the main pages into this folder (not a test).

    python docs/screenshots/make_screenshots.py [--index-dir DIR]

Without --index-dir, a fresh index is built in a temporary folder from seeds/,
the web test fixtures and, when the corpora are there, one Reuters file.
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
]


def build_index(where: Path) -> Path:
    from searchapp.ingest import index_paths

    paths = [ROOT / "seeds", ROOT / "tests" / "web" / "fixtures"]
    if REUTERS.exists():
        paths.append(REUTERS)
    index_paths(paths, where / "index", workers=1)
    return where / "index"


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="use this index instead of building one")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from searchapp.web import create_app

    tmp = Path(tempfile.mkdtemp(prefix="searchapp-shots-"))
    try:
        index_dir = args.index_dir or build_index(tmp)
        server = serve(create_app({"INDEX_DIR": str(index_dir)}))
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, width, full in SHOTS:
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
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
