"""Sweeps in the store: the sweep row, atomic claims, heartbeats and stale claims."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from store_helpers import StoreFactory

from trackboard.errors import ConflictError, InvalidInputError, NotFoundError
from trackboard.store.base import SweepClaim, SweepRow
from trackboard.store.sql import SqlStore

CONFIG = "method: grid\nparameters:\n  x:\n    values: [1, 2, 3]\n"


def grid_of(n: int) -> Any:
    """A choose function handing out x = 0..n-1, each once, with run ids ``r<x>``."""

    def choose(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]] | None:
        used = {c.params["x"] for c in claims}
        for x in range(n):
            if x not in used:
                return f"r{x}", {"x": x}
        return None

    return choose


def test_created_sweep_reads_back_running(store: SqlStore) -> None:
    made = store.create_sweep("e", "p", "abcd1234", CONFIG)
    assert (made.entity, made.project, made.sweep_id, made.config, made.state) == (
        "e",
        "p",
        "abcd1234",
        CONFIG,
        "running",
    )
    assert store.sweep("e", "p", "abcd1234") == made
    assert store.sweeps("e", "p") == [made]
    assert store.sweeps("e", "other") == []
    assert store.sweep_claims("e", "p", "abcd1234") == []


def test_sweep_id_is_unique_per_project(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s1", CONFIG)
    with pytest.raises(ConflictError, match="s1"):
        store.create_sweep("e", "p", "s1", CONFIG)
    store.create_sweep("e", "q", "s1", CONFIG)


def test_unknown_sweep_and_bad_input_are_named(store: SqlStore) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        store.sweep("e", "p", "nope")
    with pytest.raises(NotFoundError, match="nope"):
        store.sweep_claims("e", "p", "nope")
    with pytest.raises(InvalidInputError, match="config"):
        store.create_sweep("e", "p", "s", "  ")
    with pytest.raises(InvalidInputError, match="sweep_id"):
        store.create_sweep("e", "p", "", CONFIG)
    store.create_sweep("e", "p", "s", CONFIG)
    with pytest.raises(InvalidInputError, match="sweep state must be one of"):
        store.set_sweep_state("e", "p", "s", "sleeping")


def test_claims_follow_choose_until_it_returns_none(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s", CONFIG)
    got = [store.claim_sweep_run("e", "p", "s", "a1", grid_of(2), stale_after_s=60) for _ in "abc"]
    assert [c.run_id if c else None for c in got] == ["r0", "r1", None]
    first = got[0]
    assert first is not None
    assert (first.params, first.state, first.agent_id, first.sweep_id) == (
        {"x": 0},
        "pending",
        "a1",
        "s",
    )
    assert [c.run_id for c in store.sweep_claims("e", "p", "s")] == ["r0", "r1"]


def test_no_claims_unless_running(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s", CONFIG)
    for state in ("paused", "finished", "cancelled"):
        assert store.set_sweep_state("e", "p", "s", state).state == state
        assert store.claim_sweep_run("e", "p", "s", "a", grid_of(3), stale_after_s=60) is None
    store.set_sweep_state("e", "p", "s", "running")
    assert store.claim_sweep_run("e", "p", "s", "a", grid_of(3), stale_after_s=60) is not None


def test_choose_returning_a_taken_run_id_is_a_conflict(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s", CONFIG)

    def same(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]]:
        return "r", {"x": len(claims)}

    store.claim_sweep_run("e", "p", "s", "a", same, stale_after_s=60)
    with pytest.raises(ConflictError, match="'r'"):
        store.claim_sweep_run("e", "p", "s", "a", same, stale_after_s=60)
    assert len(store.sweep_claims("e", "p", "s")) == 1


def test_update_moves_state_for_the_holder_only(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s", CONFIG)
    claim = store.claim_sweep_run("e", "p", "s", "a1", grid_of(1), stale_after_s=60)
    assert claim is not None
    running = store.update_sweep_claim("e", "p", "s", "r0", "a1", state="running")
    assert running.state == "running"
    assert running.heartbeat_at >= claim.heartbeat_at
    assert store.update_sweep_claim("e", "p", "s", "r0", "a1").state == "running"
    with pytest.raises(ConflictError, match="a1"):
        store.update_sweep_claim("e", "p", "s", "r0", "a2", state="finished")
    with pytest.raises(InvalidInputError, match="claim state"):
        store.update_sweep_claim("e", "p", "s", "r0", "a1", state="done")
    with pytest.raises(NotFoundError, match="r9"):
        store.update_sweep_claim("e", "p", "s", "r9", "a1")
    assert store.update_sweep_claim("e", "p", "s", "r0", "a1", state="finished").state == "finished"


def test_stale_claims_become_crashed_on_the_next_claim(store: SqlStore) -> None:
    store.create_sweep("e", "p", "s", CONFIG)
    store.claim_sweep_run("e", "p", "s", "dead", grid_of(3), stale_after_s=60)
    store.claim_sweep_run("e", "p", "s", "live", grid_of(3), stale_after_s=60)
    store.update_sweep_claim("e", "p", "s", "r1", "live", state="finished")
    time.sleep(0.05)
    seen: list[list[str]] = []

    def watch(sweep: SweepRow, claims: list[SweepClaim]) -> None:
        seen.append([c.state for c in claims])
        return None

    store.claim_sweep_run("e", "p", "s", "live", watch, stale_after_s=0.01)
    assert seen == [["crashed", "finished"]]
    with pytest.raises(ConflictError, match="crashed"):
        store.update_sweep_claim("e", "p", "s", "r0", "dead", state="finished")


def test_concurrent_agents_never_take_the_same_choice(store_factory: StoreFactory) -> None:
    stores = [store_factory() for _ in range(4)]
    stores[0].create_sweep("e", "p", "s", CONFIG)
    taken: list[str] = []
    lock = threading.Lock()

    def agent(store: SqlStore, name: str) -> None:
        while True:
            claim = store.claim_sweep_run("e", "p", "s", name, grid_of(12), stale_after_s=60)
            if claim is None:
                return
            with lock:
                taken.append(claim.run_id)

    threads = [threading.Thread(target=agent, args=(s, f"a{i}")) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(f"r{x}" for x in range(12))
