"""Local open mode is safe only while no other machine can connect: without keys, the server
must listen on a loopback address."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Names other than ``localhost`` count as not loopback: they may resolve anywhere."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_binding_error(host: str, keys_configured: bool) -> str | None:
    """Why ``newsqa serve`` must not start on ``host``, or None when it may."""
    if keys_configured or is_loopback(host):
        return None
    return (f"refusing to serve on {host} without API keys: anyone who can reach this address "
            "could ingest, delete and query documents. Configure keys with NEWSQA_API_KEYS or "
            "NEWSQA_API_KEYS_FILE (see README, \"Security and limits\"), or listen on 127.0.0.1.")
