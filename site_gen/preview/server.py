"""The preview server: build into memory, serve, watch, rebuild, reload the tabs.

It knows nothing of how a site is built: it takes a *builder* (MkDocs'
``LiveReloadServer`` takes a ``builder`` callable the same way) that
builds into memory, says which files and folders it reads, and rebuilds
what a set of changed paths touches. Everything runs on one asyncio loop:
uvicorn serving the builder's files (and any *companion* app on an origin
of its own, such as the sandbox's rooms, so a room's iframe is
cross-origin as in production), the file watcher, and a loop that hands
each batch of changes to a worker thread (rendering is CPU-bound; the
server keeps answering meanwhile) and then tells the tabs. A failed
rebuild is reported, never raised: the server keeps serving the last good
version of every page.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from site_gen.errors import ExitCode, SiteGenError
from site_gen.utils.net import PORT_TRIES, PortTaken, bind_socket, is_loopback_host, quiet_server

from .app import Builder, create_app
from .events import Hub, Rebuild
from .watcher import watch_site

__all__ = ["Builder", "Companion", "Echo", "PortInUse", "PreviewServer", "listen", "print_line"]

#: Longest wait (s) for reloading tabs before rendering the listings of a large site.
RELOAD_GRACE = 1.0


class Echo(Protocol):
    """Where the server's terminal lines go (``click.echo`` fits)."""

    def __call__(self, message: str, *, err: bool = False) -> Any: ...


def print_line(message: str, *, err: bool = False) -> None:
    """The default :class:`Echo`: plain print, flushed."""
    print(message, file=sys.stderr if err else sys.stdout, flush=True)


@dataclass(frozen=True)
class Companion:
    """Another app served beside the preview, on an http origin of its own.

    ``wanted`` is asked after the first build (the site's config decides
    whether its rooms point at this origin).
    """

    origin: str
    make_app: Callable[[], Any]
    wanted: Callable[[], bool] = lambda: True


class PortInUse(SiteGenError):
    """No port to serve on: the requested one and those after it are taken."""

    exit_code = ExitCode.USAGE


def listen(
    host: str, port: int, *, avoid: frozenset[int] = frozenset(), tries: int = PORT_TRIES
) -> socket.socket:
    """A socket on ``port``, or the next free one after it; PortInUse when none is."""
    try:
        return bind_socket(host, port, avoid=avoid, tries=tries)
    except PortTaken:
        raise PortInUse(
            f"port {port} and the {tries - 1} after it are in use on {host}: "
            "stop what uses them or choose another with --port"
        ) from None
    except OSError as exc:
        raise PortInUse(f"cannot serve on {host}:{port}: {exc.strerror}") from None


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class PreviewServer:
    """``site-gen serve`` as a library object: ``await run()``; ``stop()`` from anywhere."""

    def __init__(
        self,
        builder: Builder,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        echo: Echo = print_line,
        watch: bool = True,
        companions: Iterable[Companion] = (),
    ) -> None:
        self.site = builder
        self.host, self.port = host, port
        self.echo = echo
        self.watch = watch
        self.companions = list(companions)
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
        avoid = frozenset(p for c in self.companions if (p := urlsplit(c.origin).port))
        sock = listen(self.host, self.port, avoid=avoid)
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
        self._show_problems(first.problems)

        app = create_app(self.site)
        hub: Hub = app.state.hub
        servers = [quiet_server(app, own_signals=False)]
        tasks = [asyncio.create_task(servers[0].serve(sockets=[sock]))]
        for companion in self.companions:
            started = self._start_companion(companion)
            if started is not None:
                servers.append(started[0])
                tasks.append(started[1])
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

    async def _wait_started(self, servers: list[Any], tasks: list[asyncio.Task[None]]) -> None:
        while not all(s.started for s in servers):
            for task in tasks:
                if task.done():  # uvicorn exits (not raises) when it cannot start
                    task.result()
                    raise SiteGenError("the preview server could not start")
            await asyncio.sleep(0.01)

    async def _rebuild_loop(self, hub: Hub) -> None:
        assert self._stop is not None
        site = self.site
        async for changed in watch_site(
            site.root, site.watched_dirs, site.watched_files, self._stop
        ):
            # The edited page first; the listings (slow on a large site) right after.
            before = hub.connections
            rebuild = await self._guarded(site.update, changed, defer=True)
            if rebuild is None:
                continue
            reloads = self._report(hub, rebuild)
            if site.site_files_pending:
                # Rendering holds the GIL: let the reloading tabs load their page first
                # (each opens its event stream again once loaded), within reason.
                await hub.wait_connections(before + reloads, RELOAD_GRACE)
                finished = await self._guarded(site.finish)
                if finished is not None:
                    self._report(hub, finished)

    async def _guarded(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call`` on a worker thread; an exception is shown, never the end of the server.

        A builder reports the problems it knows as part of its result; this
        catches the rest (a bug), so live reload never silently stops.
        """
        try:
            return await asyncio.to_thread(call, *args, **kwargs)
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(exc)).strip()
            self.echo(f"Rebuild failed: {detail}", err=True)
            self._show_problems((f"rebuild failed: {detail} (a bug in site-gen; the preview "
                                 "keeps the last good pages)",))
            return None

    def _report(self, hub: Hub, rebuild: Rebuild) -> int:
        news = rebuild.problems != self._shown_problems
        if rebuild.pages_rendered or rebuild.changed or news:
            self.echo(rebuild.summary())
        self._show_problems(rebuild.problems)
        self.rebuilds.append(rebuild)
        return hub.notify(rebuild)

    def _show_problems(self, problems: tuple[str, ...]) -> None:
        """The terminal shows what the browser's overlay shows."""
        if problems == self._shown_problems:
            return
        for problem in problems:
            self.echo(problem, err=True)
        count = len(problems)
        if count:
            self.echo(
                f"{count} problem{'s' if count != 1 else ''}: shown in the browser until "
                "fixed; pages keep their last good version.",
                err=True,
            )
        elif self._shown_problems:
            self.echo("All problems fixed.", err=True)
        self._shown_problems = problems

    def _start_companion(self, companion: Companion) -> tuple[Any, asyncio.Task[None]] | None:
        if not companion.wanted():
            return None
        parts = urlsplit(companion.origin)
        try:
            sock = bind_socket(parts.hostname or "127.0.0.1", parts.port or 80)
        except OSError:
            self.echo(
                f"{companion.origin} is in use (a 'site-gen sandbox' already running?): "
                "the rooms load from it.",
                err=True,
            )
            return None
        server = quiet_server(companion.make_app(), own_signals=False)
        self.echo(f"Sandbox rooms on {companion.origin}/")
        return server, asyncio.create_task(server.serve(sockets=[sock]))
