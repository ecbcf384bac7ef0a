"""The API calls a build needs, planned from config, content and the lock.

A plan lists what the lock lacks — companies, then hosts, then conferences
— and nothing else, so a rebuild of unchanged definitions plans (and makes)
no call at all. Each entry of the lock remembers the non-secret fields of
the request that created it, so a later change can be named precisely
instead of silently creating a second conference.

Applying a plan lives in :mod:`site_gen.scheduling.apply`; this module
makes no call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from site_gen.errors import Problem, ValidationFailed
from site_gen.paths import LOCK_FILE
from site_gen.structure.lock import Lock
from site_gen.structure.site import Site, load_site
from site_gen.structure.timeslot import TimeSlot, api_start, local_start

if TYPE_CHECKING:
    from site_gen.config.site_toml import CompanyConfig, HostConfig
    from site_gen.structure.lock import ApiSection, LockedConference
    from site_gen.structure.pages import Page

__all__ = [
    "Action",
    "Plan",
    "company_fields",
    "conference_fields",
    "fingerprint",
    "group_slugs",
    "host_fields",
    "make_plan",
    "plan_site",
]

ActionKind = Literal["company", "host", "conference"]

#: Conference fields whose change means a different meeting. Subject and
#: agenda are not among them: fixing a typo in a title must not force a new
#: conference (the page shows the new title; the invitation keeps the old).
SCHEDULING_FIELDS = (
    "host",
    "start",
    "time_zone",
    "duration",
    "auto_record",
    "auto_transcribe",
    "one_time_access_code",
    "mute_mode",
    "participants",
    "participant_emails",
)


def fingerprint(fields: dict[str, Any]) -> str:
    """A stable hash of request fields (canonical JSON)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def company_fields(company: CompanyConfig) -> dict[str, Any]:
    """What company/create is asked for."""
    return {
        "subdomain": company.subdomain,
        "name": company.name,
        "openid_provider": company.openid_provider,
    }


def host_fields(host: HostConfig) -> dict[str, Any]:
    """What host/create is asked for, minus the moderator PIN.

    A PIN is a secret, and even its hash is not safe in a committed file (a
    7-digit PIN falls to brute force in a second), so it is left out: a
    changed PIN is not detected.
    """
    return {
        key: value
        for key, value in {
            "name": host.name,
            "email": host.email,
            "role": host.role or "HOST",
            "access_code": host.access_code,
            "subscription_ids": host.subscription_ids,
            "plan_slug": host.plan_slug,
            "add_on_slugs": host.add_on_slugs,
            "company": host.company,
        }.items()
        if value is not None
    }


def conference_fields(page: Page, site: Site) -> dict[str, Any]:
    """The scheduling fields of a webinar, as conference/create receives them.

    The security PIN is left out for the same reason as the moderator PIN.
    The start is local wall time in the zone, except the second of a
    repeated hour: that one goes in UTC (see :func:`api_start`).
    """
    meta = page.meta
    start, time_zone = api_start(local_start(page, page.time_zone(site.config)))
    return {
        "host": meta.host,
        "subject": meta.title,
        "agenda": meta.description,
        "start": start,
        "time_zone": time_zone,
        "duration": meta.duration,
        "auto_record": meta.auto_record,
        "auto_transcribe": meta.auto_transcribe,
        "one_time_access_code": meta.one_time_access_code,
        "mute_mode": meta.mute_mode,
        "participants": list(meta.participants),
        "participant_emails": [p.model_dump() for p in meta.participant_emails],
    }


def _scheduling_part(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields.get(k) for k in SCHEDULING_FIELDS}


@dataclass(frozen=True)
class Action:
    """One create the build will make."""

    kind: ActionKind
    key: str  # company key, host key or webinar slug
    source: str  # where it is defined: "site.toml" or "content/x.md"
    fields: dict[str, Any]
    summary: str  # the key fields, for the plan table
    replaces: LockedConference | None = None  # --reschedule: the conference it supersedes
    #: A webinar's other translations (their files): one conference embedded by all.
    translations: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """'create conference q1-launch', 'reschedule conference q1-launch'."""
        verb = "reschedule" if self.replaces is not None else "create"
        return f"{verb} {self.kind} {self.key}"


@dataclass
class Plan:
    """Creates in dependency order (companies, hosts, conferences), and warnings."""

    api: str
    actions: list[Action] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: Conference key → the translations its lock entry should list, where
    #: they changed since it was written (a translation added or removed):
    #: written into the lock without an API call, never a reschedule.
    relinks: dict[str, list[str]] = field(default_factory=dict)

    def of_kind(self, kind: ActionKind) -> list[Action]:
        """The actions of one kind (each kind runs as one wave)."""
        return [a for a in self.actions if a.kind == kind]

    def __bool__(self) -> bool:
        """Something for the scheduler to do: creates, or the lock's record of a group."""
        return bool(self.actions or self.relinks)


