"""Access control of the API: keys, sessions, CSRF, and who may read or write which project."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from server_helpers import AppClient, log_run

from trackboard.server import create_app
from trackboard.server.auth import OPEN_ROUTES, SESSION_COOKIE
from trackboard.settings import Settings
from trackboard.store.base import RunChanges
from trackboard.store.sqlite import SqliteStore

_PARAM = re.compile(r"\{(\w+)(?::path)?\}")
_DUMMY = {"entity": "local", "project": "proj", "run_id": "r1", "path": "a.png"}


def _fill(path: str, **values: str) -> str:
    return _PARAM.sub(lambda m: values.get(m.group(1), _DUMMY.get(m.group(1), "x")), path)


def _populate(store: SqliteStore) -> None:
    """Users local (owner of local/proj), mallory, bob in team vision; vision/p and local/open."""
    log_run(store, "r1", [{"loss": 1.0}, {"loss": 0.5}], config={"lr": 0.1})
    log_run(store, "r2", [{"loss": 2.0}], project="open")
    store.append(
        RunChanges(entity="vision", project="p", run_id="t1", session="s", first_seq=0, last_seq=0)
    )
    store.add_user("local", admin=True)
    store.add_user("mallory")
    store.add_user("bob")
    store.add_team("vision")
    store.add_member("vision", "bob")
    store.set_project_visibility("local", "open", "shared")


class Keys:
    def __init__(self, store: SqliteStore) -> None:
        self.local = store.create_key("local")[0]
        self.mallory = store.create_key("mallory")[0]
        self.bob = store.create_key("bob")[0]
        revoked, row = store.create_key("local", "old")
        store.revoke_key(row.key_id)
        self.revoked = revoked


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def app_store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "auth.db")
    _populate(opened)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def keys(app_store: SqliteStore) -> Keys:
    return Keys(app_store)


@pytest.fixture
def auth_client(app_store: SqliteStore, static_dir: Path, tmp_path: Path) -> AppClient:
    app = create_app(app_store, Settings(root=tmp_path / "root"), static_dir=static_dir, auth=True)
    return AppClient(app)


def _walk(routes: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path template) of every API route, through included routers of any depth."""
    for route in routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, prefix + route.path
        elif hasattr(route, "original_router"):  # how FastAPI keeps an included router
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def _api_routes(client: AppClient) -> list[tuple[str, str]]:
    """Every (method, path template) under /api/v1, deletes last (they remove what others use)."""
    found = [(m, path) for m, path in _walk(client.app.routes) if path.startswith("/api/v1")]
    documented = {
        (method.upper(), path)
        for path, item in client.app.openapi()["paths"].items()
        for method in item
    }
    assert documented <= {(m, path.replace(":path}", "}")) for m, path in found}
    assert len(found) > 20
    return sorted(found, key=lambda item: (item[0] == "DELETE", -item[1].count("/")))


