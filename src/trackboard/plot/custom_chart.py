"""Charts logged as a table plus a description of how to draw it (``research/wandb-api.md`` 5.1).

Two kinds, as in wandb, both logged with ``run.log({"K": chart})``:

* :class:`CustomChart` (``plot_table`` and every ``trackboard.plot`` helper): the table goes to
  history key ``K_table`` (``Custom Chart Tables/K_table`` with ``split_table=True``) and the
  config gets ``_wandb.visualize.K = {"panel_type": "Vega2", "panel_config": {...}}`` with
  ``panelDefId`` (the preset id or a Vega-Lite spec name), ``fieldSettings``, ``stringSettings``,
  ``transform`` and ``userQuery`` as wandb writes them. trackboard adds ``tableKey`` (the history
  key of the table) and, for ROC and PR curves, ``auc`` / ``average_precision``: class label ->
  area computed from the full data at log time.
* :class:`Visualize` (``visualize(id, table)``, used by ``trackboard.plots`` and
  ``trackboard.sklearn``): the table goes to key ``K`` itself and the config gets
  ``_wandb.viz.K = {"id": id, "historyFieldSettings": {"x-axis": "_step", "key": K}}``.

Both answer :meth:`CustomChart.chart_entries`, which ``Run.log`` calls: the history items to log
in the chart's place and the update to merge into the hidden ``_wandb`` config entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackboard.errors import Error
from trackboard.media.table import Table

PANEL_TYPE = "Vega2"
SPLIT_PREFIX = "Custom Chart Tables/"
"""Where ``split_table=True`` puts a chart's table, so it gets its own section."""


def table_key(key: str, split_table: bool = False) -> str:
    """The history key of the table of a chart logged under ``key``."""
    return f"{SPLIT_PREFIX if split_table else ''}{key}_table"


def _settings(name: str, value: Mapping[Any, Any] | None) -> dict[str, Any]:
    """A copy of ``fields`` / ``string_fields`` with str keys; :class:`Error` if not a mapping."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Error(f"plot_table: {name} must be a dict, got {type(value).__name__}")
    out: dict[str, Any] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise Error(f"plot_table: every key of {name} must be a str, got {k!r}")
        out[k] = v
    return out


def _check_table(table: Any, what: str) -> Table:
    if not isinstance(table, Table):
        raise Error(
            f"{what}: expected a trackboard.Table, got "
            f"{type(table).__module__}.{type(table).__qualname__}"
        )
    return table


class CustomChart:
    """A table and the Vega preset (or spec) that draws it; log it under a key to store both.

    ``fields`` maps the preset's field names to table columns (``{"x": "fpr", ...}``),
    ``string_fields`` its text settings (``{"title": ...}``), ``extra`` further
    ``panel_config`` entries (the ROC/PR areas).
    """

    def __init__(
        self,
        table: Table,
        vega_spec_name: str,
        fields: Mapping[str, Any] | None = None,
        string_fields: Mapping[str, Any] | None = None,
        split_table: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.table = _check_table(table, "CustomChart")
        if not isinstance(vega_spec_name, str) or not vega_spec_name:
            raise Error(
                f"CustomChart: vega_spec_name must be a non-empty str, got {vega_spec_name!r}"
            )
        self.vega_spec_name = vega_spec_name
        self.fields = _settings("fields", fields)
        self.string_fields = _settings("string_fields", string_fields)
        self.split_table = bool(split_table)
        self.extra = dict(extra or {})

    @property
    def spec(self) -> tuple[str, dict[str, Any], dict[str, Any], bool]:
        """``(vega_spec_name, fields, string_fields, split_table)``, as wandb's chart holds it."""
        return (self.vega_spec_name, self.fields, self.string_fields, self.split_table)

    def panel_config(self, key: str) -> dict[str, Any]:
        """The ``panel_config`` stored in ``_wandb.visualize.<key>``."""
        tkey = table_key(key, self.split_table)
        config: dict[str, Any] = {
            "panelDefId": self.vega_spec_name,
            "fieldSettings": dict(self.fields),
            "stringSettings": dict(self.string_fields),
            "transform": {"name": "tableWithLeafColNames"},
            "userQuery": _user_query(tkey),
            "tableKey": tkey,
        }
        config.update(self.extra)
        return config

    def chart_entries(self, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """What logging this chart under ``key`` stores: ``(history items, _wandb update)``."""
        history = {table_key(key, self.split_table): self.table}
        hidden = {
            "visualize": {key: {"panel_type": PANEL_TYPE, "panel_config": self.panel_config(key)}}
        }
        return history, hidden

    def __repr__(self) -> str:
        return f"<CustomChart {self.vega_spec_name} {self.table!r}>"


def _user_query(key: str) -> dict[str, Any]:
    """The query of the latest (summary) table ``key`` over the panel's runs."""
    return {
        "queryFields": [
            {
                "name": "runSets",
                "args": [{"name": "runSets", "value": "${runSets}"}],
                "fields": [
                    {"name": "id", "fields": []},
                    {"name": "name", "fields": []},
                    {"name": "_defaultColorIndex", "fields": []},
                    {
                        "name": "summaryTable",
                        "args": [{"name": "tableKey", "value": key}],
                        "fields": [],
                    },
                ],
            }
        ]
    }


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: Mapping[str, Any],
    string_fields: Mapping[str, Any] | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A custom chart drawing ``data_table`` with the Vega-Lite spec or preset ``vega_spec_name``.

    Raises :class:`trackboard.Error` when ``data_table`` is not a :class:`Table` or the
    settings are not dicts.
    """
    _check_table(data_table, "plot_table")
    return CustomChart(data_table, vega_spec_name, fields, string_fields, split_table)


class Visualize:
    """wandb's older chart kind: a table logged under its own key and a preset ``id``."""

    def __init__(self, id: str, value: Table) -> None:
        if not isinstance(id, str) or not id:
            raise Error(f"visualize: id must be a non-empty str, got {id!r}")
        self.viz_id = id
        self.table = _check_table(value, "visualize")

    def chart_entries(self, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """What logging this chart under ``key`` stores: ``(history items, _wandb update)``."""
        settings = {"x-axis": "_step", "key": key}
        return {key: self.table}, {
            "viz": {key: {"id": self.viz_id, "historyFieldSettings": settings}}
        }

    def __repr__(self) -> str:
        return f"<Visualize {self.viz_id} {self.table!r}>"


def visualize(id: str, value: Table) -> Visualize:
    """A chart of ``value`` drawn with the preset ``id`` (``wandb/roc/v1``...); log it."""
    return Visualize(id, value)


def is_chart(value: Any) -> bool:
    """Whether ``log()`` stores ``value`` as a chart (it answers ``chart_entries``)."""
    return isinstance(value, CustomChart | Visualize)
