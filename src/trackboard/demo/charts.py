"""The classification charts every demo run ends with, logged on the validation set.

:func:`log_classification_charts` logs the seed's three charts with the current calls, one step
for all three: ``trackboard.plot.confusion_matrix`` under ``conf_mat``, ``plot.roc_curve`` under
``roc`` and ``plot.pr_curve`` under ``pr`` (tables ``conf_mat_table``, ``roc_table``,
``pr_table``; chart descriptions in ``config._wandb.visualize``). :func:`log_legacy_charts`
logs the same data through the calls older scripts use: ``trackboard.plots.ROC`` and
``plots.precision_recall`` (one step, keys :data:`LEGACY_ROC` and :data:`LEGACY_PR`, described
in ``config._wandb.viz``) and ``trackboard.sklearn.plot_confusion_matrix`` (its own step, key
``confusion_matrix``).
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

import trackboard
from trackboard import plot, plots

CLASS_NAMES = [str(digit) for digit in range(10)]
LEGACY_ROC = "roc_legacy"
LEGACY_PR = "pr_legacy"


def log_classification_charts(
    y_true: npt.NDArray[np.int64], probs: npt.NDArray[np.float64]
) -> None:
    """Log the confusion matrix, ROC and PR charts of ``probs`` (N x 10) against ``y_true``."""
    preds = probs.argmax(axis=1)
    trackboard.log(
        {
            "conf_mat": plot.confusion_matrix(
                probs=None, y_true=y_true, preds=preds, class_names=CLASS_NAMES
            ),
            "roc": plot.roc_curve(y_true, probs, labels=CLASS_NAMES),
            "pr": plot.pr_curve(y_true, probs, labels=CLASS_NAMES),
        }
    )


def log_legacy_charts(y_true: npt.NDArray[np.int64], probs: npt.NDArray[np.float64]) -> None:
    """Log the same charts through ``trackboard.plots`` and ``trackboard.sklearn``.

    ``trackboard.plots`` warns that it is deprecated on every call (as ``wandb.plots`` did);
    the demo silences only that warning, so any other still shows.
    """
    from trackboard import sklearn

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"trackboard\.plots\.\w+ is deprecated", category=FutureWarning
        )
        roc = plots.ROC(y_true, probs, CLASS_NAMES)
        pr = plots.precision_recall(y_true, probs, CLASS_NAMES)
    trackboard.log({LEGACY_ROC: roc, LEGACY_PR: pr})
    sklearn.plot_confusion_matrix(y_true, probs.argmax(axis=1), CLASS_NAMES)
