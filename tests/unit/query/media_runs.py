"""Runs with media references in their history, applied through the real ingest path."""

from __future__ import annotations

from typing import Any

from trackboard.ingest.apply import apply_records
from trackboard.records import HistoryRow, Record, RunStart
from trackboard.store.base import RunRow, Store


def log_run(store: Store, run_id: str, rows: list[dict[str, Any]]) -> RunRow:
    """A run with one history row per entry (``_step`` from the entry, else its index)."""
    records: list[Record] = [
        RunStart(seq=0, session="s", run_id=run_id, entity="e", project="p", start_time=1.0)
    ]
    for index, row in enumerate(rows):
        step = int(row.get("_step", index))
        values = {k: v for k, v in row.items() if k != "_step"}
        records.append(
            HistoryRow(
                seq=len(records), step=step, timestamp=1.0 + step, runtime=step, values=values
            )
        )
    result = apply_records(store, records)
    assert result.run is not None
    return result.run
