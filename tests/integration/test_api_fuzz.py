"""Schemathesis over the server's own OpenAPI document: no input makes it answer 5xx.

The app runs in process, keys required, over a SQLite and then a PostgreSQL store seeded
through the real SDK and ingest path: a project with runs, history, media (an image, an HTML
page, a table, a histogram), a saved file and a sweep with claims; every request carries a
valid key. Generated cases keep their random path and query values or, as often,
have them replaced by the seeded names (entity, project, run ids, keys, file paths), so that
the routes are exercised past their "not found" answers; JSON bodies are often shaped like
the real ones, and uploads carry run-log frames (some damaged) or file bytes, which the
document does not describe. Every operation gets a bounded number
of examples, valid and invalid (schemathesis' positive and negative modes), derandomized so
that a failure reproduces; deleting operations run last, so they do not empty the project
under the others.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from tests.conftest import drop_schema, pg_url, require_postgres, run_script

from trackboard.ingest.follow import RootFollower
from trackboard.records import Exit, HistoryRow, Record, RunStart
from trackboard.runlog.codec import encode_frames
from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.base import Store, SweepClaim, SweepRow
from trackboard.store.sqlite import SqliteStore

EXAMPLES = int(os.environ.get("TRACKBOARD_FUZZ_EXAMPLES", "75"))
"""Per operation and generation mode: about a minute for every operation on 2 cores, on
each of SQLite and PostgreSQL. Set ``TRACKBOARD_FUZZ_EXAMPLES`` higher for a deeper run."""

ENTITY = "local"
PROJECT = "fuzz"

SEED_RUNS = """
import numpy as np
import trackboard

for run_id in ("alpha", "beta"):
    run = trackboard.init(project={project!r}, id=run_id, name=run_id, tags=["t1"],
                          config={{"lr": 0.1, "layers": 2}})
    rng = np.random.default_rng(0)
    for step in range(12):
        trackboard.log({{"loss": 1.0 / (step + 1), "acc": step / 12, "text": "s" * step}})
    trackboard.log({{
        "img": trackboard.Image(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)),
        "page": trackboard.Html("<p>hi</p>"),
        "tbl": trackboard.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]]),
        "hist": trackboard.Histogram(rng.normal(size=100)),
    }})
    with open("notes.txt", "w") as f:
        f.write("saved")
    trackboard.save("notes.txt")
    trackboard.finish()
"""

SWEEP = """\
method: grid
metric: {name: acc, goal: maximize}
parameters:
  lr: {values: [0.1, 0.01]}
