"""The files a site consists of, as data: what to write, and on whose behalf.

Kept apart from *how* they are written so that a disk build (output.py),
the preview server (in memory) and incremental rebuilds share one list:
:func:`page_files` for what one page contributes, :func:`site_wide_files`
for what depends on every page, :func:`static_files` for copied files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .tags import group_by_tag
from .theme import static_dirs

if TYPE_CHECKING:
    from .output import StagedOutput
    from .render import Renderer
    from .resolve import Resolved

__all__ = [
    "OutputFile",
    "calendar_file",
    "listing_files",
    "page_files",
    "page_rels",
    "site_wide_files",
    "static_files",
    "write_files",
]

_SKIP_STATIC = {".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class OutputFile:
    """One output file: generated ``text``, or a copy of ``copy_from``."""

    rel: str
    source: str  # what it came from, for error messages: "content/x.md", "theme:static/..."
    text: str | None = None
    copy_from: Path | None = None

    def data(self) -> bytes:
        """The file's bytes (reads a copied file)."""
        if self.text is not None:
            return self.text.encode("utf-8")
        assert self.copy_from is not None
        return self.copy_from.read_bytes()


def page_rels(item: Resolved) -> list[str]:
    """The output paths :func:`page_files` yields for ``item``, without rendering.

    The build cache and the process pool claim paths before any worker renders.
    """
    slug = item.page.slug
    if item.schedule is not None:
        return [f"{slug}/index.html", f"{slug}/event.ics"]
    return [f"{slug}/index.html"]


def page_files(renderer: Renderer, item: Resolved) -> Iterator[OutputFile]:
    """Everything one page contributes to the output: a webinar adds its calendar file."""
    rels = page_rels(item)
    yield OutputFile(rels[0], item.page.source, text=renderer.render_page(item))
    if item.schedule is not None:
        yield OutputFile(rels[1], item.page.source, text=renderer.render_event_ics(item))


def site_wide_files(renderer: Renderer, resolved: list[Resolved]) -> Iterator[OutputFile]:
    """Files that depend on every page (or on none): index, calendar, tags, sitemap, 404..."""
    yield calendar_file(renderer, resolved)
    yield from listing_files(renderer, resolved)


def calendar_file(renderer: Renderer, resolved: list[Resolved]) -> OutputFile:
    """``events.ics``: made from the VEVENTs the pages' event.ics files already hold.

    Always written, even empty: a subscribed calendar's URL must not 404.
    """
    return OutputFile("events.ics", "events", text=renderer.render_events_ics(resolved))


def listing_files(renderer: Renderer, resolved: list[Resolved]) -> Iterator[OutputFile]:
    """The site-wide files other than the calendar: they need no page rendered first."""
    yield OutputFile("index.html", "index", text=renderer.render_index(resolved))
    groups = group_by_tag(resolved)
    if groups:
        yield OutputFile("tags/index.html", "tags", text=renderer.render_tags_index(groups))
        for group in groups:
            yield OutputFile(group.rel, f"tag '{group.name}'", text=renderer.render_tag(group))
    yield OutputFile("404.html", "404", text=renderer.render_404())
    yield OutputFile("sitemap.xml", "sitemap", text=renderer.render_sitemap(resolved))
    yield OutputFile("robots.txt", "robots", text=renderer.render_robots())
    yield OutputFile("_headers", "headers", text=renderer.render_headers())


def static_files(root: Path) -> Iterator[OutputFile]:
    """The theme's static files, then the site's (which may replace them)."""
    dirs = static_dirs(root)
    for index, folder in enumerate(dirs):
        # Only theme files may be replaced; two site files clashing is an error.
        label = "theme" if index == 0 and len(dirs) > 1 else "static"
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                if name in _SKIP_STATIC or name.endswith(("~", ".swp")):
                    continue
                src = Path(dirpath) / name
                if src.is_symlink() and not src.resolve().is_relative_to(folder.resolve()):
                    continue  # a link out of static/ (to /etc/passwd, say) is never published
                rel = src.relative_to(folder).as_posix()
                yield OutputFile(rel, f"{label}:static/{rel}", copy_from=src)


def write_files(stage: StagedOutput, files: Iterable[OutputFile]) -> None:
    """Write files into a staging folder (collisions are errors there)."""
    for file in files:
        if file.copy_from is not None:
            stage.copy(file.copy_from, file.rel, source=file.source)
        else:
            assert file.text is not None
            stage.write_text(file.rel, file.text, source=file.source)
