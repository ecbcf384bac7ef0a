"""The preview server: build into memory, serve, watch, rebuild, reload the tabs.

Everything runs on one asyncio loop: uvicorn serving the site (and, for a
sandbox site, the simulated rooms on their own loopback origin, so the
room's iframe is cross-origin as in production), the file watcher, and a
loop that hands each batch of changes to a worker thread (rendering is
CPU-bound; the server keeps answering meanwhile) and then tells the tabs.
A failed rebuild is reported, never raised: the server keeps serving the
last good version of every page.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import sys
import threading
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import uvicorn

from ..errors import ExitCode, SiteGenError
from ..validation import is_loopback_host
from .app import create_app
from .builder import Clock, PreviewSite, Rebuild
from .events import Hub
from .watcher import watch_site

__all__ = ["Echo", "PortInUse", "PreviewServer", "bind_socket", "print_line"]

#: How many ports after the requested one are tried when it is taken.
PORT_TRIES = 20
#: Longest wait (s) for reloading tabs before rendering the listings of a large site.
RELOAD_GRACE = 1.0


class Echo(Protocol):
    """Where the server's terminal lines go (``click.echo`` fits)."""

    def __call__(self, message: str, *, err: bool = False) -> Any: ...


def print_line(message: str, *, err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout, flush=True)


class PortInUse(SiteGenError):
    """No port to serve on: the requested one and those after it are taken."""

    exit_code = ExitCode.USAGE


def bind_socket(
    host: str, port: int, *, avoid: frozenset[int] = frozenset(), tries: int = PORT_TRIES
) -> socket.socket:
    """A listening-ready socket on ``port``, or the next free port after it.

    Binding here, not in uvicorn, leaves no gap between "this port is free"
    and using it, and lets the caller say which port it got.
    """
    candidates = [0] if port == 0 else [p for p in range(port, port + tries) if p not in avoid]
    for candidate in candidates:
        try:
            return _bind(host, candidate)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise PortInUse(f"cannot serve on {host}:{candidate}: {exc.strerror}") from None
    raise PortInUse(
        f"port {port} and the {tries - 1} after it are in use on {host}: "
        "stop what uses them or choose another with --port"
    )


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


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handling: one Ctrl-C stops both servers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _server(app: Any) -> _Uvicorn:
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    return _Uvicorn(config)


#: Builds the app served on the sandbox's origin, or None (no sandbox available).
SandboxFactory = Callable[[str], Any]


