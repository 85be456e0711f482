"""A hyperband stop's reason: the exit record carries it, ingest keeps it, the API shows it."""

from __future__ import annotations

from pathlib import Path

import msgpack

from trackboard.ingest.apply import apply_records
from trackboard.ingest.changes import RunIdentity
from trackboard.records import STOP_REASON_KEY, Exit, HistoryRow, RunStart
from trackboard.runlog.codec import decode, encode
from trackboard.server.responses import run_json
from trackboard.store.sqlite import SqliteStore

REASON = "Run: r1 Step: 2 (Band: 2 Metric: 0.8 Threshold: 0.1) STOP"


def test_exit_with_stop_reason_round_trips_and_older_exits_decode_without() -> None:
    stopped = Exit(seq=3, time=1.0, runtime=1.0, exit_code=0, state="killed", stop_reason=REASON)
    assert decode(encode(stopped)) == stopped
    # A file written before the field existed holds the record without it.
    tag = msgpack.unpackb(encode(stopped))[0]
    older = msgpack.packb([tag, 3, 1.0, 1.0, 0, "finished", 0, 0])
    assert decode(older) == Exit(seq=3, time=1.0, runtime=1.0, exit_code=0, state="finished")


def test_ingest_keeps_stop_reason_in_summary_and_run_json_shows_it(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "trackboard.db")
    try:
        for run_id, reason in (("r1", REASON), ("r2", None)):
            apply_records(
                store,
                [
                    RunStart(
                        seq=0, session="s", run_id=run_id, entity="e", project="p", start_time=0.0
                    ),
                    HistoryRow(seq=1, step=0, timestamp=0.5, runtime=0.5, values={"loss": 0.8}),
                    Exit(
                        seq=2,
                        time=1.0,
                        runtime=1.0,
                        exit_code=0,
                        state="killed" if reason else "finished",
                        stop_reason=reason,
                    ),
                ],
            )
        stopped, finished = store.run("e", "p", "r1"), store.run("e", "p", "r2")
    finally:
        store.close()
    assert stopped.state == "killed" and stopped.summary[STOP_REASON_KEY] == REASON
    assert stopped.summary["loss"] == 0.8
    assert run_json(stopped)["stop_reason"] == REASON
    assert STOP_REASON_KEY not in finished.summary
    assert run_json(finished)["stop_reason"] is None


def test_a_run_its_sweep_stopped_stays_killed_when_its_last_records_arrive_late(
    tmp_path: Path,
) -> None:
    """The agent marks a stopped program-mode job's run killed once the job ended; the job's own
    last records (a history row, an exit record of a process that died of SIGTERM) may be
    uploaded after that. They land, and the run stays killed; a resume starts afresh."""
    from trackboard.sweeps.claims import mark_killed

    store = SqliteStore(tmp_path / "trackboard.db")
    start = RunStart(seq=0, session="s", run_id="r1", entity="e", project="p", start_time=0.0)
    try:
        apply_records(store, [start, HistoryRow(1, 0, 0.5, 0.5, {"loss": 0.8})])
        mark_killed(store, store.run("e", "p", "r1"), REASON)
        late = [HistoryRow(2, 1, 1.5, 1.5, {"loss": 0.7}), Exit(3, 2.0, 2.0, 1, "failed")]
        apply_records(store, late, RunIdentity.of(start))
        run = store.run("e", "p", "r1")
        assert (run.state, run.summary[STOP_REASON_KEY], run.summary["loss"]) == (
            "killed",
            REASON,
            0.7,
        )
        resumed = RunStart(
            seq=0, session="s2", run_id="r1", entity="e", project="p", start_time=3.0, resumed=True
        )
        apply_records(store, [resumed])
        assert store.run("e", "p", "r1").state == "running"
    finally:
        store.close()
