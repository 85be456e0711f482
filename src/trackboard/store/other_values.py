"""Non-scalar history values (strings, None, lists, dicts): one JSON row per (run, key, step)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trackboard.store import run_rows
from trackboard.store.dialect import Cursor, Dialect


class OtherValues:
    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        sql = dialect.sql
        self._delete_from = sql(
            "DELETE FROM history_other WHERE run_pk = ? AND key_id = ? AND step >= ?"
        )
        self._upsert = sql(
            "INSERT INTO history_other (run_pk, key_id, step, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_pk, key_id, step) DO UPDATE SET value = excluded.value"
        )

    def write(self, cur: Cursor, run_pk: int, items: Sequence[tuple[int, int, str]]) -> bool:
        """Store ``(step, key_id, json)`` values; return whether a key was rewound.

        As for scalar series, a key's stored values from its first new step on are replaced."""
        first: dict[int, int] = {}
        for step, key_id, _ in items:
            first[key_id] = min(step, first.get(key_id, step))
        ids = list(first)
        rewound = False
        for cond, params in self._dialect.any_of_batches("key_id", ids):
            cur.execute(
                self._dialect.sql(
                    "SELECT key_id, max(step) FROM history_other "
                    f"WHERE run_pk = ? AND {cond} GROUP BY key_id"
                ),
                [run_pk, *params],
            )
            for key_id, last in cur.fetchall():
                if first[int(key_id)] <= int(last):
                    rewound = True
                    cur.execute(self._delete_from, (run_pk, int(key_id), first[int(key_id)]))
        cur.executemany(
            self._upsert, [(run_pk, key_id, step, text) for step, key_id, text in items]
        )
        return rewound

    def read(
        self,
        cur: Cursor,
        pk: int,
        key_ids: Sequence[int] | None,
        min_step: int | None,
        max_step: int | None,
    ) -> list[tuple[int, str, Any]]:
        query = (
            "SELECT o.step, k.name, o.value FROM history_other o "
            "JOIN history_keys k ON k.key_id = o.key_id WHERE o.run_pk = ?"
        )
        params: list[Any] = [pk]
        wanted: set[int] | None = None
        if key_ids is not None and len(key_ids) > self._dialect.list_limit:
            wanted = set(key_ids)  # too many for one condition: filter the rows here
            query = query.replace("SELECT o.step,", "SELECT o.key_id, o.step,")
        elif key_ids is not None:
            cond, cond_params = self._dialect.any_of("o.key_id", key_ids)
            query += f" AND {cond}"
            params += cond_params
        if min_step is not None:
            query += " AND o.step >= ?"
            params.append(min_step)
        if max_step is not None:
            query += " AND o.step <= ?"
            params.append(max_step)
        cur.execute(self._dialect.sql(query + " ORDER BY o.step, k.name"), params)
        rows = cur.fetchall()
        if wanted is not None:
            rows = [row[1:] for row in rows if int(row[0]) in wanted]
        return [(int(step), str(name), run_rows.loads(text)) for step, name, text in rows]

    def key_stats(self, cur: Cursor, pk: int) -> list[tuple[str, int, int, int]]:
        """``(name, count, first_step, last_step)`` of each key with values in the run."""
        cur.execute(
            self._dialect.sql(
                "SELECT k.name, count(*), min(o.step), max(o.step) FROM history_other o "
                "JOIN history_keys k ON k.key_id = o.key_id WHERE o.run_pk = ? GROUP BY k.name"
            ),
            (pk,),
        )
        return [(str(n), int(c), int(a), int(b)) for n, c, a, b in cur.fetchall()]
