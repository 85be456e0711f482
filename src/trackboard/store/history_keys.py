"""The key dictionary (``history_keys``) and which keys each run has (``run_keys``).

One dictionary serves the whole store: a key name has the same small integer id in every run and
project, so a chart over many runs reads one id. Ids are never reused, so a process may cache
them; it caches a run's keys too, which only ever grow while the run exists (a deleted run's pk
is not reused).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.store.base import MAX_KEY_LENGTH, MAX_KEYS_PER_RUN
from trackboard.store.dialect import Cursor, Dialect


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidInputError(f"a history key must be a non-empty string, got {key!r}")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"history key {key[:80]!r}... is {len(key)} characters long; "
            f"the limit is {MAX_KEY_LENGTH}"
        )
    return key


class HistoryKeys:
    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._ids: dict[str, int] = {}
        self._run_keys: dict[int, set[int]] = {}

    def missing(self, names: Sequence[str]) -> list[str]:
        """The names this process has no id for yet, sorted (the order rows are locked in)."""
        return sorted(n for n in names if n not in self._ids)

    def add(self, cur: Cursor, names: Sequence[str]) -> dict[str, int]:
        """Insert ``names`` (those already there are kept) and return all their ids.

        Call :meth:`remember` with the result once the transaction has committed."""
        sql = self._dialect.sql
        cur.executemany(
            sql("INSERT INTO history_keys (name) VALUES (?) ON CONFLICT (name) DO NOTHING"),
            [(n,) for n in names],
        )
        found: dict[str, int] = {}
        for cond, params in self._dialect.any_of_batches("name", names):
            cur.execute(sql(f"SELECT name, key_id FROM history_keys WHERE {cond}"), params)
            found.update((str(n), int(k)) for n, k in cur.fetchall())
        return found

    def remember(self, ids: dict[str, int]) -> None:
        self._ids.update(ids)

    def ids(self, names: Sequence[str]) -> dict[str, int]:
        return {n: self._ids[n] for n in names}

    def find(self, cur: Cursor, name: str) -> int | None:
        """The id of ``name``, or None when no run ever had that key."""
        key_id = self._ids.get(name)
        if key_id is None:
            cur.execute(
                self._dialect.sql("SELECT key_id FROM history_keys WHERE name = ?"), (name,)
            )
            row = cur.fetchone()
            if row is None:
                return None
            key_id = self._ids[name] = int(row[0])
        return key_id

    def register(self, cur: Cursor, run_pk: int, run_id: str, keys: dict[str, int]) -> list[int]:
        """Record the run's new keys, refusing the ones past the per-run limit.

        Returns the ids to pass to :meth:`run_has` once the transaction has committed."""
        known = self._run_keys.get(run_pk, set())
        new = {k: v for k, v in keys.items() if v not in known}
        if not new:
            return []
        sql = self._dialect.sql
        present: set[int] = set()
        ids = list(new.values())
        for cond, params in self._dialect.any_of_batches("key_id", ids):
            cur.execute(
                sql(f"SELECT key_id FROM run_keys WHERE run_pk = ? AND {cond}"), [run_pk, *params]
            )
            present.update(int(r[0]) for r in cur.fetchall())
        fresh = sorted(name for name, key_id in new.items() if key_id not in present)
        if fresh:
            cur.execute(sql("SELECT count(*) FROM run_keys WHERE run_pk = ?"), (run_pk,))
            total = int(cur.fetchone()[0])
            if total + len(fresh) > MAX_KEYS_PER_RUN:
                refused = fresh[max(MAX_KEYS_PER_RUN - total, 0) :]
                more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
                raise InvalidInputError(
                    f"run {run_id!r} would have more than {MAX_KEYS_PER_RUN} history keys; "
                    f"refused the key {refused[0]!r}{more}"
                )
            cur.executemany(
                sql("INSERT INTO run_keys (run_pk, key_id) VALUES (?, ?)"),
                [(run_pk, new[name]) for name in fresh],
            )
        return ids

    def run_has(self, run_pk: int, key_ids: Sequence[int]) -> None:
        self._run_keys.setdefault(run_pk, set()).update(key_ids)

    def forget_run(self, run_pk: int) -> None:
        self._run_keys.pop(run_pk, None)
