"""Legacy ``HeatMap``: a matrix drawn as coloured cells (``research/wandb-api.md`` 5.6)."""

from __future__ import annotations

from typing import Any

from trackboard.media.table import Table
from trackboard.plot.custom_chart import Visualize
from trackboard.plot.inputs import as_array
from trackboard.plots.deprecation import legacy

COLUMNS = ["x_axis", "y_axis", "values"]


@legacy("trackboard.plot_table with a heatmap spec")
def HeatMap(x_labels: Any, y_labels: Any, matrix_values: Any, show_text: bool = False) -> Visualize:
    """A heat map of ``matrix_values`` (one row per y label, one column per x label).

    Rows ``[x, y, round(matrix[y][x], 2)]``, x outer; ``show_text`` picks ``wandb/heatmap/v1``
    (values written in the cells) over ``wandb/heatmap_no_text/v1``.
    """
    xs = [_label(v) for v in as_array(x_labels, "HeatMap: x_labels").tolist()]
    ys = [_label(v) for v in as_array(y_labels, "HeatMap: y_labels").tolist()]
    matrix = as_array(matrix_values, "HeatMap: matrix_values")
    if matrix.shape != (len(ys), len(xs)):
        raise ValueError(
            f"HeatMap: matrix_values has shape {matrix.shape}, expected "
            f"({len(ys)}, {len(xs)}): one row per y label, one column per x label"
        )
    if matrix.dtype.kind not in "biuf":
        raise ValueError(f"HeatMap: matrix_values must hold numbers, got dtype {matrix.dtype}")
    values = matrix.astype(float).tolist()
    rows = [[x, y, round(values[j][i], 2)] for i, x in enumerate(xs) for j, y in enumerate(ys)]
    preset = "wandb/heatmap/v1" if show_text else "wandb/heatmap_no_text/v1"
    return Visualize(preset, Table(columns=COLUMNS, data=rows))


def _label(value: Any) -> Any:
    return value if isinstance(value, str | int | float) else str(value)
