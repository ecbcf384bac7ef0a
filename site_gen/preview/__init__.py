"""The live-reload preview behind ``site-gen serve``.

    incremental.py  PreviewSite: the site in memory, rebuilt by what a change touches
    server.py       PreviewServer: serves any builder; watcher + rebuilds on one event loop
    app.py          create_app: the Starlette app serving a builder's files and /_site-gen/
    events.py       Hub: Server-Sent Events telling open tabs to reload or show problems
    watcher.py      watch_site: watchfiles over the folders and files a build reads
    assets/         reload.js, injected into previewed pages only (never into a build)
"""

from __future__ import annotations

from .events import Rebuild
from .incremental import PreviewSite
from .server import Companion, PortInUse, PreviewServer

__all__ = ["Companion", "PortInUse", "PreviewServer", "PreviewSite", "Rebuild"]
