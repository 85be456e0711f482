"""The ``sweeps`` and ``sweep_claims`` tables (see "Sweeps" in ``store/base.py``).

Each method works inside the caller's transaction; :class:`~trackboard.store.sql.SqlStore`
opens it. A claim's parameters are kept as JSON text; the sweep's configuration as the text
it was created with.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.store import run_rows
from trackboard.store.base import (
    CLAIM_STATES,
    SWEEP_STATES,
    SweepChoice,
    SweepClaim,
    SweepRow,
)
from trackboard.store.dialect import Cursor, Dialect

_SWEEP_COLUMNS = "pk, entity, project, sweep_id, config, state, created_at, updated_at"
_CLAIM_COLUMNS = "run_id, params, state, agent_id, created_at, heartbeat_at"
_LIVE = ("pending", "running")


def check_sweep_state(state: Any) -> str:
    """``state`` when it is one of SWEEP_STATES, else InvalidInputError naming them."""
    if state not in SWEEP_STATES:
        raise InvalidInputError(
            f"sweep state must be one of {', '.join(SWEEP_STATES)}, got {state!r}"
        )
    return str(state)


def check_claim_state(state: Any) -> str:
    """``state`` when it is one of CLAIM_STATES, else InvalidInputError naming them."""
    if state not in CLAIM_STATES:
        raise InvalidInputError(
            f"claim state must be one of {', '.join(CLAIM_STATES)}, got {state!r}"
        )
    return str(state)


def _sweep_row(values: Sequence[Any]) -> tuple[int, SweepRow]:
    pk, entity, project, sweep_id, config, state, created, updated = values
    row = SweepRow(
        entity=str(entity),
        project=str(project),
        sweep_id=str(sweep_id),
        config=str(config),
        state=str(state),
        created_at=float(created),
        updated_at=float(updated),
    )
    return int(pk), row


def _claim(sweep_id: str, values: Sequence[Any]) -> SweepClaim:
    run_id, params, state, agent_id, created, heartbeat = values
    return SweepClaim(
        sweep_id=sweep_id,
        run_id=str(run_id),
        params=dict(run_rows.loads(params)),
        state=str(state),
        agent_id=str(agent_id),
        created_at=float(created),
        heartbeat_at=float(heartbeat),
    )


class SweepTables:
    """Reads and writes of the sweep tables in one dialect's SQL."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        sql = dialect.sql
        self._select = sql(
            f"SELECT {_SWEEP_COLUMNS} FROM sweeps WHERE entity = ? AND project = ? AND sweep_id = ?"
        )
        self._lock = self._select + (" FOR UPDATE" if dialect.for_update else "")

    def create(
        self, cur: Cursor, entity: str, project: str, sweep_id: str, config: str
    ) -> SweepRow:
        if not isinstance(config, str) or not config.strip():
            raise InvalidInputError(f"a sweep's config must be non-empty text, got {config!r}")
        now = time.time()
        cur.execute(
            self.dialect.sql(
                "INSERT INTO sweeps (entity, project, sweep_id, config, state, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'running', ?, ?) "
                "ON CONFLICT (entity, project, sweep_id) DO NOTHING"
            ),
            (entity, project, sweep_id, config, now, now),
        )
        if cur.rowcount != 1:
            raise ConflictError(f"sweep {sweep_id!r} already exists in {entity}/{project}")
        return self.one(cur, entity, project, sweep_id)[1]

    def one(
        self, cur: Cursor, entity: str, project: str, sweep_id: str, *, lock: bool = False
    ) -> tuple[int, SweepRow]:
        cur.execute(self._lock if lock else self._select, (entity, project, sweep_id))
        values = cur.fetchone()
        if values is None:
            raise NotFoundError(f"no sweep {sweep_id!r} in {entity}/{project}")
        return _sweep_row(values)

    def of_project(self, cur: Cursor, entity: str, project: str) -> list[SweepRow]:
        cur.execute(
            self.dialect.sql(
                f"SELECT {_SWEEP_COLUMNS} FROM sweeps WHERE entity = ? AND project = ? "
                "ORDER BY created_at, pk"
            ),
            (entity, project),
        )
        return [_sweep_row(values)[1] for values in cur.fetchall()]

    def set_state(
        self, cur: Cursor, entity: str, project: str, sweep_id: str, state: str
    ) -> SweepRow:
        check_sweep_state(state)
        pk, _ = self.one(cur, entity, project, sweep_id, lock=True)
        cur.execute(
            self.dialect.sql("UPDATE sweeps SET state = ?, updated_at = ? WHERE pk = ?"),
            (state, time.time(), pk),
        )
        return self.one(cur, entity, project, sweep_id)[1]

    def claims(self, cur: Cursor, pk: int, sweep_id: str) -> list[SweepClaim]:
        cur.execute(
            self.dialect.sql(
                f"SELECT {_CLAIM_COLUMNS} FROM sweep_claims WHERE sweep_pk = ? "
                "ORDER BY created_at, run_id"
            ),
            (pk,),
        )
        return [_claim(sweep_id, values) for values in cur.fetchall()]

    def claim(
        self,
        cur: Cursor,
        entity: str,
        project: str,
        sweep_id: str,
        agent_id: str,
        choose: SweepChoice,
        stale_after_s: float,
    ) -> SweepClaim | None:
        if not isinstance(agent_id, str) or not agent_id:
            raise InvalidInputError(f"agent_id must be a non-empty string, got {agent_id!r}")
        if not stale_after_s > 0:
            raise InvalidInputError(f"stale_after_s must be > 0, got {stale_after_s!r}")
        pk, sweep = self.one(cur, entity, project, sweep_id, lock=True)
        now = time.time()  # taken under the lock
        cur.execute(
            self.dialect.sql(
                "UPDATE sweep_claims SET state = 'crashed' "
                "WHERE sweep_pk = ? AND state IN (?, ?) AND heartbeat_at < ?"
            ),
            (pk, *_LIVE, now - stale_after_s),
        )
        if sweep.state != "running":
            return None
        chosen = choose(sweep, self.claims(cur, pk, sweep_id))
        if chosen is None:
            return None
        run_id, params = chosen
        if not isinstance(run_id, str) or not run_id:
            raise InvalidInputError(f"a claimed run id must be a non-empty string, got {run_id!r}")
        text = run_rows.dumps(dict(params), "sweep parameters")
        cur.execute(
            self.dialect.sql(
                f"INSERT INTO sweep_claims (sweep_pk, {_CLAIM_COLUMNS}) "
                "VALUES (?, ?, ?, 'pending', ?, ?, ?) "
                "ON CONFLICT (sweep_pk, run_id) DO NOTHING"
            ),
            (pk, run_id, text, agent_id, now, now),
        )
        if cur.rowcount != 1:
            raise ConflictError(f"sweep {sweep_id!r} already has a run {run_id!r}")
        return self._one_claim(cur, pk, sweep_id, run_id)

    def _one_claim(self, cur: Cursor, pk: int, sweep_id: str, run_id: str) -> SweepClaim:
        cur.execute(
            self.dialect.sql(
                f"SELECT {_CLAIM_COLUMNS} FROM sweep_claims WHERE sweep_pk = ? AND run_id = ?"
            ),
            (pk, run_id),
        )
        values = cur.fetchone()
        if values is None:
            raise NotFoundError(f"sweep {sweep_id!r} has no run {run_id!r}")
        return _claim(sweep_id, values)

    def update_claim(
        self,
        cur: Cursor,
        entity: str,
        project: str,
        sweep_id: str,
        run_id: str,
        agent_id: str,
        state: str | None,
    ) -> SweepClaim:
        if state is not None:
            check_claim_state(state)
        pk, _ = self.one(cur, entity, project, sweep_id, lock=True)
        found = self._one_claim(cur, pk, sweep_id, run_id)
        if found.agent_id != agent_id:
            raise ConflictError(
                f"run {run_id!r} of sweep {sweep_id!r} is held by agent {found.agent_id!r}"
            )
        if found.state == "crashed":
            raise ConflictError(
                f"run {run_id!r} of sweep {sweep_id!r} was marked crashed: its agent missed "
                "its heartbeats"
            )
        cur.execute(
            self.dialect.sql(
                "UPDATE sweep_claims SET state = ?, heartbeat_at = ? "
                "WHERE sweep_pk = ? AND run_id = ?"
            ),
            (state or found.state, time.time(), pk, run_id),
        )
        return self._one_claim(cur, pk, sweep_id, run_id)
