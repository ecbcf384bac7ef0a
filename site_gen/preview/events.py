"""Server-Sent Events to the open tabs: reload this page, or show these problems.

Each tab says which path it shows and which version of it (stamped into the
injected script tag); after a rebuild only the tabs whose page changed
reload, unless a static file changed, which any page may use. A tab that
connects with an outdated version (the page changed while it loaded, or the
server restarted) reloads at once. SSE rather than a WebSocket: one-way is
all the preview needs, EventSource reconnects by itself, and it goes through
any proxy an author might run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

__all__ = ["Hub", "Rebuild"]

#: Milliseconds EventSource waits before reconnecting (after a server restart).
RETRY_MS = 300
#: Seconds between keep-alive comments, so dead tabs are noticed and dropped.
KEEPALIVE = 20.0


@dataclass(frozen=True)
class Rebuild:
    """What one (re)build did: for the terminal line, the browser and the bench."""

    number: int
    reason: str
    #: Pages whose HTML was rendered (1 for one content edit).
    pages_rendered: int
    #: Whether index, tags, feeds and sitemap were rendered again.
    site_files_rendered: bool
    #: Output paths whose bytes changed, appeared or disappeared.
    changed: frozenset[str]
    #: A static file changed: every page may look different (its CSS, say).
    static_changed: bool
    problems: tuple[str, ...]
    seconds: float

    def summary(self) -> str:
        """One terminal line."""
        pages = f"{self.pages_rendered} page{'s' if self.pages_rendered != 1 else ''} rendered"
        extra = " + index, tags, feeds" if self.site_files_rendered else ""
        static = " + static files" if self.static_changed else ""
        return f"{self.reason}: {pages}{extra}{static} in {self.seconds * 1000:.0f} ms"


def sse(event: str, data: object) -> str:
    """One SSE message."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


@dataclass(eq=False)
class _Tab:
    path: str
    version: str
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)


class Hub:
    """The connected tabs; ``notify`` after each rebuild (on the event loop)."""

    def __init__(self, version_of: Callable[[str], str], problems: Callable[[], tuple[str, ...]]):
        self._version_of = version_of
        self._problems = problems
        self._tabs: set[_Tab] = set()
        self._closed = False
        #: Streams opened so far: a reloaded tab opens a new one once its page has loaded.
        self.connections = 0
        self._connected = asyncio.Condition()

    @property
    def tabs(self) -> int:
        """Connected tabs (for the status endpoint and tests)."""
        return len(self._tabs)

    async def stream(self, path: str, version: str) -> AsyncIterator[str]:
        """The events of one tab, until it disconnects or the server stops."""
        if self._closed:
            return
        tab = _Tab(path, version)
        self._tabs.add(tab)
        self.connections += 1
        async with self._connected:
            self._connected.notify_all()
        try:
            yield f"retry: {RETRY_MS}\n\n"
            yield sse("problems", {"problems": list(self._problems())})
            current = self._version_of(path)
            if current != version:
                tab.version = current
                yield sse("reload", {})
            while True:
                try:
                    message = await asyncio.wait_for(tab.queue.get(), KEEPALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if message is None:
                    return
                yield message
        finally:
            self._tabs.discard(tab)

    def notify(self, rebuild: Rebuild) -> int:
        """Send the problems to every tab and reload those whose page changed; returns reloads."""
        problems = sse("problems", {"problems": list(rebuild.problems)})
        reloads = 0
        for tab in list(self._tabs):
            tab.queue.put_nowait(problems)
            current = self._version_of(tab.path)
            if current != tab.version or rebuild.static_changed:
                tab.version = current
                tab.queue.put_nowait(sse("reload", {}))
                reloads += 1
        return reloads

    async def wait_connections(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` streams were opened in all (False after ``timeout`` seconds)."""
        async with self._connected:
            try:
                await asyncio.wait_for(
                    self._connected.wait_for(lambda: self.connections >= count), timeout
                )
            except TimeoutError:
                return False
        return True

    def close(self) -> None:
        """End every stream, so the server can shut down without waiting on them."""
        self._closed = True
        for tab in list(self._tabs):
            tab.queue.put_nowait(None)
