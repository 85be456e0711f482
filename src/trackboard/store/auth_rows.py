"""The access tables: ``entities`` (users and teams), ``team_members``, ``api_keys``,
``sessions`` (see "Access" in ``store/base.py``).

Each method works inside the caller's transaction; :class:`~trackboard.store.sql.SqlStore`
opens it. Secrets are random 32-byte values, so a plain SHA-256 is what is kept of them (a slow
hash only helps against guessable passwords); comparing hashes in constant time keeps the
comparison from telling an attacker how much of a guess was right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Sequence
from typing import Any

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.store.base import VISIBILITIES, ApiKeyRow, SessionRow, UserRow
from trackboard.store.dialect import Cursor, Dialect

KEY_PREFIX = "tb_"
KEY_ID_LENGTH = 8
KEY_SECRET_BYTES = 32
"""43 characters of URL-safe base64."""
_KEY_ID_ALPHABET = string.ascii_lowercase + string.digits
KEY_PATTERN = re.compile(r"tb_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")
"""The whole text of an API key (the server refuses URLs that carry one)."""
LAST_USED_PRECISION_S = 60.0
"""``last_used_at`` moves at most this often, so a busy key does not write on every request."""
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_DESCRIPTION_LENGTH = 200

_KEY_COLUMNS = "k.key_id, e.name, k.description, k.created_at, k.last_used_at, k.revoked_at"


def check_entity_name(name: Any) -> str:
    """A user's or team's name: it becomes an entity, a path segment of every project URL."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"a user or team name is 1 to {MAX_NAME_LENGTH} letters, digits, '.', '_' or '-' "
            f"starting with a letter or digit, got {name!r}"
        )
    return name


def check_visibility(visibility: Any) -> str:
    if visibility not in VISIBILITIES:
        raise InvalidInputError(
            f"visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}"
        )
    return str(visibility)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_key(key_text: Any) -> tuple[str, str] | None:
    """``(key id, secret)`` of a well-formed key text, else None."""
    if not isinstance(key_text, str) or not KEY_PATTERN.fullmatch(key_text):
        return None
    start = len(KEY_PREFIX)
    return key_text[start : start + KEY_ID_LENGTH], key_text[start + KEY_ID_LENGTH + 1 :]


def _key_row(values: Sequence[Any]) -> ApiKeyRow:
    key_id, user, description, created, used, revoked = values
    return ApiKeyRow(
        key_id=str(key_id),
        user=str(user),
        description=str(description),
        created_at=float(created),
        last_used_at=None if used is None else float(used),
        revoked_at=None if revoked is None else float(revoked),
    )


def _user_row(values: Sequence[Any]) -> UserRow:
    name, admin, created = values
    return UserRow(name=str(name), admin=bool(admin), created_at=float(created))


