"""Rendering many pages on every core, straight into the staging folder.

Markdown and Jinja are pure Python and hold the GIL, so threads do not
help; processes do. Workers are *forked* after the renderer is built (its
templates compiled, its Markdown instance made), so they start in
milliseconds and receive nothing but lists of page indices. Each makes
its pages' folders and writes their files itself, and sends back only each
webinar's VEVENT lines (for events.ics, so no VEVENT is serialised twice):
shipping 100 MB of HTML back through pipes would cost more than it saves.
While they work, the parent renders the listings (index, tag pages, sitemap).

Output paths are claimed in the parent before any worker starts, so
collisions are still reported by :class:`~site_gen.output.staging.StagedOutput`
exactly as in a serial build. Small sites render serially: below
:data:`PARALLEL_MIN_PAGES` a fork costs more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from site_gen.render.outputs import page_files
from site_gen.structure.files import PAGE_TEMPLATES, page_rels

if TYPE_CHECKING:
    from site_gen.render.renderer import Renderer
    from site_gen.structure.resolve import Resolved

    from .staging import StagedOutput

__all__ = ["PARALLEL_MIN_PAGES", "PageBatch", "available_cores"]

#: Fewer pages than this render in the calling process.
PARALLEL_MIN_PAGES = 200

# Set in the parent just before the fork; workers inherit it.
_STATE: tuple[Renderer, list[Resolved], list[list[Path]]] | None = None


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _render_chunk(indices: list[int]) -> list[tuple[int, bytes]]:
    """Worker: render the pages at ``indices`` into their claimed paths.

    Returns the VEVENT lines of the webinars among them, by index.
    """
    assert _STATE is not None
    renderer, items, paths = _STATE
    icals = []
    for index in indices:
        item = items[index]
        _write_page(renderer, item, paths[index])
        if item.timeslot is not None:
            icals.append((index, renderer.event_ical(item)))
    # The cycle collector is off in workers (see _start_worker); a chunk's few
    # thousand cyclic objects (Jinja's contexts) are freed here, at once.
    gc.collect()
    return icals


def _start_worker() -> None:
    """Pool initializer: no cycle collection while rendering a chunk.

    Rendering a page allocates tens of thousands of objects, so the collector
    would run every few hundred microseconds; collecting once per chunk
    instead makes pages about a fifth faster and keeps a chunk's garbage to
    a few megabytes.
    """
    gc.disable()


def _write_page(renderer: Renderer, item: Resolved, paths: list[Path]) -> None:
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for file, path in zip(page_files(renderer, item), paths, strict=True):
        assert file.text is not None
        if path.parent != paths[0].parent:  # registered/ of a page with a form
            path.parent.mkdir(exist_ok=True)
        _write_new(path, file.text.encode("utf-8"))


def _write_new(path: Path, data: bytes) -> None:
    """A new file in the (private, fresh) staging folder, without Python's text layer."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # less the umask, as open()
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class PageBatch:
    """Pages to render into a stage: started, then (after other work) finished.

    ::

        with PageBatch(renderer, items, stage) as batch:
            batch.start()      # workers begin, if it pays
            ...                # the caller renders site-wide files meanwhile
            batch.finish()     # waits; renders serially if no workers ran
    """

    def __init__(
        self,
        renderer: Renderer,
        items: list[Resolved],
        stage: StagedOutput,
        *,
        jobs: int | None = None,
    ) -> None:
        self.renderer = renderer
        self.items = items
        self.stage = stage
        cores = available_cores() if jobs is None else jobs
        self.jobs = cores if len(items) >= PARALLEL_MIN_PAGES else 1
        self._pool: Pool | None = None
        self._result: AsyncResult[list[list[tuple[int, bytes]]]] | None = None
        self._paths: list[list[Path]] = []

    @property
    def parallel(self) -> bool:
        """Whether the pages go to worker processes."""
        return self.jobs > 1

    def __enter__(self) -> PageBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _STATE
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if _STATE is not None:
            gc.unfreeze()
        _STATE = None

    def start(self) -> None:
        """Claim every page's paths; hand the pages to workers when it pays."""
        global _STATE
        # Claimed here (collisions are found in one place); each page's folder
        # is made by whoever renders it, so workers share that cost too.
        self._paths = [
            [
                self.stage.path_for(rel, item.page.source, make_parent=False)
                for rel in page_rels(item)
            ]
            for item in self.items
        ]
        if not self.parallel:
            return
        # Compile in the parent, once, so that no worker compiles again: each
        # page template with the templates it extends, includes and imports.
        kinds = sorted({item.page.meta.kind for item in self.items})
        self.renderer.compile_templates(PAGE_TEMPLATES[kind] for kind in kinds)
        _STATE = (self.renderer, self.items, self._paths)
        # Inherited objects go to the collector's permanent generation: the
        # workers then neither scan them nor copy their pages by touching
        # their GC headers (copy-on-write); measured 3.3 -> 2.5 ms a page.
        gc.freeze()
        # Several chunks per worker even out pages of uneven length.
        count = self.jobs * 4
        chunks = [list(range(i, len(self.items), count)) for i in range(count)]
        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(self.jobs, initializer=_start_worker)
        self._result = self._pool.map_async(_render_chunk, [c for c in chunks if c])

    def finish(self) -> None:
        """Wait for the workers (re-raising the first error), or render serially.

        The renderer then holds every rendered webinar's VEVENT lines.
        """
        if self._result is not None:
            chunks = self._result.get()
            assert self._pool is not None
            self._pool.close()
            self._pool.join()
            self._pool = None
            for chunk in chunks:
                for index, data in chunk:
                    self.renderer.adopt_event_ical(self.items[index], data)
            return
        for item, paths in zip(self.items, self._paths, strict=True):
            _write_page(self.renderer, item, paths)
