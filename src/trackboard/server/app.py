"""``create_app(store, settings)``: the HTTP API under ``/api/v1`` and the dashboard at ``/``.

The contract is docs/http-api.md. JSON answers are gzipped when large; the binary series
bodies never are (floats hardly compress, and gzip would cost more than it saves). With a
``root``, a background thread follows its run logs into ``store`` while the app runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import metadata
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import Response

from trackboard.errors import NotFoundError
from trackboard.ingest.follow import RootFollower
from trackboard.query.chart import PARALLEL_READS, BucketCache
from trackboard.query.tables import TableCache
from trackboard.server.auth import AuthMiddleware
from trackboard.server.errors import install_error_handlers
from trackboard.server.limits import InflightGate, ServerLimits
from trackboard.server.live import LiveFollower
from trackboard.server.media_store import LocalMediaStore, MediaStore
from trackboard.server.routes import auth as auth_routes
from trackboard.server.routes import (
    charts,
    history,
    ingest,
    keys,
    logs,
    media,
    projects,
    runs,
    series,
    sweeps,
    workspaces,
)
from trackboard.server.series_body import MEDIA_TYPE
from trackboard.server.static_files import DEFAULT_STATIC_DIR, static_response
from trackboard.settings import Settings
from trackboard.store.base import Store

API_PREFIX = "/api/v1"
GZIP_MIN_BYTES = 1024


def _version() -> str:
    try:
        return metadata.version("trackboard")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def create_app(
    store: Store,
    settings: Settings,
    *,
    root: Path | None = None,
    static_dir: Path | None = None,
    follow_interval: float = 1.0,
    allowed_hosts: Collection[str] | None = None,
    limits: ServerLimits | None = None,
    media_store: MediaStore | None = None,
    auth: bool = False,
) -> FastAPI:
    """The app over ``store``; with ``root``, its run logs are followed while it runs.

    ``allowed_hosts``: the only ``Host`` names that may write (``trackboard ui`` passes the
    loopback names); cross-origin writes are refused in any case. ``auth``: every API request
    needs a key or a session (``server/auth.py``). ``limits``: what uploads may be
    (``server/limits.py``); ``media_store``: where run files live (default: the run folders)."""
    live = LiveFollower(RootFollower(store, root), follow_interval) if root is not None else None
    read_pool = ThreadPoolExecutor(PARALLEL_READS, thread_name_prefix="trackboard-read")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if live is not None:
            live.start()
        try:
            yield
        finally:
            if live is not None:
                live.stop()
            read_pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="trackboard",
        version=_version(),
        description="The trackboard HTTP API; see docs/http-api.md.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.live = live
    app.state.root = root
    app.state.bucket_cache = BucketCache()
    app.state.table_cache = TableCache()
    app.state.read_pool = read_pool
    app.state.allowed_hosts = None if allowed_hosts is None else frozenset(allowed_hosts)
    app.state.limits = limits if limits is not None else ServerLimits()
    app.state.ingest_gate = InflightGate(app.state.limits.max_ingest_inflight)
    # Run files: uploads land here and the media routes read them (default: the run folders).
    app.state.media = media_store or LocalMediaStore(root if root is not None else settings.root)
    app.state.auth = auth
    install_error_handlers(app)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MIN_BYTES,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, MEDIA_TYPE),
    )
    app.add_middleware(AuthMiddleware, store=store, enabled=auth)
    app.include_router(auth_routes.router, prefix=API_PREFIX)
    for module in (projects, runs, keys, series, history, workspaces, media, charts, sweeps, logs):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(ingest.router, prefix=API_PREFIX)
    files = static_dir if static_dir is not None else DEFAULT_STATIC_DIR

    @app.get("/{path:path}", include_in_schema=False)
    def dashboard(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise NotFoundError(f"no API route /{path}")
        return static_response(files, path)

    return app