class PreviewServer:
    """``site-gen serve`` as a library object: ``await run()``; ``stop()`` from anywhere."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        echo: Echo = print_line,
        watch: bool = True,
        sandbox: SandboxFactory | None = None,
    ) -> None:
        self.site = PreviewSite(root, environ=environ, clock=clock)
        self.host, self.port = host, port
        self.echo = echo
        self.watch = watch
        self.sandbox = sandbox
        #: The preview's address, once serving.
        self.url: str | None = None
        #: Set once the site is built and the server accepts connections.
        self.ready = threading.Event()
        #: Every rebuild after the first, for tests and benchmarks.
        self.rebuilds: list[Rebuild] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stop_requested = False
        self._shown_problems: tuple[str, ...] = ()

    def stop(self) -> None:
        """Ask the server to shut down (thread-safe; also from a signal handler)."""
        self._stop_requested = True
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._stop.set)

    async def run(self) -> None:
        """Serve until :meth:`stop`; raises PortInUse before serving anything."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stop_requested:
            self._stop.set()
        sandbox_port = self._sandbox_port()
        avoid = frozenset({sandbox_port}) if sandbox_port else frozenset()
        sock = bind_socket(self.host, self.port, avoid=avoid)
        port = sock.getsockname()[1]
        if self.port and port != self.port:
            self.echo(f"Port {self.port} is in use: serving on port {port} instead.", err=True)
        if not is_loopback_host(self.host):
            self.echo(
                f"Warning: {self.host} is not loopback: other machines can see the preview.",
                err=True,
            )

        first = await asyncio.to_thread(self.site.build)
        self.echo(
            f"Built {first.pages_rendered} page{'s' if first.pages_rendered != 1 else ''} "
            f"into memory in {first.seconds * 1000:.0f} ms."
        )
        self._show_problems(first)

        app = create_app(self.site)
        hub: Hub = app.state.hub
        servers = [_server(app)]
        tasks = [asyncio.create_task(servers[0].serve(sockets=[sock]))]
        rooms = self._start_sandbox(sandbox_port)
        if rooms is not None:
            servers.append(rooms[0])
            tasks.append(rooms[1])
        try:
            await self._wait_started(servers, tasks)
            self.url = _url(self.host, port)
            self.echo(f"Serving {self.url} (Ctrl-C to stop)")
            self.ready.set()
            watcher = asyncio.create_task(self._rebuild_loop(hub)) if self.watch else None
            await self._stop.wait()
            if watcher is not None:
                await watcher
        finally:
            hub.close()
            for server in servers:
                server.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            sock.close()
            self.echo("Stopped.")

    async def _wait_started(self, servers: list[_Uvicorn], tasks: list[asyncio.Task[None]]) -> None:
        while not all(s.started for s in servers):
            for task in tasks:
                if task.done():  # uvicorn exits (not raises) when it cannot start
                    task.result()
                    raise SiteGenError("the preview server could not start")
            await asyncio.sleep(0.01)

    async def _rebuild_loop(self, hub: Hub) -> None:
        assert self._stop is not None
        async for changed in watch_site(self.site.root, self._stop):
            # The edited page first; the listings (slow on a large site) right after.
            before = hub.connections
            rebuild = await asyncio.to_thread(self.site.update, changed, defer=True)
            reloads = self._report(hub, rebuild)
            if self.site.site_files_pending:
                # Rendering holds the GIL: let the reloading tabs load their page first
                # (each opens its event stream again once loaded), within reason.
                await hub.wait_connections(before + reloads, RELOAD_GRACE)
                finished = await asyncio.to_thread(self.site.finish)
                if finished is not None:
                    self._report(hub, finished)

    def _report(self, hub: Hub, rebuild: Rebuild) -> int:
        news = rebuild.problems != self._shown_problems
        if rebuild.pages_rendered or rebuild.changed or news:
            self.echo(rebuild.summary())
        self._show_problems(rebuild)
        self.rebuilds.append(rebuild)
        return hub.notify(rebuild)

    def _show_problems(self, rebuild: Rebuild) -> None:
        """The terminal shows what the browser's overlay shows."""
        if rebuild.problems == self._shown_problems:
            return
        for problem in rebuild.problems:
            self.echo(problem, err=True)
        count = len(rebuild.problems)
        if count:
            self.echo(
                f"{count} problem{'s' if count != 1 else ''}: shown in the browser until "
                "fixed; pages keep their last good version.",
                err=True,
            )
        elif self._shown_problems:
            self.echo("All problems fixed.", err=True)
        self._shown_problems = rebuild.problems

    # -- the sandbox's rooms on their own origin --------------------------------------

    def _sandbox_port(self) -> int | None:
        """The sandbox origin's port when the site's rooms point at it (read from config)."""
        if self.sandbox is None:
            return None
        from ..config import SANDBOX_ORIGIN

        return urlsplit(SANDBOX_ORIGIN).port

    def _start_sandbox(self, port: int | None) -> tuple[_Uvicorn, asyncio.Task[None]] | None:
        from ..config import SANDBOX_ORIGIN

        if self.sandbox is None or port is None or self.site.meeting_origin != SANDBOX_ORIGIN:
            return None
        host = urlsplit(SANDBOX_ORIGIN).hostname or "127.0.0.1"
        try:
            sock = _bind(host, port)
        except OSError:
            self.echo(
                f"{SANDBOX_ORIGIN} is in use (a 'site-gen sandbox' already running?): "
                "the rooms load from it.",
                err=True,
            )
            return None
        server = _server(self.sandbox(SANDBOX_ORIGIN))
        self.echo(f"Sandbox rooms on {SANDBOX_ORIGIN}/")
        return server, asyncio.create_task(server.serve(sockets=[sock]))
