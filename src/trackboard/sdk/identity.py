"""Who a run is: its identity and metadata, and the run's properties that show them.

:class:`RunSpec` is what the composition module decides before a run starts (id, names, folder,
where a resumed run continues). :class:`RunIdentity` gives ``Run`` wandb's read-only and
settable properties over it; setting ``name``, ``notes``, ``group``, ``job_type`` or ``tags``
goes through ``_set_meta``, which the run implements by writing a ``RunUpdate`` record.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackboard.records import RunStart
from trackboard.sdk.summary import Aggregate


@dataclass
class RunSpec:
    """Who the run is and where it starts; the composition module fills it in."""

    run_id: str
    entity: str
    project: str
    name: str
    run_dir: Path
    notes: str | None = None
    group: str | None = None
    job_type: str | None = None
    tags: tuple[str, ...] = ()
    sweep_id: str | None = None
    resumed: bool = False
    starting_step: int = 0
    runtime_offset: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    aggregates: dict[str, Aggregate] = field(default_factory=dict)

    def start_record(self, session: str, start_time: float) -> RunStart:
        """The ``RunStart`` opening a writer session of this run, with this process's details."""
        argv = sys.argv if isinstance(getattr(sys, "argv", None), list) else []
        return RunStart(
            seq=0,
            session=session,
            run_id=self.run_id,
            entity=self.entity,
            project=self.project,
            start_time=start_time,
            name=self.name,
            group=self.group,
            job_type=self.job_type,
            tags=tuple(self.tags),
            notes=self.notes,
            host=_hostname(),
            pid=os.getpid(),
            program=str(argv[0]) if argv else None,
            args=tuple(str(a) for a in argv[1:]),
            python=sys.version.split()[0],
            sweep_id=self.sweep_id,
            resumed=self.resumed,
            starting_step=self.starting_step,
            runtime_offset=self.runtime_offset,
        )


class RunIdentity:
    """wandb's identity properties of a run, over ``self._spec``."""

    _spec: RunSpec

    def _set_meta(self, name: str, value: Any) -> None:
        raise NotImplementedError

    @property
    def id(self) -> str:
        return self._spec.run_id

    @property
    def entity(self) -> str:
        return self._spec.entity

    @property
    def project(self) -> str:
        return self._spec.project

    @property
    def path(self) -> str:
        return f"{self._spec.entity}/{self._spec.project}/{self._spec.run_id}"

    @property
    def dir(self) -> str:
        """The run's files folder (``<run folder>/files``)."""
        return str(self._spec.run_dir / "files")

    @property
    def url(self) -> str | None:
        return None

    def get_url(self) -> str | None:
        return None

    @property
    def sweep_id(self) -> str | None:
        return self._spec.sweep_id

    @property
    def resumed(self) -> bool:
        return self._spec.resumed

    @property
    def offline(self) -> bool:
        return True

    @property
    def disabled(self) -> bool:
        return False

    @property
    def name(self) -> str:
        return self._spec.name

    @name.setter
    def name(self, value: str) -> None:
        self._set_meta("name", str(value))

    @property
    def notes(self) -> str | None:
        return self._spec.notes

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._set_meta("notes", value)

    @property
    def group(self) -> str | None:
        return self._spec.group

    @group.setter
    def group(self, value: str | None) -> None:
        self._set_meta("group", value)

    @property
    def job_type(self) -> str | None:
        return self._spec.job_type

    @job_type.setter
    def job_type(self, value: str | None) -> None:
        self._set_meta("job_type", value)

    @property
    def tags(self) -> tuple[str, ...]:
        return self._spec.tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        if isinstance(value, str):
            raise TypeError("tags must be a sequence of str, not a str")
        self._set_meta("tags", tuple(str(t) for t in value))


def _hostname() -> str | None:
    try:
        return socket.gethostname()
    except OSError:
        return None
