"""``build(site) -> Report``: the library call behind ``site-gen build``.

validate → (schedule what the lock lacks) → resolve → render into a staging
folder → swap it into place. Any failure before the swap leaves the
previous output exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import BuildRecord, RenderCache
from ..errors import Problem, ValidationFailed

if TYPE_CHECKING:
    from ..apply import Progress
    from ..files import OutputFile
    from ..markdown_ahead import MarkdownAhead
    from ..render import Renderer
    from ..resolve import Resolved
    from ..site import Site

__all__ = ["BuildOptions", "Report", "build", "render_site"]


@dataclass(frozen=True)
class BuildOptions:
    """What the command line may change about a build; None means "from site.toml"."""

    out: Path | None = None
    drafts: bool = False
    offline: bool = False
    reschedule: bool = False
    concurrency: int = 8
    now: datetime | None = None
    environ: Mapping[str, str] | None = None
    #: Called after each create the build makes (the CLI's progress display).
    on_progress: Callable[[Progress], None] | None = None


@dataclass
class Report:
    """What a build did, for the summary line and for tests."""

    out_dir: Path
    pages: int = 0
    files: int = 0
    scheduled: int = 0
    reused: int = 0
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def build(root: Path, options: BuildOptions | None = None) -> Report:
    """Build the site at ``root``; raise a SiteGenError with every problem found."""
    options = options or BuildOptions()
    started = time.perf_counter()
    environ = os.environ if options.environ is None else options.environ
    now = options.now or datetime.now(UTC)
    # Nothing changed since the last build (inputs, options, output, pages'
    # states): its report stands, without loading a page (cache.py).
    record = _record(root, options, environ, now)
    if (replayed := _replay(record, started)) is not None:
        return replayed
    from ..markdown_ahead import markdown_ahead  # past the no-op check, which needs none

    with markdown_ahead(root, environ) as ahead:
        report = _build(root, options, environ, now, ahead)
    report.seconds = time.perf_counter() - started
    _remember(record, report)
    return report


def _build(
    root: Path,
    options: BuildOptions,
    environ: Mapping[str, str],
    now: datetime,
    ahead: MarkdownAhead | None,
) -> Report:
    from ..lock import LOCK_FILE, Lock
    from ..output import check_output_target
    from ..resolve import resolve_pages
    from ..schedule import make_plan
    from ..site import load_site

    site = load_site(root, environ)
    out_dir = (options.out if options.out is not None else site.output_dir).absolute()
    check_output_target(out_dir, root)
    lock = Lock.load(root / LOCK_FILE)
    api = site.config.callbridge.api
    pages = site.published(drafts=options.drafts)
    report = Report(out_dir=out_dir, pages=len(pages))
    report.warnings.extend(site.warnings)
    plan = make_plan(site, pages, lock.peek(api), now=now, reschedule=options.reschedule)
    report.warnings.extend(plan.warnings)
    # --offline skips the API entirely; resolving below then names every page
    # the lock cannot serve.
    if plan and not options.offline:
        from ..scheduler import schedule

        report.scheduled = schedule(
            root, environ=environ, drafts=options.drafts, reschedule=options.reschedule,
            concurrency=options.concurrency, now=now, on_progress=options.on_progress,
        )
        lock = Lock.load(root / LOCK_FILE)  # as the scheduler left it
    resolved, problems = resolve_pages(site, pages, lock.peek(api), now=now)
    if problems:
        raise ValidationFailed(problems)
    report.reused = _pinned(resolved) - report.scheduled
    report.files = render_site(site, resolved, out_dir, now=now, ahead=ahead)
    return report


def _record(
    root: Path, options: BuildOptions, environ: Mapping[str, str], now: datetime
) -> BuildRecord:
    flags = {"drafts": options.drafts, "offline": options.offline, "reschedule": options.reschedule}
    return BuildRecord(root, out=options.out, flags=flags, environ=environ, now=now)


def _replay(record: BuildRecord, started: float) -> Report | None:
    """The recorded report of an identical previous build, or None."""
    data = record.replay()
    if data is None:
        return None
    try:
        return Report(
            out_dir=Path(data["out_dir"]),
            pages=int(data["pages"]),
            files=int(data["files"]),
            reused=int(data["pinned"]),
            warnings=[Problem(str(p), None if n is None else int(n), str(m), str(sev))
                      for p, n, m, sev in data["warnings"]],
            seconds=time.perf_counter() - started,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _remember(record: BuildRecord, report: Report) -> None:
    # A read-only .site-gen/ costs the next build time, never correctness.
    with contextlib.suppress(OSError):
        record.save({
            "out_dir": str(report.out_dir),
            "pages": report.pages,
            "files": report.files,
            "pinned": report.reused + report.scheduled,
            "warnings": [[w.path, w.line, w.message, w.severity] for w in report.warnings],
        })


def _pinned(resolved: list[Resolved]) -> int:
    """Pages whose conference came from the lock."""
    return sum(1 for r in resolved if r.schedule is not None and r.schedule.conference is not None)


def render_site(
    site: Site,
    resolved: list[Resolved],
    out_dir: Path,
    *,
    now: datetime,
    ahead: MarkdownAhead | None = None,
) -> int:
    """Render what changed into a staging folder and swap it into ``out_dir``.

    Pages whose cache key is unchanged and whose files are untouched are
    hard-linked from the previous output instead of rendered (see cache.py);
    the rest render on every core (render_pool.py), with the bodies ``ahead``
    converted meanwhile. When nothing at all changed the output is left as
    it is. Returns the number of output files.
    """
    from ..files import calendar_file, listing_files, page_rels, static_files, write_files
    from ..output import StagedOutput
    from ..render import Renderer
    from ..render_pool import PageBatch

    renderer = Renderer(site, now=now)
    cache = RenderCache(site.root, out_dir)
    static = {f.rel: _source_stat(f) for f in static_files(site.root)}
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
            write_files(stage, static_files(site.root))
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

    Serialising them again would cost more than the rest of a one-page
    rebuild; the file is the one going into this output, unchanged (its
    cache key and stat matched), so events.ics shows the same entry.
    """
    from ..files import page_rels

    for item in resolved:
        if item.schedule is None or id(item) in rendering:
            continue
        try:
            data = (out_dir / page_rels(item)[1]).read_bytes()
        except OSError:
            continue  # serialised afresh
        start = data.find(b"BEGIN:VEVENT\r\n")
        end = data.find(b"END:VEVENT\r\n", start)
        if start >= 0 and end >= 0 and data.count(b"BEGIN:VEVENT") == 1:
            renderer.adopt_event_ical(item, data[start : end + len(b"END:VEVENT\r\n")])


