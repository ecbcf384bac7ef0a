"""``plan(site) -> Plan``: what a build would create, without creating it.

Like ``terraform plan``: CI runs it on pull requests to show (and, with
``--exit-code``, to gate on) the conferences a merge would schedule. It
makes no create call; it authenticates when there is something to do, so
that wrong credentials fail the pull request rather than the deploy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..lock import LOCK_FILE, Lock
from ..schedule import Plan, make_plan
from ..site import Site, load_site

__all__ = ["PLAN_COLUMNS", "PlanOptions", "plan", "plan_site", "plan_table"]


@dataclass(frozen=True)
class PlanOptions:
    """The subset of build options that change what is planned."""

    drafts: bool = False
    reschedule: bool = False
    #: Check the credentials with one authenticate call when the plan is not empty.
    authenticate: bool = True
    now: datetime | None = None
    environ: Mapping[str, str] | None = None


def plan(root: Path, options: PlanOptions | None = None) -> Plan:
    """The creates ``site-gen build`` would make for the site at ``root``."""
    options = options or PlanOptions()
    environ = os.environ if options.environ is None else options.environ
    site, _, result = plan_site(
        root, environ, drafts=options.drafts, reschedule=options.reschedule,
        now=options.now or datetime.now(UTC),
    )
    result.warnings[:0] = site.warnings
    if result and options.authenticate:
        from ..apply import check_credentials

        check_credentials(site, environ)
    return result


PLAN_COLUMNS = ("action", "object", "key", "defined in", "fields")


def plan_table(result: Plan) -> list[tuple[str, ...]]:
    """One row per create, under :data:`PLAN_COLUMNS`, for the command line."""
    return [
        (
            "reschedule" if action.replaces is not None else "create",
            action.kind,
            action.key,
            action.source,
            action.summary
            + (f"; replaces conference {action.replaces.conference_id}" if action.replaces else ""),
        )
        for action in result.actions
    ]


def plan_site(
    root: Path, environ: Mapping[str, str], *, drafts: bool, reschedule: bool, now: datetime
) -> tuple[Site, Lock, Plan]:
    """Load the site and its lock and plan what the lock lacks (plan and the scheduler)."""
    site = load_site(root, environ)
    lock = Lock.load(root / LOCK_FILE)
    pages = site.published(drafts=drafts)
    result = make_plan(
        site, pages, lock.peek(site.config.callbridge.api), now=now, reschedule=reschedule
    )
    return site, lock, result