"""


def seed(root: Path, store: Store) -> dict[str, list[Any]]:
    """Runs and a sweep in ``store``; the values to put into generated cases, by name."""
    store.add_user(ENTITY)
    run_script(SEED_RUNS.format(project=PROJECT), root.parent)
    RootFollower(store, root).poll()
    store.create_sweep(ENTITY, PROJECT, "sw1", SWEEP)

    def choose(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]] | None:
        return (f"sw-run-{len(claims)}", {"lr": 0.1}) if len(claims) < 2 else None

    store.claim_sweep_run(ENTITY, PROJECT, "sw1", "agent", choose, stale_after_s=60)
    files = sorted(
        p.relative_to(root / ENTITY / PROJECT / "alpha" / "files").as_posix()
        for p in (root / ENTITY / PROJECT / "alpha" / "files").rglob("*")
        if p.is_file()
    )
    assert any(f.endswith(".png") for f in files), files
    return {
        "entity": [ENTITY],
        "project": [PROJECT],
        "run_id": ["alpha", "beta"],
        "runs": ["alpha", "alpha,beta"],
        "sweep_id": ["sw1"],
        "key": ["loss", "img", "page", "tbl", "hist", "text"],
        "keys": ["loss", "loss,acc"],
        "path": files,
        "name": ["default"],
        "session": ["s1"],
    }


Fuzzed = tuple[Any, dict[str, list[Any]], dict[str, str]]
"""The schema over the seeded app, the seeded values, and the headers every request sends."""


def open_store(kind: str, tmp_path: Path) -> tuple[Store, str | None]:
    """A SQLite store in ``tmp_path`` or a PostgreSQL store in a new schema (and its name)."""
    if kind == "sqlite":
        return SqliteStore(tmp_path / "fuzz.db"), None
    require_postgres()
    from trackboard.store.postgres import PostgresStore

    schema = f"tb_fuzz_{secrets.token_hex(6)}"
    return PostgresStore(pg_url(), schema=schema), schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_schema(request: pytest.FixtureRequest, root: Path, tmp_path: Path) -> Iterator[Fuzzed]:
    store, schema = open_store(request.param, tmp_path)
    try:
        pins = seed(root, store)
        key, _ = store.create_key(ENTITY, "fuzz")
        app = create_app(store, Settings(root=root), static_dir=tmp_path / "static", auth=True)
        headers = {"Authorization": f"Bearer {key}"}
        yield schemathesis.openapi.from_asgi("/openapi.json", app), pins, headers
    finally:
        store.close()
        if schema is not None:
            drop_schema(schema)


IDENTITY = ("entity", "project", "run_id", "sweep_id")
"""Pinned together: a real run of the real project, or the generated names."""

FINITE = st.floats(allow_nan=False, allow_infinity=False)
"""JSON bodies cannot hold NaN or infinities (the client refuses to send them)."""
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


BODIES: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    ("PATCH", "/projects/{entity}/{project}"): _optional(archived=st.booleans() | JSON),
    ("PATCH", "/runs/{run_id}"): _optional(
        name=st.text(max_size=20) | JSON,
        tags=st.lists(st.text(max_size=8), max_size=3) | JSON,
        notes=st.text(max_size=20),
        archived=st.booleans(),
    ),
    ("PUT", "/views/{name}"): _optional(
        settings=st.dictionaries(st.text(max_size=5), JSON) | JSON, default=st.booleans() | JSON
    ),
    ("PATCH", "/views/{name}"): _optional(name=st.text(max_size=10) | JSON, default=st.booleans()),
    ("POST", "/sweeps"): _optional(
        config=st.sampled_from([SWEEP, "method: random\nparameters: {x: {min: 0, max: 1}}", ""])
        | JSON,
        id=st.text(max_size=10),
        name=st.text(max_size=10),
    ),
    ("PATCH", "/sweeps/{sweep_id}"): _optional(
        state=st.sampled_from(["running", "paused", "finished", "cancelled", "x"])
    ),
    ("POST", "/claims"): _optional(
        agent_id=st.text(max_size=8) | JSON, stale_after_s=FINITE | JSON
    ),
    ("POST", "/heartbeats"): _optional(
        agent_id=st.text(max_size=8), runs=st.lists(st.sampled_from(["sw-run-0", "x"])) | JSON
    ),
    ("PATCH", "/claims/{run_id}"): _optional(
        agent_id=st.sampled_from(["agent", "other"]) | JSON,
        state=st.sampled_from(["running", "finished", "failed", "crashed", "stopped", "x"]),
        stop_reason=JSON,
    ),
}
"""Bodies shaped like the real ones (the OpenAPI document says only "any JSON"), so that
writes get past their first check; field values stay partly arbitrary."""


SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=8)
)
HISTORY = st.dictionaries(
    st.sampled_from(["loss", "acc", "img", "a.b", "_step", "", "x" * 300]),
    st.recursive(SCALARS, lambda inner: st.dictionaries(st.text(max_size=4), inner), max_leaves=4),
    max_size=3,
)


@st.composite
def frames(draw: st.DrawFn) -> bytes:
    """A records body: real run-log frames of session ``s1`` (a start, history rows at any
    steps, maybe an exit), sometimes cut short or with one byte flipped."""
    records: list[Record] = []
    if draw(st.booleans()):
        records.append(
            RunStart(seq=0, session="s1", run_id="r", entity="e", project="p", start_time=1.0)
        )
    for _ in range(draw(st.integers(0, 4))):
        step = draw(st.integers(-2, 2**40))
        values = draw(HISTORY)
        records.append(
            HistoryRow(seq=len(records), step=step, timestamp=1.0, runtime=0.0, values=values)
        )
    if draw(st.booleans()):
        records.append(Exit(seq=len(records), time=2.0, runtime=1.0, exit_code=0, state="finished"))
    body = encode_frames(records)
    damage = draw(st.sampled_from(["none", "none", "cut", "flip"]))
    if body and damage == "cut":
        body = body[: draw(st.integers(0, len(body) - 1))]
    elif body and damage == "flip":
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]
    return body


RAW_BODIES: dict[tuple[str, str], tuple[str, st.SearchStrategy[bytes]]] = {
    ("POST", "/records"): ("application/x-trackboard-frames", frames()),
    ("PUT", "/files/{path}"): ("application/octet-stream", st.binary(max_size=64)),
}
"""Operations whose bytes the OpenAPI document does not describe: what they take."""


def raw_body(operation: APIOperation) -> tuple[str, st.SearchStrategy[bytes]] | None:
    for (method, suffix), found in RAW_BODIES.items():
        if operation.method.upper() == method and operation.path.endswith(suffix):
            return found
    return None


def body_strategy(operation: APIOperation) -> st.SearchStrategy[Any] | None:
    for (method, suffix), strategy in BODIES.items():
        if operation.method.upper() == method and operation.path.endswith(suffix):
            return strategy
    return None


def pinned(case: Case, pin: bool, choices: Mapping[str, Any], body: Any) -> Case:
    """``case`` with seeded names (``pin``: the identity too) and, when given, ``body``."""
    for name, value in choices.items():
        if name in IDENTITY and not pin:
            continue
        if case.path_parameters is not None and name in case.path_parameters:
            case.path_parameters[name] = value
        elif case.query is not None and name in case.query:
            case.query[name] = value
    if body is not None:
        case.body = body
    return case


def cases(operation: APIOperation, pins: Mapping[str, list[Any]]) -> st.SearchStrategy[Case]:
    """Generated cases of ``operation``: half of them name the seeded runs, and each other
    known parameter keeps its generated value or takes a seeded one."""
    choices = st.fixed_dictionaries(
        {name: st.sampled_from(values) for name, values in pins.items() if name in IDENTITY},
        optional={
            name: st.sampled_from(values) for name, values in pins.items() if name not in IDENTITY
        },
    )
    shaped = body_strategy(operation)
    bodies = st.none() if shaped is None else st.none() | shaped
    modes = [
        operation.as_strategy(generation_mode=mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    return st.builds(pinned, st.one_of(modes), st.booleans(), choices, bodies)


def fuzz(operation: APIOperation, pins: Mapping[str, list[Any]], headers: dict[str, str]) -> None:
    raw = raw_body(operation)
    content = st.none() if raw is None else st.none() | raw[1]

    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, pins), content=content)
    def check(case: Case, content: bytes | None) -> None:
        sent = dict(headers)
        extra: dict[str, Any] = {}
        if raw is not None and content is not None:
            sent["Content-Type"] = raw[0]
            extra["data"] = content
        response = case.call(headers=sent, **extra)
        case.validate_response(response, checks=[not_a_server_error])

    check()


def describe(exc: BaseException) -> str:
    """``exc`` and, for Hypothesis' groups of distinct failures, each one of them."""
    parts = [str(exc)]
    for sub in getattr(exc, "exceptions", ()):
        parts.append(describe(sub))
    return "\n".join(parts)


@pytest.mark.slow
def test_no_operation_answers_a_server_error(fuzz_schema: Fuzzed) -> None:
    schema, pins, headers = fuzz_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))
    assert len(operations) >= 25, [op.label for op in operations]
    failures = []
    for operation in operations:
        try:
            fuzz(operation, pins, headers)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {describe(exc)}")
    assert not failures, "\n\n".join(failures)
