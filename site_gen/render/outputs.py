"""Every output file's bytes, asked of the renderer: one page's files, and the site-wide ones.

The disk build, its worker processes and the preview all take their files
from here, so they cannot disagree about what a page or the site consists
of; structure/files.py names the files, output/ writes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from site_gen.structure.files import REGISTERED_PAGE, THEME_STYLESHEET, OutputFile, page_rels
from site_gen.structure.tags import group_by_tag

if TYPE_CHECKING:
    from site_gen.structure.resolve import Resolved

    from .renderer import Renderer

__all__ = ["calendar_file", "listing_files", "page_files", "site_wide_files"]


def page_files(renderer: Renderer, item: Resolved) -> Iterator[OutputFile]:
    """Everything one page contributes to the output: a webinar adds its calendar file."""
    rels = page_rels(item)
    yield OutputFile(rels[0], item.page.source, text=renderer.render_page(item))
    if item.timeslot is not None:
        yield OutputFile(rels[1], item.page.source, text=renderer.render_event_ics(item))
    if rels[-1].endswith(REGISTERED_PAGE):
        # Rendered here, with the page, so it is cached and invalidated with it.
        text = renderer.render_page(item, registered=True)
        yield OutputFile(rels[-1], item.page.source, text=text)


def site_wide_files(renderer: Renderer, resolved: list[Resolved]) -> Iterator[OutputFile]:
    """Files that depend on every page (or on none): index, calendar, tags, sitemap, 404..."""
    yield calendar_file(renderer, resolved)
    yield from listing_files(renderer, resolved)


def calendar_file(renderer: Renderer, resolved: list[Resolved]) -> OutputFile:
    """``events.ics``: made from the VEVENTs the pages' event.ics files already hold.

    The default language's webinars only; other languages' feeds are
    written with their listings (:func:`listing_files`).
    """
    _, own = renderer.by_language(resolved)[0]
    return OutputFile("events.ics", "events", text=renderer.render_events_ics(own))


def listing_files(renderer: Renderer, resolved: list[Resolved]) -> Iterator[OutputFile]:
    """The site-wide files other than the calendar: they need no page rendered first."""
    theme_css = renderer.render_theme_css()
    if theme_css is not None:
        yield OutputFile(THEME_STYLESHEET, "site.toml [theme]", text=theme_css)
    # Each language its own index and tag pages (and, but the default's, events.ics).
    for language, own in renderer.by_language(resolved):
        under = language.home.lstrip("/")
        if under:
            ics = language.render_events_ics(own)
            yield OutputFile(f"{under}events.ics", f"events ({language.language})", text=ics)
        yield OutputFile(f"{under}index.html", "index", text=language.render_index(own))
        groups = group_by_tag(own, language.home)
        if groups:
            text = language.render_tags_index(groups)
            yield OutputFile(f"{under}tags/index.html", "tags", text=text)
            for group in groups:
                yield OutputFile(group.rel, f"tag '{group.name}'", text=language.render_tag(group))
    yield OutputFile("404.html", "404", text=renderer.render_404())
    yield OutputFile("sitemap.xml", "sitemap", text=renderer.render_sitemap(resolved))
    yield OutputFile("robots.txt", "robots", text=renderer.render_robots())
    headers = renderer.render_headers()
    if headers is not None:
        yield OutputFile("_headers", "headers", text=headers)
    config_js = renderer.render_analytics_js()
    if config_js is not None:
        yield OutputFile(renderer.analytics_file, "site.toml [integrations]", text=config_js)
