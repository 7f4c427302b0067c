"""One costly search (wildcard, fuzzy word, range) at a time per client address, across
the server's worker processes: the next one is answered 429 with Retry-After and a message;
plain searches and other addresses go on."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from searchapp.web.costly_searches import EXTENSION, LOCK_FILE, CostlySearches

ADDRESS = "198.51.100.7"


def get(client, q, address=ADDRESS):
    return client.get("/api/search", query_string={"q": q},
                      environ_base={"REMOTE_ADDR": address})


def test_a_second_costly_search_from_one_address_waits(app, client):
    slots = app.extensions[EXTENSION]
    held = slots.try_acquire(ADDRESS)  # this address's first costly search, still running
    try:
        for q in ("oil~2", "tra*", "published:[2019 to 2020]", "title:{a TO c}"):
            response = get(client, q)
            assert response.status_code == 429, q
            assert response.headers["Retry-After"].isdigit()
            assert "still running" in response.get_json()["error"]
        assert get(client, "oil").status_code == 200  # plain searches are never held back
        assert get(client, "oil~2", address="198.51.100.8").status_code == 200
    finally:
        slots.release(held)
    assert get(client, "oil~2").status_code == 200  # the first one ended


def test_the_slot_is_free_again_after_each_search(client):
    for _ in range(3):
        assert get(client, "tra*").status_code == 200


def test_the_limit_holds_across_worker_processes(app, client):
    # Another worker process, with this address's search running.
    lock_file = Path(app.instance_path) / LOCK_FILE
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from searchapp.web.costly_searches import CostlySearches
        assert CostlySearches(Path({str(lock_file)!r})).try_acquire({ADDRESS!r}) is not None
        print("held", flush=True)
        sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert get(client, "oil~2").status_code == 429
        assert get(client, "oil").status_code == 200
    finally:
        holder.communicate("", timeout=10)
    assert get(client, "oil~2").status_code == 200  # the process ended: its lock went with it


def test_threads_of_one_process_exclude_each_other(tmp_path):
    slots = CostlySearches(tmp_path / LOCK_FILE)
    first = slots.try_acquire(ADDRESS)
    assert first is not None and slots.try_acquire(ADDRESS) is None
    slots.release(first)
    assert slots.try_acquire(ADDRESS) == first
