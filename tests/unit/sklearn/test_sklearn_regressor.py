"""Regressor charts logged into a real offline run and read back with ``trackboard.Api``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn_helpers import Session

import trackboard as wandb


@pytest.fixture(scope="module")
def diabetes() -> dict[str, Any]:
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    return {"X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test}


def test_summary_metrics_of_a_regressor(session: Session, diabetes: dict[str, Any]) -> None:
    model = Ridge().fit(diabetes["X_train"], diabetes["y_train"])
    session.start()
    wandb.sklearn.plot_summary_metrics(
        model, diabetes["X_train"], diabetes["y_train"], diabetes["X_test"], diabetes["y_test"]
    )
    body = session.finish().table("summary_metrics")
    y_test, y_pred = diabetes["y_test"], model.predict(diabetes["X_test"])
    assert body["data"] == [
        ["mae", round(float(metrics.mean_absolute_error(y_test, y_pred)), 2), "Ridge"],
        ["mse", round(float(metrics.mean_squared_error(y_test, y_pred)), 2), "Ridge"],
        ["r2_score", round(float(metrics.r2_score(y_test, y_pred)), 2), "Ridge"],
    ]


def cooks_distance(X: Any, y: Any) -> Any:
    """Cook's distance from its textbook definition: refit without each sample in turn."""
    n, p = X.shape
    full = LinearRegression(fit_intercept=False).fit(X, y).predict(X)
    mse = float(np.sum((y - full) ** 2)) / (n - p)
    out = []
    for i in range(n):
        keep = np.arange(n) != i
        without = LinearRegression(fit_intercept=False).fit(X[keep], y[keep]).predict(X)
        out.append(float(np.sum((full - without) ** 2)) / (p * mse))
    return np.array(out)


def test_outlier_candidates_are_cooks_distances(session: Session) -> None:
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:60, :4], y[:60]
    model = LinearRegression(fit_intercept=False).fit(X, y)
    session.start()
    wandb.sklearn.plot_outlier_candidates(model, X, y)
    stored = session.finish()
    assert stored.viz("outlier_candidates")["id"] == "wandb/outliers/v1"
    body = stored.table("outlier_candidates")
    assert body["columns"] == [
        "distance",
        "instance_indicies",
        "outlier_percentage",
        "influence_threshold",
    ]
    distance = cooks_distance(X, y)
    assert [row[1] for row in body["data"]] == list(range(60))
    assert np.allclose([row[0] for row in body["data"]], distance)
    share = round(float(np.sum(distance >= 4 / 60)) / 60 * 100, 3)
    assert {(row[2], row[3]) for row in body["data"]} == {(share, 4 / 60)}


def test_outlier_candidates_are_capped_at_the_chart_limit(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 2))
    y = X @ np.array([1.0, 2.0]) + rng.normal(size=1200)
    session.start()
    wandb.sklearn.plot_outlier_candidates(LinearRegression().fit(X, y), X, y)
    assert "using only the first 1000 of 1200" in capsys.readouterr().err
    assert len(session.finish().table("outlier_candidates")["data"]) == 1000


def test_residuals_keep_100_rows_of_each_split(session: Session, diabetes: dict[str, Any]) -> None:
    X, y = diabetes["X_train"], diabetes["y_train"]
    model = Ridge().fit(X, y)
    session.start()
    np.random.seed(7)
    wandb.sklearn.plot_residuals(model, X, y)
    stored = session.finish()
    assert stored.viz("residuals")["id"] == "wandb/residuals_plot/v1"
    body = stored.table("residuals")
    assert body["columns"] == ["dataset", "y_pred", "residuals", "train_score", "test_score"]
    np.random.seed(7)
    x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    again = clone(model).fit(x_train, y_train)
    expected = []
    for name, features, truth in (("train", x_train, y_train), ("test", x_test, y_test)):
        predicted = again.predict(features)
        expected += [
            [name, p, p - t, again.score(x_train, y_train), again.score(x_test, y_test)]
            for p, t in list(zip(predicted, truth, strict=True))[:100]
        ]
    assert len(body["data"]) == 100 + len(y_test)
    assert np.allclose([row[1:] for row in body["data"]], [row[1:] for row in expected])
    assert [row[0] for row in body["data"]] == [row[0] for row in expected]


def test_plot_regressor_logs_four_charts(session: Session, diabetes: dict[str, Any]) -> None:
    model = Ridge().fit(diabetes["X_train"], diabetes["y_train"])
    session.start()
    wandb.sklearn.plot_regressor(
        model,
        diabetes["X_train"],
        diabetes["X_test"],
        diabetes["y_train"],
        diabetes["y_test"],
        model_name="Ridge",
    )
    stored = session.finish()
    assert stored.keys() == [
        "summary_metrics",
        "learning_curve",
        "outlier_candidates",
        "residuals",
    ]
    assert set(stored.config["_wandb"]["viz"]) == set(stored.keys())
