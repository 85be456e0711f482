"""Access tables in the store: users, teams, API keys, sessions and project visibility."""

from __future__ import annotations

import hashlib

import pytest
from store_helpers import changes, db_rows

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.store.auth_rows import KEY_PATTERN
from trackboard.store.sql import SqlStore


def _set(store: SqlStore, query: str, params: tuple[object, ...]) -> None:
    with store._transaction(write=True) as cur:
        cur.execute(store.dialect.sql(query), params)


def test_users_and_teams_share_one_namespace(store: SqlStore) -> None:
    alice = store.add_user("alice", admin=True)
    assert (alice.name, alice.admin) == ("alice", True)
    store.add_user("bob")
    store.add_team("vision")
    with pytest.raises(ConflictError, match=r"alice.*user"):
        store.add_user("alice")
    with pytest.raises(ConflictError, match=r"vision.*team"):
        store.add_user("vision")
    with pytest.raises(ConflictError, match=r"bob.*user"):
        store.add_team("bob")
    assert [(u.name, u.admin) for u in store.users()] == [("alice", True), ("bob", False)]


@pytest.mark.parametrize("name", ["", "a/b", "-x", "a b", "x" * 65, 3, None])
def test_bad_names_are_refused(store: SqlStore, name: object) -> None:
    with pytest.raises(InvalidInputError, match="name"):
        store.add_user(name)  # type: ignore[arg-type]
    assert store.users() == []


def test_entities_of_a_user_are_its_name_and_its_teams(store: SqlStore) -> None:
    store.add_user("alice")
    store.add_user("bob")
    store.add_team("zeta")
    store.add_team("alpha")
    store.add_member("zeta", "alice")
    store.add_member("alpha", "alice")
    store.add_member("alpha", "alice")  # again: no change
    store.add_member("alpha", "bob")
    assert store.entities_of("alice") == ["alice", "alpha", "zeta"]
    assert store.entities_of("bob") == ["bob", "alpha"]
    with pytest.raises(NotFoundError, match="carol"):
        store.entities_of("carol")
    with pytest.raises(NotFoundError, match="team 'alice'"):
        store.add_member("alice", "bob")
    with pytest.raises(NotFoundError, match="user 'zeta'"):
        store.add_member("alpha", "zeta")


def test_created_key_verifies_and_only_its_hash_is_stored(store: SqlStore) -> None:
    store.add_user("alice")
    text, row = store.create_key("alice", "laptop")
    assert KEY_PATTERN.fullmatch(text)
    assert len(text) == 55 and text.startswith(f"tb_{row.key_id}_")
    assert (row.user, row.description, row.last_used_at, row.revoked_at) == (
        "alice",
        "laptop",
        None,
        None,
    )
    stored = db_rows(store, "SELECT key_id, secret_hash FROM api_keys")
    secret = text.split("_", 2)[2]
    assert stored == [(row.key_id, hashlib.sha256(secret.encode()).hexdigest())]
    user = store.verify_key(text)
    assert user is not None and user.name == "alice"
    assert store.api_keys("alice")[0].last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: t[:3] + "zzzzzzzz" + t[11:],  # unknown id
        lambda t: t[:-1],  # too short
        lambda t: t + "x",  # too long
        lambda t: "",
        lambda t: "Bearer " + t,
    ],
)
def test_wrong_keys_do_not_verify(store: SqlStore, mangle: object) -> None:
    store.add_user("alice")
    text, _ = store.create_key("alice")
    assert callable(mangle)
    assert store.verify_key(mangle(text)) is None
    assert store.verify_key(text) is not None


def test_last_used_moves_at_most_once_a_minute(store: SqlStore) -> None:
    store.add_user("alice")
    text, row = store.create_key("alice")
    store.verify_key(text)
    first = store.api_keys("alice")[0].last_used_at
    assert first is not None
    store.verify_key(text)
    assert store.api_keys("alice")[0].last_used_at == first
    _set(store, "UPDATE api_keys SET last_used_at = ? WHERE key_id = ?", (first - 61, row.key_id))
    store.verify_key(text)
    later = store.api_keys("alice")[0].last_used_at
    assert later is not None and later >= first


def test_revoked_key_no_longer_verifies(store: SqlStore) -> None:
    store.add_user("alice")
    text, row = store.create_key("alice")
    other, _ = store.create_key("alice", "ci")
    revoked = store.revoke_key(row.key_id)
    assert revoked.revoked_at is not None
    assert store.verify_key(text) is None
    assert store.verify_key(other) is not None
    assert store.revoke_key(row.key_id).revoked_at == revoked.revoked_at
    assert [k.revoked_at is None for k in store.api_keys("alice")] == [False, True]
    with pytest.raises(NotFoundError, match="nokey"):
        store.revoke_key("nokey")


def test_keys_need_a_user_and_a_short_description(store: SqlStore) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        store.create_key("ghost")
    store.add_team("team")
    with pytest.raises(NotFoundError, match="user 'team'"):
        store.create_key("team")
    store.add_user("alice")
    with pytest.raises(InvalidInputError, match="description"):
        store.create_key("alice", "x" * 201)
    assert store.api_keys("alice") == []


def test_sessions_verify_until_they_expire_or_are_deleted(store: SqlStore) -> None:
    store.add_user("alice")
    token, row = store.create_session("alice", ttl_s=3600)
    assert row.user == "alice" and row.expires_at > row.created_at
    assert store.verify_session(token) == row
    assert store.verify_session(token + "x") is None
    assert store.verify_session("") is None
    assert db_rows(store, "SELECT token_hash FROM sessions") == [
        (hashlib.sha256(token.encode()).hexdigest(),)
    ]
    other, _ = store.create_session("alice", ttl_s=3600)
    store.delete_session(token)
    store.delete_session(token)  # again: nothing to do
    assert store.verify_session(token) is None
    assert store.verify_session(other) is not None
    _set(store, "UPDATE sessions SET expires_at = ?", (row.created_at - 1,))
    assert store.verify_session(other) is None
    with pytest.raises(NotFoundError, match="ghost"):
        store.create_session("ghost", ttl_s=60)


def test_project_visibility_defaults_private_and_can_be_shared(store: SqlStore) -> None:
    store.append(changes())
    assert store.projects()[0].visibility == "private"
    row = store.set_project_visibility("e", "p", "shared")
    assert (row.entity, row.name, row.visibility) == ("e", "p", "shared")
    assert store.projects("e")[0].visibility == "shared"
    with pytest.raises(InvalidInputError, match="public"):
        store.set_project_visibility("e", "p", "public")
    assert store.projects()[0].visibility == "shared"
    with pytest.raises(NotFoundError, match="e/nope"):
        store.set_project_visibility("e", "nope", "shared")
