"""Sample records, hypothesis strategies and helpers shared by the run log tests."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from trackboard.records import (
    ConfigUpdate,
    ConsoleOutput,
    Exit,
    Heartbeat,
    HistoryRow,
    MetricDefinition,
    Record,
    RunStart,
    RunUpdate,
    SummaryUpdate,
    SystemSample,
)
from trackboard.runlog.codec import encode
from trackboard.runlog.frames import FILE_HEADER, build_frame

NESTED: dict[str, Any] = {
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "neg_zero": -0.0,
    "big": 2**64 - 1,
    "small": -(2**63),
    "none": None,
    "flag": True,
    "text": "héllo ✓",
    "list": [1, 2.5, None, [math.nan, {"deep": [-math.inf]}]],
    "dict": {"a": {"b": {"c": [1, "x", False]}}},
    "empty": {},
}

SAMPLES: list[Record] = [
    RunStart(
        seq=0,
        session="s1",
        run_id="abc123",
        entity="me",
        project="proj",
        start_time=1.7e9,
        name="brave-otter-1",
        group="g",
        job_type="train",
        tags=("a", "b"),
        notes="n",
        host="h",
        pid=4242,
        program="train.py",
        args=("--lr", "0.1"),
        python="3.11.7",
        sweep_id="sw",
        resumed=True,
        starting_step=10,
        runtime_offset=3.5,
    ),
    RunStart(seq=0, session="s2", run_id="r", entity="e", project="p", start_time=0.0),
    ConfigUpdate(seq=1, values={"lr": 0.1, "model": {"layers": [64, 64]}}, removed=("old",)),
    HistoryRow(seq=2, step=0, timestamp=1.7e9, runtime=0.25, values=NESTED),
    HistoryRow(
        seq=3,
        step=1,
        timestamp=1.7e9,
        runtime=0.5,
        values={"loss": 0.1},
        summary={"loss": {"min": 0.1}},
    ),
    SummaryUpdate(seq=4, values={"best": {"acc": math.inf}}, removed=("gone", "too")),
    MetricDefinition(
        seq=5,
        name="val/*",
        step_metric="epoch",
        step_sync=True,
        hidden=False,
        summary=("min", "max"),
        goal="minimize",
    ),
    MetricDefinition(seq=6, name="loss"),
    RunUpdate(seq=7, fields={"tags": ["x"], "notes": None}),
    RunUpdate(seq=8),
    Heartbeat(seq=9, time=1.7e9 + 30, runtime=30.0),
    Exit(seq=10, time=1.7e9 + 60, runtime=60.0, exit_code=1, state="failed", dropped_records=3),
    SystemSample(seq=11, time=1.7e9 + 15, runtime=15.0, values={"cpu": 12.5, "gpu.0.temp": 61.0}),
    ConsoleOutput(seq=12, time=1.7e9 + 16, stream="stderr", text="\x1b[31merror\x1b[0m ✓"),
]


def canon(value: Any) -> Any:
    """A form of ``value`` that compares equal exactly when the values are identical in type and
    content: NaN equals NaN, -0.0 differs from 0.0, a tuple differs from a list, True from 1."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple(canon(getattr(value, f.name)) for f in fields))
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, list):
        return ("list", tuple(canon(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(canon(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((canon(k), canon(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def log_bytes(records: list[Record]) -> bytes:
    """The bytes of a run log holding ``records``."""
    return FILE_HEADER + b"".join(build_frame(encode(r)) for r in records)


def frame_spans(records: list[Record]) -> list[tuple[int, int]]:
    """(start, end) file offsets of each record's frame in :func:`log_bytes`."""
    spans = []
    offset = len(FILE_HEADER)
    for record in records:
        end = offset + len(build_frame(encode(record)))
        spans.append((offset, end))
        offset = end
    return spans


def write_log(path: Path, records: list[Record], extra: bytes = b"") -> None:
    path.write_bytes(log_bytes(records) + extra)


def history(count: int, start: int = 0) -> list[Record]:
    return [
        HistoryRow(
            seq=i, step=i, timestamp=1.7e9 + i, runtime=float(i), values={"loss": 1 / (i + 1)}
        )
        for i in range(start, start + count)
    ]


# -- hypothesis strategies ------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)
json_dicts = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
_seq = st.integers(min_value=0, max_value=2**63 - 1)
_floats = st.floats(allow_nan=True, allow_infinity=True)
_text = st.text(max_size=12)
_opt_text = st.none() | _text
_str_tuples = st.lists(_text, max_size=4).map(tuple)
_opt_bool = st.none() | st.booleans()

records = st.one_of(
    st.builds(
        RunStart,
        seq=_seq,
        session=_text,
        run_id=_text,
        entity=_text,
        project=_text,
        start_time=_floats,
        name=_opt_text,
        group=_opt_text,
        job_type=_opt_text,
        tags=_str_tuples,
        notes=_opt_text,
        host=_opt_text,
        pid=st.none() | _seq,
        program=_opt_text,
        args=_str_tuples,
        python=_opt_text,
        sweep_id=_opt_text,
        resumed=st.booleans(),
        starting_step=_seq,
        runtime_offset=_floats,
    ),
    st.builds(ConfigUpdate, seq=_seq, values=json_dicts, removed=_str_tuples),
    st.builds(
        HistoryRow,
        seq=_seq,
        step=_seq,
        timestamp=_floats,
        runtime=_floats,
        values=json_dicts,
        summary=st.none() | json_dicts,
    ),
    st.builds(SummaryUpdate, seq=_seq, values=json_dicts, removed=_str_tuples),
    st.builds(
        MetricDefinition,
        seq=_seq,
        name=_text,
        step_metric=_opt_text,
        step_sync=_opt_bool,
        hidden=_opt_bool,
        summary=_str_tuples,
        goal=_opt_text,
    ),
    st.builds(RunUpdate, seq=_seq, fields=json_dicts),
    st.builds(Heartbeat, seq=_seq, time=_floats, runtime=_floats),
    st.builds(
        Exit,
        seq=_seq,
        time=_floats,
        runtime=_floats,
        exit_code=st.integers(min_value=-(2**31), max_value=2**31),
        state=_text,
        dropped_records=_seq,
        dropped_steps=_seq,
    ),
)
record_lists = st.lists(records, min_size=0, max_size=8)
