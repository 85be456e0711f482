"""``trackboard.Api``: reads shaped like ``wandb.Api()``.

On a local root (found by the same rule as ``init``: ``TRACKBOARD_DIR``, ``WANDB_DIR``,
``./trackboard``) the API opens the embedded store in ``<root>/trackboard.db`` and first catches
up on the run logs, so a run is readable as soon as its writer has flushed (at most a second
after ``log``). ``Api(store=...)`` reads any store, PostgreSQL included.

    api = trackboard.Api()
    for run in api.runs("my-project", filters={"config.lr": {"$gt": 0.01}}, order="-created_at"):
        print(run.name, run.config["lr"], run.summary["val_acc"])
        df = run.history(keys=["train_loss"])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from trackboard import settings as settings_module
from trackboard.errors import InvalidInputError, NotFoundError, UsageError
from trackboard.ingest.follow import PollReport, RootFollower, delete_run, run_folder
from trackboard.query import history as history_query
from trackboard.query.runs import select_runs
from trackboard.store import open_store
from trackboard.store.base import ProjectRow, RunRow, Store, SweepRow

LOCAL_STORE_NAME = "trackboard.db"


def local_store(root: Path) -> Store:
    """The embedded store of a local root (created on first use)."""
    root.mkdir(parents=True, exist_ok=True)
    return open_store(str(root / LOCAL_STORE_NAME))


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Api:
    """Read runs and projects; see the module docstring."""

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        *,
        store: Store | None = None,
        root: str | Path | None = None,
    ) -> None:
        over = dict(overrides or {})
        self.settings = settings_module.resolve(overrides=over)
        self.root: Path | None = None
        self._follower: RootFollower | None = None
        if store is None:
            self.root = Path(root) if root is not None else self.settings.root
            store = local_store(self.root)
            self._follower = RootFollower(store, self.root)
        self.store = store
        self.timeout = timeout
        self.caught_up = self.flush()
        """What catching up read when this Api was made (None for a store given directly)."""

    @property
    def default_entity(self) -> str:
        return self.settings.entity

    def flush(self) -> PollReport | None:
        """Catch up on what the run logs gained since the last call (wandb: clear caches).

        On a local root, what was read: files, new records, corrupt frames, runs marked
        crashed; None for a store given directly."""
        return None if self._follower is None else self._follower.poll()

    def projects(self, entity: str | None = None, per_page: int = 200) -> list[Project]:
        return [Project(self, row) for row in self.store.projects(entity)]

    def project(self, name: str, entity: str | None = None) -> Project:
        entity = entity or self.default_entity
        for row in self.store.projects(entity):
            if row.name == name:
                return Project(self, row)
        raise NotFoundError(f"project {entity}/{name} not found")

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str | None = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> Runs:
        """The runs of ``"entity/project"`` (or ``"project"``) matching ``filters``."""
        entity, project = self._project_path(path)
        rows = select_runs(self.store.runs(entity, project), filters, order)
        return Runs(self, entity, project, rows, per_page)

    def run(self, path: str) -> Run:
        """``"entity/project/run_id"``, ``"entity/project/runs/run_id"`` or ``"project/run_id"``."""
        if not isinstance(path, str) or not path.strip("/"):
            raise InvalidInputError(
                f"a run path like 'entity/project/run_id' is required: {path!r}"
            )
        parts = [p for p in path.strip("/").split("/") if p]
        if len(parts) == 4 and parts[2] == "runs":
            parts = [parts[0], parts[1], parts[3]]
        if len(parts) == 2:
            parts = [self.default_entity, *parts]
        if len(parts) != 3:
            raise InvalidInputError(
                f"run path {path!r} must be 'entity/project/run_id' or 'project/run_id'"
            )
        return Run(self, self.store.run(*parts))

    def sweep(self, path: str) -> Sweep:
        """``"entity/project/sweep_id"`` (or ``"project/sweep_id"``, ``"sweep_id"``)."""
        if not isinstance(path, str) or not path.strip("/"):
            raise InvalidInputError(
                f"a sweep path like 'entity/project/sweep_id' is required: {path!r}"
            )
        parts = [p for p in path.strip("/").split("/") if p]
        if len(parts) == 4 and parts[2] == "sweeps":
            parts = [parts[0], parts[1], parts[3]]
        if len(parts) == 1:
            parts = [*self._project_path(None), parts[0]]
        elif len(parts) == 2:
            parts = [self.default_entity, *parts]
        if len(parts) != 3:
            raise InvalidInputError(
                f"sweep path {path!r} must be 'entity/project/sweep_id' or 'project/sweep_id'"
            )
        return Sweep(self, self.store.sweep(*parts))

    def _project_path(self, path: str | None) -> tuple[str, str]:
        if path is None:
            if not self.settings.project:
                raise UsageError("name a project: Api().runs('entity/project')")
            return self.settings.entity, self.settings.project
        return settings_module.split_project_path(path, self.default_entity)


class Sweep:
    """A sweep as wandb's ``Api().sweep()`` gives it: its config, state, runs and best run."""

    def __init__(self, api: Api, row: SweepRow) -> None:
        import yaml

        self._api = api
        self.entity = row.entity
        self.project = row.project
        self.id = row.sweep_id
        self.state = row.state.upper()
        """wandb's spelling: ``RUNNING``, ``PAUSED``, ``FINISHED``, ``CANCELLED``."""
        loaded = yaml.safe_load(row.config)
        self.config: dict[str, Any] = dict(loaded) if isinstance(loaded, Mapping) else {}
        self.name: str = str(self.config.get("name") or row.sweep_id)

    @property
    def path(self) -> list[str]:
        return [self.entity, self.project, self.id]

    @property
    def runs(self) -> Runs:
        """The runs that joined this sweep, oldest first."""
        rows = [
            row
            for row in self._api.store.runs(self.entity, self.project)
            if row.sweep_id == self.id
        ]
        return Runs(self._api, self.entity, self.project, rows, 50)

    @property
    def order(self) -> str | None:
        """The metric's order: ``-summary_metrics.<name>`` to maximize, ``+...`` to minimize."""
        metric = self.config.get("metric")
        if not isinstance(metric, Mapping) or not metric.get("name"):
            return None
        sign = "-" if metric.get("goal") == "maximize" else "+"
        return f"{sign}summary_metrics.{metric['name']}"

    @property
    def expected_run_count(self) -> int | None:
        """The number of grid points of a grid sweep (capped by ``run_cap``), else None."""
        from trackboard.sweeps import parse_sweep_config
        from trackboard.sweeps.controller import grid_size

        return grid_size(parse_sweep_config(self.config))

    def best_run(self, order: str | None = None) -> Run | None:
        """The run first in ``order`` (default: the metric's goal) among runs that logged it."""
        order = order or self.order
        if order is None:
            return None
        key = order.lstrip("+-").removeprefix("summary_metrics.")
        rows = [
            row
            for row in self.runs._rows
            if isinstance(row.summary.get(key), int | float)
            and not isinstance(row.summary.get(key), bool)
            and math.isfinite(row.summary[key])
        ]
        if not rows:
            return None
        pick = max if order.startswith("-") else min
        return Run(self._api, pick(rows, key=lambda row: float(row.summary[key])))

    def __repr__(self) -> str:
        return f"<Sweep {self.entity}/{self.project}/{self.id} ({self.state})>"


