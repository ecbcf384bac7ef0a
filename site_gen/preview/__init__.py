"""The live-reload preview behind ``site-gen serve``.

    builder.py   PreviewSite: the site in memory, rebuilt by what a change touches
    watcher.py   watch_site: watchfiles over content/, templates/, static/, site.toml
    events.py    Hub: Server-Sent Events telling open tabs to reload or show problems
    app.py       create_app: the Starlette app serving the site and /_site-gen/
    server.py    PreviewServer: uvicorn + watcher + rebuilds on one event loop
    assets/      reload.js, injected into previewed pages only (never into a build)
"""

from __future__ import annotations

from .builder import PreviewSite, Rebuild
from .server import PortInUse, PreviewServer

__all__ = ["PortInUse", "PreviewServer", "PreviewSite", "Rebuild"]
