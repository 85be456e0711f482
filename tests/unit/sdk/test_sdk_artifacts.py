from __future__ import annotations

import json
from pathlib import Path

import pytest

import trackboard
from trackboard.errors import InvalidInputError, NotFoundError


def test_logged_artifact_versions_files_and_reuses_identical_content(root: Path) -> None:
    data = root.parent / "data.csv"
    data.write_text("a,b\n1,2\n")
    run = trackboard.init(project="arts")
    art = trackboard.Artifact("dataset", type="dataset", metadata={"rows": 1})
    art.add_file(data)
    with art.new_file("notes/readme.txt", mode="w") as handle:
        handle.write("hello")
    logged = run.log_artifact(art, aliases=["best"])
    assert logged.version == "v0"
    assert logged.aliases == ["best", "latest"]

    same = trackboard.Artifact("dataset", type="dataset")
    same.add_file(data)
    with same.new_file("notes/readme.txt", mode="w") as handle:
        handle.write("hello")
    assert run.log_artifact(same).version == "v0"  # identical content: no new version

    data.write_text("a,b\n1,2\n3,4\n")
    changed = trackboard.Artifact("dataset", type="dataset")
    changed.add_file(data)
    assert run.log_artifact(changed).version == "v1"

    used = trackboard.use_artifact("dataset:best")
    assert used.version == "v0"
    assert used.get_path("notes/readme.txt").read_text() == "hello"
    target = Path(used.download(root.parent / "dl"))
    assert (target / "data.csv").read_text() == "a,b\n1,2\n"
    assert trackboard.use_artifact("dataset").version == "v1"
    assert trackboard.use_artifact("dataset:v0", type="dataset").files() == [
        "data.csv",
        "notes/readme.txt",
    ]
    manifest = json.loads(
        (root / "local" / "arts" / ".artifacts" / "dataset" / "v1" / "manifest.json").read_text()
    )
    assert manifest["logged_by"] == run.id
    assert manifest["files"]["data.csv"]["size"] == len("a,b\n1,2\n3,4\n")
    run.finish()


def test_log_model_stores_a_folder_as_a_model_artifact(root: Path) -> None:
    model = root.parent / "model"
    (model / "sub").mkdir(parents=True)
    (model / "weights.bin").write_bytes(b"\x00" * 16)
    (model / "sub" / "cfg.json").write_text("{}")
    run = trackboard.init(project="arts")
    art = trackboard.log_model(model, name="cnn")
    assert art.type == "model"
    assert trackboard.use_artifact("cnn:latest").files() == ["sub/cfg.json", "weights.bin"]
    run.finish()


def test_artifact_names_and_paths_cannot_escape_the_artifact(root: Path) -> None:
    with pytest.raises(InvalidInputError, match="artifact name"):
        trackboard.Artifact("../evil", type="x")
    art = trackboard.Artifact("ok", type="x")
    with pytest.raises(InvalidInputError, match="must stay inside"), art.new_file("../../x"):
        pass


def test_using_an_unknown_artifact_is_a_clear_error(root: Path) -> None:
    run = trackboard.init(project="arts")
    with pytest.raises(NotFoundError, match="local/arts/missing:latest"):
        run.use_artifact("missing")
    run.finish()


def test_artifact_calls_before_init_raise_the_usual_error() -> None:
    with pytest.raises(trackboard.Error, match=r"trackboard.init\(\) before"):
        trackboard.log_artifact("x")
