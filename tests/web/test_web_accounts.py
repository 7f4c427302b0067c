"""Accounts: logging in and out, where `next` may lead, the closed archive, the admin's user
page, the `searchapp user` commands, and the instance folder the app and the CLI share."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp import accounts
from searchapp.cli import main
from searchapp.db import connect, db_path
from searchapp.web import create_app
from tests.web.conftest import PASSWORD


def logged_in_as(client) -> str | None:
    """The name shown in the header, or None."""
    import re

    page = client.get("/help").get_data(as_text=True)
    found = re.search(r'<span class="account__name"[^>]*>([^<]*)</span>', page)
    return found.group(1) if found else None


# -- logging in and out ------------------------------------------------------------------------


def test_login_and_logout(site):
    client = site.app.test_client()
    assert logged_in_as(client) is None
    assert "Log in" in client.get("/").get_data(as_text=True)
    response = site.login(client, "rita")
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Logged in as rita." in site.flashes(page)
    assert logged_in_as(client) == "rita"
    assert client.get("/saved").status_code == 200

    response = site.post(client, "/logout")
    assert response.status_code == 302
    assert logged_in_as(client) is None
    assert client.get("/saved").status_code == 302


def test_wrong_password_or_name_is_refused_alike(site):
    client = site.app.test_client()
    for name, password in (("rita", "wrong password"), ("nobody", "correct horse battery")):
        response = site.login(client, name, password)
        assert response.status_code == 200
        assert site.flashes(response.get_data(as_text=True)) == ["Wrong user name or password."]
        assert logged_in_as(client) is None


def test_user_names_are_case_insensitive(site):
    client = site.app.test_client()
    assert site.login(client, "RITA").status_code == 302
    assert logged_in_as(client) == "rita"


@pytest.mark.parametrize("next_url, lands", [
    ("/saved", "/saved"),
    ("/?q=oil&country=FR", "/?q=oil&country=FR"),
    ("http://localhost/saved", "/saved"),  # this very site, written in full
    ("https://evil.example/phish", "/"),
    ("//evil.example/phish", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("saved", "/"),
    ("/\nLocation: http://evil.example", "/"),
])
def test_next_only_leads_to_this_site(site, next_url, lands):
    client = site.app.test_client()
    response = site.login(client, "rita", next_url=next_url)
    assert response.status_code == 302
    assert response.location == lands


def test_a_page_that_needs_a_login_comes_back_after_it(site):
    client = site.app.test_client()
    response = client.get("/saved?x=1")
    assert response.status_code == 302
    assert response.location == "/login?next=/saved?x%3D1"
    page = client.get(response.location).get_data(as_text=True)
    assert 'name="next" value="/saved?x=1"' in page
    assert "Please log in to continue." in site.flashes(page)
    response = site.login(client, "rita", next_url="/saved?x=1")
    assert response.location == "/saved?x=1"


def test_a_new_password_ends_the_old_sessions(site):
    client = site.client("reader")
    assert client.get("/saved").status_code == 200
    conn = site.db()
    accounts.set_password(conn, accounts.find_user(conn, "rita"), "a brand new password")
    assert client.get("/saved").status_code == 302
    assert site.login(client, "rita", "a brand new password").status_code == 302


def test_a_removed_user_is_logged_out(site):
    client = site.client("reader")
    conn = site.db()
    accounts.remove_user(conn, accounts.find_user(conn, "rita"))
    assert logged_in_as(client) is None


def test_a_new_role_ends_the_sessions_and_applies_at_the_next_login(site):
    client = site.client("reader")
    assert client.get("/curation").status_code == 403
    conn = site.db()
    accounts.set_role(conn, accounts.find_user(conn, "rita"), "librarian")
    assert logged_in_as(client) is None
    assert site.login(client, "rita").status_code == 302
    assert client.get("/curation").status_code == 200


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(site, value: str):
    """Another browser, given a copy of a session cookie."""
    other = site.app.test_client()
    other.set_cookie("session", value)
    return other


def test_logging_out_ends_the_session_on_the_server(site):
    """The cookie is only signed: a copy of it stayed valid after logging out."""
    client = site.client("reader")
    copy = session_cookie(client)
    assert logged_in_as(with_cookie(site, copy)) == "rita"
    elsewhere = site.client("reader")  # the same account in another browser
    site.post(client, "/logout")
    assert logged_in_as(client) is None
    assert logged_in_as(with_cookie(site, copy)) is None
    assert with_cookie(site, copy).get("/saved").status_code == 302
    assert logged_in_as(elsewhere) is None  # logging out ends every session of the account
    assert site.login(client, "rita").status_code == 302 and logged_in_as(client) == "rita"


def test_a_role_change_or_removal_by_an_admin_ends_the_users_sessions(site):
    reader, admin = site.client("reader"), site.client("admin")
    copy = session_cookie(reader)
    rita = accounts.find_user(site.db(), "rita")
    assert site.post(admin, f"/admin/users/{rita.id}/role", {"role": "librarian"}).status_code == 302
    assert logged_in_as(reader) is None and logged_in_as(with_cookie(site, copy)) is None
    owen_client = site.client("owen")
    owen = accounts.find_user(site.db(), "owen")
    site.post(admin, f"/admin/users/{owen.id}/remove")
    assert logged_in_as(owen_client) is None
    assert logged_in_as(admin) == "ada"  # the admin's own session goes on


def test_a_new_password_ends_a_copied_session_too(site):
    client = site.client("reader")
    copy = session_cookie(client)
    conn = site.db()
    accounts.set_password(conn, accounts.find_user(conn, "rita"), "a brand new password")
    assert logged_in_as(with_cookie(site, copy)) is None


def test_the_session_cookie_is_http_only_and_same_site(site):
    client = site.app.test_client()
    response = site.login(client, "rita")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# -- a closed archive --------------------------------------------------------------------------


@pytest.fixture()
def closed(site):
    site.app.config["ANONYMOUS_SEARCH"] = False
    return site


def test_a_closed_archive_needs_a_login_for_everything_but_help(closed, world_slug):
    anonymous = closed.app.test_client()
    for url in ("/", "/?q=oil", "/articles/x", f"/s/{world_slug}", f"/s/{world_slug}/feed.atom"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.location.startswith("/login?next="), url
    for url in ("/api/search?q=oil", "/api/articles/x"):
        response = anonymous.get(url)
        assert response.status_code == 401 and response.get_json()["error"] == "Log in first."
    assert anonymous.get("/help").status_code == 200
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/api/openapi.json").status_code == 200

    reader = closed.client("reader")
    assert reader.get("/?q=quillfeather").status_code == 200
    assert reader.get(f"/s/{world_slug}").status_code == 200
    assert reader.get(f"/s/{world_slug}/feed.atom").status_code == 200
    assert reader.get("/api/search?q=quillfeather").get_json()["total"] == 9


@pytest.fixture()
def world_slug(site):
    from searchapp import saved

    conn = site.db()
    owner = accounts.find_user(conn, "owen")
    return saved.create(conn, owner.id, "Quill", "q=quillfeather").slug


# -- the admin's user page -----------------------------------------------------------------------


def test_admin_lists_users_and_changes_roles(site):
    admin = site.client("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    for name in ("ada", "lena", "owen", "rita"):
        assert f"<th scope=\"row\">{name}" in page
    owen = accounts.find_user(site.db(), "owen")
    response = site.post(admin, f"/admin/users/{owen.id}/role", {"role": "librarian"})
    assert response.status_code == 302
    assert accounts.find_user(site.db(), "owen").role == "librarian"
    assert site.post(admin, f"/admin/users/{owen.id}/role", {"role": "emperor"}).status_code == 400
    assert site.post(admin, f"/admin/users/{owen.id}/remove").status_code == 302
    assert accounts.find_user(site.db(), "owen") is None
    assert site.post(admin, f"/admin/users/{owen.id}/remove").status_code == 404


def test_the_last_admin_cannot_be_demoted_or_removed(site):
    admin = site.client("admin")
    ada = accounts.find_user(site.db(), "ada")
    response = site.post(admin, f"/admin/users/{ada.id}/role", {"role": "reader"},
                         follow_redirects=True)
    assert "ada is the last admin: make someone else admin first." in site.flashes(
        response.get_data(as_text=True))
    site.post(admin, f"/admin/users/{ada.id}/remove")
    assert accounts.find_user(site.db(), "ada").role == "admin"
    with pytest.raises(accounts.AccountError):
        accounts.remove_user(site.db(), ada)


def test_two_admins_demoting_themselves_at_once_leave_one_admin_and_a_clear_refusal(site):
    """Both pass the page's look at the admins, then change the role one after the other:
    the second change is refused in its transaction (it was a 500)."""
    conn = site.db()
    accounts.create_user(conn, "abe", PASSWORD, "admin")
    first, second = site.client("admin"), site.client("abe")
    ids = {name: accounts.find_user(conn, name).id for name in ("ada", "abe")}
    forms = [(first, ids["ada"], site.csrf_token(first)), (second, ids["abe"], site.csrf_token(second))]
    answers = {}

    def demote(client, user_id, token):
        answers[user_id] = client.post(f"/admin/users/{user_id}/role",
                                       data={"role": "reader", "csrf_token": token})

    held = conn.execute("BEGIN IMMEDIATE")  # as a busy worker would: the changes wait for it
    threads = [threading.Thread(target=demote, args=form) for form in forms]
    for t in threads:
        t.start()
    time.sleep(1.5)  # both requests have looked at the admins and wait to write
    held.execute("COMMIT")
    for t in threads:
        t.join(30)
    assert sorted(a.status_code for a in answers.values()) == [302, 302]
    admins = [u.name for u in accounts.list_users(site.db()) if u.role == "admin"]
    assert len(admins) == 1
    [loser] = admins
    client = first if loser == "ada" else second
    page = client.get(answers[ids[loser]].location).get_data(as_text=True)
    assert f"{loser} is the last admin: make someone else admin first." in site.flashes(page)


# -- the command line ---------------------------------------------------------------------------


def test_user_commands(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(instance))
    run = CliRunner().invoke
    result = run(main, ["user", "add", "Marie", "--role", "librarian", "--password-stdin"],
                 input="a long password\n")
    assert result.exit_code == 0, result.output
    assert "added Marie (librarian)" in result.output
    result = run(main, ["user", "add", "paul"], input="another password\nanother password\n")
    assert result.exit_code == 0, result.output
    result = run(main, ["user", "add", "pia"], input="one password\nother password\n"
                 "one password\none password\n")
    assert result.exit_code == 0 and "do not match" in result.output
    result = run(main, ["user", "add", "marie", "--password-stdin"], input="a long password\n")
    assert result.exit_code == 1 and "already a user called 'marie'" in result.output
    result = run(main, ["user", "add", "shorty", "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and "at least 8 characters" in result.output

    result = run(main, ["user", "list"])
    assert [line.split("\t")[:2] for line in result.output.splitlines()] == [
        ["Marie", "librarian"], ["paul", "reader"], ["pia", "reader"]]
    assert run(main, ["user", "set-role", "paul", "admin"]).output == "paul is now admin\n"
    assert run(main, ["user", "set-role", "paul", "king"]).exit_code == 2
    assert run(main, ["user", "set-role", "nobody", "admin"]).exit_code == 1
    result = run(main, ["user", "passwd", "marie", "--password-stdin"], input="a new password\n")
    assert result.exit_code == 0, result.output
    assert run(main, ["user", "remove", "paul", "--yes"]).exit_code == 1  # the last admin
    assert run(main, ["user", "remove", "pia"], input="y\n").exit_code == 0

    # the same database the web app uses
    conn = connect(db_path(instance))
    assert accounts.authenticate(conn, "Marie", "a new password").role == "librarian"
    assert accounts.authenticate(conn, "Marie", "a long password") is None
    assert accounts.find_user(conn, "pia") is None
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True})
    assert Path(app.instance_path) == instance.resolve()
    assert app.config["DATABASE"] == str(db_path(instance.resolve()))
    client = app.test_client()
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"name": "marie", "password": "a new password",
                                           "csrf_token": token})
    assert response.status_code == 302


# -- the instance folder -------------------------------------------------------------------------


def test_the_secret_key_is_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SEARCHAPP_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHAPP_INSTANCE", raising=False)
    first = create_app({"INDEX_DIR": str(tmp_path / "index")})
    key_file = tmp_path / "instance" / "secret_key"
    assert Path(first.instance_path) == tmp_path / "instance"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.secret_key) == 64
    second = create_app({"INDEX_DIR": str(tmp_path / "index")})
    assert second.secret_key == first.secret_key
    monkeypatch.setenv("SEARCHAPP_SECRET_KEY", "from the environment")
    assert create_app({"INDEX_DIR": str(tmp_path / "index")}).secret_key == "from the environment"


def test_config_py_in_the_instance_folder_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("SEARCHAPP_SECRET_KEY", raising=False)
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('SECRET_KEY = "from config.py"\nANONYMOUS_SEARCH = False\n')
    monkeypatch.setenv("SEARCHAPP_INSTANCE", str(instance))
    app = create_app({"INDEX_DIR": str(tmp_path / "index")})
    assert app.secret_key == "from config.py"
    assert app.config["ANONYMOUS_SEARCH"] is False
    assert not (instance / "secret_key").exists()
