"""Which writes the server refuses: foreign origins, and foreign hosts when hosts are listed."""

from __future__ import annotations

import pytest

from trackboard.server.write_guard import LOOPBACK_HOSTS, host_name, write_refusal


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8080", "127.0.0.1"), ("localhost", "localhost"), ("[::1]:80", "::1")],
)
def test_host_name_drops_the_port(header: str, name: str) -> None:
    assert host_name(header) == name


def test_reads_are_never_refused() -> None:
    assert write_refusal("GET", "evil.example", "http://evil.example", LOOPBACK_HOSTS) is None


def test_rebound_host_may_not_write_to_a_loopback_server() -> None:
    assert write_refusal("PATCH", "evil.example:8080", None, LOOPBACK_HOSTS) is not None
    assert write_refusal("PATCH", "127.0.0.1:8080", None, LOOPBACK_HOSTS) is None


def test_cross_origin_write_is_refused_without_a_host_list() -> None:
    assert write_refusal("PATCH", "team:8080", "http://other:8080", None) is not None
    assert write_refusal("PATCH", "team:8080", "http://team:8080", None) is None


def test_null_origin_write_is_refused() -> None:
    assert write_refusal("PATCH", "127.0.0.1:8080", "null", LOOPBACK_HOSTS) is not None
