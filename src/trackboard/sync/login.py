"""``trackboard login``: check a server URL and key, and remember them for online mode.

The credentials file (``settings.config_dir() / "credentials.json"``, mode 0600) holds
``{"base_url": URL, "keys": {"host:port": key}, "entity": user}``: the server runs go to, a key
per server (a key is only sent to the host it was issued for, DECISIONS 9) and the user's entity
on that server, which runs logged under the default entity are uploaded under.
:func:`trackboard.settings.resolve` reads it after the environment variables.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackboard import settings as settings_module
from trackboard.errors import ServerError, UsageError
from trackboard.sync.http import ServerClient

ME_PATH = "/api/v1/me"


@dataclass(frozen=True)
class LoginResult:
    base_url: str
    user: str | None
    """The user the key belongs to; None on a server without keys."""
    auth: bool
    """Whether the server checks keys."""
    path: Path
    """The credentials file written."""


def verify(client: ServerClient) -> tuple[str | None, bool]:
    """``(user, auth)`` as the server sees ``client``'s key.

    A server that does not answer ``/api/v1/me`` (404) has no keys to check. A refused key is a
    :class:`~trackboard.errors.UsageError` naming the server; a server that cannot be reached
    raises :class:`~trackboard.errors.TransportError`.
    """
    try:
        answer = client.request("GET", ME_PATH).json()
    except ServerError as exc:
        if exc.status == 404:
            return None, False
        if exc.status in (401, 403):
            raise UsageError(
                f"{client.base_url} refused the API key: {exc.message}; "
                "create one with 'trackboard keys create USER' on the server"
            ) from None
        raise
    if not isinstance(answer, dict):
        return None, False
    user = answer.get("user")
    auth = bool(answer.get("auth"))
    if auth and not isinstance(user, str):
        raise UsageError(f"{client.base_url} needs an API key: pass --key or enter one")
    return (user if isinstance(user, str) else None), auth


def login(
    base_url: str,
    key: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> LoginResult:
    """Verify ``key`` against the server at ``base_url`` and save both as the default."""
    client = ServerClient(base_url, key or None, timeout=timeout)
    user, auth = verify(client)
    path = settings_module.config_dir(environ) / settings_module.CREDENTIALS_FILE
    data = settings_module.read_credentials(environ)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    keys = dict(keys or {})
    if key:
        keys[client.host] = key
    else:
        keys.pop(client.host, None)
    out: dict[str, Any] = {"base_url": client.base_url, "keys": keys}
    if user is not None:
        out["entity"] = user
    write_private_json(path, out)
    return LoginResult(client.base_url, user, auth, path)


def write_private_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600, folder 0700), replacing
    it in one step so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def ask_key(host: str, prompt: Callable[[str], str]) -> str | None:
    """The key typed at the prompt (hidden); None for an empty answer (a server without keys)."""
    typed = prompt(f"API key for {host} (empty for a server without keys): ").strip()
    return typed or None
