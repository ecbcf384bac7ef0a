"""Serving the sandbox with uvicorn: ``site-gen sandbox`` and the tests' background server."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from pathlib import Path

from site_gen.errors import SiteGenError
from site_gen.utils.net import bind_socket, http_origin, is_loopback_host, quiet_server

from .app import Controls, create_app
from .state import SEED_ACCOUNTS, SandboxState

__all__ = ["SandboxServerError", "bind", "serve"]


class SandboxServerError(SiteGenError):
    """The sandbox could not start (port taken, bad address)."""

    exit_code = 1


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before uvicorn starts so that port 0 works and errors are ours."""
    try:
        return bind_socket(host, port)
    except OSError as exc:
        raise SandboxServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    db: Path | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Run the sandbox until interrupted; prints its address and the seeded accounts.

    ``db`` is the SQLite file that keeps the state (None: memory).
    """
    if not 0.0 <= fail_rate <= 1.0:
        raise SandboxServerError("--fail-rate is a fraction between 0 and 1")
    sock = bind(host, port)
    origin = http_origin(sock, host)
    state = SandboxState.open(db)
    controls = Controls(latency_ms=latency_ms, fail_rate=fail_rate)
    app = create_app(state, public_origin=origin, controls=controls)
    echo(f'Callbridge sandbox on {origin}  (api = "{origin}" in site.toml)')
    echo(f"State: {db if db is not None else 'in memory (use --db FILE to keep it)'}")
    if latency_ms or fail_rate:
        echo(f"Faults: {latency_ms:g} ms latency, {fail_rate:.0%} of API calls answer 500")
    if not is_loopback_host(host):
        echo(f"Warning: {host} is not a loopback address; the seeded passwords are public.")
    echo("Seeded accounts (public test fixtures):")
    for seed in SEED_ACCOUNTS:
        echo(
            f"  {seed.role:<15} {seed.email:<24} password {seed.password:<17} "
            f"host_id {seed.host_id}  room {origin}/conf/call/{seed.access_code}"
        )
    echo("Press Ctrl-C to stop.")
    server = quiet_server(app)
    try:
        server.run(sockets=[sock])
    finally:
        with contextlib.suppress(OSError):
            sock.close()
        state.close()
