"""Uploads from training machines: run-log frames, session cursors and run files.

The contract is docs/design/0004-team-server.md and docs/http-api.md ("Upload (online runs
and sync)"). A records body is the run log's own frames of one writer session, checked whole
before anything is applied: one bad CRC or torn frame refuses the batch, so a damaged upload
never half-lands. The store's cursor is the only acknowledgement: it is written in the same
transaction as the data, and the answer is sent only after that transaction committed, so a
client that saw no answer resends and the replay is skipped.

Bodies are read as they arrive and refused once over the limit, whatever ``Content-Length``
claimed; at most ``max_ingest_inflight`` uploads are served at once and the rest are told to
come back (``429``), so a crowd of clients cannot hold the server's memory or connections.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from trackboard.errors import InvalidInputError, RunLogError
from trackboard.ingest.apply import apply_records
from trackboard.ingest.changes import RunIdentity
from trackboard.records import Record, RunStart
from trackboard.runlog.codec import decode
from trackboard.runlog.frames import Corruption, Frame, scan_buffer
from trackboard.server.context import StoreDep
from trackboard.server.errors import error_response
from trackboard.server.limits import InflightGate, ServerLimits
from trackboard.server.media_store import MediaStore, check_file_path
from trackboard.server.responses import SafeJSONResponse
from trackboard.server.write_guard import check_write
from trackboard.store.base import Store

router = APIRouter(tags=["ingest"])

FRAMES_MEDIA_TYPE = "application/x-trackboard-frames"
RUN = "/projects/{entity}/{project}/runs/{run_id}"
WRITE_CHUNK = 1024 * 1024
"""Bytes of a file body gathered before one write to the media store."""


def _limits(request: Request) -> ServerLimits:
    limits: ServerLimits = request.app.state.limits
    return limits


def _busy(request: Request) -> Response:
    limits = _limits(request)
    response = error_response(
        429,
        "TooManyRequests",
        f"the server is already taking {limits.max_ingest_inflight} uploads; "
        f"retry after {limits.retry_after_s} s",
    )
    response.headers["Retry-After"] = str(limits.retry_after_s)
    return response


def _too_large(what: str, limit: int) -> HTTPException:
    return HTTPException(413, f"{what} is larger than this server's limit of {limit} bytes")


def _check_length(request: Request, what: str, limit: int) -> None:
    """413 at once when the declared length is over ``limit`` (the stream is checked too)."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        length = int(declared)
    except ValueError:
        raise InvalidInputError(f"bad Content-Length {declared!r}") from None
    if length > limit:
        raise _too_large(what, limit)


async def _chunks(request: Request, what: str, limit: int) -> AsyncIterator[bytes]:
    """The body as it arrives; 413 once more than ``limit`` bytes came, whatever was declared."""
    _check_length(request, what, limit)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(what, limit)
        if chunk:
            yield chunk


async def _read_body(request: Request, what: str, limit: int) -> bytes:
    return b"".join([chunk async for chunk in _chunks(request, what, limit)])


def _check_content_type(request: Request) -> None:
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given != FRAMES_MEDIA_TYPE:
        raise HTTPException(
            415, f"a records body must be sent as {FRAMES_MEDIA_TYPE}, not {given or 'untyped'}"
        )


def decode_frames(body: bytes) -> list[Record]:
    """The records of a body of run-log frames; InvalidInputError naming the byte offset of the
    first bad, torn or undecodable frame (then nothing of the body is used)."""
    events, end, tail = scan_buffer(body)
    records: list[Record] = []
    expected = 0
    for event in events:
        if isinstance(event, Corruption) or event.offset != expected:
            offset = event.offset if isinstance(event, Corruption) else expected
            raise InvalidInputError(f"bad run log frame at byte {offset} of the body")
        assert isinstance(event, Frame)
        try:
            records.append(decode(event.payload))
        except RunLogError as exc:
            raise InvalidInputError(f"frame at byte {event.offset} of the body: {exc}") from None
        expected = event.end
    if tail:
        raise InvalidInputError(
            f"torn run log frame at byte {end} of the body ({tail} bytes that form no frame)"
        )
    return records


def check_session(records: list[Record], identity: RunIdentity) -> list[Record]:
    """``records`` checked to be one session in ``seq`` order, their ``RunStart`` moved under
    the URL's entity, project and run id."""
    out: list[Record] = []
    last = -1
    for record in records:
        if record.seq <= last:
            raise InvalidInputError(
                f"records must be in increasing seq order: seq {record.seq} follows {last}"
            )
        last = record.seq
        if isinstance(record, RunStart):
            if record.session != identity.session:
                raise InvalidInputError(
                    f"the body holds session {record.session!r}, not {identity.session!r} "
                    "of the URL: upload each session under its own name"
                )
            record = dataclasses.replace(
                record, entity=identity.entity, project=identity.project, run_id=identity.run_id
            )
        out.append(record)
    return out


