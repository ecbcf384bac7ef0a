"""Writing a built site to disk: only what changed is rendered, and the swap is atomic.

Pages whose cache key is unchanged and whose files are untouched are
hard-linked from the previous output instead of rendered (cache.py); the
rest render on every core (pool.py), with the bodies the Markdown prefetch
converted meanwhile (markdown_prefetch.py). Everything goes into a staging
folder that replaces the output only once complete (staging.py); when
nothing at all changed, the output is left as it is.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from site_gen.render.headers import site_headers
from site_gen.render.ical import vevent_of
from site_gen.render.outputs import calendar_file, listing_files
from site_gen.render.renderer import Renderer
from site_gen.render.theme import static_dirs
from site_gen.structure.files import PAGE_TEMPLATES, page_rels, site_templates, static_files

from .cache import RenderCache, canonical_hash, renderer_versions, template_closures
from .pool import PageBatch
from .staging import StagedOutput, write_files

if TYPE_CHECKING:
    from site_gen.structure.files import OutputFile
    from site_gen.structure.resolve import Resolved
    from site_gen.structure.site import Site

    from .markdown_prefetch import MarkdownPrefetch

__all__ = ["write_site"]


def write_site(
    site: Site,
    resolved: list[Resolved],
    out_dir: Path,
    *,
    now: datetime,
    ahead: MarkdownPrefetch | None = None,
) -> int:
    """Render what changed into a staging folder and swap it into ``out_dir``.

    Returns the number of output files.
    """
    # The policy includes every page's form origin: one page's form reaches every page's meta CSP.
    headers = site_headers(site.config, site.pages)
    renderer = Renderer(site.root, site.config, now=now, headers=headers)
    cache = RenderCache(site.root, out_dir)
    statics = static_files(static_dirs(site.root))
    static = {f.rel: _source_stat(f) for f in statics}
    keys: _Keys | None = None
    todo = resolved
    site_rels: list[str] | None = None
    # With nothing recorded (a first or clean build) every page renders, and
    # the keys, needed only by the next build, are made while workers render.
    if not cache.empty:
        keys = _render_keys(renderer, resolved)
        todo = [
            item
            for item in resolved
            if not cache.page_reusable(item.page.slug, keys.pages[item.page.slug], page_rels(item))
        ]
        site_rels = cache.site_files(keys.site)
        if not todo and site_rels is not None and cache.static_unchanged(static):
            # Nothing to write: the previous output is this build's output.
            count = len({*site_rels, *static, *(r for i in resolved for r in page_rels(i))})
            _save_cache(cache, keys, resolved, site_rels, static, now)
            return count
    if ahead is not None:
        ahead.hand_over(renderer.markdown)  # before the workers fork: they inherit it
    with StagedOutput(out_dir) as stage:
        rendering = {id(item) for item in todo}
        for item in resolved:
            if id(item) not in rendering:
                for rel in page_rels(item):
                    _link(out_dir / rel, stage.path_for(rel, item.page.source))
        with PageBatch(renderer, todo, stage) as batch:
            batch.start()
            # The parent renders the listings while workers render pages;
            # events.ics reuses the VEVENTs the pages' event.ics files made.
            if keys is None:
                keys = _render_keys(renderer, resolved)
            if site_rels is not None:
                for rel in site_rels:
                    _link(out_dir / rel, stage.path_for(rel, "site"))
            else:
                listings = list(listing_files(renderer, resolved))
                write_files(stage, listings)
            write_files(stage, statics)
            batch.finish()
            if site_rels is None:
                _adopt_event_icals(renderer, resolved, rendering, out_dir)
                events = calendar_file(renderer, resolved)
                write_files(stage, [events])
                site_rels = [f.rel for f in [*listings, events]]
        count = len(stage.files)
        stage.commit()
    _save_cache(cache, keys, resolved, site_rels, static, now)
    return count


def _adopt_event_icals(
    renderer: Renderer, resolved: list[Resolved], rendering: set[int], out_dir: Path
) -> None:
    """Reused webinars' VEVENTs for events.ics, read back from their reused event.ics.

    The file is the one going into this output, unchanged (its cache key and
    stat matched), so events.ics shows the same entry.
    """
    for item in resolved:
        if item.timeslot is None or id(item) in rendering:
            continue
        try:
            data = (out_dir / page_rels(item)[1]).read_bytes()
        except OSError:
            continue  # serialised afresh
        vevent = vevent_of(data)
        if vevent is not None:
            renderer.adopt_event_ical(item, vevent)


@dataclass(frozen=True)
class _Keys:
    pages: dict[str, str]
    site: str
    valid_until: datetime | None


def _render_keys(renderer: Renderer, resolved: list[Resolved]) -> _Keys:
    """Each page's cache key, the site-wide files' key, and when a state next changes."""
    page_templates = sorted({PAGE_TEMPLATES[i.page.meta.kind] for i in resolved})
    closures = template_closures(renderer.env, [*page_templates, *site_templates()])
    # The catalogs decide every word: a changed locales/fr.po re-renders every page.
    common = canonical_hash(
        renderer_versions(),
        renderer.config,
        renderer.preview,
        renderer.headers.csp.text(),
        # Every language's (a multilingual site draws each page in its own).
        [r.catalogs.fingerprint for r, _ in renderer.by_language(resolved)],
    )
    pages = {}
    changes: list[datetime] = []
    for item in resolved:
        template = closures[PAGE_TEMPLATES[item.page.meta.kind]]
        pages[item.page.slug] = canonical_hash(common, template, item, renderer.state(item))
        if item.timeslot is not None:
            changes += item.timeslot.changes(renderer.opens_before)
    site_key = canonical_hash(
        common, [closures[n] for n in site_templates()], [pages[i.page.slug] for i in resolved]
    )
    future = [b for b in changes if b > renderer.now]
    return _Keys(pages=pages, site=site_key, valid_until=min(future) if future else None)


def _source_stat(file: OutputFile) -> tuple[int, int]:
    assert file.copy_from is not None
    st = file.copy_from.stat()
    return (st.st_size, st.st_mtime_ns)


def _link(src: Path, dest: Path) -> None:
    """An unchanged file of the previous output, into the stage (a copy where links fail)."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _save_cache(
    cache: RenderCache,
    keys: _Keys,
    resolved: list[Resolved],
    site_rels: list[str],
    static: dict[str, tuple[int, int]],
    now: datetime,
) -> None:
    pages = {i.page.slug: (keys.pages[i.page.slug], page_rels(i)) for i in resolved}
    # A read-only .site-gen/ costs the next build time, never correctness.
    with contextlib.suppress(OSError):
        cache.save(
            pages=pages, site=(keys.site, site_rels), static=static,
            valid_until=keys.valid_until, now=now,
        )