class Project:
    def __init__(self, api: Api, row: ProjectRow) -> None:
        self._api = api
        self.entity = row.entity
        self.name = row.name
        self.run_count = row.run_count
        self.created_at = _iso(row.created_at)

    @property
    def path(self) -> list[str]:
        return [self.entity, self.name]

    def runs(self, **kwargs: Any) -> Runs:
        return self._api.runs(f"{self.entity}/{self.name}", **kwargs)

    def __repr__(self) -> str:
        return f"<Project {self.entity}/{self.name}>"


class Runs(Sequence["Run"]):
    """The runs of a query; ``len()``, indexing and iteration as wandb's lazy ``Runs``."""

    def __init__(
        self, api: Api, entity: str, project: str, rows: list[RunRow], per_page: int
    ) -> None:
        self._api = api
        self.entity = entity
        self.project = project
        self._rows = rows
        self.per_page = per_page

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Run: ...
    @overload
    def __getitem__(self, index: slice) -> list[Run]: ...
    def __getitem__(self, index: int | slice) -> Run | list[Run]:
        if isinstance(index, slice):
            return [Run(self._api, row) for row in self._rows[index]]
        return Run(self._api, self._rows[index])

    def __iter__(self) -> Iterator[Run]:
        for row in self._rows:
            yield Run(self._api, row)

    def histories(
        self,
        samples: int = 500,
        keys: list[str] | None = None,
        x_axis: str = "_step",
        format: str = "default",
    ) -> Any:
        """Every run's sampled history, each row with a ``run_id``; pandas when asked."""
        rows: list[dict[str, Any]] = []
        for run in self:
            for row in run.history(samples=samples, keys=keys, x_axis=x_axis, pandas=False):
                rows.append({**row, "run_id": run.id})
        if format == "pandas":
            return _dataframe(rows)
        if format != "default":
            raise InvalidInputError(f"format must be 'default' or 'pandas', got {format!r}")
        return rows

    def __repr__(self) -> str:
        return f"<Runs {self.entity}/{self.project} ({len(self)})>"


