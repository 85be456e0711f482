"""The tables behind ``trackboard.sklearn``'s charts, one module per chart.

Each function takes checked input and returns the :class:`trackboard.Table` wandb stores for
that chart (same columns, rounding and row caps), or ``None`` after printing why the chart is
skipped.
"""
