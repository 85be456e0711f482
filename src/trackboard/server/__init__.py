"""The HTTP server: the API of docs/http-api.md and the dashboard's files."""

from trackboard.server.app import create_app

__all__ = ["create_app"]
