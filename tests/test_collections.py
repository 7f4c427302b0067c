"""The collections store on a real SQLite file: items in the order added, notes, limits,
and a user's collections going with the user."""

from __future__ import annotations

import pytest

from searchapp import accounts
from searchapp import collections as store
from searchapp.db import connect


@pytest.fixture()
def conn(tmp_path):
    conn = connect(tmp_path / "db.sqlite")
    accounts.create_user(conn, "rita", "correct horse battery", "reader")
    accounts.create_user(conn, "owen", "correct horse battery", "reader")
    yield conn
    conn.close()


def user_id(conn, name):
    return conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()["id"]


def test_items_keep_their_order_notes_and_titles(conn):
    c = store.create(conn, user_id(conn, "rita"), "  Brazil   coffee ", "for Monday")
    assert c.name == "Brazil coffee" and not c.shared and c.count == 0
    assert store.add(conn, c, "b", "Second story") and store.add(conn, c, "a", "First", "see p.2")
    assert not store.add(conn, c, "b", "Second story")  # in already
    assert not store.add(conn, c, "b", "Second story", "a note given later")
    assert [(i.article_id, i.title, i.note) for i in store.items(conn, c)] == [
        ("b", "Second story", "a note given later"), ("a", "First", "see p.2")]
    assert store.set_note(conn, c, "a", "") and not store.set_note(conn, c, "zzz", "x")
    assert store.remove(conn, c, "b") and not store.remove(conn, c, "b")
    assert store.get(conn, c.slug).count == 1
    assert store.holding(conn, user_id(conn, "rita"), "a") == {c.slug}
    assert store.holding(conn, user_id(conn, "owen"), "a") == set()


def test_shared_lists_and_limits(conn, monkeypatch):
    rita, owen = user_id(conn, "rita"), user_id(conn, "owen")
    mine = store.create(conn, rita, "Mine")
    shared = store.create(conn, owen, "Team picks", shared=True)
    store.create(conn, owen, "Owen's private")
    assert [c.name for c in store.list_own(conn, rita)] == ["Mine"]
    assert [c.name for c in store.list_shared(conn, except_user=rita)] == ["Team picks"]
    assert store.list_shared(conn, except_user=owen) == []
    with pytest.raises(store.CollectionError) as err:
        store.create(conn, rita, "   ")
    assert err.value.code == "name_missing"
    with pytest.raises(store.CollectionError):
        store.add(conn, mine, "a", "A", "x" * (store.MAX_NOTE + 1))
    monkeypatch.setattr(store, "MAX_ITEMS", 1)
    store.add(conn, mine, "a", "A")
    with pytest.raises(store.CollectionError) as err:
        store.add(conn, mine, "b", "B")
    assert err.value.code == "full"
    assert store.update(conn, shared.slug, "Team picks 2", "", shared=False).shared is False


def test_a_removed_user_takes_their_collections(conn):
    c = store.create(conn, user_id(conn, "rita"), "Mine")
    store.add(conn, c, "a", "A")
    conn.execute("DELETE FROM users WHERE name = 'rita'")
    assert store.get(conn, c.slug) is None
    assert conn.execute("SELECT COUNT(*) FROM collection_items").fetchone()[0] == 0
