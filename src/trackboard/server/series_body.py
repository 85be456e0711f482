"""The binary body of ``GET .../series`` (docs/http-api.md, "Series (binary)").

Little-endian: a ``u32`` header length ``H``, ``H`` bytes of header JSON padded with spaces so
the blocks start 8-aligned, then the blocks x (float64), last, min, max, mean (float32) and
flags (uint8), each holding every run's buckets one run after another and padded to 8 bytes.
Built with whole-array numpy operations, never a Python loop over points.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.query.chart import ChartSeries

MEDIA_TYPE = "application/octet-stream"
_ALIGN = 8


def _pad(data: bytes, fill: bytes = b"\0") -> bytes:
    extra = -len(data) % _ALIGN
    return data + fill * extra


def header(chart: ChartSeries) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    offset = 0
    for run in chart.runs:
        runs.append({"id": run.run_id, "offset": offset, "n": len(run)})
        offset += len(run)
    return {
        "key": chart.key,
        "x_axis": chart.x_axis,
        "width": chart.width,
        "approximate": chart.approximate,
        "runs": runs,
        "total": offset,
    }


def _block(parts: list[npt.NDArray[Any]], dtype: str) -> bytes:
    if not parts:
        return b""
    with np.errstate(over="ignore"):  # a float64 beyond float32's range becomes +-inf
        data = np.concatenate(parts).astype(dtype, copy=False)
    return _pad(data.tobytes())


def encode_series(chart: ChartSeries) -> bytes:
    """The response body for ``chart``."""
    head = json.dumps(header(chart), separators=(",", ":"), ensure_ascii=False).encode()
    # 4 bytes of length, then the header; pad the header so the first block is 8-aligned.
    head += b" " * (-(4 + len(head)) % _ALIGN)
    runs = chart.runs
    blocks = [
        _block([r.x for r in runs], "<f8"),
        _block([r.last for r in runs], "<f4"),
        _block([r.min for r in runs], "<f4"),
        _block([r.max for r in runs], "<f4"),
        _block([r.mean for r in runs], "<f4"),
        _block([r.flags for r in runs], "u1"),
    ]
    return b"".join([len(head).to_bytes(4, "little"), head, *blocks])
