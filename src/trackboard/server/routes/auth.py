"""Signing in and out of the dashboard, who is signed in, and the health check.

``POST /api/v1/sessions`` trades an API key (in the body, never in a URL) for the session cookie
and the CSRF token the dashboard sends with its writes; the key itself stays out of the browser's
storage. The access rule itself is :mod:`trackboard.server.auth`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from trackboard.errors import InvalidInputError
from trackboard.server.auth import SESSION_COOKIE, SESSION_TTL_S, principal_of, unauthorized
from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse
from trackboard.server.write_guard import check_write

router = APIRouter(tags=["auth"])


def _secure(request: Request) -> bool:
    """Whether the browser reached us over https (directly or through a proxy that says so)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _sign_in_key(body: Any) -> str:
    if not isinstance(body, dict) or set(body) != {"key"} or not isinstance(body["key"], str):
        raise InvalidInputError('the body must be a JSON object {"key": "<API key>"}')
    return body["key"].strip()


@router.get("/health", response_class=SafeJSONResponse)
def health() -> SafeJSONResponse:
    """For load balancers and probes; needs no credentials."""
    return SafeJSONResponse({"status": "ok"})


@router.post("/sessions", response_class=SafeJSONResponse, dependencies=[Depends(check_write)])
def sign_in(
    request: Request,
    store: StoreDep,
    body: Any = Body(...),  # noqa: B008
) -> Response:
    """Sign in with an API key: sets the session cookie, answers the user and CSRF token."""
    if not request.app.state.auth:
        raise InvalidInputError("this server runs without authentication: nothing to sign in to")
    user = store.verify_key(_sign_in_key(body))
    if user is None:
        return unauthorized("the API key is not valid (wrong, malformed or revoked)")
    token, session = store.create_session(user.name, ttl_s=SESSION_TTL_S)
    answer = SafeJSONResponse(
        {
            "user": user.name,
            "csrf_token": session.csrf_token,
            "entities": store.entities_of(user.name),
        }
    )
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL_S),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return answer


@router.delete("/sessions", status_code=204, dependencies=[Depends(check_write)])
def sign_out(request: Request, store: StoreDep) -> Response:
    """End the cookie's session (a request signed by a key has none: nothing to end)."""
    principal = principal_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    if principal is not None and principal.session is not None and token:
        store.delete_session(token)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.get("/me", response_class=SafeJSONResponse)
def me(request: Request) -> SafeJSONResponse:
    """The signed-in user, its entities and, for a cookie session, its CSRF token."""
    principal = principal_of(request)
    if principal is None:
        return SafeJSONResponse({"user": None, "auth": False})
    answer: dict[str, Any] = {
        "user": principal.user,
        "entities": list(principal.entities),
        "admin": principal.admin,
        "auth": True,
    }
    if principal.session is not None:
        answer["csrf_token"] = principal.session.csrf_token
    return SafeJSONResponse(answer)
