"""Media logged through the SDK, read back with ``trackboard.Api``: rows, summary, files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import trackboard
from trackboard import launch


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("TRACKBOARD_", "WANDB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKBOARD_SILENT", "true")
    monkeypatch.chdir(tmp_path)
    yield
    for run in reversed(launch.active_runs()):
        run.finish()


def read_back(tmp_path: Path, run: Any) -> tuple[list[dict[str, Any]], Any, Path]:
    api = trackboard.Api(root=tmp_path / "trackboard")
    stored = api.run(f"{run.entity}/{run.project}/{run.id}")
    return list(stored.scan_history()), stored.summary, Path(run.dir)


def test_media_logged_alone_nested_and_in_lists_are_stored_as_references(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    run.log({"loss": 1.0})
    digits = [
        trackboard.Image(np.full((8, 8), i, dtype=np.uint8), caption=str(i)) for i in range(3)
    ]
    run.log(
        {
            "img": trackboard.Image(np.zeros((4, 5, 3), dtype=np.uint8)),
            "digits": digits,
            "eval": {"table": trackboard.Table(columns=["a"], data=[[1], [2]])},
            "hist": trackboard.Histogram([1, 2, 3], num_bins=3),
            "page": trackboard.Html("<b>x</b>"),
        }
    )
    run.finish()
    rows, summary, files = read_back(tmp_path, run)
    row = rows[1]
    assert row["_step"] == 1
    assert row["img"]["_type"] == "image-file"
    assert row["img"]["path"].startswith("media/images/img_1_")
    assert row["digits"]["_type"] == "images/separated"
    assert row["digits"]["captions"] == ["0", "1", "2"]
    assert row["eval.table"]["_type"] == "table-file"
    assert row["eval.table"]["path"].startswith("media/table/eval.table_1_")
    assert row["hist"] == trackboard.Histogram([1, 2, 3], num_bins=3).to_json()
    assert row["hist"]["values"] == [1, 1, 1]
    assert row["page"]["_type"] == "html-file"
    paths = [
        row["img"]["path"],
        *row["digits"]["filenames"],
        row["eval.table"]["path"],
        row["page"]["path"],
    ]
    assert all((files / p).is_file() for p in paths)
    assert summary["img"] == row["img"]
    assert summary["eval"]["table"]["nrows"] == 2


def test_histogram_with_commit_false_is_one_value_not_dotted_keys(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    run.log({"grad": trackboard.Histogram(np.arange(10), num_bins=2)}, commit=False)
    run.log({"loss": 0.5})
    run.finish()
    rows, _, _ = read_back(tmp_path, run)
    assert rows[0]["grad"] == {"_type": "histogram", "values": [5, 5], "bins": [0.0, 4.5, 9.0]}
    assert not any(key.startswith("grad.") for key in rows[0])


def test_file_names_carry_the_step_of_the_row(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    image = np.zeros((2, 2), dtype=np.uint8)
    run.log({"a": trackboard.Image(image)}, step=7)
    run.log({"b": trackboard.Image(image)}, step=7, commit=False)
    run.log({"c": trackboard.Image(image)})
    run.finish()
    rows, _, _ = read_back(tmp_path, run)
    assert rows[0]["a"]["path"].startswith("media/images/a_7_")
    assert rows[0]["b"]["path"].startswith("media/images/b_7_")
    assert rows[0]["c"]["path"].startswith("media/images/c_7_")


def test_summary_keeps_the_last_logged_reference(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    for value in range(3):
        run.log({"img": trackboard.Image(np.full((2, 2), value, dtype=np.uint8))})
    run.finish()
    rows, summary, _ = read_back(tmp_path, run)
    assert summary["img"] == rows[-1]["img"]
    assert summary["img"]["path"].startswith("media/images/img_2_")


def test_media_assigned_to_the_summary_is_named_summary(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    run.summary["best"] = trackboard.Image(np.ones((2, 2)))
    run.finish()
    _, summary, files = read_back(tmp_path, run)
    assert summary["best"]["path"].startswith("media/images/best_summary_")
    assert (files / summary["best"]["path"]).is_file()


def test_a_key_with_dots_and_slashes_cannot_escape_the_run(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    run.log({"../../../../outside": trackboard.Html("<p>x</p>")})
    run.finish()
    rows, _, files = read_back(tmp_path, run)
    path = (files / rows[0]["../../../../outside"]["path"]).resolve()
    assert path.is_relative_to(files.resolve())
    assert not list(tmp_path.glob("outside*"))


def test_a_matplotlib_figure_logged_directly_is_an_image(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=40)
    figure.add_subplot().plot([1, 2, 3])
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    run.log({"chart": figure})
    run.finish()
    rows, _, files = read_back(tmp_path, run)
    assert rows[0]["chart"]["_type"] == "image-file"
    assert (rows[0]["chart"]["width"], rows[0]["chart"]["height"]) == (40, 40)
    assert (files / rows[0]["chart"]["path"]).read_bytes().startswith(b"\x89PNG")


def test_the_same_image_logged_twice_at_one_step_is_written_once(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    pixels = np.zeros((3, 3), dtype=np.uint8)
    run.log({"k": trackboard.Image(pixels)}, commit=False)
    run.log({"k": trackboard.Image(pixels)})
    run.finish()
    assert len(list((Path(run.dir) / "media" / "images").iterdir())) == 1


def test_media_in_the_config_is_refused(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    with pytest.raises(TypeError, match="media objects cannot be stored in the config"):
        run.config["img"] = trackboard.Image(np.zeros((2, 2)))


def test_a_bad_item_beside_media_in_a_list_names_the_key(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="media")
    with pytest.raises(TypeError, match="'mix'"):
        run.log({"mix": [trackboard.Html("x"), object()]})


def test_media_names_load_neither_numpy_nor_pillow_until_used(tmp_path: Path) -> None:
    source = """
        import sys
        import trackboard
        names = (trackboard.Image, trackboard.Histogram, trackboard.Table, trackboard.Audio,
                 trackboard.Video, trackboard.Html, trackboard.data_types.Image)
        loaded = [m for m in ("numpy", "PIL", "matplotlib") if m in sys.modules]
        assert not loaded, loaded
        """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_disabled_run_accepts_media_and_writes_nothing(tmp_path: Path) -> None:
    run = trackboard.init(mode="disabled")
    run.log({"img": trackboard.Image(np.zeros((2, 2)))})
    run.summary["page"] = trackboard.Html("<p>x</p>")
    run.finish()
    assert not list(tmp_path.rglob("*.png"))
    assert not list(tmp_path.rglob("*.html"))
