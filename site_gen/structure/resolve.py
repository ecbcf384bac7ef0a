"""What each page embeds: its room or player, and a webinar's time slot.

Pure functions of config, content and the lock: no API here. A page whose
room is not known yet (a webinar the lock lacks) is a problem for a build
and a placeholder for the preview server.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from .embed import Frame, livestream_frame, meeting_frame
from .timeslot import TimeSlot, local_start

if TYPE_CHECKING:
    from site_gen.errors import Problem

    from .lock import ApiSection
    from .pages import Page
    from .site import Site

__all__ = ["Resolved", "resolve_pages"]

@dataclass(frozen=True)
class Resolved:
    """A page with everything it needs from outside its own file."""

    page: Page
    frame: Frame | None
    timeslot: TimeSlot | None = None
    #: Why there is no frame: "unscheduled" (preview of a webinar the lock
    #: lacks) or "ended" (a past webinar that was never scheduled).
    placeholder: Literal["unscheduled", "ended"] | None = None
    #: The page and its published translations, the default language first
    #: (empty: no translation). Part of the page's cache key: a new
    #: translation changes its hreflang links and language switcher.
    alternates: tuple[Page, ...] = ()


def resolve_pages(
    site: Site,
    pages: list[Page],
    section: ApiSection,
    *,
    now: datetime,
    preview: bool = False,
) -> tuple[list[Resolved], list[Problem]]:
    """Resolve each page against config and lock; every missing piece is a problem.

    With ``preview``, a webinar the lock lacks gets a placeholder instead,
    since the preview server never schedules.
    """
    config = site.config
    origin = config.callbridge.meeting_origin
    resolved: list[Resolved] = []
    problems: list[Problem] = []

    def host_code(key: str) -> str | None:
        host = config.hosts[key]
        locked = section.hosts.get(key)
        if host.create:
            return locked.access_code if locked else None
        return host.access_code

    def webinar_code(webinar: Page) -> str | None:
        conf = section.conferences.get(site.conference_key(webinar, section.conferences))
        if conf is None:
            return None
        if webinar.meta.one_time_access_code and conf.access_code:
            return conf.access_code
        return host_code(webinar.meta.host or "")

    for page in pages:
        meta = page.meta
        # The author's title only: the renderer makes it the frame's accessible
        # name ("...: video room") in the page's language, through its catalog.
        title = meta.title
        if meta.kind == "livestream":
            target = site.page_by_slug(meta.stream_of or "")
            if target is not None:
                code = webinar_code(target)
                missing = f"webinar '{target.slug}' has no conference in the lock yet"
            else:
                code = host_code(meta.stream_of or "")
                missing = f"host '{meta.stream_of}' has no access code in the lock yet"
            if code is None:
                if preview:
                    resolved.append(Resolved(page, None, placeholder="unscheduled"))
                else:
                    problems.append(page.problem(f"stream_of: {missing}", "stream_of"))
                continue
            frame = livestream_frame(origin, code, title=title)
            resolved.append(Resolved(page, frame))
            continue

        if meta.kind == "webinar":
            zone = page.time_zone(config)
            start = local_start(page, zone)
            conf = section.conferences.get(site.conference_key(page, section.conferences))
            timeslot = TimeSlot(start, meta.duration or 0, str(zone), conf)
            code = webinar_code(page)
            if code is None:
                if timeslot.status(now) == "ended":
                    resolved.append(Resolved(page, None, timeslot, placeholder="ended"))
                elif preview:
                    resolved.append(Resolved(page, None, timeslot, placeholder="unscheduled"))
                else:
                    problems.append(
                        page.problem(
                            f"webinar '{page.slug}' has no conference in site-gen.lock: "
                            "build with API access to schedule it",
                            "kind",
                        )
                    )
                continue
            frame = meeting_frame(origin, code, meta.embed, title=title)
            resolved.append(Resolved(page, frame, timeslot))
            continue

        code = host_code(meta.host or "")
        if code is None:
            if preview:
                resolved.append(Resolved(page, None, placeholder="unscheduled"))
            else:
                problems.append(
                    page.problem(
                        f"host '{meta.host}' has no access code in site-gen.lock yet", "host"
                    )
                )
            continue
        frame = meeting_frame(
            origin, code, meta.embed, title=title, watch_party=meta.kind == "watch_party"
        )
        resolved.append(Resolved(page, frame))
    published = {id(p) for p in pages}
    out = []
    for item in resolved:
        group = [m for m in site.translations.of(item.page) if id(m) in published]
        out.append(dataclasses.replace(item, alternates=tuple(group)) if len(group) > 1 else item)
    return out, problems
