"""Where online mode finds its server and key, and ``trackboard login`` saving them."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sync_helpers import LiveServer

from trackboard.cli import main
from trackboard.errors import InvalidInputError, UsageError
from trackboard.settings import resolve
from trackboard.sync.login import login, write_private_json


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"TRACKBOARD_CONFIG_DIR": str(tmp_path / "config"), **values}


def _save(tmp_path: Path, data: dict[str, object]) -> None:
    write_private_json(tmp_path / "config" / "credentials.json", data)


def test_no_server_configured_means_offline(tmp_path: Path) -> None:
    settings = resolve(environ=_env(tmp_path))
    assert settings.mode == "offline" and settings.base_url is None


def test_trackboard_base_url_goes_online_with_trackboard_key_only(tmp_path: Path) -> None:
    settings = resolve(
        environ=_env(
            tmp_path,
            TRACKBOARD_BASE_URL="http://tb:8080",
            TRACKBOARD_API_KEY="tb_key",
            WANDB_API_KEY="wandb_secret",
        )
    )
    assert (settings.mode, settings.base_url, settings.api_key) == (
        "online",
        "http://tb:8080",
        "tb_key",
    )
    no_key = resolve(
        environ=_env(tmp_path, TRACKBOARD_BASE_URL="http://tb:8080", WANDB_API_KEY="wandb_x")
    )
    assert no_key.api_key is None  # a wandb key is never sent to another server


def test_wandb_base_url_of_a_trackboard_server_is_honoured_with_its_key(tmp_path: Path) -> None:
    settings = resolve(
        environ=_env(tmp_path, WANDB_BASE_URL="https://tb.example.org", WANDB_API_KEY="k1")
    )
    assert (settings.mode, settings.base_url, settings.api_key) == (
        "online",
        "https://tb.example.org",
        "k1",
    )


@pytest.mark.parametrize("url", ["https://api.wandb.ai", "https://my-team.wandb.ai/"])
def test_wandb_base_url_of_wandbs_service_stays_offline(tmp_path: Path, url: str) -> None:
    settings = resolve(environ=_env(tmp_path, WANDB_BASE_URL=url, WANDB_API_KEY="secret"))
    assert (settings.mode, settings.base_url, settings.api_key) == ("offline", None, None)


def test_credentials_file_gives_url_key_for_its_host_and_entity(tmp_path: Path) -> None:
    _save(
        tmp_path,
        {
            "base_url": "https://tb.example.org",
            "keys": {"tb.example.org:443": "saved", "other:80": "other"},
            "entity": "alice",
        },
    )
    settings = resolve(environ=_env(tmp_path))
    assert (settings.mode, settings.base_url, settings.api_key, settings.user_entity) == (
        "online",
        "https://tb.example.org",
        "saved",
        "alice",
    )
    elsewhere = resolve(environ=_env(tmp_path, TRACKBOARD_BASE_URL="http://third:9000"))
    assert elsewhere.api_key is None and elsewhere.user_entity is None
    explicit = resolve(environ=_env(tmp_path, TRACKBOARD_BASE_URL="http://other"))
    assert explicit.api_key == "other"


def test_mode_offline_wins_over_a_configured_server(tmp_path: Path) -> None:
    env = _env(tmp_path, TRACKBOARD_BASE_URL="http://tb:8080")
    assert resolve(mode="offline", environ=env).mode == "offline"
    assert resolve(environ={**env, "WANDB_MODE": "offline"}).mode == "offline"
    assert resolve(overrides={"base_url": "http://x:1"}, environ=_env(tmp_path)).mode == "online"


def test_upload_timeout_from_the_environment_and_checked(tmp_path: Path) -> None:
    assert resolve(environ=_env(tmp_path)).upload_timeout == 60.0
    assert resolve(environ=_env(tmp_path, TRACKBOARD_UPLOAD_TIMEOUT="2.5")).upload_timeout == 2.5
    assert resolve(overrides={"upload_timeout": 0}, environ=_env(tmp_path)).upload_timeout == 0
    with pytest.raises(InvalidInputError, match=r"upload_timeout .* got 'soon'"):
        resolve(environ=_env(tmp_path, TRACKBOARD_UPLOAD_TIMEOUT="soon"))


def test_login_verifies_the_key_and_saves_it_private(
    tmp_path: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(auth=True)
    server.store.add_user("alice")
    key, _row = server.store.create_key("alice")
    env = _env(tmp_path)
    result = login(server.url, key, environ=env)
    assert result.user == "alice" and result.auth
    path = tmp_path / "config" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    host = f"127.0.0.1:{server.port}"
    assert json.loads(path.read_text()) == {
        "base_url": server.url,
        "keys": {host: key},
        "entity": "alice",
    }
    settings = resolve(environ=env)
    assert (settings.base_url, settings.api_key, settings.user_entity) == (server.url, key, "alice")


def test_login_with_a_refused_key_saves_nothing(
    tmp_path: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(auth=True)
    server.store.add_user("alice")
    with pytest.raises(UsageError, match="refused the API key"):
        login(server.url, "tb_wrong", environ=_env(tmp_path))
    assert not (tmp_path / "config" / "credentials.json").exists()


def test_login_to_a_server_without_keys_keeps_other_servers_keys(
    tmp_path: Path, live: LiveServer
) -> None:
    _save(tmp_path, {"base_url": "https://a.org", "keys": {"a.org:443": "ka"}, "entity": "bob"})
    result = login(live.url, None, environ=_env(tmp_path))
    assert result.user is None and not result.auth
    saved = json.loads((tmp_path / "config" / "credentials.json").read_text())
    assert saved == {"base_url": live.url, "keys": {"a.org:443": "ka"}}


def test_login_command_reports_an_unreachable_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKBOARD_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["login", "http://127.0.0.1:9", "--key", "k"]) == 2
    assert "cannot reach the server" in capsys.readouterr().err
    assert not (tmp_path / "config").exists()


def test_facade_login_saves_a_server_and_is_a_no_op_without_one(
    tmp_path: Path, serve: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    import trackboard

    monkeypatch.setenv("TRACKBOARD_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("TRACKBOARD_BASE_URL", "WANDB_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert trackboard.login(key="tb_unused") is True  # no server: a local root
    assert not (tmp_path / "config").exists()
    server = serve(auth=True)
    server.store.add_user("alice")
    key, _row = server.store.create_key("alice")
    assert trackboard.login(key=key, host=server.url) is True
    assert resolve().api_key == key
    with pytest.raises(UsageError, match="refused the API key"):
        trackboard.login(key="tb_wrong", host=server.url)
    assert resolve().api_key == key  # a refused key replaces nothing
    assert trackboard.login(key="k", host="http://127.0.0.1:9") is False  # unreachable: warns
