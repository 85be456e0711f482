from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from trackboard.errors import InvalidInputError
from trackboard.query.filters import matches, parse_mongo
from trackboard.query.runs import select_runs
from trackboard.store.base import RunRow

BASE = RunRow(
    pk=1,
    entity="local",
    project="p",
    run_id="a1",
    name="brisk-otter-1",
    state="finished",
    created_at=1_700_000_000.0,
    heartbeat_at=None,
    finished_at=None,
    runtime=12.0,
    exit_code=0,
    group="cnn",
    job_type="train",
    tags=("baseline", "v2"),
    notes=None,
    host="h",
    pid=1,
    program="train.py",
    args=(),
    sweep_id=None,
    last_step=10,
    config={"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}, "layers": [1, 2]},
    summary={"val_acc": 0.93, "loss": {"min": 0.2}, "flag": True},
    metrics={},
)


def run(**changes: Any) -> RunRow:
    return replace(BASE, **changes)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"config.lr": 0.1}, True),
        ({"config.lr": {"$gt": 0.01}}, True),
        ({"config.lr": {"$gt": 0.1}}, False),
        ({"config.lr.value": {"$lte": 0.1}}, True),
        ({"config.opt.name": "adam"}, True),
        ({"config.opt.beta": {"$gte": 0.9, "$lt": 1}}, True),
        ({"summary_metrics.val_acc": {"$gt": 0.9}}, True),
        ({"summary_metrics.loss.min": {"$lt": 0.5}}, True),
        ({"state": "finished"}, True),
        ({"tags": "baseline"}, True),
        ({"tags": {"$in": ["nope", "v2"]}}, True),
        ({"tags": {"$nin": ["v2"]}}, False),
        ({"$or": [{"state": "running"}, {"group": "cnn"}]}, True),
        ({"$and": [{"state": "finished"}, {"group": "rnn"}]}, False),
        ({"$nor": [{"state": "running"}]}, True),
        ({"config.missing": {"$exists": False}}, True),
        ({"config.missing": {"$exists": True}}, False),
        ({"config.missing": {"$ne": 3}}, True),
        ({"config.missing": {"$gt": 3}}, False),
        ({"displayName": {"$regex": "^brisk"}}, True),
        ({"name": "a1"}, True),
        ({"createdAt": {"$gt": "2023-01-01T00:00:00"}}, True),
        ({"createdAt": {"$lt": "2023-01-01T00:00:00Z"}}, False),
        ({"config.lr": {"$not": {"$gt": 1}}}, True),
        ({"summary_metrics.flag": 1}, False),
        ({"config.layers": 2}, True),
        ({"config.layers": [1, 2]}, True),
        ({"config.lr": "0.1"}, False),
        ({"config.opt.name": {"$gt": 1}}, False),
    ],
)
def test_mongo_filter_matches_like_wandb(filters: dict[str, Any], expected: bool) -> None:
    assert matches(parse_mongo(filters), BASE) is expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"$where": "1"}, "unknown filter operator"),
        ({"config.lr": {"$gtx": 1}}, "unknown operator '$gtx' on field 'config.lr'"),
        ({"bogus": 1}, "unknown filter field 'bogus'"),
        ({"$or": []}, "non-empty list"),
        ({"tags": {"$in": "baseline"}}, "needs a list"),
        ({"displayName": {"$regex": "("}}, "bad $regex"),
        ({"createdAt": {"$gt": "yesterday"}}, "cannot read 'yesterday' as a time"),
    ],
)
def test_malformed_filter_is_refused_with_a_message_naming_the_problem(
    filters: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("$", r"\$").replace("(", r"\(")):
        parse_mongo(filters)


def test_sql_looking_filter_values_are_only_compared_as_data() -> None:
    evil = {"displayName": "x' OR 1=1 --", "config.lr": {"$in": ["1; DROP TABLE runs"]}}
    assert not matches(parse_mongo(evil), BASE)


def test_sort_by_summary_descending_puts_missing_values_last() -> None:
    runs = [
        run(pk=1, run_id="a", summary={"acc": 0.5}),
        run(pk=2, run_id="b", summary={}),
        run(pk=3, run_id="c", summary={"acc": 0.9}),
        run(pk=4, run_id="d", summary={"acc": float("nan")}),
    ]
    ordered = select_runs(runs, None, "-summary_metrics.acc")
    assert [r.run_id for r in ordered] == ["c", "a", "b", "d"]
    ascending = select_runs(runs, None, "+summary_metrics.acc")
    assert [r.run_id for r in ascending] == ["a", "c", "b", "d"]


def test_sort_by_config_value_and_filter_together() -> None:
    runs = [run(pk=i, run_id=f"r{i}", config={"lr": lr}) for i, lr in enumerate([0.3, 0.01, 0.1])]
    picked = select_runs(runs, {"config.lr": {"$gte": 0.05}}, "config.lr.value")
    assert [r.config["lr"] for r in picked] == [0.1, 0.3]


def test_sort_order_must_name_a_known_field() -> None:
    with pytest.raises(InvalidInputError, match="unknown filter field 'colour'"):
        select_runs([BASE], None, "-colour")


def test_regex_matching_takes_linear_time_for_a_catastrophic_pattern() -> None:
    """``(a+)+$`` against 40 a's and a '!' takes a backtracking engine about 2**40 steps (hours);
    RE2 answers at once, so a reader of a shared project cannot hold a server thread with it."""
    tree = parse_mongo({"displayName": {"$regex": "(a+)+$"}})
    assert not matches(tree, run(name="a" * 40 + "!"))
    assert matches(tree, run(name="a" * 40))


@pytest.mark.parametrize("pattern", [r"(a)\1", r"brisk(?=-otter)", r"(?<!x)otter"])
def test_regex_without_a_linear_time_match_is_refused_clearly(pattern: str) -> None:
    with pytest.raises(InvalidInputError, match=r"bad \$regex on field 'displayName'.*RE2 syntax"):
        parse_mongo({"displayName": {"$regex": pattern}})


def test_regex_keeps_what_users_type() -> None:
    """Case-insensitive flags, classes and escaped specials, as the dashboard sends them."""
    for pattern, expected in [
        ("(?i)^BRISK", True),
        (r"otter-\d$", True),
        (r"brisk\.otter", False),
        (r"[a-z]+-[a-z]+-1", True),
    ]:
        assert matches(parse_mongo({"displayName": {"$regex": pattern}}), run()) is expected
