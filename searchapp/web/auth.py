"""Logging in and out, roles, and the admin's user list.

Roles build on each other (reader < librarian < admin). A page that needs a role sends an
anonymous visitor to the login page (the API answers 401 JSON) and answers 403 to a user
without the role. Every POST also needs the session's CSRF token (Flask-WTF; 400 without).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import LoginManager, current_user, login_user, logout_user

from .. import accounts, login_throttle, saved
from .database import get_db
from .errors import error_response, found_or_404, wants_json

bp = Blueprint("auth", __name__)

ROLE_NAMES = {
    "reader": lazy_gettext("reader"),
    "librarian": lazy_gettext("librarian"),
    "admin": lazy_gettext("admin"),
}
# Open to everyone even when ANONYMOUS_SEARCH is off.
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout", "pages.help_page", "api.openapi"}


class Anonymous:
    is_authenticated = False
    is_active = False
    is_anonymous = True
    id = None
    name = ""
    role = None

    def get_id(self):
        return None

    def can(self, role: str) -> bool:
        return False


def init_app(app) -> None:
    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.user_loader(lambda session_id: accounts.load_session_user(get_db(), session_id))
    manager.unauthorized_handler(unauthorized)
    app.before_request(close_the_archive)
    app.jinja_env.globals.update(user_can=user_can, ROLE_NAMES=ROLE_NAMES, ROLES=accounts.ROLES)


def user_can(role: str) -> bool:
    return current_user.can(role)


def unauthorized():
    """Anonymous: 401 JSON for the API, else the login page (then back here)."""
    if wants_json():
        return error_response(401)
    flash(gettext("Please log in to continue."), "info")
    back: str | None
    if request.method == "GET":
        back = request.full_path.rstrip("?")
    else:  # after logging in, go back to the page the form was on, not to the POST address
        back = safe_next(request.referrer) or None
    return redirect(url_for("auth.login", next=back))


def close_the_archive():
    if current_app.config["ANONYMOUS_SEARCH"] or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint is None or current_user.is_authenticated:
        return None
    return unauthorized()


def role_required(role: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else "": never a redirect to another site."""
    if not target:
        return ""
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.netloc != request.host or parts.scheme not in ("http", "https"):
            return ""
        target = parts._replace(scheme="", netloc="").geturl()
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if any(ord(c) < 32 or c == "\\" for c in target):
        return ""
    return target


def redirect_back(default: str):
    """Back to the form's `next` (a path on this site), else to `default`."""
    return redirect(safe_next(request.form.get("next")) or default)


# -- logging in and out --------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, name="")
    name, conn, address = request.form.get("name", ""), get_db(), request.remote_addr or ""
    # Checked and counted as a failure at once, before the password is checked, so that
    # parallel guesses cannot all pass the check; a right password takes it back (`clear`).
    wait = login_throttle.check_and_record(conn, name, address, current_app.config)
    if wait:  # refused before the password is checked: guessing on learns nothing
        flash(ngettext("Too many failed logins for this account or from this address. Try "
                       "again in %(num)d minute.",
                       "Too many failed logins for this account or from this address. Try "
                       "again in %(num)d minutes.", -(-wait // 60)), "error")
        page = render_template("login.html", next_url=next_url, name=name)
        return page, 429, {"Retry-After": str(wait)}
    user = accounts.authenticate(conn, name, request.form.get("password", ""))
    if user is None:
        flash(gettext("Wrong user name or password."), "error")
        return render_template("login.html", next_url=next_url, name=name), 200
    login_throttle.clear(conn, name)
    session.clear()  # nothing from before the login carries over (session fixation)
    login_user(user)
    flash(gettext("Logged in as %(name)s.", name=user.name), "success")
    return redirect(next_url or url_for("pages.search"))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Server-side: a copy of the session cookie (or another browser) is logged out too.
        accounts.end_sessions(get_db(), current_user)
        logout_user()
        session.clear()
        flash(gettext("You are logged out."), "success")
    return redirect(url_for("pages.search"))


# -- users (admin) ---------------------------------------------------------------------


@bp.get("/admin/users")
@role_required("admin")
def users():
    conn = get_db()
    return render_template("users.html", users=accounts.list_users(conn),
                           saved_counts=saved.count_by_owner(conn))


def _user_or_404(user_id: int) -> accounts.User:
    return found_or_404(accounts.get_user(get_db(), user_id))


@bp.post("/admin/users/<int:user_id>/role")
@role_required("admin")
def set_role(user_id: int):
    user, role = _user_or_404(user_id), request.form.get("role", "")
    if role not in accounts.ROLES:
        abort(400)
    if role != user.role:
        try:  # checked again in the change's transaction: two admins may demote at once
            accounts.set_role(get_db(), user, role)
        except accounts.AccountError:
            _refuse_last_admin(user)
            return redirect(url_for("auth.users"))
        flash(gettext("%(name)s is now %(role)s.", name=user.name, role=ROLE_NAMES[role]),
              "success")
    if user.id == current_user.id and role != "admin":
        return redirect(url_for("pages.search"))  # no longer allowed on the users page
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<int:user_id>/remove")
@role_required("admin")
def remove_user(user_id: int):
    user = _user_or_404(user_id)
    try:
        accounts.remove_user(get_db(), user)
    except accounts.AccountError:
        _refuse_last_admin(user)
        return redirect(url_for("auth.users"))
    flash(gettext("Removed the user %(name)s and their saved searches.", name=user.name),
          "success")
    if user.id == current_user.id:
        return redirect(url_for("pages.search"))
    return redirect(url_for("auth.users"))


def _refuse_last_admin(user: accounts.User) -> None:
    """The only refusals of a role change or removal: the last admin (a user removed
    meanwhile is a 404 at the next look)."""
    if accounts.get_user(get_db(), user.id) is None:
        abort(404)
    flash(gettext("%(name)s is the last admin: make someone else admin first.",
                  name=user.name), "error")
