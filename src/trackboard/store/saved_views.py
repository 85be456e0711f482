"""The ``workspace_views`` table: saved workspace views per project (see ``store/base.py``).

Each function works inside the caller's transaction; :class:`~trackboard.store.sql.SqlStore`
opens it. Settings are kept as the JSON text they were given, never looked into.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.records import JSONValue
from trackboard.store import run_rows
from trackboard.store.base import MAX_VIEW_BYTES, MAX_VIEW_NAME_LENGTH, ViewRow
from trackboard.store.dialect import Cursor, Dialect

_COLUMNS = "entity, project, name, settings, is_default, created_at, updated_at"


def check_view_name(name: Any) -> str:
    """``name`` when it is a usable view name, else InvalidInputError saying why."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"a view name must be a non-empty string, got {name!r}")
    if len(name) > MAX_VIEW_NAME_LENGTH:
        raise InvalidInputError(
            f"a view name is at most {MAX_VIEW_NAME_LENGTH} characters, got {len(name)}"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidInputError(f"a view name may not hold control characters: {name!r}")
    return name


def settings_text(settings: Any) -> str:
    """The JSON text of a view's settings: an object of at most MAX_VIEW_BYTES bytes."""
    if not isinstance(settings, Mapping):
        raise InvalidInputError(
            f"view settings must be a JSON object, got {type(settings).__name__}"
        )
    text = run_rows.dumps(dict(settings), "view settings")
    size = len(text.encode("utf-8"))
    if size > MAX_VIEW_BYTES:
        raise InvalidInputError(
            f"view settings are {size} bytes of JSON; the limit is {MAX_VIEW_BYTES}"
        )
    return text


def _row(values: Sequence[Any]) -> ViewRow:
    entity, project, name, text, is_default, created, updated = values
    return ViewRow(
        entity=str(entity),
        project=str(project),
        name=str(name),
        settings=dict(run_rows.loads(text)),
        is_default=bool(is_default),
        created_at=float(created),
        updated_at=float(updated),
    )


class SavedViews:
    """Reads and writes of ``workspace_views`` in one dialect's SQL."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._where = "WHERE entity = ? AND project = ? AND name = ?"

    def of_project(self, cur: Cursor, entity: str, project: str) -> list[ViewRow]:
        cur.execute(
            self.dialect.sql(
                f"SELECT {_COLUMNS} FROM workspace_views "
                "WHERE entity = ? AND project = ? ORDER BY name"
            ),
            (entity, project),
        )
        return [_row(values) for values in cur.fetchall()]

    def one(self, cur: Cursor, entity: str, project: str, name: str) -> ViewRow:
        cur.execute(
            self.dialect.sql(f"SELECT {_COLUMNS} FROM workspace_views {self._where}"),
            (entity, project, name),
        )
        values = cur.fetchone()
        if values is None:
            raise NotFoundError(f"no saved view {name!r} in project {entity}/{project}")
        return _row(values)

    def save(
        self,
        cur: Cursor,
        entity: str,
        project: str,
        name: str,
        settings: Mapping[str, JSONValue],
        is_default: bool | None,
    ) -> ViewRow:
        text = settings_text(settings)
        check_view_name(name)
        now = time.time()
        cur.execute(
            self.dialect.sql(
                f"INSERT INTO workspace_views ({_COLUMNS}) VALUES (?, ?, ?, ?, 0, ?, ?) "
                "ON CONFLICT (entity, project, name) "
                "DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at"
            ),
            (entity, project, name, text, now, now),
        )
        if is_default is not None:
            self._mark_default(cur, entity, project, name, is_default)
        return self.one(cur, entity, project, name)

    def update(
        self,
        cur: Cursor,
        entity: str,
        project: str,
        name: str,
        new_name: str | None,
        is_default: bool | None,
    ) -> ViewRow:
        self.one(cur, entity, project, name)
        if new_name is not None and new_name != name:
            check_view_name(new_name)
            cur.execute(
                self.dialect.sql(f"SELECT name FROM workspace_views {self._where}"),
                (entity, project, new_name),
            )
            if cur.fetchone() is not None:
                raise ConflictError(
                    f"a view named {new_name!r} already exists in project {entity}/{project}"
                )
            cur.execute(
                self.dialect.sql(
                    f"UPDATE workspace_views SET name = ?, updated_at = ? {self._where}"
                ),
                (new_name, time.time(), entity, project, name),
            )
            name = new_name
        if is_default is not None:
            self._mark_default(cur, entity, project, name, is_default)
        return self.one(cur, entity, project, name)

    def _mark_default(
        self, cur: Cursor, entity: str, project: str, name: str, is_default: bool
    ) -> None:
        sql = self.dialect.sql
        if is_default:
            cur.execute(
                sql(
                    "UPDATE workspace_views SET is_default = 0 "
                    "WHERE entity = ? AND project = ? AND name <> ? AND is_default = 1"
                ),
                (entity, project, name),
            )
        cur.execute(
            sql(f"UPDATE workspace_views SET is_default = ? {self._where}"),
            (int(is_default), entity, project, name),
        )

    def delete(self, cur: Cursor, entity: str, project: str, name: str) -> None:
        cur.execute(
            self.dialect.sql(f"DELETE FROM workspace_views {self._where}"),
            (entity, project, name),
        )
        if cur.rowcount != 1:
            raise NotFoundError(f"no saved view {name!r} in project {entity}/{project}")

    def delete_all(self, cur: Cursor, entity: str, project: str) -> int:
        """Remove every view of a project; return how many there were."""
        cur.execute(
            self.dialect.sql("DELETE FROM workspace_views WHERE entity = ? AND project = ?"),
            (entity, project),
        )
        return max(cur.rowcount, 0)
