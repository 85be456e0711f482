"""The ``calibration_curve`` chart's table (``wandb/calibration/v1``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import calibration, model_selection, naive_bayes
from sklearn.linear_model import LogisticRegression

from trackboard.media.table import Table
from trackboard.sklearn.chart import make_table

COLUMNS = ("model", "fraction_of_positives", "mean_predicted_value", "hist_dict", "edge_dict")
BINS = 10
PERFECT = "Perfectly calibrated"


def calibration_curves(clf: Any, X: Any, y: Any, clf_name: str = "Classifier") -> Table:
    """How well the predicted probabilities of three models match the observed frequencies.

    ``X, y`` (binary labels) are split 10 % for fitting, 90 % for scoring
    (``random_state=42``); on them a ``LogisticRegression(C=1)`` baseline (``"Logistic"``) and
    ``clf`` calibrated with two-fold isotonic and sigmoid ``CalibratedClassifierCV``
    (``"<clf_name> Isotonic"``, ``"<clf_name> Sigmoid"``) are fitted. Each gets one row per
    non-empty bin of a 10-bin ``calibration_curve`` (values rounded to 3 places) beside the
    count and left edge of the same-numbered bin of a 10-bin histogram of its scores, after
    two ``"Perfectly calibrated"`` anchor rows at (0, 0) and (1, 1).
    """
    X = np.asarray(X)
    if isinstance(clf, naive_bayes.ComplementNB):
        X = X - X.min()
    models = [
        ("Logistic", LogisticRegression(C=1.0)),
        (f"{clf_name} Isotonic", calibration.CalibratedClassifierCV(clf, cv=2, method="isotonic")),
        (f"{clf_name} Sigmoid", calibration.CalibratedClassifierCV(clf, cv=2, method="sigmoid")),
    ]
    x_fit, x_score, y_fit, y_score = model_selection.train_test_split(
        X, np.asarray(y), test_size=0.9, random_state=42
    )
    rows: list[list[Any]] = [[PERFECT, 0, 0, 0, 0], [PERFECT, 1, 1, 0, 0]]
    for name, model in models:
        model.fit(x_fit, y_fit)
        scores = _positive_scores(model, x_score)
        hist, edges = np.histogram(scores, bins=BINS)
        positives, predicted = calibration.calibration_curve(y_score, scores, n_bins=BINS)
        for i in range(len(positives)):
            rows.append(
                [
                    name,
                    round(float(positives[i]), 3),
                    round(float(predicted[i]), 3),
                    hist[i],
                    edges[i],
                ]
            )
    return make_table(COLUMNS, rows)


def _positive_scores(model: Any, X: Any) -> Any:
    """The model's probability of the positive class, or its decision scaled to [0, 1]."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    decision = model.decision_function(X)
    return (decision - decision.min()) / (decision.max() - decision.min())
