"""Applying a plan: each create once, its answer in the lock the moment it arrives.

Creates run in waves (companies, hosts, conferences: each needs ids from
the previous wave) with at most ``concurrency`` requests in flight. Every
answer is written to the lock atomically before its create counts as done,
so a build killed at any moment loses at most the answers in flight.

When one create fails, no new create starts, but those already sent are
awaited and recorded: abandoning them would lose conferences the API has
made, and the next build would make them again. An interrupted parent
(:mod:`site_gen.scheduling.detached` runs this in a child process) does
the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from site_gen.callbridge import CallbridgeClient, CompanyCreate, ConferenceCreate, HostCreate
from site_gen.errors import SiteGenError
from site_gen.structure.lock import (
    LockedCompany,
    LockedConference,
    LockedHost,
    SupersededConference,
)
from site_gen.utils.fs import atomic_write

from .client_setup import make_client, run_blocking
from .plan import fingerprint, group_slugs

if TYPE_CHECKING:
    from site_gen.structure.lock import ApiSection, Lock
    from site_gen.structure.site import Site

    from .plan import Action, Plan

__all__ = ["Interrupted", "Progress", "apply_plan", "run_plan"]

log = logging.getLogger(__name__)


class Interrupted(SiteGenError):
    """The build was stopped (Ctrl-C, or its process killed) before every create was made."""

    exit_code = 130


@dataclass(frozen=True)
class Progress:
    """One finished create, for the command line's progress display."""

    done: int
    total: int
    label: str  # 'create conference q1-launch'
    outcome: str  # 'conference id 183'


ProgressCallback = Callable[[Progress], None]


class _LockWriter:
    """Group commit: each caller returns once a save covering its change is done."""

    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self._version = 0
        self._saved = 0
        self._saving = asyncio.Lock()

    async def commit(self) -> None:
        self._version += 1
        wanted = self._version
        async with self._saving:
            if self._saved >= wanted:
                return
            version, text = self._version, self.lock.to_json()
            await asyncio.to_thread(atomic_write, self.lock.path, text)
            self._saved = version


async def apply_plan(
    plan: Plan,
    site: Site,
    lock: Lock,
    client: CallbridgeClient,
    *,
    concurrency: int = 8,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Make every create of ``plan``, recording each in the lock; return how many.

    ``stop`` is asked before each create: once it says yes, no new create
    starts and those in flight are finished and recorded (the parent build
    was interrupted; see :mod:`site_gen.scheduling.detached`).
    """
    section = lock.section(plan.api)
    writer = _LockWriter(lock)
    gate = asyncio.Semaphore(max(1, concurrency))
    total = len(plan.actions)
    done = 0
    failure: BaseException | None = None

    async def one(action: Action) -> None:
        nonlocal done, failure
        async with gate:
            if failure is not None:
                return
            if stop is not None and stop():
                failure = failure or Interrupted("the build was interrupted")
                return
            try:
                outcome = await _create(action, site, section, client)
            except BaseException as exc:
                if failure is None:
                    failure = exc
                raise
        await writer.commit()
        done += 1
        log.info("%s: %s", action.label, outcome)
        if on_progress is not None:
            on_progress(Progress(done, total, action.label, outcome))

    for kind in ("company", "host", "conference"):
        wave = [asyncio.create_task(one(a)) for a in plan.of_kind(kind)]
        if not wave:
            continue
        try:
            # asyncio.wait, not gather: cancelling this coroutine must not
            # cancel creates already sent (their answers must reach the lock).
            await asyncio.wait(wave)
        except asyncio.CancelledError:
            failure = failure or asyncio.CancelledError()
            await asyncio.wait(wave, timeout=60)
            raise
        for task in wave:
            task.exception()  # retrieved here; the first failure is re-raised below
        if failure is not None:
            raise failure
    return done


async def _create(action: Action, site: Site, section: ApiSection, client: Any) -> str:
    """Send one create and put its answer into the lock section (in memory)."""
    fields = action.fields
    print_ = fingerprint(fields)
    config = site.config
    if action.kind == "company":
        company = await client.create_company(CompanyCreate(
            subdomain=fields["subdomain"], name=fields["name"],
            openid_provider=fields["openid_provider"] or None,
        ))
        section.companies[action.key] = LockedCompany(
            id=company.id, subdomain=fields["subdomain"], fields=fields, fingerprint=print_
        )
        return f"company id {company.id}"
    if action.kind == "host":
        host_config = config.hosts[action.key]
        company_id = config.callbridge.company_id
        if host_config.company is not None:
            company_id = section.companies[host_config.company].id
        host = await client.create_host(HostCreate(
            company_id=company_id,
            name=host_config.name,
            email=host_config.email,
            role=host_config.role,
            moderator_pin=host_config.moderator_pin,
            access_code=host_config.access_code,
            subscription_ids=host_config.subscription_ids,
            plan_slug=host_config.plan_slug,
            add_on_slugs=host_config.add_on_slugs,
        ))
        section.hosts[action.key] = LockedHost(
            host_id=host.host_id, access_code=str(host.access_code.number),
            meeting_url=host.meeting_url, fields=fields, fingerprint=print_,
        )
        return f"host id {host.host_id}, room {host.access_code.number}"
    page = site.page_by_slug(action.key)
    assert page is not None, action.key
    host_key = page.meta.host or ""
    host_id = config.hosts[host_key].host_id or section.hosts[host_key].host_id
    # The planned fields are conference/create's own (plan.conference_fields),
    # but for the host, named by its key, and the PIN, a secret never planned.
    request = {k: v for k, v in fields.items() if k != "host"}
    request.update(host_id=host_id, security_pin=page.meta.security_pin)
    for key in ("participants", "participant_emails"):
        request[key] = request[key] or None  # none: the API's default, not an empty list
    conference = await client.create_conference(ConferenceCreate.model_validate(request))
    old = action.replaces
    superseded = list(old.superseded) if old else []
    if old is not None:
        superseded.append(SupersededConference(
            conference_id=old.conference_id, fingerprint=old.fingerprint,
            start=old.start, time_zone=old.time_zone,
        ))
    code = conference.one_time_access_code
    section.conferences[action.key] = LockedConference(
        conference_id=conference.conference_id,
        host_id=host_id,
        access_code=str(code) if fields["one_time_access_code"] and code else None,
        start=conference.start,
        end_time=conference.end_time,
        time_zone=conference.time_zone,
        duration=conference.duration,
        sequence=(old.sequence + 1) if old else 0,
        superseded=superseded,
        translations=group_slugs(site.translations.of(page), action.key),
        fields=fields,
        fingerprint=print_,
    )
    return f"conference id {conference.conference_id}"


def run_plan(
    plan: Plan,
    site: Site,
    lock: Lock,
    *,
    environ: Mapping[str, str],
    concurrency: int = 8,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Apply ``plan`` with a client made from the environment (blocking)."""
    client = make_client(site, environ)

    async def main() -> int:
        async with client:
            return await apply_plan(
                plan, site, lock, client, concurrency=concurrency, on_progress=on_progress,
                stop=stop,
            )

    return run_blocking(main)
