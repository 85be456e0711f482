"""A sweep's shape for the dashboard: method, metric and one axis per searched parameter."""

from __future__ import annotations

from trackboard.sweeps.shape import sweep_shape

CONFIG = """\
method: bayes
metric: {name: val.loss}
parameters:
  lr: {distribution: q_log_uniform_values, min: 0.001, max: 1, q: 0.001}
  act: {values: [relu, tanh]}
  width: {values: [16, 32]}
  seed: {value: 1}
  optim:
    parameters:
      momentum: {min: 0.0, max: 0.9}
"""


def test_axes_skip_constants_and_name_nested_parameters_with_dots() -> None:
    shape = sweep_shape(CONFIG)
    assert [(a["name"], a["scale"]) for a in shape["axes"]] == [
        ("lr", "log"),
        ("act", "categorical"),
        ("width", "linear"),
        ("optim.momentum", "linear"),
    ]
    assert shape["method"] == "bayes" and shape["name"] is None


def test_metric_goal_is_filled_in_and_config_is_the_parsed_source() -> None:
    shape = sweep_shape('{"method": "random", "parameters": {"x": {"min": 0, "max": 1}}}')
    assert shape["metric"] is None and shape["config"]["method"] == "random"
    assert sweep_shape(CONFIG)["metric"] == {"name": "val.loss", "goal": "minimize"}


def test_a_stored_config_that_no_longer_parses_has_an_empty_shape_saying_why() -> None:
    shape = sweep_shape("method: grid\nname: old\nparameters: {x: {bogus: 1}}\n")
    assert (shape["method"], shape["name"], shape["axes"], shape["metric"]) == (
        "grid",
        "old",
        [],
        None,
    )
    assert "parameters.x" in shape["error"]
    assert "not valid YAML" in sweep_shape("a: [")["error"]
    assert "not a mapping" in sweep_shape("other.yaml")["error"]
