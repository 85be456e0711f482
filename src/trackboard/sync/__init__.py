"""Online mode's client side: talking to a trackboard server and uploading run folders.

:class:`ServerClient` is a small standard-library HTTP client (it sends the API key only to the
host it was issued for, DECISIONS 9); the uploader follows a run log and sends its frames as
``docs/design/0004-team-server.md`` describes; ``trackboard login`` and ``trackboard sync`` sit on
top. Importing this package loads only the standard library.
"""

from __future__ import annotations

from trackboard.errors import RemoteError, ServerError, TransportError
from trackboard.sync.http import Backoff, Reply, ServerClient, retry_delays

__all__ = [
    "Backoff",
    "RemoteError",
    "Reply",
    "ServerClient",
    "ServerError",
    "TransportError",
    "retry_delays",
]
