"""Tests for searchapp.cleaning: article body, metadata, robustness."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from searchapp.cleaning import CleanedPage, clean_html, parse_date

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"
REPO = Path(__file__).resolve().parents[1]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def paragraphs(page: CleanedPage) -> list[str]:
    return page.body.split("\n\n") if page.body else []


# --------------------------------------------------------------------------
# A news page with the usual furniture around the story


@pytest.fixture(scope="module")
def news() -> CleanedPage:
    return clean_html(fixture("news_page.html"), "https://courier.example/news/x?utm=1")


def test_news_body_keeps_article_paragraphs_in_order(news):
    paras = paragraphs(news)
    assert paras[0].startswith("The harbour bridge reopened to traffic on Sunday morning")
    assert paras[-1].startswith("“It has been a long wait")
    assert ("The repair cost 48 million pounds, about a third more than first planned, "
            "because the contractor had to replace corroded cables that were not visible "
            "in the original survey.") in paras  # whitespace inside is normalised


def test_news_body_keeps_headings_and_list_items_as_paragraphs(news):
    paras = paragraphs(news)
    assert "What changes for drivers" in paras
    assert "Cyclists and pedestrians cross free of charge at all times." in paras
    assert "Lorries over 18 tonnes remain banned until a load test in June." in paras


@pytest.mark.parametrize("furniture", [
    "We use cookies",  # cookie banner
    "Accept all cookies",
    "Sport",  # navigation
    "Share on Facebook",  # share widget
    "Email this story",
    "Advertisement",
    "Related stories",
    "Harbour bridge closed after cracks found",  # related links
    "RiverWatcher",  # comments
    "daylight robbery",
    "Most read",  # sidebar
    "Storm warning",
    "daily newsletter",
    "Copyright 2021",  # footer
    "script text",  # scripts
    "font-family",  # styles
    "The bridge at dawn",  # caption
    "By Maria Lindqvist",  # byline is metadata, not body
])
def test_news_body_drops_furniture(news, furniture):
    assert furniture not in news.body


def test_news_body_leaves_out_the_headline(news):
    assert "Harbour bridge reopens" not in news.body


def test_news_metadata_from_json_ld(news):
    assert news.title == "Harbour bridge reopens after two-year repair"
    assert news.byline == "Maria Lindqvist, Tom Okafor"
    assert news.published == "2021-03-14T08:30:00+00:00"
    assert news.language == "en"


def test_relative_canonical_url_is_resolved_against_page_url(news):
    assert news.url == "https://courier.example/news/2021/03/14/harbour-bridge-reopens"


FERRY = ["The river ferry will run every twenty minutes from Monday, the operator said, "
         "doubling the service.",
         "Passengers had complained for years about crowding on the morning boats, especially "
         "in summer.",
         "The extra crossings are paid for by a grant from the regional transport fund, "
         "officials said."]
APPEAL = ["Our newsroom has covered the river towns for a century, with reporters in every "
          "district.",
          "We rely on readers like you to keep local journalism alive, and every contribution "
          "helps.",
          "Members get early access to stories, a weekly letter from the editor, and "
          "invitations to events.",
          "Join today, and you will be supporting independent reporting across the whole "
          "valley.",
          "Gift memberships are available too, and they make a thoughtful present for any "
          "occasion."]


def two_column_page(json_ld: str = "") -> str:
    """A longer reader appeal beside a shorter story, neither named by class."""
    def ps(texts):
        return "".join(f"<p>{t}</p>" for t in texts)
    return (f"<html><head>{json_ld}</head><body>"
            f"<div class='c1'><div class='x'>{ps(APPEAL)}</div><p>Thank you.</p></div>"
            f"<div class='c2'><div class='z'>{ps(FERRY)}</div><p>Photo: archive.</p></div>"
            "</body></html>")


def test_json_ld_article_body_picks_the_article():
    assert clean_html(two_column_page()).body.startswith("Our newsroom")  # by structure
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
               f'"articleBody": "{" ".join(FERRY)}"}}</script>')
    page = clean_html(two_column_page(json_ld))
    assert paragraphs(page)[:3] == FERRY
    assert "Our newsroom" not in page.body


def test_page_wrapper_with_a_furniture_like_name_is_kept():
    html = ("<html><body><div class='layout has-sidebar'>"
            "<div class='nav-links'><a href='/'>Home</a> <a href='/news'>News</a></div>"
            + "".join(f"<p>{t}</p>" for t in FERRY) + "</div></body></html>")
    assert paragraphs(clean_html(html)) == FERRY


# --------------------------------------------------------------------------
# Metadata from meta tags, <time>, the URL


def test_metadata_from_meta_tags():
    page = clean_html(fixture("meta_tags.html"), "https://ledger.example/x")
    assert page.title == "Wind farm approved off the east coast"  # site name dropped
    assert page.byline == "Jonas Weber"
    assert page.published == "2020-07-02T16:45:00+02:00"
    assert page.url == "https://ledger.example/energy/wind-farm-approved"  # og:url
    assert page.language == "de"  # from og:locale de_DE
    assert len(paragraphs(page)) == 3
    assert "Home" not in page.body and "Imprint" not in page.body


def test_metadata_from_time_element_byline_class_and_title_tag():
    page = clean_html(fixture("time_element.html"))
    assert page.published == "2022-10-05"
    assert page.byline == "Claire Dubois"  # "Par" dropped
    assert page.title == "Le marché couvert rouvre ses portes"
    assert page.language == "fr"
    assert page.url is None
    assert paragraphs(page)[-1].startswith("La municipalité, qui a financé")
    assert "Accueil" not in page.body


def test_date_from_url_when_page_has_none():
    url = "https://news.example/2019/05/10/library-hours"
    page = clean_html(fixture("url_date.html"), url)
    assert page.published == "2019-05-10"
    assert page.url == url
    assert page.byline is None


def test_no_date_is_invented():
    page = clean_html(fixture("url_date.html"), "https://news.example/library-hours")
    assert page.published is None


@pytest.mark.parametrize("text, expected", [
    ("2019-05-10", "2019-05-10"),
    ("2019-05-10T08:30:00Z", "2019-05-10T08:30:00+00:00"),
    ("2019-05-10T08:30:00.000+0530", "2019-05-10T08:30:00+05:30"),
    ("2019-05-10 08:30:00", "2019-05-10T08:30:00"),
    ("20190510", "2019-05-10"),
    ("Fri, 10 May 2019 08:30:00 GMT", "2019-05-10T08:30:00+00:00"),
    ("May 10, 2019", "2019-05-10"),
    ("10 May 2019", "2019-05-10"),
    ("2019-02-30", None),
    ("last Tuesday", None),
    ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# --------------------------------------------------------------------------
# Encodings


def test_bytes_decoded_with_declared_windows_1252():
    page = clean_html(fixture("cp1252_declared.html"))
    assert page.title == "Café prices rise again"
    assert "costs £3.20, or about €3.70" in page.body
    assert "“We have no choice" in page.body


def test_undeclared_non_utf8_bytes_are_detected():
    page = clean_html(fixture("cp1251_undeclared.html"))
    assert page.title == "Новый мост через реку открыт"
    assert "В субботу в городе торжественно открыли новый мост" in page.body


def test_invalid_utf8_bytes_do_not_raise():
    raw = fixture("news_page.html").replace(b"harbour bridge reopened", b"harbour \xff\xfe bridge")
    page = clean_html(raw)
    assert page.body.startswith("The harbour \ufffd\ufffd bridge to traffic")
    assert "“It has been a long wait" in page.body  # the rest still read as UTF-8


# --------------------------------------------------------------------------
# Bad and extreme input


@pytest.mark.parametrize("html", ["", "   \n", b"", b"\x00\x01\x02", "<html", "<<<>>>",
                                  "<p>", "</div></div>", "plain text, no markup at all"])
def test_bad_input_gives_a_page_not_an_error(html):
    page = clean_html(html, "https://x.example/a")
    assert isinstance(page, CleanedPage)
    assert isinstance(page.body, str) and isinstance(page.title, str)
    assert page.url == "https://x.example/a"


def test_truncated_page_keeps_the_text_it_has():
    page = clean_html(fixture("truncated.html"))
    paras = paragraphs(page)
    assert paras[0].startswith("The council voted on Thursday to keep weekly bin collections")
    assert paras[-1].startswith("The savings will instead come from renegotiating")
    assert "Home" not in page.body


def test_broken_json_ld_is_ignored():
    raw = fixture("news_page.html").replace(b'"@graph": [', b'"@graph": [[[')
    page = clean_html(raw)
    assert page.published == "2021-03-14T08:30:00+00:00"  # from <time> instead
    assert page.body.startswith("The harbour bridge reopened")


PARAGRAPH = ("<p>This paragraph is long enough to count as article text, with commas, "
             "and a few more words.</p>")


def test_deeply_nested_markup():
    depth = 20_000
    html = ("<html><body>" + PARAGRAPH + "<div><span>" * depth + PARAGRAPH
            + "</span></div>" * depth + PARAGRAPH + "</body></html>")
    page = clean_html(html)
    assert paragraphs(page).count(PARAGRAPH[3:-4]) == 3


def test_unclosed_deep_nesting():
    html = "<html><body>" + "<div><b>x " * 5_000 + PARAGRAPH
    assert isinstance(clean_html(html).body, str)


def test_large_script_heavy_page():
    chunk = ("<script>var s = '<p>not text</p>'; " + "x" * 2000 + "</script>"
             "<style>.a{color:red}</style><!-- note -->" + PARAGRAPH)
    html = "<html><body><div class='story'>" + chunk * 2_000 + "</div>"  # ~5 MB, unclosed
    page = clean_html(html)
    assert len(paragraphs(page)) == 2_000
    assert "not text" not in page.body and "color" not in page.body


def test_unclosed_script_swallows_the_rest():
    page = clean_html("<html><body>" + PARAGRAPH * 3 + "<script>var a = '<p>x</p>';")
    assert len(paragraphs(page)) == 3 and "var a" not in page.body


# --------------------------------------------------------------------------
# Quality on the real extraction corpus


def load_bench():
    path = REPO / "bench" / "extraction_quality.py"
    spec = importlib.util.spec_from_file_location("extraction_quality", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_extraction_f1_on_corpus():
    bench = load_bench()
    folder = bench.corpus_dir()
    if not (folder / "ground-truth.json").is_file():
        pytest.skip(f"extraction corpus not found at {folder} (set SEARCHAPP_CORPORA)")
    result = bench.evaluate(bench.searchapp_extract, bench.load_corpus(folder))
    assert result["pages"] == 61
    assert result["f1"] >= 0.93, f"F1 {result['f1']:.4f}"


def test_site_name_from_og_then_the_json_ld_publisher():
    og = ('<html><head><meta property="og:site_name" content=" BBC  News "></head><body>'
          "<article><p>Text of the story, long enough to count as one.</p></article></body></html>")
    assert clean_html(og).site_name == "BBC News"
    ld = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
          '{"@type": "Organization", "name": "Le Monde"}}</script>'
          '<meta name="twitter:site" content="@lemonde"></head><body><article><p>Texte.</p>'
          "</article></body></html>")
    assert clean_html(ld).site_name == "Le Monde"
    handle_only = '<html><head><meta name="twitter:site" content="@x"></head><body><p>T.</p></body></html>'
    assert clean_html(handle_only).site_name is None
