"""Table pages: filtering, sorting, paging and the parse cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trackboard.errors import InvalidInputError
from trackboard.query.tables import TableCache, table_page


def write_table(path: Path, columns: list[str], data: list[list[Any]]) -> Path:
    path.write_text(json.dumps({"columns": columns, "data": data}))
    return path


def test_table_page_slices_rows_in_logged_order(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.table.json", ["i"], [[i] for i in range(10)])
    page = table_page(TableCache(), path, offset=3, limit=4)
    assert page["columns"] == ["i"] and page["nrows"] == 10 and page["total"] == 10
    assert [r["index"] for r in page["rows"]] == [3, 4, 5, 6]
    assert [r["cells"] for r in page["rows"]] == [[3], [4], [5], [6]]


def test_table_page_sorts_numbers_before_text_and_keeps_ties_in_order(tmp_path: Path) -> None:
    data = [["b", 2], ["a", None], ["c", 10], ["d", 2], ["e", "x"]]
    path = write_table(tmp_path / "t.table.json", ["name", "v"], data)
    cache = TableCache()
    up = table_page(cache, path, sort="v")
    assert [r["cells"][0] for r in up["rows"]] == ["b", "d", "c", "e", "a"]
    down = table_page(cache, path, sort="v", descending=True)
    assert [r["cells"][0] for r in down["rows"]] == ["a", "e", "c", "b", "d"]


def test_table_page_filters_on_any_plain_cell(tmp_path: Path) -> None:
    image = {"_type": "image-file", "path": "media/images/cat.png"}
    data = [["Cat", 1, image], ["dog", 12, image], ["bird", 3, image]]
    path = write_table(tmp_path / "t.table.json", ["name", "n", "img"], data)
    page = table_page(TableCache(), path, text_filter="CAT")
    assert [r["index"] for r in page["rows"]] == [0]
    assert page["rows"][0]["cells"][2] == image
    assert table_page(TableCache(), path, text_filter="1")["total"] == 2


def test_table_page_refuses_bad_arguments(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.table.json", ["a"], [[1]])
    with pytest.raises(InvalidInputError, match="sort names no column: 'zz'"):
        table_page(TableCache(), path, sort="zz")
    with pytest.raises(InvalidInputError, match="limit must be in"):
        table_page(TableCache(), path, limit=0)
    with pytest.raises(InvalidInputError, match="offset must be >= 0"):
        table_page(TableCache(), path, offset=-1)
    bad = tmp_path / "bad.table.json"
    bad.write_text("[1, 2]")
    with pytest.raises(InvalidInputError, match=r"bad\.table\.json is not a table file"):
        table_page(TableCache(), bad)


def test_table_cache_reads_a_rewritten_file_again(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.table.json", ["a"], [[1]])
    cache = TableCache()
    assert table_page(cache, path)["nrows"] == 1
    write_table(path, ["a"], [[1], [2], [3]])
    assert table_page(cache, path)["nrows"] == 3


def test_table_page_of_200000_rows_pages_a_sorted_order(tmp_path: Path) -> None:
    data = [[i, (i * 7919) % 200_000] for i in range(200_000)]
    path = write_table(tmp_path / "big.table.json", ["i", "v"], data)
    cache = TableCache()
    page = table_page(cache, path, offset=199_990, limit=20, sort="v")
    assert page["total"] == 200_000 and len(page["rows"]) == 10
    assert [r["cells"][1] for r in page["rows"]] == list(range(199_990, 200_000))
