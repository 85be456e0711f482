"""What routes get from the app: the store, and the runs a request names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.store.base import RunRow, Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def split_ids(text: str | None, what: str = "runs") -> list[str] | None:
    """``"a,b"`` to ``["a", "b"]``; None when absent (meaning all of them)."""
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise InvalidInputError(f"{what} is empty: give comma-separated names or leave it out")
    return list(dict.fromkeys(ids))


def named_runs(store: Store, entity: str, project: str, ids: list[str] | None) -> list[RunRow]:
    """The project's runs with ``ids`` in that order (all runs when None); 404 for an unknown id."""
    rows = store.runs(entity, project)
    if ids is None:
        return rows
    by_id = {row.run_id: row for row in rows}
    missing = [run_id for run_id in ids if run_id not in by_id]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise NotFoundError(f"no run {shown} in project {entity}/{project}")
    return [by_id[run_id] for run_id in ids]
