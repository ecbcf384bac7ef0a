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

from site_gen.scheduling.plan import Plan, plan_site

__all__ = ["PLAN_COLUMNS", "PlanOptions", "plan", "plan_table"]


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
    if result.actions and options.authenticate:
        # Only when there is something to create: the client (httpx) is not free to import.
        from site_gen.scheduling.client_setup import check_credentials

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