class AuthTables:
    """Reads and writes of the access tables in one dialect's SQL."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    # -- users and teams ----------------------------------------------------------------
    def add_entity(self, cur: Cursor, name: str, kind: str, admin: bool) -> None:
        check_entity_name(name)
        cur.execute(
            self.dialect.sql(
                "INSERT INTO entities (name, kind, admin, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING"
            ),
            (name, kind, int(admin), time.time()),
        )
        if cur.rowcount != 1:
            cur.execute(self.dialect.sql("SELECT kind FROM entities WHERE name = ?"), (name,))
            found = cur.fetchone()
            raise ConflictError(f"{name!r} is already the name of a {found[0]}")

    def _pk(self, cur: Cursor, name: str, kind: str) -> int:
        cur.execute(
            self.dialect.sql("SELECT pk FROM entities WHERE name = ? AND kind = ?"), (name, kind)
        )
        found = cur.fetchone()
        if found is None:
            raise NotFoundError(f"no {kind} {name!r}")
        return int(found[0])

    def user(self, cur: Cursor, name: str) -> UserRow:
        cur.execute(
            self.dialect.sql(
                "SELECT name, admin, created_at FROM entities WHERE name = ? AND kind = 'user'"
            ),
            (name,),
        )
        found = cur.fetchone()
        if found is None:
            raise NotFoundError(f"no user {name!r}")
        return _user_row(found)

    def users(self, cur: Cursor) -> list[UserRow]:
        cur.execute(
            "SELECT name, admin, created_at FROM entities WHERE kind = 'user' ORDER BY name"
        )
        return [_user_row(values) for values in cur.fetchall()]

    def add_member(self, cur: Cursor, team: str, user: str) -> None:
        team_pk = self._pk(cur, team, "team")
        user_pk = self._pk(cur, user, "user")
        cur.execute(
            self.dialect.sql(
                "INSERT INTO team_members (team_pk, user_pk) VALUES (?, ?) "
                "ON CONFLICT (team_pk, user_pk) DO NOTHING"
            ),
            (team_pk, user_pk),
        )

    def entities_of(self, cur: Cursor, user: str) -> list[str]:
        user_pk = self._pk(cur, user, "user")
        cur.execute(
            self.dialect.sql(
                "SELECT t.name FROM team_members m JOIN entities t ON t.pk = m.team_pk "
                "WHERE m.user_pk = ? ORDER BY t.name"
            ),
            (user_pk,),
        )
        return [user, *(str(name) for (name,) in cur.fetchall())]

    # -- API keys -----------------------------------------------------------------------
    def create_key(self, cur: Cursor, user: str, description: str) -> tuple[str, ApiKeyRow]:
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
            raise InvalidInputError(
                f"a key's description is text of at most {MAX_DESCRIPTION_LENGTH} characters"
            )
        user_pk = self._pk(cur, user, "user")
        while True:  # an id collision is rare (36**8 ids); take another
            key_id = "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))
            secret = secrets.token_urlsafe(KEY_SECRET_BYTES)
            cur.execute(
                self.dialect.sql(
                    "INSERT INTO api_keys (key_id, secret_hash, user_pk, description, "
                    "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING"
                ),
                (key_id, sha256(secret), user_pk, description, time.time()),
            )
            if cur.rowcount == 1:
                return f"{KEY_PREFIX}{key_id}_{secret}", self.key(cur, key_id)

    def key(self, cur: Cursor, key_id: str) -> ApiKeyRow:
        cur.execute(
            self.dialect.sql(
                f"SELECT {_KEY_COLUMNS} FROM api_keys k JOIN entities e ON e.pk = k.user_pk "
                "WHERE k.key_id = ?"
            ),
            (key_id,),
        )
        found = cur.fetchone()
        if found is None:
            raise NotFoundError(f"no API key {key_id!r}")
        return _key_row(found)

    def keys_of(self, cur: Cursor, user: str) -> list[ApiKeyRow]:
        user_pk = self._pk(cur, user, "user")
        cur.execute(
            self.dialect.sql(
                f"SELECT {_KEY_COLUMNS} FROM api_keys k JOIN entities e ON e.pk = k.user_pk "
                "WHERE k.user_pk = ? ORDER BY k.created_at, k.key_id"
            ),
            (user_pk,),
        )
        return [_key_row(values) for values in cur.fetchall()]

    def check_key(self, cur: Cursor, key_text: str) -> tuple[UserRow, bool] | None:
        """The key's user and whether its ``last_used_at`` is due a refresh, or None."""
        parts = split_key(key_text)
        if parts is None:
            return None
        key_id, secret = parts
        cur.execute(
            self.dialect.sql(
                "SELECT k.secret_hash, k.revoked_at, k.last_used_at, e.name, e.admin, "
                "e.created_at FROM api_keys k JOIN entities e ON e.pk = k.user_pk "
                "WHERE k.key_id = ?"
            ),
            (key_id,),
        )
        found = cur.fetchone()
        if found is None:
            return None
        secret_hash, revoked, used, *user = found
        if not hmac.compare_digest(str(secret_hash), sha256(secret)) or revoked is not None:
            return None
        due = used is None or time.time() - float(used) >= LAST_USED_PRECISION_S
        return _user_row(user), due

    def touch_key(self, cur: Cursor, key_text: str) -> None:
        parts = split_key(key_text)
        assert parts is not None
        now = time.time()
        cur.execute(
            self.dialect.sql(
                "UPDATE api_keys SET last_used_at = ? "
                "WHERE key_id = ? AND (last_used_at IS NULL OR last_used_at <= ?)"
            ),
            (now, parts[0], now - LAST_USED_PRECISION_S),
        )

    def revoke_key(self, cur: Cursor, key_id: str) -> ApiKeyRow:
        cur.execute(
            self.dialect.sql(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL"
            ),
            (time.time(), key_id),
        )
        return self.key(cur, key_id)

    # -- sessions -----------------------------------------------------------------------
    def create_session(self, cur: Cursor, user: str, ttl_s: float) -> tuple[str, SessionRow]:
        if not ttl_s > 0:
            raise InvalidInputError(f"a session's ttl_s must be > 0, got {ttl_s!r}")
        user_pk = self._pk(cur, user, "user")
        now = time.time()
        cur.execute(self.dialect.sql("DELETE FROM sessions WHERE expires_at <= ?"), (now,))
        token = secrets.token_urlsafe(KEY_SECRET_BYTES)
        row = SessionRow(user, secrets.token_urlsafe(KEY_SECRET_BYTES), now, now + ttl_s)
        cur.execute(
            self.dialect.sql(
                "INSERT INTO sessions (token_hash, user_pk, csrf_token, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (sha256(token), user_pk, row.csrf_token, row.created_at, row.expires_at),
        )
        return token, row

    def session(self, cur: Cursor, token: str) -> SessionRow | None:
        if not isinstance(token, str) or not token:
            return None
        cur.execute(
            self.dialect.sql(
                "SELECT e.name, s.csrf_token, s.created_at, s.expires_at FROM sessions s "
                "JOIN entities e ON e.pk = s.user_pk WHERE s.token_hash = ? AND s.expires_at > ?"
            ),
            (sha256(token), time.time()),
        )
        found = cur.fetchone()
        if found is None:
            return None
        user, csrf, created, expires = found
        return SessionRow(str(user), str(csrf), float(created), float(expires))

    def delete_session(self, cur: Cursor, token: str) -> None:
        if isinstance(token, str) and token:
            cur.execute(
                self.dialect.sql("DELETE FROM sessions WHERE token_hash = ?"), (sha256(token),)
            )

    # -- projects -----------------------------------------------------------------------
    def set_visibility(self, cur: Cursor, entity: str, name: str, visibility: str) -> None:
        check_visibility(visibility)
        cur.execute(
            self.dialect.sql("UPDATE projects SET visibility = ? WHERE entity = ? AND name = ?"),
            (visibility, entity, name),
        )
        if cur.rowcount != 1:
            raise NotFoundError(f"no project {entity}/{name}")
