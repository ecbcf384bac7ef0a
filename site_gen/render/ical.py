"""Add to calendar: ``SLUG/event.ics``, ``events.ics`` and the "add" links.

One :class:`CalendarEvent` per webinar is the single source of the .ics
files (made with the ``icalendar`` library, RFC 5545) and of the Google
Calendar and Outlook links, so a calendar entry made any of these ways
shows the same title, times and link.

The UID is what lets a calendar update an entry instead of duplicating it:
it comes from the *first* conference the webinar ever had and the meeting
domain (``conference-183@meet.acme.tld``), so it survives rebuilds and
``--reschedule`` alike, while SEQUENCE (from the lock) rises with each
reschedule so that clients take the new time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from icalendar import (
    Calendar,
    Event,
    vCategory,
    vDDDTypes,
    vDuration,
    vInt,
    vText,
    vUri,
)

from site_gen import __version__
from site_gen.structure.timeslot import is_repeated
from site_gen.utils.net import is_loopback_host

from .vtimezone import vtimezone_ical

if TYPE_CHECKING:
    from site_gen.config.site_toml import SiteConfig
    from site_gen.structure.resolve import Resolved
    from site_gen.structure.timeslot import TimeSlot

__all__ = [
    "CalendarEvent",
    "calendar_event",
    "event_ical",
    "event_uid",
    "google_calendar_url",
    "outlook_calendar_url",
    "to_ics",
    "vevent_of",
]

PRODID = f"-//site-gen//site-gen {__version__}//EN"
#: How often subscribed calendars should fetch events.ics again.
REFRESH = timedelta(hours=12)


@dataclass(frozen=True)
class CalendarEvent:
    """A webinar as calendars see it."""

    uid: str
    title: str
    description: str
    url: str  # the page: URL and LOCATION, the only place to join from
    start: datetime  # aware, in the event's own zone
    end: datetime
    sequence: int = 0
    categories: tuple[str, ...] = ()

    @property
    def details(self) -> str:
        """DESCRIPTION: the page's description, then the page's URL to join from."""
        return f"{self.description}\n\n{self.url}" if self.description else self.url


def event_uid(slot: TimeSlot, *, slug: str, meeting_origin: str, base_url: str) -> str:
    """A UID that stays the same for the webinar's whole life.

    A conference id is unique on its meeting domain; a sandbox on loopback is
    not a domain anyone else shares, so the site's host stands in for it. A
    webinar without a conference (a past one never scheduled, or a preview)
    is named by its slug on the site's host.
    """
    site_host = urlsplit(base_url).hostname or "localhost"
    conference = slot.conference
    if conference is None:
        return f"{slug}@{site_host}"
    first = conference.superseded[0].conference_id if conference.superseded else None
    number = first if first is not None else conference.conference_id
    domain = urlsplit(meeting_origin).hostname or site_host
    if is_loopback_host(domain):
        domain = site_host
    return f"conference-{number}@{domain}"


def calendar_event(item: Resolved, *, url: str, config: SiteConfig) -> CalendarEvent:
    """The calendar entry of one webinar page whose absolute URL is ``url``."""
    slot = item.timeslot
    assert slot is not None, "only webinars have a calendar entry"
    meta = item.page.meta
    uid = event_uid(
        slot,
        slug=item.page.slug,
        meeting_origin=config.callbridge.meeting_origin,
        base_url=config.site.base_url,
    )
    return CalendarEvent(
        uid=uid,
        title=meta.title,
        description=meta.description.strip(),
        url=url,
        start=slot.start,
        end=slot.end,
        sequence=slot.conference.sequence if slot.conference else 0,
        categories=tuple(meta.tags),
    )


def _vevent(event: CalendarEvent, stamp: datetime) -> Event:
    # Typed values set directly: the same lines as Event.add() would write,
    # without its type guessing (a third of making the event).
    vevent = Event()
    vevent["UID"] = vText(event.uid)
    vevent["DTSTAMP"] = vDDDTypes(stamp)
    vevent["DTSTART"] = _when(event.start)
    vevent["DTEND"] = _when(event.end)
    vevent["SUMMARY"] = vText(event.title)
    vevent["DESCRIPTION"] = vText(event.details)
    vevent["URL"] = vUri(event.url)
    vevent["LOCATION"] = vText(event.url)
    vevent["SEQUENCE"] = vInt(event.sequence)
    vevent["STATUS"] = vText("CONFIRMED")
    if event.categories:
        vevent["CATEGORIES"] = vCategory(list(event.categories))
    return vevent


def _when(value: datetime) -> vDDDTypes:
    """DTSTART or DTEND: local time with TZID=<the IANA zone>, or UTC where clients differ.

    A local time the zone has twice (the hour repeated when the clocks go
    back) is the first of the two by RFC 5545 3.3.5, but ical.js reads the
    second, and the second cannot be said at all: such a time is written
    in UTC, which every client reads as the same instant.
    """
    return vDDDTypes(value.astimezone(UTC) if is_repeated(value) else value)


def event_ical(event: CalendarEvent, *, now: datetime) -> bytes:
    """One webinar's VEVENT lines, made once and shared by its event.ics and events.ics.

    Serialising a component is most of what an .ics file costs; a build
    makes each webinar's once (in whichever process renders its page).
    DTSTAMP is the build's ``now``, as RFC 5545 asks of a calendar published
    without a METHOD.
    """
    stamp = now.astimezone(UTC).replace(microsecond=0)
    data: bytes = _vevent(event, stamp).to_ical()
    return data


def vevent_of(ics: bytes) -> bytes | None:
    """The VEVENT lines of an .ics file holding exactly one event, as :func:`event_ical` made them.

    An incremental build takes an unchanged webinar's entry for events.ics
    back from its unchanged event.ics: serialising it again would cost more
    than the rest of a one-page rebuild.
    """
    start = ics.find(b"BEGIN:VEVENT\r\n")
    end = ics.find(b"END:VEVENT\r\n", start)
    if start < 0 or end < 0 or ics.count(b"BEGIN:VEVENT") != 1:
        return None
    return ics[start : end + len(b"END:VEVENT\r\n")]


def to_ics(
    entries: Iterable[tuple[CalendarEvent, bytes]],
    *,
    name: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> str:
    """An iCalendar file (CRLF lines) with a VTIMEZONE for every zone its events use.

    ``entries`` pair each event with its :func:`event_ical` lines. ``name``
    marks a subscribable calendar (``events.ics``): it gets a display name
    and a refresh interval.
    """
    items = sorted(entries, key=lambda e: (e[0].start.astimezone(UTC), e[0].uid))
    # Same bytes as adding the components to a Calendar: a component
    # serialises its subcomponents' lines just before its END line.
    parts = [_calendar_head(name, description, url)]
    if items:
        # A VTIMEZONE only as long as the events need (a few transitions
        # instead of icalendar's default 1970-2038), before the events.
        first = date(min(e.start.year for e, _ in items), 1, 1)
        last = date(max(e.end.year for e, _ in items) + 1, 1, 1)
        parts.extend(
            vtimezone_ical(tzid, first, last)
            for tzid in sorted({str(e.start.tzinfo) for e, _ in items})
        )
    parts.extend(data for _, data in items)
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts).decode("utf-8")


@lru_cache(maxsize=16)
def _calendar_head(name: str | None, description: str | None, url: str | None) -> bytes:
    """The VCALENDAR's own lines, up to its first component: the same for every event.ics."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name is not None:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        if description:
            cal.add("description", description)
        if url is not None:
            cal.add("url", url)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))  # the non-standard twin, for Outlook
    head: bytes = cal.to_ical()
    return head.removesuffix(b"END:VCALENDAR\r\n")


