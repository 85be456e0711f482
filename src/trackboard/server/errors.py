"""The one place where trackboard's exception tree becomes HTTP status codes.

Every error answer is ``{"error": {"type": ..., "message": ...}}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from trackboard.errors import ConflictError, Error, InvalidInputError, NotFoundError
from trackboard.server.responses import SafeJSONResponse

STATUS_CODES: tuple[tuple[type[Error], int], ...] = (
    (InvalidInputError, 400),
    (NotFoundError, 404),
    (ConflictError, 409),
)
"""Most specific first; any other :class:`~trackboard.errors.Error` is a 500, and so is any
other exception (type ``InternalError``; the server still logs its traceback)."""

_HTTP_TYPES = {
    400: "InvalidInputError",
    403: "Forbidden",
    404: "NotFoundError",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
}


def status_for(exc: Error) -> int:
    for kind, status in STATUS_CODES:
        if isinstance(exc, kind):
            return status
    return 500


def error_response(status: int, kind: str, message: str) -> Response:
    return SafeJSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Error)
        return error_response(status_for(exc), type(exc).__name__, str(exc))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return error_response(400, "InvalidInputError", "; ".join(parts) or "invalid request")

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = _HTTP_TYPES.get(exc.status_code, "HTTPError")
        return error_response(exc.status_code, kind, str(exc.detail))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        return error_response(500, "InternalError", f"{type(exc).__name__}: {exc}")

    app.add_exception_handler(Error, on_error)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
