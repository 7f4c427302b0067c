"""Taking results away, in headless Chromium against the real app: the export links of
the results page, entity pages reached from a tag, and a reader's collection made from an
article page. Skipped when playwright or Chromium is missing (see conftest)."""

from __future__ import annotations

import csv
import io
import json
import re

MARKER = "quillfeather"
PASSWORD = "correct horse battery"


def log_in(page, base, name):
    page.goto(base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")


def download(page, link) -> str:
    with page.expect_download() as info:
        link.click()
    return open(info.value.path(), encoding="utf-8").read()


def test_the_results_page_exports_every_result_in_its_order(page, live_server, errors):
    page.goto(f"{live_server}/?q={MARKER}&sort=oldest&per_page=2")
    total = int(re.match(r"\d+", page.locator(".results-count").inner_text()).group())
    assert total > 2  # more than the page shows
    exports = page.locator(".export-links")
    assert re.fullmatch(r"Export: CSV · JSON Lines · RIS", " ".join(exports.inner_text().split()))
    rows = list(csv.DictReader(io.StringIO(download(page, exports.get_by_role("link", name="CSV")))))
    assert len(rows) == total
    dates = [r["published"] for r in rows if r["published"]]
    assert dates == sorted(dates)  # the page's own order: oldest first
    first_title = page.locator(".hit__title a").first.inner_text()
    assert rows[0]["title"] == first_title
    lines = download(page, exports.get_by_role("link", name="JSON Lines")).splitlines()
    assert [json.loads(line)["title"] for line in lines] == [r["title"] for r in rows]
    assert download(page, exports.get_by_role("link", name="RIS")).count("TY  - NEWS") == total
    assert not errors


def test_a_tag_leads_to_its_page_and_on_to_a_combined_search(page, live_server, errors):
    page.goto(f"{live_server}/?q=marseille")
    page.locator(".hit .tag--person", has_text="Élodie Marchand").first.click()
    page.wait_for_url("**/people/**")
    assert page.locator("h1").inner_text() == "Élodie Marchand"
    assert page.locator(".entity__count").inner_text().startswith("3 articles")
    assert page.locator(".entity__histogram li").count() >= 1
    assert page.locator(".page-entity .hit").count() == 3
    france = page.locator(".entity__related--country .entity__combined", has_text="France")
    count = int(france.locator(".facet__count").inner_text())
    france.click()
    page.wait_for_url("**/?person=*")
    chips = " ".join(page.locator(".chips__list").inner_text().split())
    assert "Person: Élodie Marchand" in chips and "Country: France" in chips
    assert page.locator(".results-count").inner_text().startswith(f"{count} article")
    # a facet value's own page, from the sidebar
    page.locator(".facet--topic .facet__entity").first.click()
    page.wait_for_url("**/topics/**")
    assert page.locator(".entity__kicker").inner_text().lower() == "topic"
    assert not errors


def test_a_reader_makes_a_collection_from_an_article_and_exports_it(page, site_server, errors):
    log_in(page, site_server, "rita")
    page.goto(f"{site_server}/?q={MARKER}+marseille")
    page.locator(".hit__title a", has_text="Dock strike").click()
    page.wait_for_url("**/articles/**")
    panel = page.locator(".panel--collect")
    panel.locator("input[name=name]").fill("Port strikes")
    panel.locator(".collect-new textarea[name=note]").fill("the first walkout")
    panel.get_by_role("button", name="Make it and add the article").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Added to “Port strikes”."
    assert "/articles/" in page.url  # back on the article

    page.goto(f"{site_server}/?q={MARKER}+marseille")
    page.locator(".hit__title a", has_text="Grain traders").click()
    page.wait_for_url("**/articles/**")
    panel = page.locator(".panel--collect")
    panel.locator("select[name=collection]").select_option(label="Port strikes")
    panel.locator(".collect-form textarea[name=note]").fill("follow-up")
    panel.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_selector(".flash--success")
    page.locator(".panel--collect a", has_text="Port strikes").click()

    page.wait_for_url("**/collections/**")
    assert page.locator("h1").inner_text() == "Port strikes"
    assert page.locator(".collection__item .hit__title").all_inner_texts() == [
        "Dock strike halts grain exports from Marseille", "Grain traders watch Marseille strike"]
    assert page.locator(".collection__note").all_inner_texts() == ["the first walkout", "follow-up"]
    item = page.locator(".collection__item").nth(1)
    item.locator("summary", has_text="Edit the note").click()
    item.locator("textarea[name=note]").fill("a second look")
    item.get_by_role("button", name="Save the note").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".collection__note").all_inner_texts() == ["the first walkout",
                                                                    "a second look"]
    ris = download(page, page.locator(".export-links").get_by_role("link", name="RIS"))
    assert ris.count("TY  - NEWS") == 2 and "TI  - Grain traders watch Marseille strike" in ris

    page.locator(".collection__item").first.get_by_role("button", name="Remove").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".collection__item").count() == 1
    page.get_by_role("link", name="Collections", exact=True).first.click()
    assert page.locator(".saved-item__name").all_inner_texts() == ["Port strikes"]
    assert not errors
