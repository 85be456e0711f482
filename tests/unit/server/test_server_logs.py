"""``GET .../runs/{id}/logs``: a run's console lines, paged and searched."""

from __future__ import annotations

import pytest
from server_helpers import ENTITY, PROJECT, AppClient

from trackboard.ingest.apply import apply_records
from trackboard.records import ConsoleOutput, Exit, Record, RunStart, SystemSample
from trackboard.store.sqlite import SqliteStore

RUNS = f"/api/v1/projects/{ENTITY}/{PROJECT}/runs"


def printed_run(store: SqliteStore, run_id: str, lines: list[tuple[str, str]]) -> None:
    records: list[Record] = [
        RunStart(
            seq=0, session="s1", run_id=run_id, entity=ENTITY, project=PROJECT, start_time=10.0
        )
    ]
    for i, (stream, text) in enumerate(lines):
        records.append(ConsoleOutput(len(records), 11.0 + i, stream, text))
    records.append(SystemSample(len(records), 20.0, 10.0, {"cpu": 12.5}))
    records.append(Exit(len(records), 21.0, 11.0, 0, "finished"))
    apply_records(store, records)


def test_logs_lists_lines_with_number_time_stream_and_text(
    store: SqliteStore, client: AppClient
) -> None:
    printed_run(store, "a", [("stdout", "\x1b[31mred\x1b[0m"), ("stderr", "oops")])

    answer = client.get(f"{RUNS}/a/logs")

    assert answer.status_code == 200
    assert answer.json() == {
        "lines": [
            {"n": 1, "time": 11.0, "stream": "stdout", "text": "\x1b[31mred\x1b[0m"},
            {"n": 2, "time": 12.0, "stream": "stderr", "text": "oops"},
        ],
        "total": 2,
    }


def test_logs_pages_and_searches(store: SqliteStore, client: AppClient) -> None:
    printed_run(store, "a", [("stdout", f"{'Epoch' if i % 2 else 'step'} {i}") for i in range(10)])

    page = client.get(f"{RUNS}/a/logs", params={"offset": 2, "limit": 3}).json()
    found = client.get(f"{RUNS}/a/logs", params={"q": "EPOCH", "offset": 1, "limit": 2}).json()

    assert page["total"] == 10 and [x["n"] for x in page["lines"]] == [3, 4, 5]
    assert found["total"] == 5
    assert [x["text"] for x in found["lines"]] == ["Epoch 3", "Epoch 5"]


def test_logs_of_a_run_that_printed_nothing_are_empty(
    store: SqliteStore, client: AppClient
) -> None:
    printed_run(store, "quiet", [])

    assert client.get(f"{RUNS}/quiet/logs").json() == {"lines": [], "total": 0}


def test_logs_of_an_unknown_run_are_404(store: SqliteStore, client: AppClient) -> None:
    answer = client.get(f"{RUNS}/nope/logs")

    assert answer.status_code == 404
    assert "nope" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "word"),
    [({"limit": 0}, "limit"), ({"offset": -3}, "offset"), ({"limit": "many"}, "limit")],
)
def test_logs_refuse_bad_paging_with_400(
    store: SqliteStore, client: AppClient, params: dict[str, object], word: str
) -> None:
    printed_run(store, "a", [("stdout", "x")])

    answer = client.get(f"{RUNS}/a/logs", params=params)

    assert answer.status_code == 400
    assert word in answer.json()["error"]["message"]
