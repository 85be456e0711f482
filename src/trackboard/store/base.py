"""The store: where ingested runs live. This docstring is the specification.

Two implementations pass one test suite: ``SqliteStore`` (embedded, the default) and
``PostgresStore`` (the team server). Callers use only the :class:`Store` protocol.

Identity
    A project is ``(entity, name)``. A run is ``(entity, project, run_id)``; the store also gives
    every run an integer ``pk`` (:attr:`RunRow.pk`) that the series queries take, so a chart of
    1,000 runs does not resolve 1,000 paths.

Writes: :meth:`Store.append`
    Everything ingest learns from a batch of records goes in one call, in one transaction,
    together with the batch's cursor. The cursor is the highest ``seq`` applied for
    ``(run, session)``; a batch whose ``first_seq`` is not ``cursor + 1`` is refused with
    :class:`~trackboard.errors.ConflictError` (replays and concurrent ingesters are detected, never
    applied twice). :meth:`Store.cursor` tells ingest where to resume.

Scalar series
    A history value that is a finite or non-finite float, an int or a bool is a *scalar* and is
    stored in the series of its ``(run, key)``: float64 values, float64 wall times, int64 steps.
    Steps are >= 0 and strictly increase within a series; a batch whose steps for a key do not
    strictly increase is refused. A point whose step is at or below the series' last stored
    step is a *rewind* (a run restarted with the same id): the stored points from that step on
    are deleted first, then the new points appended. NaN and +-inf are stored as they are and
    read back as they are.

    Storage is chunked: up to 4,096 consecutive points of one series per sealed chunk, small
    tail chunks between seals, and a level-of-detail pyramid of block aggregates (min, max, sum,
    count, last, and NaN / +inf / -inf counts) over 64-, 512- and 4,096-step blocks aligned to
    multiples of the block size. Aggregates (min, max, sum, mean) are over finite values only.

Other history values
    Strings, None, lists, dicts (media references, histograms, tables) are kept per
    ``(run, step, key)`` as JSON and returned by :meth:`Store.history_values`. The rewind rule
    holds for them too: a batch's first step of a key, when at or below that key's last stored
    step, replaces the key's values from that step on.

Bucketed reads: :meth:`Store.series_buckets`
    One key over many runs, reduced for a chart. The bucket width ``W`` is a power of two
    (>= 1) chosen by the caller; bucket ``b`` covers steps ``[b*W, (b+1)*W)``. For each run and
    each non-empty bucket it returns the bucket's first step, last step, min, max, sum and count
    over finite values, the last value (which may be NaN or inf), and the NaN, +inf and -inf
    counts. Buckets are exact: the same as aggregating the raw points. The reduction reads the
    largest pyramid level whose block divides ``W``, and raw chunks only where no level does
    (``W < 64``) or for the unsealed tail. Every run's last point is in its last bucket, so the
    last point is never lost. Buckets come back in step order; runs without the key are absent.

Runs
    ``RunRow.config`` is the plain ``{key: value}`` config, ``summary`` the nested summary.
    :meth:`Store.runs` returns a project's runs ordered by creation time (oldest first);
    filtering and sorting by config and summary happen in ``trackboard.query``.
    ``RunRow.updated_at`` is set on every ``append`` and ``update_run``, to the time taken
    once the write transaction holds its lock, so writes to one SQLite file get increasing
    times in commit order.

Archiving
    A run or a project is archived with ``update_run(pk, archived=True)`` or
    :meth:`Store.update_project`. Archiving hides nothing in the store: :meth:`Store.runs` and
    :meth:`Store.projects` still return archived rows, with ``archived`` set, and the dashboard
    decides what to show. Archiving a run sets its ``updated_at`` like any edit.
    :meth:`Store.delete_project` removes the project, every run in it (as ``delete_run`` does)
    and its saved views.

Saved views
    A workspace view is ``(entity, project, name)`` with a JSON object of settings that the
    store keeps as it is given (it never looks inside), a ``created_at`` and an ``updated_at``.
    A view may exist before its project has a run. Names are 1 to :data:`MAX_VIEW_NAME_LENGTH`
    characters without control characters; the settings' JSON text is at most
    :data:`MAX_VIEW_BYTES` bytes (UTF-8). At most one view per project is the default
    (``is_default``), the one a browser without settings of its own opens with; making a view
    the default unmarks the previous one. Views are listed by name. A missing view raises
    :class:`~trackboard.errors.NotFoundError`; renaming onto an existing name raises
    :class:`~trackboard.errors.ConflictError`.

Sweeps
    A sweep is ``(entity, project, sweep_id)`` with its configuration text (kept as given,
    never parsed by the store) and a state from :data:`SWEEP_STATES`. Agents take runs by
    *claims*: :meth:`Store.claim_sweep_run` locks the sweep row (PostgreSQL ``FOR UPDATE``,
    SQLite ``BEGIN IMMEDIATE``), first marks every ``pending`` or ``running`` claim whose
    heartbeat is older than ``stale_after_s`` as ``crashed``, then, when the sweep is
    ``running``, calls the caller's pure ``choose(sweep, claims)`` with all its claims and
    inserts what it returns, so agents in several processes never receive the same choice.
    A claim's state is one of :data:`CLAIM_STATES`; :meth:`Store.update_sweep_claim` moves it
    and refreshes its heartbeat, only for the agent that holds it and only while the claim is
    not ``crashed`` (an agent declared dead stays dead). Unknown sweeps raise
    :class:`~trackboard.errors.NotFoundError`; creating an existing one raises
    :class:`~trackboard.errors.ConflictError`.

Access
    Users and teams are entities: one namespace, so a name is never both. A team has member
    users; a user's entities are its own name and its teams' names (:meth:`Store.entities_of`).
    An API key (:meth:`Store.create_key`) is ``tb_<id>_<secret>``: the 8-character id is shown
    to people, only the SHA-256 of the secret is kept, and :meth:`Store.verify_key` compares
    hashes in constant time and refreshes ``last_used_at`` at most once a minute. A dashboard
    session is kept as the SHA-256 of its cookie token with its CSRF token and expiry. A
    project's visibility is one of :data:`VISIBILITIES` (``private`` until changed).

Console output
    Lines a run printed (:class:`ConsoleLine`) are numbered from 1 per run in the order they were
    appended (``RunChanges.console``, in the batch's transaction) and deleted with the run.
    :meth:`Store.console_lines` pages over them by number; with ``query`` only lines whose
    text, ANSI escape sequences removed, contains it (case-insensitively for ASCII letters)
    count, and ``total`` is the number of those.

Errors and limits
    Unknown runs raise :class:`~trackboard.errors.NotFoundError`; malformed input raises
    :class:`~trackboard.errors.InvalidInputError`; a key longer than :data:`MAX_KEY_LENGTH`
    characters or a run with more than :data:`MAX_KEYS_PER_RUN` keys is refused with
    :class:`~trackboard.errors.InvalidInputError` naming the key.

Concurrency
    A store object may be used from several threads. SQLite: one writer connection per process
    behind a lock, WAL, ``BEGIN IMMEDIATE``, a busy timeout of at least 60 s, so several
    processes may write one file. PostgreSQL: one connection per thread from a small pool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from trackboard.records import JSONValue

MAX_KEY_LENGTH = 256
MAX_KEYS_PER_RUN = 10_000
CHUNK_POINTS = 4096
MAX_VIEW_BYTES = 256 * 1024
"""The largest saved view settings, as UTF-8 JSON text."""
MAX_VIEW_NAME_LENGTH = 128
MAX_CONSOLE_PAGE = 10_000
"""The most console lines one :meth:`Store.console_lines` call returns."""
LOD_BLOCKS = (64, 512, 4096)
SWEEP_STATES = ("running", "paused", "finished", "cancelled")
"""A sweep's states: agents take runs only while it is ``running``."""
CLAIM_STATES = ("pending", "running", "finished", "failed", "crashed", "stopped")
"""A claim's states; ``crashed`` is a claim whose agent stopped sending heartbeats,
``stopped`` one whose run the sweep's early termination (hyperband) ended."""
VISIBILITIES = ("private", "shared")
"""``private``: the project's entity (a user, or a team's members) only; ``shared``: readable by
every signed-in user, still writable by the entity only."""


