"""The record codec: every record type round-trips exactly; bad payloads raise RunLogError."""

from __future__ import annotations

import math

import msgpack
import pytest
from hypothesis import given
from runlog_samples import SAMPLES, canon, records

from trackboard.errors import RunLogError
from trackboard.records import RECORD_TYPES, ConfigUpdate, HistoryRow, Record, RunStart
from trackboard.runlog.codec import decode, encode


def test_samples_cover_every_record_type() -> None:
    assert {type(r) for r in SAMPLES} == set(RECORD_TYPES)


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_codec_round_trips_every_record_type_with_nan_inf_and_nested_values(record: Record) -> None:
    assert canon(decode(encode(record))) == canon(record)


@given(records)
def test_codec_round_trips_any_record(record: Record) -> None:
    assert canon(decode(encode(record))) == canon(record)


def test_codec_keeps_tuple_fields_as_tuples_and_tuples_inside_values_as_lists() -> None:
    record = ConfigUpdate(seq=0, values={"shape": (3, 4)}, removed=("a",))
    decoded = decode(encode(record))
    assert isinstance(decoded, ConfigUpdate)
    assert decoded.removed == ("a",)
    assert decoded.values == {"shape": [3, 4]}


def test_codec_keeps_dict_key_order() -> None:
    values = {"z": 1, "a": 2, "m": {"y": 1, "b": 2}}
    decoded = decode(encode(HistoryRow(seq=0, step=0, timestamp=0.0, runtime=0.0, values=values)))
    assert isinstance(decoded, HistoryRow)
    assert list(decoded.values) == ["z", "a", "m"]
    assert list(decoded.values["m"]) == ["y", "b"]


def test_codec_tags_records_with_their_index_in_record_types() -> None:
    for record in SAMPLES:
        assert msgpack.unpackb(encode(record))[0] == RECORD_TYPES.index(type(record))


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
def test_encode_raises_type_error_for_int_beyond_64_bits(value: int) -> None:
    with pytest.raises(TypeError, match="HistoryRow"):
        encode(HistoryRow(seq=0, step=0, timestamp=0.0, runtime=0.0, values={"x": value}))


def test_encode_raises_type_error_for_unsupported_value() -> None:
    with pytest.raises(TypeError, match="cannot encode"):
        encode(HistoryRow(seq=0, step=0, timestamp=0.0, runtime=0.0, values={"x": object()}))


def test_encode_raises_type_error_for_object_that_is_not_a_record() -> None:
    with pytest.raises(TypeError, match="not a run log record"):
        encode({"seq": 0})  # type: ignore[arg-type]


def test_decode_raises_run_log_error_for_unknown_tag() -> None:
    with pytest.raises(RunLogError, match="unknown run log record tag 99"):
        decode(msgpack.packb([99, 0]))


@pytest.mark.parametrize(
    "payload",
    [b"", b"\xc1", msgpack.packb({"a": 1}), msgpack.packb([]), msgpack.packb(["x", 1])],
    ids=["empty", "invalid-msgpack", "map", "empty-array", "string-tag"],
)
def test_decode_raises_run_log_error_for_malformed_payload(payload: bytes) -> None:
    with pytest.raises(RunLogError):
        decode(payload)


def test_decode_raises_run_log_error_for_trailing_bytes() -> None:
    with pytest.raises(RunLogError):
        decode(encode(SAMPLES[0]) + b"\x00")


def test_decode_raises_run_log_error_for_too_many_fields() -> None:
    with pytest.raises(RunLogError, match="expected 3"):
        decode(msgpack.packb([RECORD_TYPES.index(ConfigUpdate), 0, {}, [], "extra"]))


def test_decode_raises_run_log_error_for_missing_required_fields() -> None:
    with pytest.raises(RunLogError):
        decode(msgpack.packb([RECORD_TYPES.index(RunStart), 0]))


def test_decode_fills_defaults_when_trailing_fields_are_missing() -> None:
    record = decode(msgpack.packb([RECORD_TYPES.index(ConfigUpdate), 7, {"a": math.inf}]))
    assert record == ConfigUpdate(seq=7, values={"a": math.inf}, removed=())
