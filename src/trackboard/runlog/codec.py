"""Record encoding: one record <-> one compact msgpack payload.

A record is encoded as a msgpack array ``[tag, field_0, field_1, ...]``: ``tag`` is the index of
the record's class in :data:`trackboard.records.RECORD_TYPES` and the fields follow in dataclass
field order. No field names are stored, so the format depends on that order; new fields may only
be appended to a record class, with a default (an older file then decodes with the default).

What round-trips exactly: ``None``, ``bool``, ``int`` from ``-2**63`` to ``2**64 - 1``, ``float``
(float64, including NaN, the infinities and ``-0.0``), ``str``, ``bytes``, lists, and dicts (key
order kept). Record fields annotated as tuples come back as tuples; a tuple *inside* a value (a
dict or list) comes back as a list, as JSON would have it.

What does not encode: ints outside that 64-bit range and objects of any other type (numpy
arrays, datetimes, ...). :func:`encode` raises :class:`TypeError` for them; the SDK converts values
before it builds a record.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

import msgpack

from trackboard import records as _records
from trackboard.errors import RunLogError
from trackboard.records import RECORD_TYPES, Record
from trackboard.runlog.frames import build_frame

__all__ = ["decode", "encode", "encode_frames", "peek"]


def _field_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A fast function returning the named attributes of an object as a tuple."""
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return getter


def _tuple_field_indexes(cls: type) -> tuple[int, ...]:
    """Positions of the fields of ``cls`` whose annotation is a tuple."""
    hints = typing.get_type_hints(cls, vars(_records))
    return tuple(
        index
        for index, f in enumerate(dataclasses.fields(cls))
        if typing.get_origin(hints[f.name]) is tuple
    )


# Precomputed per record class, so encoding is one dict lookup, one attrgetter call and one
# msgpack call (dataclasses.asdict would copy every nested value and is far slower).
_ENCODERS: dict[type, tuple[int, Callable[[Any], tuple[Any, ...]]]] = {}
_DECODERS: list[tuple[type[Record], int, tuple[int, ...]]] = []
for _tag, _cls in enumerate(RECORD_TYPES):
    _names = tuple(f.name for f in dataclasses.fields(_cls))
    _ENCODERS[_cls] = (_tag, _field_getter(_names))
    _DECODERS.append((_cls, len(_names), _tuple_field_indexes(_cls)))
del _tag, _cls, _names

_packb = msgpack.packb
_unpackb = msgpack.unpackb


def encode(record: Record) -> bytes:
    """Encode ``record`` as a msgpack payload; :func:`decode` gives an equal record back.

    Raises :class:`TypeError` when ``record`` is not one of the record types, or when a value in
    it cannot be encoded (an unsupported type, or an int outside the 64-bit range); the message
    names the record type and the reason. Safe to call from any thread.
    """
    try:
        tag, getter = _ENCODERS[type(record)]
    except KeyError:
        raise TypeError(f"not a run log record: {type(record).__name__}") from None
    try:
        data: bytes = _packb((tag, *getter(record)))
    except (TypeError, OverflowError, ValueError) as exc:
        raise TypeError(f"cannot encode {type(record).__name__} record: {exc}") from exc
    return data


def decode(data: bytes | bytearray | memoryview) -> Record:
    """Decode one payload made by :func:`encode`.

    Raises :class:`~trackboard.errors.RunLogError` when ``data`` is not a valid encoded record:
    malformed msgpack, trailing bytes, an unknown record tag (for example one written by a newer
    version), more fields than the record type has, or fields the record type does not accept.
    A payload with fewer fields than the type has gets the defaults of the missing ones.
    """
    try:
        obj = _unpackb(data, use_list=True, raw=False, strict_map_key=False)
    except Exception as exc:
        raise RunLogError(f"undecodable run log record: {exc}") from exc
    if type(obj) is not list or not obj:
        raise RunLogError(
            f"undecodable run log record: expected an array, got {type(obj).__name__}"
        )
    tag = obj[0]
    if type(tag) is not int or not 0 <= tag < len(_DECODERS):
        raise RunLogError(f"unknown run log record tag {tag!r}")
    cls, field_count, tuple_indexes = _DECODERS[tag]
    args = obj[1:]
    if len(args) > field_count:
        raise RunLogError(
            f"run log record {cls.__name__} has {len(args)} fields, expected {field_count}"
        )
    for index in tuple_indexes:
        if index < len(args) and type(args[index]) is list:
            args[index] = tuple(args[index])
    try:
        return cls(*args)
    except TypeError as exc:
        raise RunLogError(f"undecodable run log record {cls.__name__}: {exc}") from exc


def encode_frames(records: Iterable[Record]) -> bytes:
    """``records`` as back-to-back run log frames (no file header): the bytes a run log holds
    for them, and the body of an upload to the server. Raises :class:`TypeError` as
    :func:`encode` does."""
    return b"".join([build_frame(encode(record)) for record in records])


_UINT_SIZES = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}


def peek(data: bytes | bytearray | memoryview) -> tuple[type[Record], int]:
    """The record type and ``seq`` of a payload, read from its first bytes only.

    Ten times cheaper than :func:`decode` for a follower that needs nothing else (the uploader
    in the training process). Raises :class:`~trackboard.errors.RunLogError` when the payload
    does not start as an encoded record does; the rest of it is not checked.
    """
    try:
        first = data[0]
        if 0x90 <= first <= 0x9F:  # fixarray
            pos = 1
        elif first in (0xDC, 0xDD):  # array 16 and 32
            pos = 3 if first == 0xDC else 5
        else:
            raise RunLogError(f"undecodable run log record: starts with byte {first:#x}")
        tag = data[pos]
        if tag >= len(_DECODERS):  # tags are positive fixints
            raise RunLogError(f"unknown run log record tag {tag!r}")
        head = data[pos + 1]
        if head < 0x80:  # positive fixint
            seq = head
        elif head in _UINT_SIZES:
            size = _UINT_SIZES[head]
            raw = bytes(data[pos + 2 : pos + 2 + size])
            if len(raw) != size:
                raise IndexError
            seq = int.from_bytes(raw, "big")
        else:
            raise RunLogError(f"undecodable run log record: seq starts with byte {head:#x}")
    except IndexError:
        raise RunLogError("undecodable run log record: too short") from None
    return _DECODERS[tag][0], seq
