"""Rendering many pages on every core, straight into the staging folder.

Markdown and Jinja are pure Python and hold the GIL, so threads do not
help; processes do. Workers are *forked* after the renderer is built (its
templates compiled, its Markdown instance made), so they start in
milliseconds and receive nothing but lists of page indices. Each writes
its pages' files itself and sends back only a count: shipping 100 MB of
HTML back through pipes would cost more than it saves. While they work,
the parent renders the site-wide files (index, feeds, tag pages).

Output paths are claimed in the parent before any worker starts, so
collisions are still reported by :class:`~site_gen.output.StagedOutput`
exactly as in a serial build. Small sites render serially: below
:data:`PARALLEL_MIN_PAGES` a fork costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .files import page_files, page_rels
from .render import PAGE_TEMPLATES

if TYPE_CHECKING:
    from .output import StagedOutput
    from .render import Renderer
    from .resolve import Resolved

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


def _render_chunk(indices: list[int]) -> int:
    """Worker: render the pages at ``indices`` into their claimed paths."""
    assert _STATE is not None
    renderer, items, paths = _STATE
    for index in indices:
        _write_page(renderer, items[index], paths[index])
    return len(indices)


def _write_page(renderer: Renderer, item: Resolved, paths: list[Path]) -> None:
    for file, path in zip(page_files(renderer, item), paths, strict=True):
        assert file.text is not None
        path.write_text(file.text, encoding="utf-8")


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
        self._result: AsyncResult[list[int]] | None = None
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
        _STATE = None

    def start(self) -> None:
        """Claim every page's paths; hand the pages to workers when it pays."""
        global _STATE
        self._paths = [
            [self.stage.path_for(rel, item.page.source) for rel in page_rels(item)]
            for item in self.items
        ]
        if not self.parallel:
            return
        # Compile in the parent, once, so that no worker compiles again.
        for kind in sorted({item.page.meta.kind for item in self.items}):
            self.renderer.env.get_template(PAGE_TEMPLATES[kind])
        _STATE = (self.renderer, self.items, self._paths)
        # Several chunks per worker even out pages of uneven length.
        count = self.jobs * 4
        chunks = [list(range(i, len(self.items), count)) for i in range(count)]
        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(self.jobs)
        self._result = self._pool.map_async(_render_chunk, [c for c in chunks if c])

    def finish(self) -> None:
        """Wait for the workers (re-raising the first error), or render serially."""
        if self._result is not None:
            self._result.get()
            assert self._pool is not None
            self._pool.close()
            self._pool.join()
            self._pool = None
            return
        for item, paths in zip(self.items, self._paths, strict=True):
            _write_page(self.renderer, item, paths)
