"""Bad input to ``trackboard.sklearn``: a clear ``ERROR`` line, nothing logged, nothing lost."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler
from sklearn_helpers import Session

import trackboard
import trackboard as wandb

X, Y = load_iris(return_X_y=True)
FITTED = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, Y)

CASES: list[tuple[str, Callable[[], None], str]] = [
    (
        "y_true None",
        lambda: wandb.sklearn.plot_confusion_matrix(None, [1, 2]),
        "plot_confusion_matrix: y_true is None",
    ),
    (
        "y_pred not an array",
        lambda: wandb.sklearn.plot_confusion_matrix([1, 2], 5),
        "plot_confusion_matrix: y_pred is not an array (got int)",
    ),
    (
        "lengths differ",
        lambda: wandb.sklearn.plot_confusion_matrix([1, 2, 3], [1, 2]),
        "y_true has 3 values but y_pred has 2",
    ),
    (
        "too few labels",
        lambda: wandb.sklearn.plot_confusion_matrix([0, 1, 2], [0, 1, 2], ["a", "b"]),
        "labels has 2 names but the data has 3 classes",
    ),
    (
        "unknown true_labels",
        lambda: wandb.sklearn.plot_confusion_matrix([0, 1], [0, 1], true_labels=[7]),
        "true_labels names classes not in the data: [7]",
    ),
    (
        "unfitted model",
        lambda: wandb.sklearn.plot_feature_importances(RandomForestClassifier()),
        "the RandomForestClassifier is not fitted",
    ),
    (
        "not a model",
        lambda: wandb.sklearn.plot_summary_metrics(StandardScaler(), X, Y, X, Y),
        "model is not a scikit-learn classifier or regressor (got StandardScaler)",
    ),
    (
        "features with NaN",
        lambda: wandb.sklearn.plot_summary_metrics(FITTED, np.full((2, 4), np.nan), Y, X, Y),
        "X contains 8 missing values",
    ),
    (
        "features not numbers",
        lambda: wandb.sklearn.plot_learning_curve(FITTED, [["a", "b"]], [1]),
        "X contains values that are not numbers",
    ),
    (
        "regressor expected",
        lambda: wandb.sklearn.plot_residuals(FITTED, X, Y),
        "regressor is not a scikit-learn regressor (got RandomForestClassifier)",
    ),
    (
        "unfitted regressor",
        lambda: wandb.sklearn.plot_outlier_candidates(LinearRegression(), X, Y),
        "the LinearRegression is not fitted",
    ),
    (
        "clusterer expected",
        lambda: wandb.sklearn.plot_silhouette(FITTED, X, Y),
        "clusterer is not a scikit-learn clusterer",
    ),
    (
        "one feature",
        lambda: wandb.sklearn.plot_silhouette(
            KMeans(n_clusters=2, n_init=1).fit(X[:, :1]), X[:, :1], Y
        ),
        "X must have at least two features",
    ),
    (
        "probas None",
        lambda: wandb.sklearn.plot_roc(Y, None),
        "plot_roc: y_probas is None",
    ),
    (
        "probas of the wrong shape",
        lambda: wandb.sklearn.plot_precision_recall(Y, np.ones((3, 3))),
        "plot_precision_recall:",
    ),
    (
        "scikit-learn refuses",
        lambda: wandb.sklearn.plot_learning_curve(FITTED, X[:4], Y[:4], cv=5),
        "plot_learning_curve:",
    ),
]


@pytest.mark.parametrize(("call", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_prints_an_error_and_keeps_what_was_logged(
    session: Session, capsys: pytest.CaptureFixture[str], call: Callable[[], None], message: str
) -> None:
    run = session.start()
    run.log({"loss": 0.5})
    assert call() is None
    err = capsys.readouterr().err
    assert "trackboard: ERROR" in err
    assert message in err
    run.log({"loss": 0.25})
    stored = session.finish()
    assert [row.get("loss") for row in stored.rows] == [0.5, 0.25]
    assert stored.keys() == ["loss", "loss"]


def test_elbow_curve_needs_n_clusters(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    from sklearn.cluster import DBSCAN

    session.start()
    wandb.sklearn.plot_elbow_curve(DBSCAN().fit(X), X)
    assert "DBSCAN has no n_clusters" in capsys.readouterr().err
    assert session.finish().keys() == []


def test_helpers_before_init_raise_as_log_does() -> None:
    with pytest.raises(trackboard.Error, match=r"trackboard\.init\(\)"):
        wandb.sklearn.plot_class_proportions([0, 1], [1, 0])


def test_the_helpers_are_wandbs(session: Any) -> None:
    assert sorted(n for n in wandb.sklearn.__all__ if n.startswith("plot_")) == sorted(
        [
            "plot_classifier",
            "plot_clusterer",
            "plot_regressor",
            "plot_summary_metrics",
            "plot_learning_curve",
            "plot_feature_importances",
            "plot_class_proportions",
            "plot_calibration_curve",
            "plot_roc",
            "plot_precision_recall",
            "plot_confusion_matrix",
            "plot_elbow_curve",
            "plot_silhouette",
            "plot_residuals",
            "plot_outlier_candidates",
        ]
    )


def test_import_trackboard_loads_neither_numpy_nor_sklearn_until_used() -> None:
    code = (
        "import sys, trackboard\n"
        "assert 'numpy' not in sys.modules and 'sklearn' not in sys.modules\n"
        "from trackboard import sklearn\n"
        "import trackboard.sklearn as again\n"
        "assert sklearn is again is trackboard.sklearn\n"
        "assert 'sklearn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
