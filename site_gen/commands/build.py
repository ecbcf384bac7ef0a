"""``build(site) -> Report``: the library call behind ``site-gen build``.

validate → (schedule what the lock lacks) → resolve → render into a staging
folder → swap it into place. Any failure before the swap leaves the
previous output exactly as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, ValidationFailed
from ..files import page_files, site_wide_files, static_files, write_files
from ..lock import LOCK_FILE, Lock
from ..output import StagedOutput, check_output_target
from ..render import Renderer
from ..resolve import Resolved, resolve_pages
from ..schedule import make_plan
from ..site import Site, load_site

if TYPE_CHECKING:
    from ..apply import Progress

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
    site = load_site(root, environ)
    out_dir = (options.out if options.out is not None else site.output_dir).absolute()
    check_output_target(out_dir, root)
    now = options.now or datetime.now(UTC)
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
        from ..apply import run_plan  # imports httpx: only when there is something to do

        report.scheduled = run_plan(
            plan, site, lock, environ=environ, concurrency=options.concurrency,
            on_progress=options.on_progress,
        )
    resolved, problems = resolve_pages(site, pages, lock.peek(api), now=now)
    if problems:
        raise ValidationFailed(problems)
    report.reused = _pinned(resolved) - report.scheduled
    report.files = render_site(site, resolved, out_dir, now=now)
    report.seconds = time.perf_counter() - started
    return report


def _pinned(resolved: list[Resolved]) -> int:
    """Pages whose conference came from the lock."""
    return sum(1 for r in resolved if r.schedule is not None and r.schedule.conference is not None)


def render_site(site: Site, resolved: list[Resolved], out_dir: Path, *, now: datetime) -> int:
    """Render every output file into a staging folder and swap it into ``out_dir``."""
    renderer = Renderer(site, now=now)
    with StagedOutput(out_dir) as stage:
        for item in resolved:
            write_files(stage, page_files(renderer, item))
        write_files(stage, site_wide_files(renderer, resolved))
        write_files(stage, static_files(site.root))
        count = len(stage.files)
        stage.commit()
    return count
