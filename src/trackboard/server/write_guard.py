"""Writes only from the dashboard's own origin (DECISIONS 19: CSRF and DNS rebinding).

A write (any method but GET, HEAD, OPTIONS) is refused with 403 when its ``Origin`` header
names another host than its ``Host`` header, and, when the app was given ``allowed_hosts``
(``trackboard ui`` gives the loopback names), when its ``Host`` is not one of them.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from fastapi import Request
from starlette.exceptions import HTTPException

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_name(host_header: str) -> str:
    """``"127.0.0.1:8080"`` to ``"127.0.0.1"``, ``"[::1]:80"`` to ``"::1"``."""
    return urlsplit(f"//{host_header}").hostname or ""


def write_refusal(
    method: str, host: str | None, origin: str | None, allowed_hosts: Collection[str] | None
) -> str | None:
    """Why a request may not write, or None when it may."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    if allowed_hosts is not None and host_name(host or "") not in allowed_hosts:
        return f"writes are refused for the host {host!r}"
    if origin is not None and urlsplit(origin).netloc.lower() != (host or "").lower():
        return f"writes are refused from the origin {origin!r}"  # "null" included
    return None


def check_write(request: Request) -> None:
    """A route dependency: 403 for a cross-origin or foreign-host write."""
    reason = write_refusal(
        request.method,
        request.headers.get("host"),
        request.headers.get("origin"),
        request.app.state.allowed_hosts,
    )
    if reason is not None:
        raise HTTPException(403, reason)
