"""``trackboard.plots``: wandb's removed ``wandb.plots`` helpers, kept so old scripts run.

Each call warns that it is deprecated (a :class:`FutureWarning` naming the ``trackboard.plot``
replacement) and returns a :class:`~trackboard.plot.Visualize` chart to log
(``research/wandb-api.md`` 5.6). On bad input it warns with the problem and returns ``None``
instead of raising, as wandb printed and returned.
"""

from __future__ import annotations

from trackboard.plots.curves import ROC, precision_recall
from trackboard.plots.heatmap import HeatMap

__all__ = ["ROC", "HeatMap", "precision_recall"]
