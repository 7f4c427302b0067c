"""Login throttling: too many failed logins for one account, or from one address, and the
next attempts are refused for a while (429 with Retry-After), right password or not.

The failures live in the SQLite database, so every gunicorn worker counts the same ones. A
successful login clears its account's failures (and with them their weight on the address);
an unknown name counts like a known one, so the answer never tells which names exist.
A login attempt is checked and counted in one write transaction (`check_and_record`) before
its password is checked: attempts made at the same moment are counted one after the other,
so no more than the limit of passwords are ever checked.
"""

from __future__ import annotations

import math
import sqlite3
import time

from .db import transaction


def account_key(name: str) -> str:
    return name.strip().casefold()[:200]


def retry_after(conn: sqlite3.Connection, name: str, address: str, config) -> int:
    """Seconds to wait before this account may be tried again from this address; 0: go ahead."""
    now = time.time()
    window = config["LOGIN_WINDOW_SECONDS"]
    waits = [
        _wait(conn, "account", account_key(name), config["LOGIN_FAILURES_PER_ACCOUNT"], window, now),
        _wait(conn, "address", address, config["LOGIN_FAILURES_PER_ADDRESS"], window, now),
    ]
    return max(waits)


# The limit-th newest failure within the window: once it ages out, a try is allowed again.
_NTH_NEWEST = {
    column: f"SELECT at FROM login_failures WHERE {column} = ? AND at > ? "
            "ORDER BY at DESC LIMIT 1 OFFSET ?"
    for column in ("account", "address")
}


def _wait(conn, column: str, value: str, limit: int, window: float, now: float) -> int:
    """Seconds until the failure that reached the limit leaves the window (0 under the limit)."""
    row = conn.execute(_NTH_NEWEST[column], (value, now - window, limit - 1)).fetchone()
    if row is None:
        return 0
    return max(1, math.ceil(row["at"] + window - now))


def check_and_record(conn: sqlite3.Connection, name: str, address: str, config) -> int:
    """Seconds to wait (nothing recorded), or 0: go ahead, and the attempt counts as a
    failure until a right password clears it. One BEGIN IMMEDIATE transaction: with a
    check, then a record later, 16 parallel guesses all passed the check."""
    with transaction(conn):
        wait = retry_after(conn, name, address, config)
        if not wait:
            _record(conn, name, address, config)
    return wait


def _record(conn, name: str, address: str, config) -> None:
    now = time.time()
    # Forget what no longer counts, so the table stays as small as one window's failures.
    conn.execute("DELETE FROM login_failures WHERE at <= ?", (now - config["LOGIN_WINDOW_SECONDS"],))
    conn.execute("INSERT INTO login_failures (account, address, at) VALUES (?, ?, ?)",
                 (account_key(name), address, now))


def clear(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE account = ?", (account_key(name),))
