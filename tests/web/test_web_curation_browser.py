"""Logging in, curating and saving searches in headless Chromium against the real app.
Skipped when playwright or Chromium is missing (see conftest)."""

from __future__ import annotations

import re

MARKER = "quillfeather"
PASSWORD = "correct horse battery"


def log_in(page, base, name):
    page.goto(base + "/")
    page.get_by_role("link", name="Log in").click()
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".account__name")
    assert page.locator(".account__name").inner_text() == name


def facet_count(page, facet, label) -> int | None:
    row = page.locator(f".facet--{facet} .facet__link", has_text=label)
    if row.count() == 0:
        return None
    return int(row.first.locator(".facet__count").inner_text())


def test_a_librarian_removes_an_automatic_tag_and_adds_one(page, site_server, errors):
    log_in(page, site_server, "lena")
    page.goto(f"{site_server}/?q={MARKER}")
    assert facet_count(page, "topic", "Economy") == 5
    assert facet_count(page, "country", "Norway") is None

    page.locator(".hit__title a", has_text="Hamburg port").click()
    page.wait_for_url("**/articles/**")
    economy = page.locator(".curate-tag", has_text="Economy")
    assert "tagged automatically" in economy.inner_text()
    economy.get_by_role("button", name=re.compile("Remove Economy")).click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Removed “Economy, business and finance”."
    assert page.locator(".curate-tag", has_text="Economy").count() == 0
    assert page.url.endswith(f"?q={MARKER}")  # back on the same page, query kept

    page.fill("#add-country", "Norway")
    page.get_by_role("button", name="Add a country").click()
    page.wait_for_selector(".flash--success")
    norway = page.locator(".curate-tag", has_text="Norway")
    assert "tagged by a librarian" in norway.inner_text()

    page.get_by_role("link", name=re.compile("Back to results")).click()
    page.wait_for_url(f"**/?q={MARKER}")
    assert facet_count(page, "topic", "Economy") == 4
    assert facet_count(page, "country", "Norway") == 1
    page.locator(".facet--country .facet__link", has_text="Norway").click()
    assert page.locator(".hit__title").all_inner_texts() == [
        "Hamburg port reports record trade volumes"]

    page.get_by_role("link", name="Curation").click()
    page.get_by_role("link", name="Full change log").click()
    assert page.locator(".audit-entry").count() == 2
    page.get_by_role("button", name="Undo #2").click()
    page.wait_for_selector(".flash--success")
    assert page.locator(".flash--success").inner_text() == "Undid change 2."
    assert errors == []


def test_a_reader_saves_a_search_and_its_link_opens_anywhere(page, browser, site_server, errors):
    log_in(page, site_server, "rita")
    page.goto(f"{site_server}/?q={MARKER}&country=DE&sort=oldest")
    expected = page.locator(".hit__title").all_inner_texts()
    assert len(expected) == 3
    assert page.locator(".facet__edit").count() == 0  # not a librarian

    page.locator(".save-search summary").click()
    page.fill(".save-search input[name=name]", "German quills")
    page.fill(".save-search textarea[name=note]", "for Monday")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/saved#s-*")
    item = page.locator(".saved-item", has_text="German quills")
    link = item.locator(".saved-item__url code").inner_text()
    assert re.fullmatch(re.escape(site_server) + r"/s/[A-Za-z0-9_-]{8}", link)
    assert "for Monday" in item.inner_text()

    fresh = browser.new_context(locale="en-US")  # nobody logged in
    other = fresh.new_page()
    other.goto(link)
    assert other.locator(".saved-banner__title").inner_text() == "German quills"
    assert other.locator(".hit__title").all_inner_texts() == expected
    assert other.locator("#sort").input_value() == "oldest"
    assert other.locator(".account__name").count() == 0
    fresh.close()
    assert errors == []
