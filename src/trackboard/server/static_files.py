"""The dashboard's built files, served at ``/`` with ``index.html`` for client-side routes.

Any path outside ``/api/`` that is not a file of the bundle gets ``index.html`` (the dashboard
routes in the browser). Without a built bundle a small plain page says how to build it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, Response

DEFAULT_STATIC_DIR = Path(__file__).resolve().parent / "static"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trackboard</title></head>
<body>
<h1>trackboard</h1>
<p>The dashboard bundle is not built, so only the HTTP API is served
(<a href="/docs">/docs</a>).</p>
<p>Build it from a source checkout with <code>npm --prefix web ci &amp;&amp;
npm --prefix web run build</code>, or reinstall with <code>pip install -e .</code>
(the build hook runs the same when Node.js is installed), then reload this page.</p>
</body></html>
"""


def static_response(static_dir: Path, path: str) -> Response:
    """The bundle file at ``path``, else ``index.html``, else the not-built page."""
    base = static_dir.resolve()
    if path:
        candidate = (base / path).resolve()
        if candidate.is_relative_to(base) and candidate.is_file():
            return FileResponse(candidate)
    index = base / "index.html"
    if index.is_file():
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(NOT_BUILT)