@dataclass(frozen=True, slots=True)
class ProjectRow:
    entity: str
    name: str
    run_count: int
    created_at: float
    updated_at: float
    archived: bool = False
    visibility: str = "private"


@dataclass(frozen=True, slots=True)
class UserRow:
    name: str
    admin: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    """An API key as people may see it: its id, never its secret."""

    key_id: str
    user: str
    description: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A signed-in dashboard session; its cookie token is known only to the browser."""

    user: str
    csrf_token: str
    created_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class ViewRow:
    """A saved workspace view; ``settings`` is the JSON object it was saved with."""

    entity: str
    project: str
    name: str
    settings: dict[str, JSONValue]
    is_default: bool
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class SweepRow:
    """A sweep; ``config`` is the configuration text it was created with (YAML or JSON)."""

    entity: str
    project: str
    sweep_id: str
    config: str
    state: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class SweepClaim:
    """One run a sweep handed to an agent: its id, its parameters and how it went."""

    sweep_id: str
    run_id: str
    params: dict[str, JSONValue]
    state: str
    agent_id: str
    created_at: float
    heartbeat_at: float


SweepChoice = Callable[[SweepRow, list[SweepClaim]], "tuple[str, Mapping[str, Any]] | None"]
"""``choose(sweep, claims)`` -> ``(run_id, params)`` of the next run, or None for no more."""


@dataclass(frozen=True, slots=True)
class RunRow:
    pk: int
    entity: str
    project: str
    run_id: str
    name: str | None
    state: str
    created_at: float
    heartbeat_at: float | None
    finished_at: float | None
    runtime: float
    exit_code: int | None
    group: str | None
    job_type: str | None
    tags: tuple[str, ...]
    notes: str | None
    host: str | None
    pid: int | None
    program: str | None
    args: tuple[str, ...]
    sweep_id: str | None
    last_step: int | None
    config: dict[str, JSONValue]
    summary: dict[str, JSONValue]
    metrics: dict[str, dict[str, JSONValue]]
    """define_metric declarations by name (or glob): step_metric, hidden, summary, goal."""
    updated_at: float = 0.0
    """When the run last changed (any append or edit); the dashboard's change cursor."""
    archived: bool = False


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A history key of a run: ``kind`` is "scalar" or "other" (media, strings, lists...).

    ``count`` is the number of points or values. A key that holds both scalars and other values
    is one entry, of kind "scalar", with the count and step range of both."""

    name: str
    kind: str
    count: int
    first_step: int
    last_step: int


@dataclass(slots=True)
class SeriesColumns:
    """Points of one series, in step order."""

    steps: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    walls: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.steps.shape[0])


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """Aggregates of a whole series; min/max/sum over finite values only.

    ``count`` counts every point, ``finite_count`` the finite ones; min and max are None when
    there is none."""

    count: int
    first_step: int
    last_step: int
    last_value: float
    last_wall: float
    min: float | None
    max: float | None
    sum: float
    finite_count: int
    nan_count: int


@dataclass(slots=True)
class Buckets:
    """One run's reduced series for a chart; every array has one entry per non-empty bucket."""

    first_step: npt.NDArray[np.int64]
    last_step: npt.NDArray[np.int64]
    min: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]
    sum: npt.NDArray[np.float64]
    count: npt.NDArray[np.int64]
    last: npt.NDArray[np.float64]
    nan_count: npt.NDArray[np.int64]
    posinf_count: npt.NDArray[np.int64]
    neginf_count: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """One printed line: its number in the run (from 1), time, stream and text (ANSI kept)."""

    n: int
    time: float
    stream: str
    text: str


