"""VTIMEZONE components from the tz database that every calendar client reads the same.

An .ics file names each event's zone (``DTSTART;TZID=Europe/Berlin:...``)
and carries that zone's rules as a VTIMEZONE: one STANDARD or DAYLIGHT
sub-component per kind of change, each with its onsets. Clients that know
the zone may use their own rules; others (Mozilla's ical.js, as used by
Thunderbird, and vobject) read only these. Two details decide whether they
all read the same instants:

- RFC 5545 section 3.6.5: an onset (DTSTART, RDATE) is the *local time
  before* the change, in TZOFFSETFROM. New York springs forward at 02:00
  EST, so the onset is 02:00, not the 03:00 the clocks then show; with
  03:00, vobject maps 07:30Z to a 02:30 EST that does not exist.
- ical.js (2.2) takes the onsets of a sub-component from its RDATE lines
  when it has any, ignoring the one given only on DTSTART, and reads only
  the *first* value of each RDATE line: so every onset, DTSTART's too, gets
  an RDATE line of its own.

``icalendar.Timezone.from_tzid`` gets both wrong (icalendar 7.3), so the
components are made here, in the same shape (one sub-component per change
of offsets, abbreviation and kind, in the order they first happen), from
transitions found in UTC, starting with the change that set the zone as it
is at the first date (see :func:`vtimezone`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from site_gen.structure.timeslot import transition_between

__all__ = ["Transition", "transitions", "vtimezone", "vtimezone_ical"]

#: The walk's step: since 1970 no zone has changed twice within 166 hours
#: (America/Cambridge_Bay in 2000; Gaza's rules, later), so a step of six
#: days misses no change, and a bisection to the second finds each.
STEP = timedelta(days=6)

#: How far before the first date to look for the change that set the zone's offset then.
LOOKBACK = timedelta(days=400)

#: (offset before, offset after, abbreviation after, is standard time)
_Kind = tuple[timedelta, timedelta, str, bool]


class Transition(NamedTuple):
    """A change of a zone: its instant, and the zone just before and from then on."""

    instant: datetime  # UTC
    before: datetime  # the last second before it, local
    after: datetime  # the instant, local


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change of ``zone``'s offset, abbreviation or kind after ``start``, up to ``end``."""
    found: list[Transition] = []
    # In UTC throughout: a local time in a gap or a fold compares and
    # converts by its wall clock (PEP 495), not as the instant it stands for.
    here, end = start.astimezone(UTC), end.astimezone(UTC)
    state = _state(here.astimezone(zone))
    while here < end:
        step = min(here + STEP, end)
        if _state(step.astimezone(zone)) != state:
            moment = transition_between(zone, here, step)
            before = (moment - timedelta(seconds=1)).astimezone(zone)
            found.append(Transition(moment, before, moment.astimezone(zone)))
            here = moment
            state = _state(moment.astimezone(zone))
            continue
        here = step
    return found


def _state(local: datetime) -> tuple[timedelta | None, timedelta | None, str | None]:
    return (local.utcoffset(), local.dst(), local.tzname())


def _kind(local: datetime, before: timedelta) -> _Kind:
    """What a change to ``local``'s offset from ``before`` is, as calendars group them.

    Clocks going back make STANDARD time, going forward DAYLIGHT, whatever
    the tz database calls it: it has Dublin's winter and Morocco's Ramadan
    as negative daylight saving, and dateutil (vobject, icalendar), which
    takes TZOFFSETTO minus TZOFFSETFROM as the daylight saving, then
    converts instants to local times an hour off around those changes.
    """
    offset = local.utcoffset()
    assert offset is not None
    name = local.tzname() or str(offset)
    standard = offset < before or (offset == before and local.dst() == timedelta())
    return (before, offset, name, standard)


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """``tzid``'s VTIMEZONE for events from ``first`` up to ``last``, made once per zone and years.

    Finding the transitions walks the zone's rules (a few milliseconds a
    year); a site's event files share a few zones and years.
    """
    zone = ZoneInfo(tzid)
    start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(UTC)
    changes = transitions(zone, start - LOOKBACK, end)
    # The zone as it is at the first date comes from the change that made it
    # so, with its real offsets: dateutil (vobject, icalendar) takes TZOFFSETTO
    # minus TZOFFSETFROM as a sub-component's daylight saving, and an onset
    # changing nothing would leave a zone in summer time at the first date
    # (Sydney in January) converting instants an hour off after its next
    # change. Only a zone unchanged for a year gets such an onset.
    earlier = [c for c in changes if c.instant <= start][-1:]
    changes = earlier + [c for c in changes if c.instant > start]
    onsets: dict[_Kind, list[datetime]] = defaultdict(list)
    if not earlier:
        local = start.astimezone(zone)
        offset = local.utcoffset()
        assert offset is not None
        onsets[_kind(local, offset)].append(local.replace(tzinfo=None))
    for change in changes:
        before = change.before.utcoffset()
        assert before is not None
        # RFC 5545 3.6.5: the onset is the local time before the change.
        onset = (change.instant + before).replace(tzinfo=None)
        onsets[_kind(change.after, before)].append(onset)
    tz = Timezone()
    tz.add("TZID", tzid)
    tz.add("COMMENT", f"This timezone only works from {first} to {last}.")
    for (offset_from, offset_to, name, standard), times in onsets.items():
        sub = TimezoneStandard() if standard else TimezoneDaylight()
        sub.TZOFFSETFROM = offset_from
        sub.TZOFFSETTO = offset_to
        sub.add("TZNAME", name)
        sub.DTSTART = times[0]
        if len(times) > 1:
            # ical.js reads only RDATE's onsets (DTSTART's too, then), and
            # only the first value of each RDATE: one line per onset.
            for onset in times:
                sub.add("RDATE", onset)
        tz.add_component(sub)
    return tz


@lru_cache(maxsize=128)
def vtimezone_ical(tzid: str, first: date, last: date) -> bytes:
    """The serialised VTIMEZONE: folding it again for every event file is a third of a build."""
    data: bytes = vtimezone(tzid, first, last).to_ical()
    return data
