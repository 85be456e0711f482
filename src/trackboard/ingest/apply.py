"""Apply records to a store exactly once.

The idempotency key is ``(run, session, seq)`` (DECISIONS 1). Before applying a session's
records the ingester asks the store for that session's cursor, drops what is at or below it and
hands the rest to ``Store.append``, which stores data and cursor in one transaction and refuses
a batch that does not start right after the cursor. A replayed file, a second ingester racing
this one, or a process restarted halfway therefore never applies a record twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from trackboard.errors import ConflictError
from trackboard.ingest.changes import RunIdentity, build_changes
from trackboard.records import Record, RunStart
from trackboard.store.base import RunRow, Store

BATCH_RECORDS = 20_000
"""Records per ``Store.append``: bounds a transaction's size and the memory of one batch."""


@dataclass
class ApplyResult:
    identity: RunIdentity | None
    """The session the last record belonged to; pass it back in for the next records."""
    applied: int = 0
    skipped: int = 0
    """Records already in the store (replays)."""
    lost: int = 0
    """Records missing between the cursor and the first new record (corrupt frames)."""
    run: RunRow | None = None


def apply_records(
    store: Store,
    records: Iterable[Record],
    identity: RunIdentity | None = None,
    *,
    batch_records: int = BATCH_RECORDS,
) -> ApplyResult:
    """Apply ``records`` of one run log, in order, to ``store``.

    ``identity`` names the session the first records belong to when they do not start with a
    ``RunStart`` (a follower that resumed mid-file). Records before any known session are
    counted as skipped: without a ``RunStart`` nothing says which run they belong to.
    """
    result = ApplyResult(identity=identity)
    for ident, segment in sessions(records, identity):
        if ident is None:
            result.skipped += len(segment)
            continue
        result.identity = ident
        for start in range(0, len(segment), batch_records):
            _apply_segment(store, ident, segment[start : start + batch_records], result)
    return result


def sessions(
    records: Iterable[Record], identity: RunIdentity | None = None
) -> Iterator[tuple[RunIdentity | None, list[Record]]]:
    """Split records, in order, into runs of one writer session each.

    A ``RunStart`` opens a session; records before any (when ``identity`` is None) come out
    with ``None``, since nothing says which run they belong to.
    """
    current: list[Record] = []
    for record in records:
        if isinstance(record, RunStart):
            if current:
                yield identity, current
            identity = RunIdentity.of(record)
            current = [record]
        else:
            current.append(record)
    if current:
        yield identity, current


def _apply_segment(
    store: Store, identity: RunIdentity, segment: Sequence[Record], result: ApplyResult
) -> None:
    for _attempt in range(3):
        cursor = store.cursor(identity.entity, identity.project, identity.run_id, identity.session)
        fresh = [r for r in segment if r.seq > cursor]
        result_skipped = len(segment) - len(fresh)
        if not fresh:
            result.skipped += result_skipped
            return
        changes = build_changes(identity, fresh)
        if changes.first_seq > cursor + 1:
            result.lost += changes.first_seq - cursor - 1
            changes.first_seq = cursor + 1
        try:
            result.run = store.append(changes)
        except ConflictError:
            continue  # another ingester moved the cursor; read it again
        result.applied += len(fresh)
        result.skipped += result_skipped
        return
    raise ConflictError(
        f"could not apply records of run {identity.run_id} session {identity.session}: "
        "the cursor kept moving"
    )