@dataclass(frozen=True)
class _Keys:
    pages: dict[str, str]
    site: str
    valid_until: datetime | None


def _render_keys(renderer: Renderer, resolved: list[Resolved]) -> _Keys:
    """Each page's cache key, the site-wide files' key, and when a state next changes."""
    from ..cache import SITE_TEMPLATES, canonical_hash, renderer_versions, template_closures
    from ..render import PAGE_TEMPLATES

    site = renderer.site
    page_templates = sorted({PAGE_TEMPLATES[i.page.meta.kind] for i in resolved})
    closures = template_closures(renderer.env, [*page_templates, *SITE_TEMPLATES])
    common = canonical_hash(renderer_versions(), site.config, renderer.preview)
    pages = {}
    boundaries = []
    for item in resolved:
        state = renderer.page_data(item)["state"]
        template = closures[PAGE_TEMPLATES[item.page.meta.kind]]
        pages[item.page.slug] = canonical_hash(common, template, item, state)
        if item.schedule is not None:
            start = item.schedule.start
            boundaries += [start - renderer.opens_before, start, item.schedule.end]
    site_key = canonical_hash(
        common, [closures[n] for n in SITE_TEMPLATES], [pages[i.page.slug] for i in resolved]
    )
    future = [b for b in boundaries if b > renderer.now]
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
    from ..files import page_rels

    pages = {i.page.slug: (keys.pages[i.page.slug], page_rels(i)) for i in resolved}
    # A read-only .site-gen/ costs the next build time, never correctness.
    with contextlib.suppress(OSError):
        cache.save(
            pages=pages, site=(keys.site, site_rels), static=static,
            valid_until=keys.valid_until, now=now,
        )
