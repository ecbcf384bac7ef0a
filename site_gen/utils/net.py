"""Loopback, sockets and quiet uvicorn servers: shared by the preview, the sandbox and checks.

Plain ``http://`` is acceptable only where nothing crosses a network:
loopback addresses. That one rule decides which API addresses may receive
credentials (the client), which ``api``/``domain`` values site.toml accepts
(the config) and which links may use http.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "PORT_TRIES",
    "PortTaken",
    "bind_socket",
    "http_origin",
    "is_loopback_host",
    "plain_http_off_loopback",
    "quiet_server",
]

#: How many ports after a requested one :func:`bind_socket` tries when it is taken.
PORT_TRIES = 20


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses, where plain http cannot leak."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_off_loopback(url: str) -> bool:
    """The URL would travel unencrypted over a network: ``http://`` to a non-loopback host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname)


class PortTaken(OSError):
    """No free port: the requested one and those after it are in use."""


def bind_socket(
    host: str, port: int, *, avoid: frozenset[int] = frozenset(), tries: int = 1
) -> socket.socket:
    """A listening TCP socket on ``port``, or (with ``tries`` > 1) the next free one (PortTaken).

    Binding here, not in uvicorn, leaves no gap between "this port is free"
    and using it, makes port 0 work, and lets the caller say which port it
    got. Errors other than "address in use" are raised as they are.
    """
    if tries <= 1:
        return _bind(host, port)
    candidates = [0] if port == 0 else [p for p in range(port, port + tries) if p not in avoid]
    for candidate in candidates:
        try:
            return _bind(host, candidate)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    raise PortTaken(errno.EADDRINUSE, f"port {port} and the {tries - 1} after it are in use")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # that say they are TCP, and with Nagle on every keep-alive answer waits
    # ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def http_origin(sock: socket.socket, host: str) -> str:
    """The http origin browsers use to reach ``sock`` (a wildcard address shows as 127.0.0.1)."""
    port = sock.getsockname()[1]
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn() -> Any:
    import uvicorn  # only servers need it: `site-gen build` never starts one

    return uvicorn


def quiet_server(app: Any, *, own_signals: bool = True) -> Any:
    """A uvicorn server with no access log (its lines would show /auth login keys).

    ``own_signals=False`` leaves SIGINT/SIGTERM to the caller, so that one
    Ctrl-C stops several servers running on one event loop together.
    """
    uvicorn = _uvicorn()
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    if own_signals:
        return uvicorn.Server(config)

    class _SharedSignals(uvicorn.Server):  # type: ignore[misc,name-defined]
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return _SharedSignals(config)