class Summary(dict[str, Any]):
    """A run's summary: a dict with attribute access; edits persist with ``Run.update()``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Run:
    """One run, read from the store. Edit name, tags, notes, group, job_type, config,
    summary and ``archived`` (a trackboard addition: the dashboard hides archived runs unless
    asked), then call :meth:`update` to save them."""

    def __init__(self, api: Api, row: RunRow) -> None:
        self._api = api
        self._load(row)

    def _load(self, row: RunRow) -> None:
        self._row = row
        self.id = row.run_id
        self.entity = row.entity
        self.project = row.project
        self.name = row.name or row.run_id
        self.state = row.state
        self.tags = list(row.tags)
        self.notes = row.notes
        self.group = row.group
        self.job_type = row.job_type
        self.config: dict[str, Any] = dict(row.config)
        self.summary = Summary(row.summary)
        self.sweep_id = row.sweep_id
        self.archived = row.archived

    @property
    def path(self) -> list[str]:
        return [self.entity, self.project, self.id]

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def storage_id(self) -> int:
        return self._row.pk

    @property
    def url(self) -> str | None:
        return None

    @property
    def created_at(self) -> str | None:
        return _iso(self._row.created_at)

    @property
    def heartbeat_at(self) -> str | None:
        return _iso(self._row.heartbeat_at)

    @property
    def host(self) -> str | None:
        return self._row.host

    @property
    def runtime(self) -> float:
        return self._row.runtime

    @property
    def lastHistoryStep(self) -> int:
        return -1 if self._row.last_step is None else self._row.last_step

    @property
    def summary_metrics(self) -> dict[str, Any]:
        return dict(self.summary)

    @property
    def metadata(self) -> dict[str, Any]:
        row = self._row
        return {"host": row.host, "program": row.program, "args": list(row.args), "pid": row.pid}

    def history(
        self,
        samples: int = 500,
        keys: list[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: str = "default",
    ) -> Any:
        """At most ``samples`` rows, chosen deterministically and keeping extremes.

        With ``keys``, only rows holding every key and ``x_axis`` (as wandb). A DataFrame with
        ``df.attrs["sampled"]`` when ``pandas``, else a list of dicts. ``stream="system"``
        gives the system metrics instead (``system.cpu``... with ``_runtime`` and
        ``_timestamp``), as wandb's does; ``keys`` cannot be combined with it.
        """
        if stream == "system":
            if keys is not None:
                raise InvalidInputError("keys cannot be given with stream='system'")
            rows, was_sampled = history_query.system_rows(self._api.store, self._row.pk, samples)
        elif stream == "default":
            keys = history_query.check_keys(keys)
            rows, was_sampled = history_query.sampled(
                self._api.store, self._row.pk, keys, samples, x_axis
            )
        else:
            raise InvalidInputError(f"stream must be 'default' or 'system', got {stream!r}")
        if not pandas:
            return rows
        frame = _dataframe(rows)
        frame.attrs["sampled"] = was_sampled
        return frame

    def scan_history(
        self,
        keys: list[str] | None = None,
        page_size: int = 1000,
        min_step: int = 0,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Every row, unsampled, in step order; ``max_step`` is exclusive."""
        try:
            checked = history_query.check_keys(keys)
        except InvalidInputError as exc:
            raise ValueError(str(exc)) from None
        return history_query.scan(
            self._api.store, self._row.pk, checked, page_size, min_step, max_step
        )

    def update(self) -> None:
        """Save edits of name, tags, notes, group, job_type, config, summary and archived."""
        row = self._api.store.update_run(
            self._row.pk,
            name=self.name,
            tags=tuple(self.tags),
            notes=self.notes,
            group=self.group,
            job_type=self.job_type,
            config=dict(self.config),
            summary=dict(self.summary),
            archived=bool(self.archived),
        )
        self._load(row)

    def load(self, force: bool = False) -> Run:
        self._load(self._api.store.run_by_pk(self._row.pk))
        return self

    def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run from the store and, on a local root, its folder."""
        delete_run(self._api.store, self._row, self._api.root, self._api._follower)

    @property
    def folder(self) -> Path | None:
        """The run's folder on a local root (run log and files)."""
        root = self._api.root
        return None if root is None else run_folder(root, self.entity, self.project, self.id)

    def files(self) -> list[Path]:
        """Files saved with the run (``run.save``, media), relative to its files folder."""
        folder = self.folder
        if folder is None or not (folder / "files").is_dir():
            return []
        base = folder / "files"
        return sorted(p.relative_to(base) for p in base.rglob("*") if p.is_file())

    def __repr__(self) -> str:
        return f"<Run {self.entity}/{self.project}/{self.id} ({self.state})>"


def _dataframe(rows: list[dict[str, Any]]) -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is a test dependency
        raise UsageError("pandas is needed for pandas=True: pip install pandas") from None
    return pandas.DataFrame.from_records(rows)