def _call(client: AppClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    if method in ("POST", "PUT", "PATCH"):
        kwargs.setdefault("json", {})
    return client.request(method, path, **kwargs)


def test_every_api_route_refuses_missing_wrong_and_revoked_keys(
    auth_client: AppClient, keys: Keys
) -> None:
    wrong = keys.local[:-4] + ("AAAA" if not keys.local.endswith("AAAA") else "BBBB")
    checked = 0
    for method, template in _api_routes(auth_client):
        if (method, template) in OPEN_ROUTES:
            continue
        path = _fill(template)
        for headers in (
            {},
            _bearer(wrong),
            _bearer(keys.revoked),
            _bearer("not-a-key"),
            {"Authorization": f"Basic {keys.local}"},
            {"Cookie": f"{SESSION_COOKIE}=forged"},
        ):
            response = _call(auth_client, method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["error"]["type"] == "Unauthorized"
            assert keys.local not in response.text and keys.revoked not in response.text
        checked += 1
    assert checked > 20
    assert [p.name for p in auth_client.app.state.store.projects()] == ["open", "proj", "p"]


def test_a_right_key_gets_what_an_app_without_auth_answers(
    keys: Keys, static_dir: Path, tmp_path: Path
) -> None:
    """Route by route, the owner's key changes nothing: same statuses as with auth off."""
    plain_store = SqliteStore(tmp_path / "plain.db")
    _populate(plain_store)
    other = create_app(plain_store, Settings(root=tmp_path / "r2"), static_dir=static_dir)
    plain = AppClient(other)
    authed_store: SqliteStore = SqliteStore(tmp_path / "auth.db")
    authed = AppClient(
        create_app(authed_store, Settings(root=tmp_path / "r3"), static_dir=static_dir, auth=True)
    )
    try:
        for method, template in _api_routes(authed):
            if (method, template) in OPEN_ROUTES or template.endswith("/sessions"):
                continue
            path = _fill(template)
            want = _call(plain, method, path)
            got = _call(authed, method, path, headers=_bearer(keys.local))
            assert got.status_code == want.status_code, (method, path, got.text, want.text)
            assert got.status_code not in (401, 403), (method, path, got.text)
    finally:
        plain_store.close()
        authed_store.close()


def test_open_routes_need_no_credentials(auth_client: AppClient, static_dir: Path) -> None:
    (static_dir / "index.html").write_text("<!doctype html><title>trackboard</title>")
    health = auth_client.get("/api/v1/health")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert auth_client.get("/openapi.json").status_code == 200
    assert auth_client.get("/docs").status_code == 200
    assert auth_client.get("/").status_code == 200
    assert auth_client.get("/projects/local/proj").status_code == 200  # the dashboard's page
    assert auth_client.get("/api/v1/projects").status_code == 401


def test_another_entitys_private_project_is_not_found_on_every_route(
    auth_client: AppClient, keys: Keys
) -> None:
    missing = auth_client.get("/api/v1/projects/local/nothing/runs", headers=_bearer(keys.mallory))
    assert missing.status_code == 404
    for method, template in _api_routes(auth_client):
        if "{entity}" not in template:
            continue
        path = _fill(template)
        response = _call(auth_client, method, path, headers=_bearer(keys.mallory))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {
            "error": {"type": "NotFoundError", "message": "no project local/proj"}
        }
    listed = auth_client.get("/api/v1/projects", headers=_bearer(keys.mallory)).json()
    assert [(p["entity"], p["name"]) for p in listed["projects"]] == [("local", "open")]
    runs = auth_client.get("/api/v1/projects/local/proj/runs", headers=_bearer(keys.local))
    assert [r["id"] for r in runs.json()["runs"]] == ["r1"]  # refused writes changed nothing


def test_shared_project_is_readable_but_not_writable_by_others(
    auth_client: AppClient, keys: Keys
) -> None:
    mallory = _bearer(keys.mallory)
    runs = auth_client.get("/api/v1/projects/local/open/runs", headers=mallory)
    assert runs.status_code == 200 and [r["id"] for r in runs.json()["runs"]] == ["r2"]
    run = auth_client.get("/api/v1/projects/local/open/runs/r2", headers=mallory)
    assert run.status_code == 200
    for method, path, body in (
        ("PATCH", "/api/v1/projects/local/open", {"archived": True}),
        ("PATCH", "/api/v1/projects/local/open", {"visibility": "private"}),
        ("PATCH", "/api/v1/projects/local/open/runs/r2", {"name": "mine"}),
        ("PUT", "/api/v1/projects/local/open/views/v", {"settings": {}}),
        ("DELETE", "/api/v1/projects/local/open/runs/r2", None),
        ("DELETE", "/api/v1/projects/local/open", None),
    ):
        response = auth_client.request(method, path, headers=mallory, json=body)
        assert response.status_code == 403, (method, path, response.text)
    row = auth_client.app.state.store.run("local", "open", "r2")
    assert (row.name, row.archived) == (None, False)
    listed = auth_client.get("/api/v1/projects", headers=_bearer(keys.local)).json()["projects"]
    assert {(p["name"], p["visibility"], p["archived"]) for p in listed} == {
        ("open", "shared", False),
        ("proj", "private", False),
    }


def test_team_members_write_the_team_project_and_set_its_visibility(
    auth_client: AppClient, keys: Keys
) -> None:
    bob, mallory = _bearer(keys.bob), _bearer(keys.mallory)
    listed = auth_client.get("/api/v1/projects", headers=bob).json()["projects"]
    assert [(p["entity"], p["name"]) for p in listed] == [("local", "open"), ("vision", "p")]
    edit = auth_client.patch("/api/v1/projects/vision/p", json={"archived": True}, headers=bob)
    assert edit.status_code == 200 and edit.json()["archived"] is True
    assert auth_client.get("/api/v1/projects/vision/p/runs", headers=mallory).status_code == 404
    shared = auth_client.patch(
        "/api/v1/projects/vision/p", json={"visibility": "shared"}, headers=bob
    )
    assert shared.status_code == 200 and shared.json()["visibility"] == "shared"
    assert auth_client.get("/api/v1/projects/vision/p/runs", headers=mallory).status_code == 200
    bad = auth_client.patch("/api/v1/projects/vision/p", json={"visibility": "all"}, headers=bob)
    assert bad.status_code == 400 and "visibility" in bad.json()["error"]["message"]
    assert auth_client.app.state.store.projects("vision")[0].visibility == "shared"
    me = auth_client.get("/api/v1/me", headers=bob).json()
    assert me == {"user": "bob", "entities": ["bob", "vision"], "admin": False, "auth": True}


def _sign_in(client: AppClient, key: str, **headers: str) -> httpx.Response:
    return client.request("POST", "/api/v1/sessions", json={"key": key}, headers=headers)


def test_cookie_session_needs_the_csrf_token_on_writes(auth_client: AppClient, keys: Keys) -> None:
    signed = _sign_in(auth_client, keys.local)
    assert signed.status_code == 200
    body = signed.json()
    assert body["user"] == "local" and body["entities"] == ["local"]
    assert keys.local not in signed.text
    cookie_header = signed.headers["set-cookie"]
    assert cookie_header.startswith(f"{SESSION_COOKIE}=")
    attributes = cookie_header.lower()
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert "secure" not in attributes
    token = signed.cookies[SESSION_COOKIE]
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    read = auth_client.get("/api/v1/projects/local/proj/runs", headers=cookie)
    assert read.status_code == 200
    me = auth_client.get("/api/v1/me", headers=cookie).json()
    assert me["user"] == "local" and me["admin"] is True and me["csrf_token"] == body["csrf_token"]
    path, edit = "/api/v1/projects/local/proj", {"archived": True}
    refused = auth_client.patch(path, json=edit, headers=cookie)
    assert refused.status_code == 403 and "x-csrf-token" in refused.json()["error"]["message"]
    wrong = auth_client.patch(path, json=edit, headers={**cookie, "X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert auth_client.app.state.store.projects("local")[1].archived is False
    done = auth_client.patch(
        path, json=edit, headers={**cookie, "X-CSRF-Token": body["csrf_token"]}
    )
    assert done.status_code == 200 and done.json()["archived"] is True
    out = auth_client.delete(
        "/api/v1/sessions", headers={**cookie, "X-CSRF-Token": body["csrf_token"]}
    )
    assert out.status_code == 204 and f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    assert auth_client.get("/api/v1/projects", headers=cookie).status_code == 401


def test_sign_in_refuses_wrong_keys_and_marks_the_cookie_secure_behind_https(
    auth_client: AppClient, keys: Keys
) -> None:
    for key in (keys.revoked, keys.local + "x", ""):
        refused = _sign_in(auth_client, key)
        assert refused.status_code == 401 and "set-cookie" not in refused.headers
    malformed = auth_client.request("POST", "/api/v1/sessions", json={"api_key": keys.local})
    assert malformed.status_code == 400 and keys.local not in malformed.text
    proxied = _sign_in(auth_client, keys.local, **{"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200 and "secure" in proxied.headers["set-cookie"].lower()
    foreign = _sign_in(auth_client, keys.local, Origin="http://evil.example")
    assert foreign.status_code == 403


def test_keys_in_urls_are_refused(auth_client: AppClient, keys: Keys, client: AppClient) -> None:
    for url in (
        f"/api/v1/projects?api_key={keys.local}",
        f"/api/v1/projects/local/proj/series?key={keys.local}",
        "/api/v1/projects?api_key=",
        f"/api/v1/health?token={keys.local}",
    ):
        for app_client in (auth_client, client):
            response = app_client.get(url, headers=_bearer(keys.local))
            assert response.status_code == 400, url
            assert "URL" in response.json()["error"]["message"]
            assert keys.local not in response.text
    ok = auth_client.get("/api/v1/projects/local/proj/series?key=loss", headers=_bearer(keys.local))
    assert ok.status_code == 200


def test_auth_off_keeps_the_api_open_and_says_so(client: AppClient) -> None:
    assert client.get("/api/v1/me").json() == {"user": None, "auth": False}
    assert client.get("/api/v1/projects").status_code == 200
    refused = client.request("POST", "/api/v1/sessions", json={"key": "x"})
    assert refused.status_code == 400 and "without authentication" in refused.text


def test_keys_never_reach_the_logs(
    auth_client: AppClient,
    keys: Keys,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    auth_client.get("/api/v1/projects", headers=_bearer(keys.local))
    auth_client.get("/api/v1/projects", headers=_bearer(keys.revoked))
    auth_client.get(f"/api/v1/projects?api_key={keys.local}")
    token = _sign_in(auth_client, keys.local).cookies[SESSION_COOKIE]
    auth_client.get("/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={token}"})
    out, err = capfd.readouterr()
    server_side = "\n".join(  # the test's own HTTP client logs the URLs it was asked for
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    for text in (server_side, out, err):
        for secret in (keys.local, keys.revoked, token):
            assert secret not in text


def test_malformed_credentials_are_refused_not_crashed_on(
    auth_client: AppClient, keys: Keys
) -> None:
    for headers in (
        {"Cookie": 'garbage;; ="x'},
        {"Cookie": f"{SESSION_COOKIE}="},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": ""},
    ):
        response = auth_client.get("/api/v1/projects", headers=headers)
        assert response.status_code == 401, (headers, response.text)


def test_a_store_that_fails_during_the_check_answers_json_500(
    auth_client: AppClient, keys: Keys
) -> None:
    auth_client.app.state.store.close()
    response = auth_client.get("/api/v1/projects", headers=_bearer(keys.local))
    assert response.status_code == 500
    assert response.json()["error"]["message"] == "the store is closed"
    assert keys.local not in response.text
