"""``trackboard.plot``: charts logged as a table plus a chart description (wandb's ``wandb.plot``).

Every helper returns a :class:`CustomChart`; ``run.log({"K": chart})`` stores its table under
``K_table`` and its description in the config (``_wandb.visualize.K``); see
:mod:`trackboard.plot.custom_chart`. Bad input raises (:class:`ValueError`, :class:`TypeError`
or :class:`trackboard.Error`) naming the problem.
"""

from __future__ import annotations

from trackboard.plot.confusion import confusion_matrix
from trackboard.plot.curves import pr_curve, roc_curve
from trackboard.plot.custom_chart import CustomChart, Visualize, plot_table, visualize
from trackboard.plot.simple import bar, histogram, line, line_series, scatter

__all__ = [
    "CustomChart",
    "Visualize",
    "bar",
    "confusion_matrix",
    "histogram",
    "line",
    "line_series",
    "plot_table",
    "pr_curve",
    "roc_curve",
    "scatter",
    "visualize",
]
