"""``Table``: construction, editing, and the ``.table.json`` file with every row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from media_helpers import Bound

from trackboard.media import Histogram, Image, Table
from trackboard.media.binding import bind


def read(bound: Bound, ref: dict[str, object]) -> dict[str, object]:
    body: dict[str, object] = json.loads(bound.file(ref).read_text())
    return body


def test_columns_and_data_are_written_as_table_json(bound: Bound) -> None:
    table = Table(columns=["a", "b"], data=[[1, "x"], [2.5, None]])
    ref = table.bind(bound.target, "t")
    assert ref["_type"] == "table-file"
    assert (ref["ncols"], ref["nrows"], ref["log_mode"]) == (2, 2, "IMMUTABLE")
    assert str(ref["path"]).startswith("media/table/t_3_")
    assert str(ref["path"]).endswith(".table.json")
    assert ref["size"] == bound.file(ref).stat().st_size
    assert read(bound, ref) == {"columns": ["a", "b"], "data": [[1, "x"], [2.5, None]]}


def test_default_columns_are_wandbs() -> None:
    assert Table().columns == ["Input", "Output", "Expected"]


def test_add_data_appends_rows_and_checks_their_length() -> None:
    table = Table(columns=["x", "y"])
    table.add_data(1, 2)
    table.add_row(3, 4)
    assert table.data == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="a row needs 2 values"):
        table.add_data(1)


def test_rows_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="a row needs 2 values"):
        Table(columns=["a", "b"], data=[[1, 2, 3]])


def test_duplicate_columns_and_bad_log_mode_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        Table(columns=["a", "a"])
    with pytest.raises(ValueError, match="log_mode"):
        Table(columns=["a"], log_mode="sometimes")


def test_dataframe_gives_columns_and_rows(bound: Bound) -> None:
    frame = pd.DataFrame({"n": [1, 2], "s": ["a", "b"], "f": [0.5, np.nan]})
    table = Table(dataframe=frame)
    assert table.columns == ["n", "s", "f"]
    body = read(bound, table.bind(bound.target, "df"))
    assert body["data"][0] == [1, "a", 0.5]  # type: ignore[index]
    assert table.get_dataframe()["s"].tolist() == ["a", "b"]


def test_2d_numpy_data(bound: Bound) -> None:
    table = Table(columns=["a", "b"], data=np.arange(6).reshape(3, 2))
    assert read(bound, table.bind(bound.target, "k"))["data"] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(ValueError, match="2-D"):
        Table(columns=["a"], data=np.arange(3))


def test_numpy_cells_become_plain_values(bound: Bound) -> None:
    table = Table(columns=["a", "b"], data=[[np.float32(1.5), np.array([1, 2])]])
    assert read(bound, table.bind(bound.target, "k"))["data"] == [[1.5, [1, 2]]]


def test_media_in_cells_are_bound_and_referenced(bound: Bound) -> None:
    table = Table(columns=["img", "h"])
    table.add_data(Image(np.zeros((2, 2), dtype=np.uint8)), Histogram([1, 2], num_bins=2))
    cells = read(bound, table.bind(bound.target, "preds"))["data"][0]  # type: ignore[index]
    assert cells[0]["_type"] == "image-file"
    assert (bound.files_dir / cells[0]["path"]).is_file()
    assert cells[1]["_type"] == "histogram"


def test_a_cell_that_cannot_be_stored_names_its_column(bound: Bound) -> None:
    table = Table(columns=["ok", "bad"], data=[[1, object()]])
    with pytest.raises(TypeError, match="column 'bad'"):
        table.bind(bound.target, "k")


def test_add_column_get_column_and_index() -> None:
    table = Table(columns=["a"], data=[[1], [2]])
    table.add_column("b", ["x", "y"])
    assert table.get_column("b") == ["x", "y"]
    assert table.get_column("a", convert_to="numpy").tolist() == [1, 2]
    assert table.get_index() == [0, 1]
    assert list(table.iterrows()) == [(0, [1, "x"]), (1, [2, "y"])]
    with pytest.raises(ValueError, match="has 1 values but the table has 2 rows"):
        table.add_column("c", [1])
    with pytest.raises(KeyError, match="no column 'zzz'"):
        table.get_column("zzz")


def test_a_changed_table_is_written_again(bound: Bound) -> None:
    table = Table(columns=["a"], data=[[1]])
    first = table.bind(bound.target, "t")
    assert table.bind(bound.target, "t") == first
    table.add_data(2)
    second = table.bind(bound.target, "t")
    assert second["nrows"] == 2
    assert second["path"] != first["path"]


def test_200000_rows_are_all_written_and_read_back(bound: Bound) -> None:
    data = np.arange(600_000, dtype=np.int64).reshape(200_000, 3)
    table = Table(columns=["a", "b", "c"], data=data)
    ref = table.bind(bound.target, "big")
    assert ref["nrows"] == 200_000
    body = read(bound, ref)
    assert len(body["data"]) == 200_000  # type: ignore[arg-type]
    assert body["data"][-1] == [599_997, 599_998, 599_999]  # type: ignore[index]


def test_a_logged_dataframe_becomes_a_table(bound: Bound) -> None:
    ref = bind("frame", pd.DataFrame({"x": [1, 2]}), bound.target)
    assert ref["_type"] == "table-file"
    assert read(bound, ref) == {"columns": ["x"], "data": [[1], [2]]}


def test_a_column_keeps_the_kind_of_its_first_value() -> None:
    table = Table(columns=["n", "s"], data=[[1, "a"], [np.float64(2.5), None]])
    with pytest.raises(TypeError, match=r"column 'n' holds number values; got str 'x'"):
        table.add_data("x", "b")
    with pytest.raises(TypeError, match="column 's' holds str values"):
        Table(columns=["s"], data=[["a"], [Image(np.zeros((2, 2)))]])


def test_allow_mixed_types_lets_a_column_mix_kinds() -> None:
    table = Table(columns=["v"], data=[[1], ["a"], [True]], allow_mixed_types=True)
    assert table.get_column("v") == [1, "a", True]


def test_none_is_refused_in_a_column_that_is_not_optional() -> None:
    with pytest.raises(TypeError, match="column 'b' is not optional"):
        Table(columns=["a", "b"], data=[[None, None]], optional=[True, False])
    with pytest.raises(ValueError, match="one bool per column"):
        Table(columns=["a", "b"], optional=[True])
