"""Local accounts: names, hashed passwords (werkzeug.security) and roles, in the SQLite database.

Roles build on each other: a reader searches and saves searches, a librarian also curates
tags and vocabularies, an admin also manages users. Used by the web layer and the CLI.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from .db import transaction
from .search import N_

ROLES = ("reader", "librarian", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing a megabyte on every login attempt is a cheap denial of service
MAX_NAME = 64
# Checked when the name is unknown, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class AccountError(ValueError):
    """An account change that cannot be made; the message is meant for the user.

    `template` (marked with N_, %-style with named `params`) is kept so that the web layer
    can show the message in the reader's language; str() gives it in English.
    """

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created: str
    password_hash: str = ""
    session_generation: int = 0

    # what Flask-Login asks of a user
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The session id: it no longer holds once the user's sessions are ended
        (`end_sessions`) or the password changes."""
        return f"{self.id}:{self.session_generation}:{session_stamp(self.password_hash)}"

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "created": self.created}


def session_stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row) -> User:
    return User(row["id"], row["name"], row["role"], row["created"], row["password_hash"],
                row["session_generation"])


def _maybe_user(row) -> User | None:
    return None if row is None else _user(row)


def _written_user(conn: sqlite3.Connection, user_id: int | None) -> User:
    """A user this connection has just written (so the row exists)."""
    return _user(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())


# -- reading ---------------------------------------------------------------------------------


def get_user(conn: sqlite3.Connection, user_id: int) -> User | None:
    return _maybe_user(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())


def find_user(conn: sqlite3.Connection, name: str) -> User | None:
    return _maybe_user(conn.execute("SELECT * FROM users WHERE name = ?",
                                    (name.strip(),)).fetchone())


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [_user(r) for r in conn.execute("SELECT * FROM users ORDER BY name COLLATE NOCASE")]


def load_session_user(conn: sqlite3.Connection, session_id: str) -> User | None:
    """The user of a session id from `User.get_id`, or None when it no longer holds."""
    user_id = session_id.partition(":")[0]
    if not user_id.isdigit():
        return None
    user = get_user(conn, int(user_id))
    if user is None or session_id != user.get_id():
        return None
    return user


def authenticate(conn: sqlite3.Connection, name: str, password: str) -> User | None:
    user = find_user(conn, name) if name.strip() else None
    if len(password) > MAX_PASSWORD:
        return None
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


# -- changing --------------------------------------------------------------------------------


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise AccountError(N_("A user name cannot be empty."))
    if len(name) > MAX_NAME:
        raise AccountError(N_("A user name has at most %(most)d characters."), most=MAX_NAME)
    if any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in name):
        raise AccountError(N_("A user name cannot contain control characters or odd spaces."))
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("A password needs at least %(least)d characters."),
                           least=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(N_("A password has at most %(most)d characters."), most=MAX_PASSWORD)
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(N_("Unknown role %(role)r: use one of %(roles)s."), role=role,
                           roles=", ".join(ROLES))
    return role


def create_user(conn: sqlite3.Connection, name: str, password: str, role: str = "reader") -> User:
    name, role = check_name(name), check_role(role)
    try:
        cur = conn.execute("INSERT INTO users (name, password_hash, role) VALUES (?, ?, ?)",
                           (name, generate_password_hash(check_password(password)), role))
    except sqlite3.IntegrityError:
        raise AccountError(N_("There is already a user called %(name)r."), name=name) from None
    return _written_user(conn, cur.lastrowid)


def set_password(conn: sqlite3.Connection, user: User, password: str) -> None:
    """A new password, and every session of the account ends."""
    conn.execute("UPDATE users SET password_hash = ?, session_generation = session_generation + 1"
                 " WHERE id = ?", (generate_password_hash(check_password(password)), user.id))


def set_role(conn: sqlite3.Connection, user: User, role: str) -> User:
    """A new role, and every session of the account ends: an account taken away from
    someone (or a stolen session) does not go on with what it was allowed before."""
    check_role(role)

    with transaction(conn):
        if role != "admin":
            _keep_an_admin(conn, user)
        conn.execute("UPDATE users SET role = ?, session_generation = session_generation + 1"
                     " WHERE id = ?", (role, user.id))
    return _written_user(conn, user.id)


def end_sessions(conn: sqlite3.Connection, user: User) -> None:
    """End every session of the account, on every browser (logging out): the session
    cookie is only signed, so a copy of it would stay valid without this."""
    conn.execute("UPDATE users SET session_generation = session_generation + 1 WHERE id = ?",
                 (user.id,))


def remove_user(conn: sqlite3.Connection, user: User) -> None:
    """Remove the account and its saved searches; its audit entries stay, without a name."""
    with transaction(conn):
        _keep_an_admin(conn, user)
        conn.execute("DELETE FROM users WHERE id = ?", (user.id,))


def is_last_admin(conn: sqlite3.Connection, user: User) -> bool:
    current = get_user(conn, user.id)
    if current is None or current.role != "admin":
        return False
    return conn.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0] <= 1


def _keep_an_admin(conn, user: User) -> None:
    """Refuse to demote or remove the last admin: nobody could manage users any more."""
    if get_user(conn, user.id) is None:
        raise AccountError(N_("There is no user called %(name)r."), name=user.name)
    if is_last_admin(conn, user):
        raise AccountError(N_("%(name)r is the last admin; make someone else admin first."),
                           name=user.name)

