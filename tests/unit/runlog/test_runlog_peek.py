"""``peek``: a record's type and seq from the first bytes of its payload, as decode has them."""

from __future__ import annotations

import dataclasses

import pytest
from runlog_samples import SAMPLES

from trackboard.errors import RunLogError
from trackboard.runlog.codec import decode, encode, peek

SEQS = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, 2**63 - 1]


@pytest.mark.parametrize("seq", SEQS)
def test_peek_agrees_with_decode_for_every_record_type_and_seq_width(seq: int) -> None:
    for sample in SAMPLES:
        payload = encode(dataclasses.replace(sample, seq=seq))
        record = decode(payload)
        assert peek(payload) == (type(record), record.seq)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x93",
        b"\x93\x00",
        b"\x81\x00\x00",
        b"\x93\x7f\x00",
        b"\x93\x00\xcd\x01",
        b"\x93\x00\xa1x",
    ],
)
def test_peek_refuses_payloads_that_do_not_start_as_a_record(payload: bytes) -> None:
    with pytest.raises(RunLogError, match="run log record"):
        peek(payload)
