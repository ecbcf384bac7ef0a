"""Writing a built site to disk: only what changed is rendered, and only that is written.

Pages whose cache key is unchanged and whose files are untouched are left
where they are (cache.py); the rest render on every core (pool.py), with
the bodies the Markdown prefetch converted meanwhile (markdown_prefetch.py).
New and changed files go to a staging folder and are committed into the
output with a journal, so that a killed build is finished by the next one
and a failed one changes nothing (staging.py); a first build swaps in a
whole new folder. When nothing at all changed, the output is left as it is.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from site_gen.render.headers import form_origins, site_headers
from site_gen.render.ical import vevent_of
from site_gen.render.outputs import calendar_file, listing_files
from site_gen.render.renderer import Renderer
from site_gen.render.theme import static_dirs
from site_gen.structure.files import page_rels, static_files

from .cache import FragmentStore, PageEntry, RenderCache, Stat
from .keys import Keys, render_keys
from .pool import PageBatch
from .staging import StagedOutput, recover, write_files

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    """Render what changed and commit it into ``out_dir``.

    Returns the number of output files.
    """
    recover(out_dir)  # a build killed while committing is finished first
    # The policy includes every page's form origin: one page's form reaches every page's meta CSP.
    forms = form_origins(site.config, site.pages)
    headers = site_headers(site.config, forms=forms)
    renderer = Renderer(site.root, site.config, now=now, headers=headers)
    # Encoded (or found in their cache) here, once, before any worker forks.
    renderer.prepare_images(resolved)
    cache = RenderCache(site.root, out_dir)
    statics = static_files(static_dirs(site.root))
    static = {f.rel: _source_stat(f) for f in statics}
    keys: Keys | None = None
    todo = resolved
    site_rels: list[str] | None = None
    # With nothing recorded (a first or clean build) every page renders, and
    # the keys, needed only by the next build, are made while workers render.
    if not cache.empty:
        keys = render_keys(renderer, resolved)
        todo = [
            item
            for item in resolved
            if not cache.page_reusable(item.page.slug, keys.pages[item.page.slug], page_rels(item))
        ]
        site_rels = cache.site_files(keys.site)
        if not todo and site_rels is not None and cache.static_unchanged(static):
            # Nothing to write: the previous output is this build's output.
            pages = (r for i in resolved for r in page_rels(i))
            assets = (f.rel for f in renderer.asset_files())
            count = len({*site_rels, *static, *pages, *assets})
            others = cache.recorded_outputs()
            _save_cache(cache, site, forms, keys, resolved, site_rels, static, now, others)
            return count
    if ahead is not None:
        ahead.hand_over(renderer.markdown)  # before the workers fork: they inherit it
    # In place when the cache vouches for the output, file by file; else whole.
    previous = None if cache.empty or not out_dir.is_dir() else cache.recorded_outputs()
    with StagedOutput(out_dir, previous=previous) as stage:
        rendering = {id(item) for item in todo}
        if stage.in_place:
            for item in resolved:
                if id(item) not in rendering:
                    for rel in page_rels(item):
                        stage.keep(rel, item.page.source)
        with PageBatch(renderer, todo, stage) as batch:
            batch.start()
            # The parent renders the listings while workers render pages;
            # events.ics reuses the VEVENTs the pages' event.ics files made.
            if keys is None:
                keys = render_keys(renderer, resolved)
            if site_rels is not None:
                for rel in site_rels:
                    stage.keep(rel, "site")
            else:
                # Cards of unchanged pages come from the last build's listings.
                fragments = FragmentStore(site.root, out_dir, keys.listings)
                renderer.reuse_fragments(fragments.stored, keys.listing)
                listings = list(listing_files(renderer, resolved))
                fragments.save(renderer.made_fragments)
                write_files(stage, listings)
            for file in statics:
                if stage.in_place and cache.static_file_unchanged(file.rel, static[file.rel]):
                    stage.keep_static(file.rel, source=file.source)
                else:
                    write_files(stage, [file])
            write_files(stage, renderer.asset_files())
            batch.finish()
            if site_rels is None:
                _adopt_event_icals(renderer, resolved, rendering, out_dir, cache)
                events = calendar_file(renderer, resolved)
                write_files(stage, [events])
                site_rels = [f.rel for f in [*listings, events]]
        count = len(stage.files)
        stage.commit()
    _save_cache(cache, site, forms, keys, resolved, site_rels, static, now, stage.paths)
    return count


def _adopt_event_icals(
    renderer: Renderer,
    resolved: list[Resolved],
    rendering: set[int],
    out_dir: Path,
    cache: RenderCache,
) -> None:
    """Reused webinars' VEVENTs for events.ics, taken from the previous output.

    A reused page's entry is the one the previous events.ics holds (same
    key, same bytes): one file read, split by UID, instead of one read per
    webinar. Should that file not be as the last build left it, each
    entry is read back from the page's own unchanged event.ics.
    """
    reused = [i for i in resolved if i.timeslot is not None and id(i) not in rendering]
    if not reused:
        return
    previous: dict[str, bytes] = {}
    if cache.untouched(["events.ics"]):
        with contextlib.suppress(OSError):
            previous = _vevents_by_uid((out_dir / "events.ics").read_bytes())
    for item in reused:
        vevent = previous.get(renderer.calendar_event(item).uid)
        if vevent is None:
            try:
                vevent = vevent_of((out_dir / page_rels(item)[1]).read_bytes())
            except OSError:
                continue  # serialised afresh
        if vevent is not None:
            renderer.adopt_event_ical(item, vevent)


def _vevents_by_uid(ics: bytes) -> dict[str, bytes]:
    """Each VEVENT of a calendar file, by its (unfolded) UID."""
    out = {}
    begin, end = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
    at = ics.find(begin)
    while at >= 0:
        stop = ics.find(end, at)
        if stop < 0:
            break
        block = ics[at : stop + len(end)]
        uid_at = block.find(b"\r\nUID:")
        if uid_at >= 0:
            line_end = uid_at + 2
            while True:
                line_end = block.find(b"\r\n", line_end)
                if line_end < 0 or block[line_end + 2 : line_end + 3] not in (b" ", b"\t"):
                    break
                line_end += 2
            raw = block[uid_at + len(b"\r\nUID:") : line_end]
            uid = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode("utf-8", "replace")
            out[_unescape(uid)] = block
        at = ics.find(begin, stop)
    return out


def _unescape(text: str) -> str:
    """An iCalendar TEXT value as written, back to the string (RFC 5545 3.3.11)."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _source_stat(file: OutputFile) -> Stat:
    assert file.copy_from is not None
    st = file.copy_from.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _save_cache(
    cache: RenderCache,
    site: Site,
    forms: set[str],
    keys: Keys,
    resolved: list[Resolved],
    site_rels: list[str],
    static: dict[str, Stat],
    now: datetime,
    others: Iterable[str],
) -> None:
    pages = {
        i.page.slug: PageEntry(
            key=keys.pages[i.page.slug],
            listing=keys.listing[i.page.slug],
            files=page_rels(i),
            source=i.page.source,
            needs=sorted({n.source for n in site.neighbours(i.page)}),
        )
        for i in resolved
    }
    # A read-only .site-gen/ costs the next build time, never correctness.
    with contextlib.suppress(OSError):
        cache.save(
            pages=pages,
            site=(keys.site, site_rels),
            forms=forms,
            static=static,
            valid_until=keys.valid_until,
            now=now,
            others=others,
        )
