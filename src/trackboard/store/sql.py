"""The :class:`~trackboard.store.base.Store` written once over a :class:`Dialect`.

``SqliteStore`` and ``PostgresStore`` only say how to connect. Writes run in one transaction
that first locks the run (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``
locks the database), so appends to one run are serialised across threads and processes; the
session's cursor moves by compare-and-set in the same transaction. Scalar series are written by
:mod:`~trackboard.store.series_writer` and read by :mod:`~trackboard.store.series_reader`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError, StoreError
from trackboard.records import SYSTEM_PREFIX
from trackboard.store import run_rows
from trackboard.store.auth_rows import AuthTables
from trackboard.store.base import (
    ApiKeyRow,
    Buckets,
    ConsoleLine,
    KeyInfo,
    ProjectRow,
    RunChanges,
    RunRow,
    SeriesColumns,
    SeriesSummary,
    SessionRow,
    SweepChoice,
    SweepClaim,
    SweepRow,
    UserRow,
    ViewRow,
)
from trackboard.store.console_rows import ConsoleTables, check_page
from trackboard.store.dialect import Cursor, Dialect, Pool
from trackboard.store.history_keys import HistoryKeys, check_key
from trackboard.store.migrate import load_migrations, migrate
from trackboard.store.other_values import OtherValues
from trackboard.store.run_rows import Run
from trackboard.store.saved_views import SavedViews
from trackboard.store.series_reader import SeriesReader
from trackboard.store.series_writer import Points, SeriesWriter, check_points
from trackboard.store.sweep_rows import SweepTables


def _check_name(what: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{what} must be a non-empty string, got {value!r}")


class SqlStore:
    """Everything of the store but connecting; see ``store/base.py`` for the contract."""

    def __init__(self, dialect: Dialect, writers: Pool, readers: Pool) -> None:
        self.dialect = dialect
        self._writers = writers
        self._readers = readers
        self._series_writer = SeriesWriter(dialect)
        self._series_reader = SeriesReader(dialect)
        self._keys = HistoryKeys(dialect)
        self._others = OtherValues(dialect)
        self._views = SavedViews(dialect)
        self._sweeps = SweepTables(dialect)
        self._console = ConsoleTables(dialect)
        self._auth = AuthTables(dialect)
        sql = dialect.sql
        self._select_run = sql(
            f"{run_rows.SELECT} WHERE p.entity = ? AND p.name = ? AND r.run_id = ?"
        )
        self._lock_run_sql = self._select_run + dialect.for_update
        self._lock_run_pk = sql(f"{run_rows.SELECT} WHERE r.pk = ?{dialect.for_update}")
        self._select_run_pk = sql(f"{run_rows.SELECT} WHERE r.pk = ?")
        self.applied_migrations: list[int] = []
        try:
            with self._transaction(write=True) as cur:
                self.applied_migrations = migrate(cur, dialect, load_migrations(dialect.name))
        except BaseException:
            self.close()
            raise

    # -- plumbing -----------------------------------------------------------------------
    @contextmanager
    def _transaction(self, *, write: bool, snapshot: bool = True) -> Iterator[Cursor]:
        """A cursor in a write transaction, a read snapshot, or (``snapshot=False``) neither."""
        pool = self._writers if write else self._readers
        errors = self.dialect.driver_errors
        conn = pool.acquire()
        broken = False
        try:
            cur = self.dialect.cursor(conn)
            try:
                if not write and not snapshot:
                    yield cur
                else:
                    cur.execute(self.dialect.begin_write if write else self.dialect.begin_read)
                    try:
                        yield cur
                    except BaseException:
                        try:
                            cur.execute("ROLLBACK")
                        except errors:
                            broken = True
                        raise
                    cur.execute("COMMIT")
            finally:
                cur.close()
            if write:
                self.dialect.after_write(conn)
        except errors as exc:
            # A connection the database dropped (a restart, a network cut) must leave the
            # pool, or every later transaction on it fails the same way.
            broken = broken or bool(getattr(conn, "closed", False))
            if isinstance(exc, self.dialect.value_errors):
                raise InvalidInputError(f"{self.dialect.name} refused a value: {exc}") from exc
            raise StoreError(f"{self.dialect.name}: {exc}") from exc
        finally:
            pool.release(conn, broken=broken)

    def close(self) -> None:
        self._writers.close()
        self._readers.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keys ---------------------------------------------------------------------------
    def _key_ids_for(self, names: Sequence[str]) -> dict[str, int]:
        """Ids of ``names``, adding new ones to the dictionary in a transaction of their own."""
        missing = self._keys.missing(names)
        if missing:
            with self._transaction(write=True) as cur:
                found = self._keys.add(cur, missing)
            self._keys.remember(found)
        return self._keys.ids(names)

    # -- writes -------------------------------------------------------------------------
    def append(self, changes: RunChanges) -> RunRow:
        for what in ("entity", "project", "run_id", "session"):
            _check_name(what, getattr(changes, what))
        if not 0 <= changes.first_seq <= changes.last_seq:
            raise InvalidInputError(
                f"a batch needs 0 <= first_seq <= last_seq, got {changes.first_seq}, "
                f"{changes.last_seq}"
            )
        series: list[tuple[str, Points]] = []
        for key, cols in changes.series.items():
            points = check_points(check_key(key), cols)
            if points is not None:
                series.append((key, points))
        others: list[tuple[int, str, str]] = []
        for step, key, value in changes.other_values:
            check_key(key)
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                raise InvalidInputError(f"history value {key!r}: step must be an int >= 0")
            others.append((step, key, run_rows.dumps(value, f"history value {key!r}")))
        names = sorted({k for k, _ in series}.union(k for _, k, _ in others))
        key_ids = self._key_ids_for(names) if names else {}
        with self._transaction(write=True) as cur:
            now = time.time()  # taken under the write lock: commit order on SQLite
            run, created = self._lock_run(cur, changes, now)
            self._advance_cursor(cur, run, changes)
            registered = self._keys.register(cur, run.pk, changes.run_id, key_ids)
            rewound = False
            if series:
                items = [(key_ids[k], p) for k, p in series]
                rewound = self._series_writer.write(cur, run.pk, items)
            if others:
                items_o = [(step, key_ids[k], text) for step, k, text in others]
                rewound = self._others.write(cur, run.pk, items_o) or rewound
            if changes.console:
                self._console.append(cur, run.pk, changes.console)
            run_rows.apply_changes(run, changes, created, now)
            self._update_last_step(cur, run, series, others, rewound)
            self._save(cur, run)
        self._keys.run_has(run.pk, registered)
        return run.to_row()

    def _lock_run(self, cur: Cursor, changes: RunChanges, now: float) -> tuple[Run, bool]:
        ident = (changes.entity, changes.project, changes.run_id)
        cur.execute(self._lock_run_sql, ident)
        row = cur.fetchone()
        if row is not None:
            return Run(row), False
        sql = self.dialect.sql
        cur.execute(
            sql(
                "INSERT INTO projects (entity, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (entity, name) DO NOTHING"
            ),
            (changes.entity, changes.project, now),
        )
        values = run_rows.new_run_values(changes, now)
        columns = ", ".join(values)
        marks = ", ".join("?" * len(values))
        cur.execute(
            sql(
                f"INSERT INTO runs (project_pk, {columns}) SELECT pk, {marks} FROM projects "
                "WHERE entity = ? AND name = ? ON CONFLICT (project_pk, run_id) DO NOTHING"
            ),
            [*values.values(), changes.entity, changes.project],
        )
        created = cur.rowcount == 1
        cur.execute(self._lock_run_sql, ident)
        return Run(cur.fetchone()), created

    def _advance_cursor(self, cur: Cursor, run: Run, changes: RunChanges) -> None:
        sql = self.dialect.sql
        if changes.first_seq == 0:
            cur.execute(
                sql(
                    "INSERT INTO run_cursors (run_pk, session, last_seq) VALUES (?, ?, ?) "
                    "ON CONFLICT (run_pk, session) DO NOTHING"
                ),
                (run.pk, changes.session, changes.last_seq),
            )
        else:
            cur.execute(
                sql(
                    "UPDATE run_cursors SET last_seq = ? "
                    "WHERE run_pk = ? AND session = ? AND last_seq = ?"
                ),
                (changes.last_seq, run.pk, changes.session, changes.first_seq - 1),
            )
        if cur.rowcount == 1:
            return
        cur.execute(
            sql("SELECT last_seq FROM run_cursors WHERE run_pk = ? AND session = ?"),
            (run.pk, changes.session),
        )
        row = cur.fetchone()
        cursor = -1 if row is None else int(row[0])
        raise ConflictError(
            f"run {changes.run_id!r} session {changes.session!r}: the batch starts at seq "
            f"{changes.first_seq} but the store has applied up to {cursor}"
        )

    def _update_last_step(
        self,
        cur: Cursor,
        run: Run,
        series: list[tuple[str, Points]],
        others: list[tuple[int, str, str]],
        rewound: bool,
    ) -> None:
        # System metrics (series system/...) are stepped by seconds of runtime: never rows.
        series = [(k, p) for k, p in series if not k.startswith(SYSTEM_PREFIX)]
        if rewound:
            sql = self.dialect.sql
            cur.execute(
                sql(
                    "SELECT max(s.last_step) FROM series_summary s "
                    "JOIN history_keys k ON k.key_id = s.key_id "
                    f"WHERE s.run_pk = ? AND substr(k.name, 1, {len(SYSTEM_PREFIX)}) <> ?"
                ),
                (run.pk, SYSTEM_PREFIX),
            )
            steps = [cur.fetchone()[0]]
            cur.execute(sql("SELECT max(step) FROM history_other WHERE run_pk = ?"), (run.pk,))
            steps.append(cur.fetchone()[0])
            found = [int(s) for s in steps if s is not None]
            run.set("last_step", max(found) if found else None)
            return
        tops = [int(p.steps[-1]) for _, p in series] + [step for step, _, _ in others]
        if tops:
            top = max(tops)
            last = run.values["last_step"]
            if last is None or top > last:
                run.set("last_step", top)

    def _save(self, cur: Cursor, run: Run) -> None:
        columns, values = run.updates()
        if columns:
            assignments = ", ".join(f"{c} = ?" for c in columns)
            cur.execute(
                self.dialect.sql(f"UPDATE runs SET {assignments} WHERE pk = ?"), [*values, run.pk]
            )
        run.dirty.clear()

    def update_run(self, pk: int, **fields: Any) -> RunRow:
        with self._transaction(write=True) as cur:
            cur.execute(self._lock_run_pk, (pk,))
            row = cur.fetchone()
            if row is None:
                raise NotFoundError(f"no run with pk {pk}")
            run = Run(row)
            run_rows.apply_edit(run, fields)
            self._save(cur, run)
        return run.to_row()

    def delete_run(self, pk: int) -> None:
        sql = self.dialect.sql
        with self._transaction(write=True) as cur:
            cur.execute(
                sql(f"SELECT r.pk FROM runs r WHERE r.pk = ?{self.dialect.for_update}"), (pk,)
            )
            if cur.fetchone() is None:
                raise NotFoundError(f"no run with pk {pk}")
            self._delete_run_rows(cur, pk)
        self._keys.forget_run(pk)

    def _delete_run_rows(self, cur: Cursor, pk: int) -> None:
        sql = self.dialect.sql
        for table in (
            "series_chunks",
            "series_lod",
            "series_summary",
            "history_other",
            "run_keys",
            "run_cursors",
            "console_lines",
        ):
            cur.execute(sql(f"DELETE FROM {table} WHERE run_pk = ?"), (pk,))
        cur.execute(sql("DELETE FROM runs WHERE pk = ?"), (pk,))

    # -- projects -----------------------------------------------------------------------
    def update_project(self, entity: str, name: str, *, archived: bool) -> ProjectRow:
        if not isinstance(archived, bool):
            raise InvalidInputError(f"archived must be true or false, got {archived!r}")
        with self._transaction(write=True) as cur:
            cur.execute(
                self.dialect.sql("UPDATE projects SET archived = ? WHERE entity = ? AND name = ?"),
                (int(archived), entity, name),
            )
            if cur.rowcount != 1:
                raise NotFoundError(f"no project {entity}/{name}")
        return self._project(entity, name)

    def _project(self, entity: str, name: str) -> ProjectRow:
        for row in self.projects(entity):
            if row.name == name:
                return row
        raise NotFoundError(f"no project {entity}/{name}")

    def delete_project(self, entity: str, name: str) -> None:
        sql = self.dialect.sql
        with self._transaction(write=True) as cur:
            cur.execute(
                sql("SELECT pk FROM projects WHERE entity = ? AND name = ?"), (entity, name)
            )
            found = cur.fetchone()
            pks: list[int] = []
            if found is not None:
                cur.execute(  # lock the runs, so an append waits and then finds none
                    sql("SELECT r.pk FROM runs r WHERE r.project_pk = ?") + self.dialect.for_update,
                    (found[0],),
                )
                pks = [int(pk) for (pk,) in cur.fetchall()]
                for pk in pks:
                    self._delete_run_rows(cur, pk)
                cur.execute(sql("DELETE FROM projects WHERE pk = ?"), (found[0],))
            views = self._views.delete_all(cur, entity, name)
            if found is None and not views:
                raise NotFoundError(f"no project {entity}/{name}")
        for pk in pks:
            self._keys.forget_run(pk)

    # -- sweeps -------------------------------------------------------------------------
    def create_sweep(self, entity: str, project: str, sweep_id: str, config: str) -> SweepRow:
        for what, value in (("entity", entity), ("project", project), ("sweep_id", sweep_id)):
            _check_name(what, value)
        with self._transaction(write=True) as cur:
            return self._sweeps.create(cur, entity, project, sweep_id, config)

    def sweep(self, entity: str, project: str, sweep_id: str) -> SweepRow:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._sweeps.one(cur, entity, project, sweep_id)[1]

    def sweeps(self, entity: str, project: str) -> list[SweepRow]:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._sweeps.of_project(cur, entity, project)

    def set_sweep_state(self, entity: str, project: str, sweep_id: str, state: str) -> SweepRow:
        with self._transaction(write=True) as cur:
            return self._sweeps.set_state(cur, entity, project, sweep_id, state)

    def sweep_claims(self, entity: str, project: str, sweep_id: str) -> list[SweepClaim]:
        with self._transaction(write=False) as cur:
            pk, _ = self._sweeps.one(cur, entity, project, sweep_id)
            return self._sweeps.claims(cur, pk, sweep_id)

    def claim_sweep_run(
        self,
        entity: str,
        project: str,
        sweep_id: str,
        agent_id: str,
        choose: SweepChoice,
        *,
        stale_after_s: float,
    ) -> SweepClaim | None:
        with self._transaction(write=True) as cur:
            return self._sweeps.claim(
                cur, entity, project, sweep_id, agent_id, choose, stale_after_s
            )

    def update_sweep_claim(
        self,
        entity: str,
        project: str,
        sweep_id: str,
        run_id: str,
        agent_id: str,
        *,
        state: str | None = None,
    ) -> SweepClaim:
        with self._transaction(write=True) as cur:
            return self._sweeps.update_claim(
                cur, entity, project, sweep_id, run_id, agent_id, state
            )

    # -- access -------------------------------------------------------------------------
    def add_user(self, name: str, *, admin: bool = False) -> UserRow:
        with self._transaction(write=True) as cur:
            self._auth.add_entity(cur, name, "user", admin)
            return self._auth.user(cur, name)

    def users(self) -> list[UserRow]:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._auth.users(cur)

    def user(self, name: str) -> UserRow:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._auth.user(cur, name)

    def add_team(self, name: str) -> None:
        with self._transaction(write=True) as cur:
            self._auth.add_entity(cur, name, "team", False)

    def add_member(self, team: str, user: str) -> None:
        with self._transaction(write=True) as cur:
            self._auth.add_member(cur, team, user)

    def entities_of(self, user: str) -> list[str]:
        with self._transaction(write=False) as cur:
            return self._auth.entities_of(cur, user)

    def create_key(self, user: str, description: str = "") -> tuple[str, ApiKeyRow]:
        with self._transaction(write=True) as cur:
            return self._auth.create_key(cur, user, description)

    def api_keys(self, user: str) -> list[ApiKeyRow]:
        with self._transaction(write=False) as cur:
            return self._auth.keys_of(cur, user)

    def verify_key(self, key_text: str) -> UserRow | None:
        with self._transaction(write=False, snapshot=False) as cur:
            found = self._auth.check_key(cur, key_text)
        if found is None:
            return None
        user, due = found
        if due:
            with self._transaction(write=True) as cur:
                self._auth.touch_key(cur, key_text)
        return user

    def revoke_key(self, key_id: str) -> ApiKeyRow:
        with self._transaction(write=True) as cur:
            return self._auth.revoke_key(cur, key_id)

    def create_session(self, user: str, *, ttl_s: float) -> tuple[str, SessionRow]:
        with self._transaction(write=True) as cur:
            return self._auth.create_session(cur, user, ttl_s)

    def verify_session(self, token: str) -> SessionRow | None:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._auth.session(cur, token)

    def delete_session(self, token: str) -> None:
        with self._transaction(write=True) as cur:
            self._auth.delete_session(cur, token)

    def set_project_visibility(self, entity: str, name: str, visibility: str) -> ProjectRow:
        with self._transaction(write=True) as cur:
            self._auth.set_visibility(cur, entity, name, visibility)
        return self._project(entity, name)

    # -- saved views --------------------------------------------------------------------
    def views(self, entity: str, project: str) -> list[ViewRow]:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._views.of_project(cur, entity, project)

    def view(self, entity: str, project: str, name: str) -> ViewRow:
        with self._transaction(write=False, snapshot=False) as cur:
            return self._views.one(cur, entity, project, name)

    def save_view(
        self,
        entity: str,
        project: str,
        name: str,
        settings: Mapping[str, Any],
        *,
        is_default: bool | None = None,
    ) -> ViewRow:
        _check_name("entity", entity)
        _check_name("project", project)
        with self._transaction(write=True) as cur:
            return self._views.save(cur, entity, project, name, settings, is_default)

    def update_view(
        self,
        entity: str,
        project: str,
        name: str,
        *,
        new_name: str | None = None,
        is_default: bool | None = None,
    ) -> ViewRow:
        with self._transaction(write=True) as cur:
            return self._views.update(cur, entity, project, name, new_name, is_default)

    def delete_view(self, entity: str, project: str, name: str) -> None:
        with self._transaction(write=True) as cur:
            self._views.delete(cur, entity, project, name)

    # -- reads --------------------------------------------------------------------------
    def cursor(self, entity: str, project: str, run_id: str, session: str) -> int:
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(
                self.dialect.sql(
                    "SELECT c.last_seq FROM run_cursors c JOIN runs r ON r.pk = c.run_pk "
                    "JOIN projects p ON p.pk = r.project_pk "
                    "WHERE p.entity = ? AND p.name = ? AND r.run_id = ? AND c.session = ?"
                ),
                (entity, project, run_id, session),
            )
            row = cur.fetchone()
        return -1 if row is None else int(row[0])

    def sessions(self, entity: str, project: str, run_id: str) -> dict[str, int]:
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(
                self.dialect.sql(
                    "SELECT c.session, c.last_seq FROM run_cursors c "
                    "JOIN runs r ON r.pk = c.run_pk JOIN projects p ON p.pk = r.project_pk "
                    "WHERE p.entity = ? AND p.name = ? AND r.run_id = ? ORDER BY c.session"
                ),
                (entity, project, run_id),
            )
            rows = cur.fetchall()
        return {str(session): int(last_seq) for session, last_seq in rows}

    def projects(self, entity: str | None = None) -> list[ProjectRow]:
        query = (
            "SELECT p.entity, p.name, count(r.pk), p.created_at, max(r.updated_at), p.archived, "
            "p.visibility FROM projects p LEFT JOIN runs r ON r.project_pk = p.pk"
        )
        params: list[Any] = []
        if entity is not None:
            query += " WHERE p.entity = ?"
            params.append(entity)
        query += (
            " GROUP BY p.pk, p.entity, p.name, p.created_at, p.archived, p.visibility "
            "ORDER BY p.entity, p.name"
        )
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(self.dialect.sql(query), params)
            rows = cur.fetchall()
        return [
            ProjectRow(
                e,
                n,
                int(c),
                float(created),
                max(float(created), float(updated or created)),
                bool(archived),
                str(visibility),
            )
            for e, n, c, created, updated, archived, visibility in rows
        ]

    def runs(self, entity: str, project: str) -> list[RunRow]:
        query = f"{run_rows.SELECT} WHERE p.entity = ? AND p.name = ? ORDER BY r.created_at, r.pk"
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(self.dialect.sql(query), (entity, project))
            rows = cur.fetchall()
        return [Run(row).to_row() for row in rows]

    def run(self, entity: str, project: str, run_id: str) -> RunRow:
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(self._select_run, (entity, project, run_id))
            row = cur.fetchone()
        if row is None:
            raise NotFoundError(f"no run {entity}/{project}/{run_id}")
        return Run(row).to_row()

    def run_by_pk(self, pk: int) -> RunRow:
        with self._transaction(write=False, snapshot=False) as cur:
            cur.execute(self._select_run_pk, (pk,))
            row = cur.fetchone()
        if row is None:
            raise NotFoundError(f"no run with pk {pk}")
        return Run(row).to_row()

    def _check_run(self, cur: Cursor, pk: int) -> None:
        cur.execute(self.dialect.sql("SELECT pk FROM runs WHERE pk = ?"), (pk,))
        if cur.fetchone() is None:
            raise NotFoundError(f"no run with pk {pk}")

    def keys(self, pk: int) -> list[KeyInfo]:
        """One entry per key name; a key holding scalars and other values counts as scalar."""
        found: dict[str, KeyInfo] = {}
        with self._transaction(write=False) as cur:
            self._check_run(cur, pk)
            for name, count, first, last in self._others.key_stats(cur, pk):
                found[name] = KeyInfo(name, "other", count, first, last)
            cur.execute(
                self.dialect.sql(
                    "SELECT k.name, s.count, s.first_step, s.last_step "
                    "FROM series_summary s JOIN history_keys k ON k.key_id = s.key_id "
                    "WHERE s.run_pk = ?"
                ),
                (pk,),
            )
            for name, count, first, last in cur.fetchall():
                info = KeyInfo(str(name), "scalar", int(count), int(first), int(last))
                other = found.get(info.name)
                if other is not None:
                    info = KeyInfo(
                        info.name,
                        "scalar",
                        info.count + other.count,
                        min(info.first_step, other.first_step),
                        max(info.last_step, other.last_step),
                    )
                found[info.name] = info
        return [found[name] for name in sorted(found)]

    def series(
        self, pk: int, key: str, min_step: int | None = None, max_step: int | None = None
    ) -> SeriesColumns:
        with self._transaction(write=False) as cur:
            key_id = self._keys.find(cur, key)
            if key_id is not None:
                cols = self._series_reader.series(cur, pk, key_id, min_step, max_step)
                if len(cols):
                    return cols
            self._check_run(cur, pk)
        return self._series_reader.empty()

    def series_summaries(self, key: str, pks: Sequence[int]) -> dict[int, SeriesSummary]:
        pk_list = list(dict.fromkeys(int(pk) for pk in pks))
        with self._transaction(write=False, snapshot=False) as cur:
            key_id = self._keys.find(cur, key)
            if key_id is None or not pk_list:
                return {}
            return self._series_reader.summaries(cur, key_id, pk_list)

    def series_buckets(
        self,
        key: str,
        pks: Sequence[int],
        width: int,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> dict[int, Buckets]:
        pk_list = list(dict.fromkeys(int(pk) for pk in pks))
        with self._transaction(write=False) as cur:
            key_id = self._keys.find(cur, key)
            if key_id is None:
                self._series_reader.check_width(width)
                return {}
            return self._series_reader.buckets(cur, key_id, pk_list, width, min_step, max_step)

    def console_lines(
        self, pk: int, *, offset: int = 0, limit: int = 1000, query: str | None = None
    ) -> tuple[list[ConsoleLine], int]:
        found = check_page(offset, limit, query)
        with self._transaction(write=False) as cur:
            self._check_run(cur, pk)
            return self._console.page(cur, pk, offset, limit, found)

    def history_values(
        self,
        pk: int,
        keys: Sequence[str] | None = None,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> list[tuple[int, str, Any]]:
        with self._transaction(write=False) as cur:
            self._check_run(cur, pk)
            key_ids = None
            if keys is not None:
                found = (self._keys.find(cur, k) for k in dict.fromkeys(keys))
                key_ids = [i for i in found if i is not None]
                if not key_ids:
                    return []
            return self._others.read(cur, pk, key_ids, min_step, max_step)
