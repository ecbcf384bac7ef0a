"""Serving the sandbox with uvicorn: ``site-gen sandbox`` and the tests' background server."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn

from site_gen.errors import SiteGenError
from site_gen.validation import is_loopback_host

from .app import Controls, create_app
from .state import SEED_ACCOUNTS, SandboxState

__all__ = ["SandboxServerError", "bind", "make_server", "origin_for", "serve"]


class SandboxServerError(SiteGenError):
    """The sandbox could not start (port taken, bad address)."""

    exit_code = 1


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before uvicorn starts so that port 0 works and errors are ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # that say they are TCP, and with Nagle on every keep-alive answer waits
    # ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SandboxServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def origin_for(sock: socket.socket, host: str) -> str:
    """The http origin browsers use to reach ``sock`` (meeting URLs point there)."""
    port = sock.getsockname()[1]
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def make_server(app: object) -> uvicorn.Server:
    """A quiet uvicorn server: no access log, whose lines would show /auth login keys."""
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def default_db(folder: Path) -> Path | None:
    """Inside a site, the file its builds' in-process sandbox uses; elsewhere memory.

    Sharing it means the rooms of webinars a build scheduled (their one-time
    access codes) open in this server too.
    """
    from site_gen.apply import SANDBOX_DB

    if (folder / "site.toml").is_file():
        path = folder / SANDBOX_DB
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    return None


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

    ``db`` None means :func:`default_db` of the current folder; ``:memory:`` forces memory.
    """
    if db is None:
        db = default_db(Path.cwd())
    elif str(db) == ":memory:":
        db = None
    if not 0.0 <= fail_rate <= 1.0:
        raise SandboxServerError("--fail-rate is a fraction between 0 and 1")
    sock = bind(host, port)
    origin = origin_for(sock, host)
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
    server = make_server(app)
    try:
        server.run(sockets=[sock])
    finally:
        with contextlib.suppress(OSError):
            sock.close()
        state.close()