def group_slugs(group: Iterable[Page], key: str) -> list[str]:
    """What the lock records of ``key``'s group (``Translations.of``): its other webinars' slugs.

    Every member but the one whose slug is the key, so that the lead's
    translation still finds the conference through the record when the
    lead page itself is deleted (:meth:`Translations.conference_key`).
    """
    return sorted(m.slug for m in group if m.slug != key and m.meta.kind == "webinar")


def make_plan(
    site: Site,
    pages: Iterable[Page],
    section: ApiSection,
    *,
    now: datetime,
    reschedule: bool = False,
) -> Plan:
    """What the lock lacks for these pages; raise if a webinar changed under its lock entry."""
    config = site.config
    plan = Plan(api=config.callbridge.api)
    pages = list(pages)
    problems: list[Problem] = []
    webinars = [p for p in pages if p.meta.kind == "webinar"]

    for key, company in config.companies.items():
        fields = company_fields(company)
        locked = section.companies.get(key)
        if locked is None:
            plan.actions.append(
                Action("company", key, "site.toml", fields, f"subdomain={company.subdomain}")
            )
        elif locked.fingerprint != fingerprint(fields):
            plan.warnings.append(_unchangeable("company", key, locked.fields, fields))

    for key, host in config.hosts.items():
        if not host.create:
            continue
        fields = host_fields(host)
        locked_host = section.hosts.get(key)
        if locked_host is None:
            plan.actions.append(Action("host", key, "site.toml", fields, f"email={host.email}"))
        elif locked_host.fingerprint != fingerprint(fields):
            plan.warnings.append(_unchangeable("host", key, locked_host.fields, fields))

    # A translated webinar is one conference: only its group's lead is scheduled
    # (structure/languages.py has checked that the translations agree with it).
    leads: dict[str, Page] = {}
    for page in webinars:
        key = site.conference_key(page, section.conferences)
        if key not in leads or page.slug == key:
            leads[key] = page
    for key, page in leads.items():
        group = site.translations.of(page)
        others = tuple(m.source for m in group if m is not page and m.meta.kind == "webinar")
        fields = conference_fields(page, site)
        locked_conf = section.conferences.get(key)
        zone = page.time_zone(config)
        slot = TimeSlot(local_start(page, zone), page.meta.duration or 0, str(zone))
        ended = slot.status(now) == "ended"
        summary = f"start={fields['start']} {fields['time_zone']}, {fields['duration']} min"
        if locked_conf is None:
            if ended:
                plan.warnings.append(page.problem(
                    f"webinar '{page.slug}' started in the past and was never scheduled: "
                    "not scheduling it; its page shows it as ended", "start"))
                continue
            plan.actions.append(
                Action("conference", key, page.source, fields, summary, translations=others)
            )
            continue
        changed = _changed(locked_conf.fields, fields)
        if not changed or ended:
            recorded = group_slugs(group, key)
            if locked_conf.translations != recorded:
                plan.relinks[key] = recorded
            continue
        if reschedule:
            plan.actions.append(
                Action(
                    "conference", key, page.source, fields, summary, locked_conf, others
                )
            )
        else:
            problems.append(_changed_problem(page, locked_conf, fields, changed))
    if problems:
        raise ValidationFailed(problems)
    return plan


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = _scheduling_part(old), _scheduling_part(new)
    return [k for k in SCHEDULING_FIELDS if before.get(k) != after.get(k)]


def _changed_problem(
    page: Page, locked: LockedConference, fields: dict[str, Any], changed: list[str]
) -> Problem:
    details = ", ".join(
        f"{k} {_show(locked.fields.get(k))} → {_show(fields.get(k))}" for k in changed
    )
    key = "start" if "start" in changed else changed[0]
    return page.problem(
        f"webinar '{page.slug}' changed since conference {locked.conference_id} was "
        f"scheduled ({details}): run 'site-gen build --reschedule' to create a new "
        "conference (then cancel the old one in Callbridge), or undo the change",
        key if key in page.meta.model_fields_set else "kind",
    )


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _unchangeable(kind: str, key: str, old: dict[str, Any], new: dict[str, Any]) -> Problem:
    names = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    table = "companies" if kind == "company" else "hosts"
    return Problem(
        "site.toml",
        None,
        f"[{table}.{key}] changed since the {kind} was created ({', '.join(names)}); the API "
        f"cannot update a {kind}: change it in Callbridge's admin, or remove its entry from "
        "site-gen.lock to create a new one",
        severity="warning",
    )


def plan_site(
    root: Path,
    environ: Mapping[str, str],
    *,
    drafts: bool,
    reschedule: bool,
    now: datetime,
    memo: bool = False,
) -> tuple[Site, Lock, Plan]:
    """Load the site and its lock, and plan what the lock lacks (build, plan, check).

    ``memo``: reuse what unchanged content files loaded as (the disk build).
    """
    site = load_site(root, environ, memo=memo)
    lock = Lock.load(root / LOCK_FILE)
    pages = site.published(drafts=drafts)
    result = make_plan(
        site, pages, lock.peek(site.config.callbridge.api), now=now, reschedule=reschedule
    )
    return site, lock, result
