"""``serve(site, ServeOptions)``: the library call behind ``site-gen serve``.

Puts the site in memory (:class:`~site_gen.preview.PreviewSite`), and, for
a site whose rooms point at the sandbox's origin, the sandbox's rooms
beside it; runs :class:`~site_gen.preview.PreviewServer` on its own event
loop until Ctrl-C (SIGINT) or SIGTERM, then shuts down cleanly: open event
streams are ended, both servers stop, the watcher thread exits, and the
call returns normally (exit status 0, as ``mkdocs serve`` does).
"""

from __future__ import annotations

import asyncio
import signal
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from site_gen.config.site_toml import SANDBOX_ORIGIN
from site_gen.preview import Companion, PreviewServer, PreviewSite
from site_gen.preview.server import Echo, print_line

__all__ = ["ServeOptions", "sandbox_rooms", "serve"]


@dataclass(frozen=True)
class ServeOptions:
    """What the command line may change about the preview."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    #: Serve the simulated rooms on the sandbox origin when the site uses the sandbox.
    sandbox: bool = True
    environ: Mapping[str, str] | None = None
    #: A fixed clock (tests); None is the real time at each rebuild.
    now: datetime | None = None
    echo: Echo = print_line
    #: Called with the server once it is serving (tests, benchmarks).
    on_ready: Callable[[PreviewServer], None] | None = None


def sandbox_rooms(site: PreviewSite) -> Companion | None:
    """The sandbox's rooms on their own origin, wanted when the site's rooms point there.

    None when this install has no sandbox (its Starlette app).
    """
    try:
        from site_gen.callbridge.sandbox.app import create_app
        from site_gen.callbridge.sandbox.state import SandboxState
    except ImportError:
        return None

    def make_app() -> Any:
        return create_app(SandboxState.open(), public_origin=SANDBOX_ORIGIN)

    return Companion(
        SANDBOX_ORIGIN, make_app, wanted=lambda: site.meeting_origin == SANDBOX_ORIGIN
    )


def serve(root: Path, options: ServeOptions | None = None) -> None:
    """Preview the site at ``root`` until interrupted; raises PortInUse if no port is free."""
    options = options or ServeOptions()
    now = options.now
    site = PreviewSite(
        root, environ=options.environ, clock=(lambda: now) if now is not None else None
    )
    rooms = sandbox_rooms(site) if options.sandbox else None
    server = PreviewServer(
        site,
        host=options.host,
        port=options.port,
        echo=options.echo,
        companions=[rooms] if rooms is not None else [],
    )
    asyncio.run(_run(server, options))


async def _run(server: PreviewServer, options: ServeOptions) -> None:
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.stop)
    task = asyncio.create_task(server.run())
    ready = asyncio.create_task(asyncio.to_thread(server.ready.wait))
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if ready in done and server.url is not None:
        if options.open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        if options.on_ready is not None:
            options.on_ready(server)
    else:
        server.ready.set()  # ends the waiting thread
        ready.cancel()
    await task
