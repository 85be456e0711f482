"""Who may call the API: the one access rule, applied as middleware so no route can forget it.

With auth on (``trackboard server`` without ``--no-auth``), every ``/api/...`` request but
signing in and the health check needs ``Authorization: Bearer <key>`` or the dashboard's
session cookie; otherwise 401 with ``WWW-Authenticate: Bearer``. A write (any method but GET,
HEAD, OPTIONS) authenticated by the cookie also needs the session's token in ``X-CSRF-Token``:
the browser sends the cookie by itself, but only our own page can read the token.

A request under ``/api/v1/projects/{entity}/{project}`` is allowed to the project's entity (the
user, or a team's members); a ``shared`` project is readable by every signed-in user and
writable by its entity only. Anyone else gets 404, as for a project that does not exist, so a
private project's name is not revealed. ``GET /api/v1/projects`` filters its own list
(:func:`readable`).

API keys never travel in URLs (they end up in proxies' and browsers' logs): a query string
naming ``api_key`` or holding a value shaped like a key is refused with 400, auth on or off.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from trackboard.errors import Error
from trackboard.server.errors import error_response, status_for
from trackboard.store.auth_rows import KEY_PATTERN
from trackboard.store.base import ProjectRow, SessionRow, Store

API_ROOT = "/api/v1"
SESSION_COOKIE = "trackboard_session"
CSRF_HEADER = "x-csrf-token"
SESSION_TTL_S = 14 * 24 * 3600.0
"""A dashboard session lasts two weeks, then the key must be typed again."""
OPEN_ROUTES = frozenset(
    {
        ("POST", f"{API_ROOT}/sessions"),
        ("GET", f"{API_ROOT}/health"),
        ("HEAD", f"{API_ROOT}/health"),
    }
)
"""What needs no credentials under ``/api``; outside it (the dashboard's files, the OpenAPI
document and its pages) nothing does."""
READ_METHODS = ("GET", "HEAD", "OPTIONS")
_PROJECTS = f"{API_ROOT}/projects/"


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request; ``session`` is set when the cookie signed it in."""

    user: str
    admin: bool
    entities: tuple[str, ...]
    session: SessionRow | None = None


def principal_of(request: Request) -> Principal | None:
    """The request's user, or None when the app runs without auth."""
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else None


def readable(principal: Principal | None, project: ProjectRow) -> bool:
    return (
        principal is None or project.entity in principal.entities or project.visibility == "shared"
    )


def unauthorized(message: str) -> Response:
    """401 with the challenge that tells clients a bearer key is wanted."""
    response = error_response(401, "Unauthorized", message)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def key_in_url(query_string: str) -> bool:
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if name.lower() == "api_key" or KEY_PATTERN.search(value) or KEY_PATTERN.search(name):
            return True
    return False


def _session_token(headers: dict[str, str]) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no session
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def authenticate(store: Store, method: str, headers: dict[str, str]) -> Principal | Response:
    """The request's principal from its bearer key or its session cookie, or the refusal."""
    session: SessionRow | None = None
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return unauthorized("the Authorization header must be 'Bearer <API key>'")
        user = store.verify_key(key.strip())
        if user is None:
            return unauthorized("the API key is not valid (wrong, malformed or revoked)")
        name, admin = user.name, user.admin
    else:
        token = _session_token(headers)
        if token is None:
            return unauthorized(
                "sign in: send 'Authorization: Bearer <API key>' or the session cookie"
            )
        session = store.verify_session(token)
        if session is None:
            return unauthorized("the session has expired or ended: sign in again")
        if method not in READ_METHODS and not hmac.compare_digest(
            headers.get(CSRF_HEADER, ""), session.csrf_token
        ):
            return error_response(
                403, "Forbidden", f"a write with the session cookie needs the {CSRF_HEADER} header"
            )
        name, admin = session.user, store.user(session.user).admin
    return Principal(name, admin, tuple(store.entities_of(name)), session)


def project_refusal(store: Store, principal: Principal, method: str, path: str) -> Response | None:
    """404 for a project the user may not read, 403 for a shared one it may not write."""
    if not path.startswith(_PROJECTS):
        return None
    parts = path[len(_PROJECTS) :].split("/")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None  # no such route: the router answers 404
    entity, project = parts[0], parts[1]
    if entity in principal.entities:
        return None
    shared = any(
        row.name == project and row.visibility == "shared" for row in store.projects(entity)
    )
    if not shared:
        return error_response(404, "NotFoundError", f"no project {entity}/{project}")
    if method in READ_METHODS:
        return None
    return error_response(
        403, "Forbidden", f"project {entity}/{project} is shared read-only: only its members write"
    )


def check_request(store: Store, enabled: bool, scope: Scope) -> Principal | Response | None:
    """What the middleware decides for one request: its principal, a refusal, or nothing."""
    path: str = scope["path"]
    if key_in_url(scope.get("query_string", b"").decode("latin-1")):
        return error_response(
            400,
            "InvalidInputError",
            "API keys are not accepted in URLs: send the header 'Authorization: Bearer <key>'",
        )
    if not enabled or not (path == "/api" or path.startswith("/api/")):
        return None
    method: str = scope["method"]
    if (method, path.rstrip("/")) in OPEN_ROUTES:
        return None
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    found = authenticate(store, method, headers)
    if isinstance(found, Response):
        return found
    return project_refusal(store, found, method, path) or found


class AuthMiddleware:
    """ASGI middleware running :func:`check_request` (in a thread: the store blocks)."""

    def __init__(self, app: ASGIApp, store: Store, enabled: bool) -> None:
        self.app = app
        self.store = store
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            found = await run_in_threadpool(check_request, self.store, self.enabled, scope)
        except Error as exc:
            found = error_response(status_for(exc), type(exc).__name__, str(exc))
        if isinstance(found, Response):
            await found(scope, receive, send)
            return
        if found is not None:
            scope.setdefault("state", {})["principal"] = found
        await self.app(scope, receive, send)
