"""The UI in headless Chromium against the real app on a local port: what a reader
sees and can do. Skipped when playwright or Chromium is missing (see conftest)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

MARKER = "quillfeather"  # a word found only in the fixture articles


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def text(locator) -> str:
    return " ".join(locator.inner_text().split())


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def test_type_a_query(page, live_server, errors):
    page.goto(live_server + "/")
    page.fill("#q", MARKER)
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=quillfeather*")
    assert heading(page) == "9 results for “quillfeather”"
    assert page.locator(".hit").count() == 9
    assert page.locator(".hit mark").first.inner_text().lower() == MARKER
    assert errors == []


def test_pick_and_exclude_facet_values_then_go_back(page, live_server, errors):
    page.goto(f"{live_server}/?q={MARKER}")
    countries = page.locator(".facet--country")
    countries.get_by_role("link", name="Germany").first.click()
    page.wait_for_url("**country=DE*")
    assert heading(page) == "3 results for “quillfeather”"
    assert text(page.locator(".chip").first) == "Country: Germany × (remove)"

    countries.get_by_role("link", name="France").first.click()  # OR within the facet
    page.wait_for_url("**country=FR*")
    assert heading(page) == "6 results for “quillfeather”"

    page.locator(".facet--person").get_by_role("link", name="Exclude Élodie Marchand").click()
    page.wait_for_url("**not_person=*")
    assert query(page)["not_person"] == ["Élodie Marchand"]
    assert heading(page) == "3 results for “quillfeather”"
    assert text(page.locator(".chip--not")) == "NOT Person: Élodie Marchand × (remove)"

    page.go_back()
    page.wait_for_url(lambda url: "not_person" not in url)
    assert heading(page) == "6 results for “quillfeather”"
    page.go_back()
    assert heading(page) == "3 results for “quillfeather”"
    page.go_forward()
    page.go_forward()
    assert heading(page) == "3 results for “quillfeather”"
    assert "not_person" in query(page)
    page.get_by_role("link", name="Clear all filters").click()
    assert heading(page) == "9 results for “quillfeather”"
    assert errors == []


def test_a_permalink_restores_the_search(page, live_server, client):
    url = f"/?q={MARKER}&topic=elections&not_country=BR&sort=oldest"
    page.goto(live_server + url)
    expected = client.get("/api/search?" + url.split("?", 1)[1]).get_json()
    assert heading(page) == f"{expected['total']} result for “quillfeather”"
    assert page.locator(".hit__title").all_inner_texts() == [h["title"] for h in expected["hits"]]
    assert page.locator("#sort").input_value() == "oldest"


def test_date_histogram_and_range_form(page, live_server, errors):
    page.goto(f"{live_server}/?q={MARKER}")
    page.locator(".histogram").get_by_role("link", name="2019").click()
    page.wait_for_url("**to=2019*")
    assert heading(page) == "4 results for “quillfeather”"
    page.locator(".histogram").get_by_role("link", name="Mar 2019").click()
    page.wait_for_url("**to=2019-03*")
    assert page.locator(".histogram__label").all_inner_texts() == [
        "Mar 4, 2019", "Mar 18, 2019", "Mar 25, 2019"]

    page.fill(".date-form input[name=from]", "2020")
    page.fill(".date-form input[name=to]", "2021-06")
    page.check(".date-form input[name=undated]")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url("**from=2020*")
    # 2020-01-15, 2020-01-20, 2021-05-05 and the undated article
    assert heading(page) == "4 results for “quillfeather”"
    assert query(page)["undated"] == ["1"]
    assert "Undated" in page.locator(".histogram").inner_text()
    assert errors == []


def test_sort_submits_on_change(page, live_server):
    page.goto(f"{live_server}/?q={MARKER}")
    page.select_option("#sort", "newest")
    page.wait_for_url("**sort=newest*")
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/?q={MARKER}")
    page.select_option("#sort", "oldest")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url("**sort=oldest*")
    assert page.locator(".hit").last.locator(".hit__meta").inner_text().endswith("undated")
    context.close()


def test_keyboard_skip_link_and_focus(page, live_server):
    page.goto(f"{live_server}/?q={MARKER}")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused


def test_article_page_from_results(page, live_server, errors):
    page.goto(f"{live_server}/?q=sanctions+{MARKER}")
    page.locator(".hit__title a", has_text="Dock strike").click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == "Dock strike halts grain exports from Marseille"
    assert "sanctions" in page.locator(".article__body mark").all_inner_texts()
    page.locator(".article-side").get_by_role("link", name="Élodie Marchand").click()
    page.wait_for_url("**/people/**")  # a tag leads to the person's page
    assert page.locator("h1").inner_text() == "Élodie Marchand"
    page.locator(".entity__count a").first.click()  # and on to her articles
    page.wait_for_url("**person=*")
    assert heading(page) == "3 articles"
    assert errors == []


def test_phone_width_puts_filters_after_results(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/?q={MARKER}")
    results = page.locator("main").bounding_box()
    filters = page.locator("#filters").bounding_box()
    assert filters["y"] > results["y"] + results["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Refine").click()
    assert page.evaluate("location.hash") == "#filters"
    context.close()


def test_language_switch(page, live_server):
    page.goto(f"{live_server}/?q={MARKER}")
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**lang=fr*")
    assert heading(page) == "9 résultats pour « quillfeather »"
    assert "Allemagne" in page.locator(".facet--country").inner_text()
    page.goto(f"{live_server}/help")  # remembered by the cookie
    assert page.locator("h1").inner_text() == "Comment chercher"


def test_a_relaxed_search_says_so_and_links_to_every_word(page, live_server, errors):
    page.goto(live_server + "/")
    page.fill("#q", f"{MARKER} marseille tokyo")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=quillfeather*")
    notice = page.locator(".match-notice")
    assert text(notice).startswith(
        "No article has all 3 words; showing articles with at least 2 of them.")
    assert page.locator(".hit").count() == 3
    notice.get_by_role("link").click()
    page.wait_for_url("**all=1*")
    assert query(page)["all"] == ["1"]
    assert page.locator(".hit").count() == 0
    assert text(page.locator(".match-notice")).startswith(
        "Showing only articles with all the words.")
    assert errors == []


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(int(v) / 255 for v in re.findall(r"\d+", css)[:3])


def _contrast(a: str, b: str) -> float:
    def luminance(css):
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in _rgb(css)]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_the_search_button_looks_like_a_button(page, live_server):
    # A pale tint with dark text reads as "disabled": the button is a full colour that stands
    # out from the header (3:1, WCAG's bar for controls) with legible text on it (4.5:1).
    page.goto(live_server + "/")
    button = page.locator(".searchbox button")
    style = button.evaluate("b => { const s = getComputedStyle(b); return {bg: s.backgroundColor,"
                            " fg: s.color, cursor: s.cursor,"
                            " header: getComputedStyle(b.closest('header')).backgroundColor} }")
    lightness = (max(_rgb(style["bg"])) + min(_rgb(style["bg"]))) / 2
    assert lightness <= 0.65, f"a washed-out tint: {style['bg']}"
    assert _contrast(style["bg"], style["header"]) >= 3
    assert _contrast(style["bg"], style["fg"]) >= 4.5
    assert style["cursor"] == "pointer" and button.is_enabled()


def search_for(page, live_server, typed: str) -> None:
    page.goto(live_server + "/")
    page.fill("#q", typed)
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=*")


def test_accents_and_field_labels_as_a_reader_types_them(page, live_server, errors):
    """Typed without the accent, "elodie" finds "Élodie"; a country by its name and a person
    by a surname find the tagged articles; every word still needed (with the marker)."""
    search_for(page, live_server, f"elodie {MARKER}")
    assert page.locator(".hit").count() == 3
    assert "Élodie" in text(page.locator(".hit").first)
    search_for(page, live_server, f"country:france {MARKER}")
    assert page.locator(".hit").count() == 4
    search_for(page, live_server, f'country:"royaume-uni" {MARKER}')  # a label, nobody tagged
    assert page.locator(".hit").count() == 0
    search_for(page, live_server, f"person:marchand {MARKER}")
    assert page.locator(".hit").count() == 3
    assert errors == []