def _utc(value: datetime, fmt: str) -> str:
    return value.astimezone(UTC).strftime(fmt)


def google_calendar_url(event: CalendarEvent) -> str:
    """Google Calendar's "create event" form, filled in (times in UTC, shown in the zone)."""
    params = [
        ("action", "TEMPLATE"),
        ("text", event.title),
        ("dates", f"{_utc(event.start, '%Y%m%dT%H%M%SZ')}/{_utc(event.end, '%Y%m%dT%H%M%SZ')}"),
        ("details", event.details),
        ("location", event.url),
        ("ctz", str(event.start.tzinfo)),
    ]
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


def outlook_calendar_url(event: CalendarEvent, *, office365: bool = False) -> str:
    """Outlook on the web's "new event" form: outlook.com, or Microsoft 365 accounts."""
    host = "outlook.office.com" if office365 else "outlook.live.com"
    return f"https://{host}/calendar/0/deeplink/compose?{_outlook_query(event)}"


@lru_cache(maxsize=8)
def _outlook_query(event: CalendarEvent) -> str:
    """The form's fields, encoded once for both of a page's Outlook links."""
    params = [
        ("path", "/calendar/action/compose"),
        ("rru", "addevent"),
        ("subject", event.title),
        ("startdt", _utc(event.start, "%Y-%m-%dT%H:%M:%SZ")),
        ("enddt", _utc(event.end, "%Y-%m-%dT%H:%M:%SZ")),
        ("body", event.details),
        ("location", event.url),
    ]
    return urlencode(params, quote_via=quote, safe="/")
