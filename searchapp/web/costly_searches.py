"""One costly search at a time per client address, across every worker of the server.

A wildcard, fuzzy word or range of words stands for many words of the archive and may take
seconds; a client sending several at once would hold every worker and starve the other
readers. While one of an address's costly searches runs, its next one is answered 429 with
Retry-After at once; plain searches are never held back.

Across workers (gunicorn's processes) with no shared memory: each address hashes to one byte
of a lock file in the instance folder, locked with a non-blocking POSIX record lock, which the
system releases when a killed worker dies. Record locks belong to a process, so the threads
of one worker also keep a set of the slots they hold. Two addresses sharing a slot (one in
SLOTS) wait for each other, as one client would.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from pathlib import Path

from flask import current_app, g, request
from flask_babel import gettext

from ..search.query import is_costly
from .errors import error_response

LOCK_FILE = "costly-searches.lock"
SLOTS = 1 << 20
RETRY_AFTER_SECONDS = 2
EXTENSION = "searchapp.costly_searches"


class CostlySearches:
    """The slots of the addresses whose costly search is running."""

    def __init__(self, lock_file: Path):
        lock_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        self._held: set[int] = set()
        self._lock = threading.Lock()

    @staticmethod
    def slot(address: str) -> int:
        digest = hashlib.blake2b(address.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % SLOTS

    def try_acquire(self, address: str) -> int | None:
        """The address's slot, now held; None when one of its searches is running."""
        slot = self.slot(address)
        with self._lock:
            if slot in self._held:
                return None
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
            except OSError:  # held by another worker
                return None
            self._held.add(slot)
        return slot

    def release(self, slot: int) -> None:
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, slot)
            self._held.discard(slot)


def init_app(app) -> None:
    app.extensions[EXTENSION] = CostlySearches(Path(app.instance_path) / LOCK_FILE)
    app.before_request(_hold_slot)
    app.teardown_request(_release_slot)


def _hold_slot():
    text = request.args.get("q", "")
    if not text or not is_costly(text):
        return None
    slot = current_app.extensions[EXTENSION].try_acquire(request.remote_addr or "")
    if slot is None:
        body, status = error_response(429, gettext(
            "Another search with wildcards, fuzzy words or ranges from your address is still "
            "running: wait for it to finish, then try again."))
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    g.costly_search_slot = slot
    return None


def _release_slot(_exc=None):
    slot = g.pop("costly_search_slot", None)
    if slot is not None:
        current_app.extensions[EXTENSION].release(slot)
