"""Page bodies converted to HTML on an idle core while the build loads and plans.

Loading, validating, planning and resolving a site runs in one process: at
4000 pages that is about a second during which a second core has nothing
to do, and Markdown is more than half of what rendering a page costs. A
forked helper spends that second converting page bodies (it needs nothing
but the files and ``[markdown]`` from site.toml), and hands over what it
has when the build is ready to render; the render workers, forked after
that, inherit the results.

Files the page memo does not know as they are now (edited since the last
build) are converted first: an incremental build renders those.
Results are keyed by the body text itself, so a body the build reads
differently (the file changed in between, or the helper split it wrongly)
is simply converted again: the helper can make a build faster, never
different. Any failure in the helper only means it hands over nothing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path

from site_gen.config.parsing import SourceError, front_matter_body
from site_gen.config.site_toml import load_config
from site_gen.render.markdown import MarkdownRenderer
from site_gen.structure.page_memo import PageMemo
from site_gen.structure.pages import content_files

from . import pool

__all__ = ["MarkdownPrefetch", "markdown_prefetch"]

#: How long to wait for the helper's results once it is told to stop.
HANDOVER_TIMEOUT = 5.0


class MarkdownPrefetch:
    """A helper process converting page bodies until :meth:`hand_over` is called."""

    def __init__(self, root: Path, environ: Mapping[str, str]) -> None:
        context = multiprocessing.get_context("fork")
        #: How the helper ended (0 once it has stopped by itself).
        self.exitcode: int | None = None
        self._stop = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self._process: BaseProcess | None = context.Process(
            target=_convert,
            args=(root, dict(environ), self._stop, send, self._receive),
            daemon=True,
        )
        self._process.start()
        send.close()

    def hand_over(self, markdown: MarkdownRenderer) -> int:
        """Stop the helper and give ``markdown`` what it converted; returns how many."""
        if self._process is None:
            return 0
        self._stop.set()
        count = 0
        with contextlib.suppress(EOFError, OSError, ValueError, TypeError):
            if self._receive.poll(HANDOVER_TIMEOUT):
                unsafe_html, converted = self._receive.recv()
                markdown.adopt(converted, unsafe_html=unsafe_html)
                count = len(converted)
        self.close()
        return count

    def close(self) -> None:
        """End the helper (idempotent); what it has not handed over is dropped."""
        # Closing our end first: a helper blocked sending megabytes nobody
        # will read gets a broken pipe instead of holding up a failed build.
        self._receive.close()
        if self._process is not None:
            self._stop.set()
            self._process.join(1.0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self.exitcode = self._process.exitcode
            self._process = None


@contextlib.contextmanager
def markdown_prefetch(root: Path, environ: Mapping[str, str]) -> Iterator[MarkdownPrefetch | None]:
    """A helper when it can pay (several cores, a site big enough for the pool), else None."""
    helper = None
    if pool.available_cores() > 1 and _enough_pages(root):
        helper = MarkdownPrefetch(root, environ)
    try:
        yield helper
    finally:
        if helper is not None:
            helper.close()


def _enough_pages(root: Path) -> bool:
    """Whether the site has enough pages for the render pool (counted without reading them)."""
    files = enumerate(content_files(root), start=1)
    return any(count >= pool.PARALLEL_MIN_PAGES for count, _ in files)


def _changed_first(root: Path) -> list[Path]:
    """Content files, those the page memo does not know as they are now first.

    After one edit, the body that will be rendered is converted at once,
    not after the thousands of unchanged ones before it in content order.
    """
    memo = PageMemo(root)
    changed: list[Path] = []
    known: list[Path] = []
    for rel, path in content_files(root):
        (known if memo.knows(rel, path) else changed).append(path)
    return changed + known


def _convert(
    root: Path, environ: dict[str, str], stop: Event, send: Connection, receive: Connection
) -> None:
    """Helper process: convert bodies in content order until told to stop, then send them."""
    receive.close()  # the parent's end: if the parent closes it too, sending fails at once
    converted: dict[str, str] = {}
    unsafe_html = False
    try:
        config = load_config(root, environ)
        unsafe_html = config.markdown.unsafe_html
        markdown = MarkdownRenderer(unsafe_html=unsafe_html)
        for path in _changed_first(root):
            if stop.is_set():
                break
            try:
                body = front_matter_body(path.read_bytes().decode("utf-8"))
            except (OSError, UnicodeDecodeError, SourceError):
                continue
            converted[body] = markdown.convert(body)
    except Exception:  # noqa: S110 - the build converts whatever is missing itself
        pass
    finally:
        with contextlib.suppress(OSError, ValueError):
            send.send((unsafe_html, converted))
        send.close()
