"""``trackboard.plot``, ``plots``, ``plot_table`` and ``visualize`` load only when used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_plot_names_load_lazily_and_import_trackboard_loads_no_numpy(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import trackboard as wandb
        assert "numpy" not in sys.modules, "import loaded numpy"
        assert "trackboard.plot" not in sys.modules
        import trackboard.plot
        assert wandb.plot is trackboard.plot
        assert wandb.plot.confusion_matrix is trackboard.plot.confusion.confusion_matrix
        assert wandb.plot_table is trackboard.plot.plot_table
        assert wandb.visualize is trackboard.plot.visualize
        assert callable(wandb.plots.ROC) and callable(wandb.plots.HeatMap)
        assert callable(wandb.plots.precision_recall)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
