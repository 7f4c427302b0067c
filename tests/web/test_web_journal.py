"""Changes on their way to the index, as librarians see them: an edit the index could not
take yet is shown pending, then applied by the next request; a big bulk tagging runs as a
background job with a progress page (the real app, index and database)."""

from __future__ import annotations

import re
import time

import pytest

import searchapp.curation as curation
import searchapp.search.whoosh.engine as whoosh_engine
from tests.web.test_web_curation import MARKER, article_id, counts, page_flashes, tags, total

PENDING_BADGE = 'class="badge badge--pending"'
PENDING_NOTE = "not yet applied to the index"


def wait_until(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def short_wait(monkeypatch):
    """Edits give up on a held index after 0.2 s instead of 15."""
    monkeypatch.setattr(whoosh_engine, "RETAG_WAIT_SECONDS", 0.2)


def test_an_edit_the_index_could_not_take_is_shown_pending_then_applied(site, short_wait):
    aid = article_id(site)
    lena = site.client("librarian")
    held = site.engine.writer()  # as an indexer or a backup holds the index
    try:
        response = site.post(lena, f"/articles/{aid}/tags/add",
                             {"facet": "country", "value": "Chile"})
        article = lena.get(response.location).get_data(as_text=True)
        assert any("it is pending" in f for f in site.flashes(article))
        assert PENDING_NOTE in article
        assert PENDING_BADGE in lena.get("/curation/audit").get_data(as_text=True)
        [entry] = lena.get("/api/audit").get_json()["entries"]
        assert entry["pending"] is True
        assert "CL" not in tags(site, aid, "country")
        # Readers see the article as the index has it, without the librarians' note.
        assert PENDING_NOTE not in site.client("reader").get(f"/articles/{aid}").get_data(as_text=True)
    finally:
        held.cancel()
    # The next librarian requests find the pending change and apply it in the background.
    wait_until(lambda: PENDING_BADGE not in lena.get("/curation/audit").get_data(as_text=True))
    assert tags(site, aid, "country")["CL"] == "librarian"
    assert PENDING_NOTE not in lena.get(f"/articles/{aid}").get_data(as_text=True)
    assert lena.get("/api/audit").get_json()["entries"][0]["pending"] is False


def job_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert re.fullmatch(r"/curation/jobs/\d+\?back=.*", response.location), response.location
    return response.location.split("?")[0]


def test_a_big_bulk_tagging_runs_as_a_job_whose_page_shows_its_progress(
        site, short_wait, monkeypatch):
    monkeypatch.setattr(curation, "JOB_ARTICLES", 1)  # these 3 articles stand for thousands
    lena = site.client("librarian")
    search = f"q={MARKER}&country=DE"
    before = counts(site, "topic")["energy"]
    held = site.engine.writer()  # the job cannot start yet: its page says so
    try:
        response = site.post(lena, "/curation/bulk", {"params": search, "tag_facet": "topic",
                                                      "tag_value": "energy"})
        job, location = job_of(response), response.location
        page = lena.get(location).get_data(as_text=True)
        assert '<meta http-equiv="refresh" content="2">' in page  # reloads itself, no script
        assert "Pending" in page and "Bulk tagging: 3 articles" in page
        assert f'<a href="/?q={MARKER}&amp;country=DE">' in page  # back to the results
        status = lena.get("/api/curation" + job[len("/curation"):]).get_json()
        assert status["pending"] is True and status["total"] == 3
        assert total(site, q=MARKER, country="DE", topic="energy") == 1  # not yet
        assert PENDING_BADGE in lena.get("/curation/audit").get_data(as_text=True)
    finally:
        held.cancel()
    api = "/api/curation" + job[len("/curation"):]
    wait_until(lambda: not lena.get(api).get_json()["pending"])  # each poll may resume it
    assert lena.get(api).get_json() == {"id": int(job.rsplit("/", 1)[1]), "done": 3, "total": 3,
                                        "pending": False, "running": False,
                                        "summary": "tagged 3 articles with topic 'Energy'"}
    page = lena.get(job).get_data(as_text=True)
    assert "http-equiv" not in page and "3 of 3 articles applied to the index." in page
    assert total(site, q=MARKER, country="DE", topic="energy") == 3
    assert counts(site, "topic")["energy"] == before + 2
    # One change in the log, undone as one (a job too).
    log = lena.get("/curation/audit").get_data(as_text=True)
    assert len(re.findall(r'<li class="audit-entry[ "]', log)) == 1 and f'href="{job}"' in log
    undo = site.post(lena, f"/curation/audit/{job.rsplit('/', 1)[1]}/undo")
    assert any("in the background" in f for f in page_flashes(site, lena.get(undo.location)))
    wait_until(lambda: not any(e["pending"] for e in lena.get("/api/audit").get_json()["entries"]))
    assert counts(site, "topic")["energy"] == before


def test_the_job_page_is_for_librarians(site, monkeypatch):
    monkeypatch.setattr(curation, "JOB_ARTICLES", 1)
    lena = site.client("librarian")
    job = job_of(site.post(lena, "/curation/bulk", {"params": f"q={MARKER}&country=DE",
                                                    "tag_facet": "topic", "tag_value": "energy"}))
    assert site.client("reader").get(job).status_code == 403
    assert site.client().get("/api/curation" + job[len("/curation"):]).status_code in (302, 401, 403)
    assert lena.get("/curation/jobs/99999").status_code == 404