@dataclass(slots=True)
class RunChanges:
    """What one ingested batch of records changes in one run: the argument of ``append``.

    ``start`` fields (entity/project/run_id always) create the run when it does not exist and
    update its metadata otherwise. ``state`` and the time fields update when not None.
    On an existing run, ``start`` values that are None, and empty tags or args, leave the stored
    ones alone (a resumed session that names no tags keeps the run's tags).
    """

    entity: str
    project: str
    run_id: str
    session: str
    first_seq: int
    last_seq: int
    start: Mapping[str, Any] | None = None
    """RunStart fields (name, group, job_type, tags, notes, host, pid, program, args,
    sweep_id, start_time) when the batch holds a RunStart."""
    meta: dict[str, JSONValue] = field(default_factory=dict)
    """name, tags, notes, group, job_type changed after start."""
    config_set: dict[str, JSONValue] = field(default_factory=dict)
    config_removed: tuple[str, ...] = ()
    summary_set: dict[str, JSONValue] = field(default_factory=dict)
    summary_removed: tuple[str, ...] = ()
    metrics: dict[str, dict[str, JSONValue]] = field(default_factory=dict)
    series: dict[str, SeriesColumns] = field(default_factory=dict)
    other_values: list[tuple[int, str, JSONValue]] = field(default_factory=list)
    """(step, key, value) for history values that are not scalars."""
    console: list[tuple[float, str, str]] = field(default_factory=list)
    """(time, stream, text) of console lines, in the order printed."""
    state: str | None = None
    heartbeat_at: float | None = None
    runtime: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None


