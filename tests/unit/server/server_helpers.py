"""Runs made through the real ingest path, and a reader of the binary series body."""

from __future__ import annotations

import asyncio
import json
import struct
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import numpy as np
from fastapi import FastAPI

from trackboard.ingest.apply import apply_records
from trackboard.records import (
    ConfigUpdate,
    Exit,
    HistoryRow,
    MetricDefinition,
    Record,
    RunStart,
)
from trackboard.store.base import RunRow, Store


class AppClient:
    """Blocking calls into the app in process (a fresh event loop per request)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.request(method, url, **kwargs)
                await response.aread()
                return response

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


ENTITY = "local"
PROJECT = "proj"


def log_run(
    store: Store,
    run_id: str,
    rows: Sequence[Mapping[str, Any]] = (),
    *,
    project: str = PROJECT,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    metrics: Sequence[MetricDefinition] = (),
    tags: tuple[str, ...] = (),
    finish: bool = True,
    start_time: float | None = None,
) -> RunRow:
    """Apply a run's records: start, config, metrics, one history row per ``rows`` entry
    (``_step`` from the entry, else its index), then exit when ``finish``."""
    t0 = time.time() if start_time is None else start_time
    records: list[Record] = [
        RunStart(
            seq=0,
            session="s1",
            run_id=run_id,
            entity=ENTITY,
            project=project,
            start_time=t0,
            name=name,
            tags=tags,
        )
    ]
    if config:
        records.append(ConfigUpdate(seq=len(records), values=dict(config)))
    for metric in metrics:
        records.append(
            MetricDefinition(
                seq=len(records),
                name=metric.name,
                step_metric=metric.step_metric,
                hidden=metric.hidden,
            )
        )
    for index, row in enumerate(rows):
        values = {k: v for k, v in row.items() if k != "_step"}
        step = int(row.get("_step", index))
        records.append(
            HistoryRow(
                seq=len(records),
                step=step,
                timestamp=t0 + step,
                runtime=float(step),
                values=values,
            )
        )
    if finish:
        records.append(
            Exit(
                seq=len(records),
                time=t0 + len(rows),
                runtime=float(len(rows)),
                exit_code=0,
                state="finished",
            )
        )
    result = apply_records(store, records)
    assert result.run is not None
    return result.run


def metric(
    name: str, step_metric: str | None = None, hidden: bool | None = None
) -> MetricDefinition:
    return MetricDefinition(seq=0, name=name, step_metric=step_metric, hidden=hidden)


def decode_series(body: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the blocks of a series body, checking lengths and alignment."""
    (length,) = struct.unpack_from("<I", body, 0)
    assert (4 + length) % 8 == 0
    header = json.loads(body[4 : 4 + length].decode("utf-8"))
    n = header["total"]
    offset = 4 + length
    blocks: dict[str, np.ndarray] = {}
    for name, dtype in (
        ("x", "<f8"),
        ("last", "<f4"),
        ("min", "<f4"),
        ("max", "<f4"),
        ("mean", "<f4"),
        ("flags", "u1"),
    ):
        assert offset % 8 == 0
        size = n * np.dtype(dtype).itemsize
        blocks[name] = np.frombuffer(body, dtype=dtype, count=n, offset=offset)
        offset += size + (-size % 8)
    assert offset == len(body)
    return header, blocks


def run_blocks(
    header: Mapping[str, Any], blocks: Mapping[str, np.ndarray], run_id: str
) -> dict[str, np.ndarray]:
    entry = next(r for r in header["runs"] if r["id"] == run_id)
    lo, n = entry["offset"], entry["n"]
    return {name: block[lo : lo + n] for name, block in blocks.items()}
