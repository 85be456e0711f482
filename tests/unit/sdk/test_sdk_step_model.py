"""The step state machine against a plain reference model of wandb-api.md 2.1."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trackboard.records import Exit, HistoryRow
from trackboard.sdk.identity import RunSpec
from trackboard.sdk.printer import Printer
from trackboard.sdk.run import Run
from trackboard.settings import Settings


@dataclass
class Model:
    """wandb's rules, written out as literally as the spec states them."""

    step: int = 0
    pending: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    dropped: int = 0

    def log(self, data: dict[str, Any], step: int | None, commit: bool | None) -> None:
        if step is not None:
            if step > self.step:
                if self.pending:
                    self.rows.append((self.step, self.pending))
                    self.pending = {}
                self.step = step
            elif step < self.step:
                self.dropped += 1
                return
        self.pending = {**self.pending, **data}
        flush = commit if commit is not None else step is None
        if flush:
            if self.pending:
                self.rows.append((self.step, self.pending))
                self.pending = {}
            self.step += 1

    def finish(self) -> None:
        if self.pending:
            self.rows.append((self.step, self.pending))
            self.pending = {}


class ListWriter:
    def __init__(self) -> None:
        self.records: list[Any] = []
        self.dropped = 0

    def submit(self, record: Any) -> None:
        self.records.append(record)

    def close(self, timeout: float | None = 30.0) -> bool:
        return True


class QuietPrinter(Printer):
    def write(self, line: str) -> None:
        pass


calls = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from("abcd"), st.integers(0, 9), max_size=3),
        st.one_of(st.none(), st.integers(0, 12)),
        st.sampled_from([None, True, False]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(calls=calls)
def test_run_emits_the_rows_and_steps_of_the_reference_model(
    calls: list[tuple[dict[str, Any], int | None, bool | None]],
) -> None:
    writer = ListWriter()
    spec = RunSpec(run_id="r", entity="e", project="p", name="n", run_dir=Path("unused"))
    run = Run(
        writer=writer, settings=Settings(root=Path("unused")), spec=spec, printer=QuietPrinter()
    )
    model = Model()
    for data, step, commit in calls:
        run.log(dict(data), step=step, commit=commit)
        model.log(dict(data), step, commit)
        assert run.step == model.step
    run.finish()
    model.finish()
    rows = [(r.step, r.values) for r in writer.records if isinstance(r, HistoryRow)]
    assert rows == model.rows
    exits = [r for r in writer.records if isinstance(r, Exit)]
    assert exits[0].dropped_steps == model.dropped
    assert [r.seq for r in writer.records] == list(range(len(writer.records)))