class Store(Protocol):
    """The storage interface; see the module docstring for the rules every method follows."""

    # -- writes -------------------------------------------------------------------------
    def append(self, changes: RunChanges) -> RunRow:
        """Apply one batch atomically with its cursor; return the run as it now stands."""
        ...

    def cursor(self, entity: str, project: str, run_id: str, session: str) -> int:
        """Highest seq applied for the session, or -1 when none was."""
        ...

    def sessions(self, entity: str, project: str, run_id: str) -> dict[str, int]:
        """Every session of the run with its cursor; empty for a run the store does not have."""
        ...

    def update_run(self, pk: int, **fields: Any) -> RunRow:
        """Set name, tags, notes, group, job_type, state, config, summary or archived of a run.

        ``config`` and ``summary`` replace the stored dicts whole; ``archived`` is a bool;
        other fields are refused."""
        ...

    def delete_run(self, pk: int) -> None:
        """Remove a run and everything stored for it."""
        ...

    def update_project(self, entity: str, name: str, *, archived: bool) -> ProjectRow:
        """Archive or unarchive a project; NotFoundError when it does not exist."""
        ...

    def delete_project(self, entity: str, name: str) -> None:
        """Remove a project, all its runs with everything stored for them, and its views.

        NotFoundError when there is neither such a project nor a view of it."""
        ...

    # -- saved views --------------------------------------------------------------------
    def views(self, entity: str, project: str) -> list[ViewRow]:
        """A project's saved views, ordered by name; empty when there is none."""
        ...

    def view(self, entity: str, project: str, name: str) -> ViewRow:
        """One saved view; NotFoundError when absent."""
        ...

    def save_view(
        self,
        entity: str,
        project: str,
        name: str,
        settings: Mapping[str, JSONValue],
        *,
        is_default: bool | None = None,
    ) -> ViewRow:
        """Create the view or replace its settings; ``is_default`` None keeps the mark as is."""
        ...

    def update_view(
        self,
        entity: str,
        project: str,
        name: str,
        *,
        new_name: str | None = None,
        is_default: bool | None = None,
    ) -> ViewRow:
        """Rename a view and/or (un)mark it as the project's default."""
        ...

    def delete_view(self, entity: str, project: str, name: str) -> None:
        """Remove a saved view; NotFoundError when absent."""
        ...

    # -- sweeps -------------------------------------------------------------------------
    def create_sweep(self, entity: str, project: str, sweep_id: str, config: str) -> SweepRow:
        """Record a new ``running`` sweep; ConflictError when the id is taken in the project."""
        ...

    def sweep(self, entity: str, project: str, sweep_id: str) -> SweepRow:
        """One sweep; NotFoundError when absent."""
        ...

    def sweeps(self, entity: str, project: str) -> list[SweepRow]:
        """A project's sweeps, oldest first."""
        ...

    def set_sweep_state(self, entity: str, project: str, sweep_id: str, state: str) -> SweepRow:
        """Move a sweep to one of :data:`SWEEP_STATES`; NotFoundError when absent."""
        ...

    def sweep_claims(self, entity: str, project: str, sweep_id: str) -> list[SweepClaim]:
        """Every claim of a sweep, oldest first; NotFoundError when the sweep is absent."""
        ...

    def claim_sweep_run(
        self,
        entity: str,
        project: str,
        sweep_id: str,
        agent_id: str,
        choose: SweepChoice,
        *,
        stale_after_s: float,
    ) -> SweepClaim | None:
        """Take the sweep's next run for ``agent_id`` atomically (see the module docstring).

        Returns the new ``pending`` claim, or None when the sweep is not ``running`` or
        ``choose`` returned None. A run id ``choose`` returns twice is a ConflictError.
        """
        ...

    def update_sweep_claim(
        self,
        entity: str,
        project: str,
        sweep_id: str,
        run_id: str,
        agent_id: str,
        *,
        state: str | None = None,
    ) -> SweepClaim:
        """Refresh the claim's heartbeat and, with ``state``, move it (see the docstring).

        NotFoundError when there is no such claim; ConflictError when another agent holds
        it or it was marked ``crashed``."""
        ...

    # -- access -------------------------------------------------------------------------
    def add_user(self, name: str, *, admin: bool = False) -> UserRow:
        """A new user; ConflictError when the name is already a user's or a team's."""
        ...

    def users(self) -> list[UserRow]:
        """Every user, by name."""
        ...

    def user(self, name: str) -> UserRow:
        """One user; NotFoundError when there is none of that name."""
        ...

    def add_team(self, name: str) -> None:
        """A new team; ConflictError when the name is already a user's or a team's."""
        ...

    def add_member(self, team: str, user: str) -> None:
        """Make ``user`` a member of ``team`` (again: nothing changes)."""
        ...

    def entities_of(self, user: str) -> list[str]:
        """The user's own name, then its teams' names in order; NotFoundError for no user."""
        ...

    def create_key(self, user: str, description: str = "") -> tuple[str, ApiKeyRow]:
        """A new API key of ``user``: its full text (shown once, never stored) and its row."""
        ...

    def api_keys(self, user: str) -> list[ApiKeyRow]:
        """The user's keys, revoked ones included, oldest first."""
        ...

    def verify_key(self, key_text: str) -> UserRow | None:
        """The user of a valid, unrevoked key, or None (for any malformed text too)."""
        ...

    def revoke_key(self, key_id: str) -> ApiKeyRow:
        """Revoke a key by its id (again: it stays revoked as first); NotFoundError."""
        ...

    def create_session(self, user: str, *, ttl_s: float) -> tuple[str, SessionRow]:
        """A new session of ``user`` lasting ``ttl_s``: its cookie token and its row."""
        ...

    def verify_session(self, token: str) -> SessionRow | None:
        """The session of an unexpired token, or None."""
        ...

    def delete_session(self, token: str) -> None:
        """End a session (an unknown token too: nothing to do)."""
        ...

    def set_project_visibility(self, entity: str, name: str, visibility: str) -> ProjectRow:
        """Make a project ``private`` or ``shared``; NotFoundError when it does not exist."""
        ...

    # -- reads --------------------------------------------------------------------------
    def projects(self, entity: str | None = None) -> list[ProjectRow]:
        """Projects, of one entity or all, ordered by entity then name."""
        ...

    def runs(self, entity: str, project: str) -> list[RunRow]:
        """A project's runs, oldest first; empty when the project does not exist."""
        ...

    def run(self, entity: str, project: str, run_id: str) -> RunRow:
        """One run; NotFoundError when absent."""
        ...

    def run_by_pk(self, pk: int) -> RunRow: ...

    def keys(self, pk: int) -> list[KeyInfo]:
        """The run's history keys with their kind, one entry per name, ordered by name."""
        ...

    def series(
        self, pk: int, key: str, min_step: int | None = None, max_step: int | None = None
    ) -> SeriesColumns:
        """Raw points of one series with ``min_step <= step <= max_step``; empty if none."""
        ...

    def series_summaries(self, key: str, pks: Sequence[int]) -> dict[int, SeriesSummary]:
        """Whole-series aggregates of one key for the given runs (runs without it absent)."""
        ...

    def series_buckets(
        self,
        key: str,
        pks: Sequence[int],
        width: int,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> dict[int, Buckets]:
        """One key reduced to buckets of ``width`` steps (a power of two) for many runs.

        With a step range, only buckets overlapping ``[min_step, max_step]`` are returned
        (whole buckets, so an edge bucket may hold points just outside the range).
        """
        ...

    def history_values(
        self,
        pk: int,
        keys: Sequence[str] | None = None,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> list[tuple[int, str, JSONValue]]:
        """Non-scalar history values as (step, key, value), ordered by step then key."""
        ...

    def console_lines(
        self, pk: int, *, offset: int = 0, limit: int = 1000, query: str | None = None
    ) -> tuple[list[ConsoleLine], int]:
        """Up to ``limit`` (1 to :data:`MAX_CONSOLE_PAGE`) console lines from the ``offset``-th
        on, by number, and how many there are; with ``query``, of the lines that match it."""
        ...

    def close(self) -> None: ...
