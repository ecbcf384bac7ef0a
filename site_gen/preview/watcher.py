"""Which of a site's files changed: watchfiles over exactly what a build reads.

The site's root is often a repository with ``.venv/``, ``.git/`` and the
output folder in it: watching it recursively would spend an inotify watch
on each of their folders and wake the preview for every ``pip install``.
So the folders a build reads (``content/``, ``templates/``, ``static/``)
are watched recursively and the root itself without recursion (the files a
build reads there, such as ``site.toml``, and one of those folders
appearing, which restarts the recursive watch). The builder says which
folders and files those are.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

__all__ = ["watch_site"]

#: Quiet time (ms) that ends a burst of events: an editor's save is one burst.
STEP_MS = 20
#: Longest time (ms) a continuous stream of events is grouped before a rebuild.
DEBOUNCE_MS = 400

class _RootFilter(DefaultFilter):
    """At the root, only the files and folders a build reads."""

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def __call__(self, change: Change, path: str) -> bool:
        return Path(path).name in self.names and super().__call__(change, path)


async def _pump(
    paths: list[Path],
    *,
    watch_filter: DefaultFilter,
    recursive: bool,
    stop: threading.Event,
    queue: asyncio.Queue[set[Path]],
) -> None:
    async for changes in awatch(
        *paths,
        watch_filter=watch_filter,
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        recursive=recursive,
    ):
        await queue.put({Path(p) for _, p in changes})


async def watch_site(
    root: Path, dirs: tuple[str, ...], files: tuple[str, ...], stop: asyncio.Event
) -> AsyncIterator[set[Path]]:
    """Yield sets of changed paths under ``root`` until ``stop`` is set.

    ``dirs`` (watched recursively) and ``files`` are names at the root.

    Changes that arrive while the caller is busy (rebuilding) are merged into
    the next set: a rebuild never falls behind a burst of saves.
    """
    root = root.absolute()
    queue: asyncio.Queue[set[Path]] = asyncio.Queue()
    root_stop = threading.Event()
    root_filter = _RootFilter(frozenset(dirs) | frozenset(files))
    root_task = asyncio.create_task(
        _pump([root], watch_filter=root_filter, recursive=False, stop=root_stop, queue=queue)
    )
    dirs_stop, dirs_task, watching = _start_dirs(root, dirs, queue)
    stopped = asyncio.create_task(stop.wait())
    try:
        while True:
            got = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({got, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if got not in done:
                got.cancel()
                return
            changed = got.result()
            while not queue.empty():
                changed |= queue.get_nowait()
            present = [root / d for d in dirs if (root / d).is_dir()]
            if present != watching:
                await _stop(dirs_stop, dirs_task)
                dirs_stop, dirs_task, watching = _start_dirs(root, dirs, queue)
            yield changed
    finally:
        stopped.cancel()
        await _stop(root_stop, root_task)
        await _stop(dirs_stop, dirs_task)


def _start_dirs(
    root: Path, names: tuple[str, ...], queue: asyncio.Queue[set[Path]]
) -> tuple[threading.Event, asyncio.Task[None] | None, list[Path]]:
    dirs = [root / d for d in names if (root / d).is_dir()]
    stop = threading.Event()
    if not dirs:
        return stop, None, dirs
    pump = _pump(dirs, watch_filter=DefaultFilter(), recursive=True, stop=stop, queue=queue)
    return stop, asyncio.create_task(pump), dirs


async def _stop(stop: threading.Event, task: asyncio.Task[None] | None) -> None:
    """Stop a watcher thread (it polls ``stop`` every step) and wait for it."""
    stop.set()
    if task is not None:
        with contextlib.suppress(asyncio.CancelledError):
            await task
