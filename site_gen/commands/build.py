"""``build(site) -> Report``: the library call behind ``site-gen build``.

validate → schedule what the lock lacks → resolve → write the output
(only what changed, swapped in atomically). Any failure before the swap
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_gen.errors import Problem, ValidationFailed
from site_gen.output.cache import BuildRecord

if TYPE_CHECKING:
    from site_gen.output.markdown_prefetch import MarkdownPrefetch
    from site_gen.scheduling.apply import Progress

__all__ = ["BuildOptions", "Report", "build"]

_log = logging.getLogger(__name__)


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
    # states): its report stands, without loading a page (output/cache.py);
    # or only some pages' bodies did: they alone are rendered again.
    flags = {"drafts": options.drafts, "offline": options.offline, "reschedule": options.reschedule}
    record = BuildRecord(root, out=options.out, flags=flags, environ=environ, now=now)
    difference = record.difference()
    if difference is None:
        _log.info("a whole build: %s", record.why)
    else:
        recorded: dict[str, Any] | None = difference.report
        if difference.edited:
            # Only page bodies changed, maybe: those pages alone are rendered (output/edits.py).
            from site_gen.output.edits import rebuild_edited

            recorded = rebuild_edited(
                root, difference, environ=environ, now=now, drafts=options.drafts
            )
            _log.info(
                "%d content file(s) edited: %s",
                len(difference.edited),
                "their pages alone rendered" if recorded is not None else "a whole build",
            )
        else:
            _log.info("nothing changed since the last build")
        if recorded is not None and (report := _report_from(recorded)) is not None:
            if difference.edited or record.refreshed:
                # Changed or touched: the next no-op check is by stat again.
                with contextlib.suppress(OSError):
                    record.save(recorded)
            report.seconds = time.perf_counter() - started
            return report
    # Past the no-op check, which needs none of these (a no-op build takes 0.2 s).
    from site_gen.output.markdown_prefetch import markdown_prefetch

    loaded: dict[str, str] = {}
    with markdown_prefetch(root, environ) as ahead:
        report = _build(root, options, environ, now, ahead, loaded)
    report.seconds = time.perf_counter() - started
    record.loaded(loaded)
    # A read-only .site-gen/ costs the next build time, never correctness.
    with contextlib.suppress(OSError):
        record.save(_report_data(report))
    return report


def _build(
    root: Path,
    options: BuildOptions,
    environ: Mapping[str, str],
    now: datetime,
    ahead: MarkdownPrefetch | None,
    loaded: dict[str, str],
) -> Report:
    """The whole build; ``loaded`` receives each content file's digest as loaded."""
    # Here, not at the top: the no-op check in build() needs none of them.
    from site_gen.output.staging import check_output_target
    from site_gen.output.write_site import write_site
    from site_gen.scheduling.detached import schedule
    from site_gen.scheduling.plan import plan_site
    from site_gen.structure.lock import Lock
    from site_gen.structure.resolve import resolve_pages

    site, lock, plan = plan_site(
        root, environ, drafts=options.drafts, reschedule=options.reschedule, now=now, memo=True
    )
    loaded.update((p.source, p.digest) for p in site.pages if p.digest)
    out_dir = (options.out if options.out is not None else site.output_dir).absolute()
    check_output_target(out_dir, root)
    pages = site.published(drafts=options.drafts)
    report = Report(out_dir=out_dir, pages=len(pages), warnings=list(plan.warnings))
    # What the policy would block in production: the author hears it now.
    from site_gen.render.blocked import blocked_resources

    report.warnings += [
        dataclasses.replace(p, severity="warning") for p in blocked_resources(site, pages)
    ]
    # --offline skips the API entirely; resolving below then names every page
    # the lock cannot serve.
    if plan and not options.offline:
        report.scheduled = schedule(
            root, plan, environ=environ, concurrency=options.concurrency, now=now,
            on_progress=options.on_progress,
        )
        lock = Lock.load(lock.path)  # as the scheduler left it
    resolved, problems = resolve_pages(site, pages, lock.peek(plan.api), now=now)
    if problems:
        raise ValidationFailed(problems)
    pinned = sum(1 for r in resolved if r.timeslot is not None and r.timeslot.conference)
    report.reused = pinned - report.scheduled
    report.files = write_site(site, resolved, out_dir, now=now, ahead=ahead)
    return report


def _report_data(report: Report) -> dict[str, Any]:
    return {
        "out_dir": str(report.out_dir),
        "pages": report.pages,
        "files": report.files,
        "pinned": report.reused + report.scheduled,
        "warnings": [[w.path, w.line, w.message, w.severity] for w in report.warnings],
    }


def _report_from(data: dict[str, Any]) -> Report | None:
    """The report of an identical previous build, as recorded (None if the record is odd)."""
    try:
        return Report(
            out_dir=Path(data["out_dir"]),
            pages=int(data["pages"]),
            files=int(data["files"]),
            reused=int(data["pinned"]),
            warnings=[Problem(str(p), None if n is None else int(n), str(m), str(sev))
                      for p, n, m, sev in data["warnings"]],
        )
    except (KeyError, TypeError, ValueError):
        return None