class _Gap(Exception):
    def __init__(self, first_seq: int, cursor: int) -> None:
        super().__init__(
            f"the batch starts at seq {first_seq} but the server has up to seq {cursor}; "
            f"send from seq {cursor + 1}"
        )
        self.cursor = cursor


def _ingest(store: Store, identity: RunIdentity, body: bytes) -> dict[str, Any]:
    """Check, decode and apply one body (in a worker thread); the answer once committed."""
    records = check_session(decode_frames(body), identity)
    ident = (identity.entity, identity.project, identity.run_id, identity.session)
    cursor = store.cursor(*ident)
    if not records or records[-1].seq <= cursor:
        return {
            "session": identity.session,
            "cursor": cursor,
            "applied": 0,
            "skipped": len(records),
        }
    # Only a batch that starts beyond the cursor is a gap to rewind over. One that starts at
    # or below it and then skips seqs carries a hole of the client's own run log (frames lost
    # to corruption there): applying it is the only way past, and apply counts the hole lost.
    if records[0].seq > cursor + 1:
        raise _Gap(records[0].seq, cursor)
    result = apply_records(store, records, identity)
    return {
        "session": identity.session,
        "cursor": store.cursor(*ident),
        "applied": result.applied,
        "skipped": result.skipped,
    }


def _check_name(what: str, value: str) -> None:
    if not value or "\x00" in value or "/" in value:
        raise InvalidInputError(f"bad {what} {value!r}")


async def _gated(request: Request, work: Callable[[], Awaitable[Response]]) -> Response:
    """Run ``work`` as one of the limited in-flight uploads, or 429."""
    gate: InflightGate = request.app.state.ingest_gate
    if not gate.enter():
        return _busy(request)
    try:
        response = await work()
    finally:
        gate.leave()
    return response


@router.post(f"{RUN}/records", dependencies=[Depends(check_write)])
async def post_records(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str, session: str
) -> Response:
    """Apply a batch of one session's run-log frames; the session's cursor once committed."""
    for what, value in (("entity", entity), ("project", project), ("run id", run_id)):
        _check_name(what, value)
    _check_name("session", session)
    identity = RunIdentity(entity, project, run_id, session)

    async def work() -> Response:
        _check_content_type(request)
        limit = _limits(request).max_records_bytes
        body = await _read_body(request, "the records body", limit)
        try:
            answer = await run_in_threadpool(_ingest, store, identity, body)
        except _Gap as gap:
            return SafeJSONResponse(
                {"error": {"type": "ConflictError", "message": str(gap)}, "cursor": gap.cursor},
                status_code=409,
            )
        return SafeJSONResponse(answer)

    return await _gated(request, work)


@router.get(f"{RUN}/sessions", response_class=SafeJSONResponse)
def get_sessions(store: StoreDep, entity: str, project: str, run_id: str) -> SafeJSONResponse:
    """Each writer session of the run with the highest seq stored; ``{}`` for an unknown run."""
    return SafeJSONResponse({"sessions": store.sessions(entity, project, run_id)})


def _media(request: Request) -> MediaStore:
    media: MediaStore | None = request.app.state.media
    if media is None:
        raise InvalidInputError("this server has no media store for run files (--media PATH)")
    return media


@router.put(f"{RUN}/files/{{path:path}}", dependencies=[Depends(check_write)])
async def put_file(request: Request, entity: str, project: str, run_id: str, path: str) -> Response:
    """Store the body as the run file ``path``, whole or not at all; repeating it is harmless."""
    check_file_path(path)
    media = _media(request)

    async def work() -> Response:
        limit = _limits(request).max_file_bytes
        size = 0
        # Opening and committing touch the disk or the network: off the event loop, both.
        writer = media.writer(entity, project, run_id, path)
        out = await run_in_threadpool(writer.__enter__)
        try:
            pending: list[bytes] = []
            async for chunk in _chunks(request, f"the file {path!r}", limit):
                pending.append(chunk)
                size += len(chunk)
                if sum(map(len, pending)) >= WRITE_CHUNK:
                    await run_in_threadpool(out.write, b"".join(pending))
                    pending = []
            if pending:
                await run_in_threadpool(out.write, b"".join(pending))
        except BaseException as exc:
            await run_in_threadpool(writer.__exit__, type(exc), exc, exc.__traceback__)
            raise
        await run_in_threadpool(writer.__exit__, None, None, None)
        return SafeJSONResponse({"path": path, "size": size})

    return await _gated(request, work)
