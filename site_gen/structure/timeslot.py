"""A webinar's time slot: when it starts and ends, in its own zone, and its state at a moment.

Every output that shows or encodes a webinar's times (page text, data
attributes, JSON-LD, .ics files, calendar links, listings, the preview, the
build cache's validity instants, the scheduling plan) takes them from here,
so they cannot disagree.

All arithmetic is on instants, in UTC, converted back to the event's zone
for display. Python adds a timedelta to an aware datetime on the *wall
clock* and compares two datetimes of the same zone by their wall times
(PEP 495), so ``start + timedelta(minutes=90)`` across a daylight-saving
change is off by the change: a 90-minute webinar from 01:30 on New York's
spring-forward night would end 30 minutes after it starts.

A start is a wall time in the zone, as authors write it. Wall times a zone
skips (the spring-forward gap) do not exist, and those it repeats (the
autumn hour) exist twice: :func:`zone_start` refuses the first and, unless
the author gave a UTC offset saying which, the second, naming the zone's
change and what would be right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .lock import LockedConference
    from .pages import Page

__all__ = [
    "API_FORMAT",
    "StartError",
    "Status",
    "TimeSlot",
    "api_start",
    "is_repeated",
    "local_start",
    "platform_start",
    "transition_between",
    "zone_start",
]

Status = Literal["upcoming", "live", "ended"]

#: conference/create's ``start``: local wall time in ``time_zone``.
API_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class TimeSlot:
    """A webinar's time, in its own zone, and the conference behind it (if any yet)."""

    start: datetime  # aware, in time_zone; fold=1 for the second of a repeated hour
    duration: int  # minutes
    time_zone: str
    conference: LockedConference | None = None

    @cached_property
    def start_utc(self) -> datetime:
        """The start as an instant."""
        return self.start.astimezone(UTC)

    @cached_property
    def end_utc(self) -> datetime:
        """The end as an instant: ``duration`` minutes of elapsed time after the start."""
        return self.start_utc + timedelta(minutes=self.duration)

    @cached_property
    def end(self) -> datetime:
        """The end in the event's zone (the API's end_time, computed the same way)."""
        return self.end_utc.astimezone(self.start.tzinfo)

    def opens(self, before: timedelta) -> datetime:
        """When the page shows the room: ``before`` the start, in elapsed time, in the zone."""
        return (self.start_utc - before).astimezone(self.start.tzinfo)

    def status(self, now: datetime, *, opens_before: timedelta = timedelta(minutes=10)) -> Status:
        """Where ``now`` (aware) falls: before the room opens, while it is open, after the end."""
        if now >= self.end_utc:
            return "ended"
        if now >= self.start_utc - opens_before:
            return "live"
        return "upcoming"

    def changes(self, opens_before: timedelta) -> tuple[datetime, datetime, datetime]:
        """The instants (UTC) at which a page showing this slot changes: room opens, start, end."""
        return (self.start_utc - opens_before, self.start_utc, self.end_utc)


class StartError(ValueError):
    """A start the zone does not have: skipped, repeated without an offset, or a wrong offset."""


def local_start(page: Page, zone: ZoneInfo) -> datetime:
    """The webinar's start as an aware datetime in ``zone`` (validated by ``check_pages``)."""
    start = page.meta.start
    assert start is not None
    return zone_start(start, zone)


def zone_start(start: datetime, zone: ZoneInfo) -> datetime:
    """``start`` as front matter gives it, placed in ``zone``: :class:`StartError` if not there.

    ``start`` is a wall time in ``zone``, naive or with a UTC offset. The
    offset only says which of two equal wall times is meant (it must be one
    the zone has at that wall time): a naive time the zone repeats is an
    error, as is any time it skips.
    """
    wall = start.replace(tzinfo=None)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    offsets = (first.utcoffset(), second.utcoffset())
    given = start.utcoffset()
    if offsets[0] != offsets[1]:
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            raise StartError(_gap_message(wall, zone, first, second))
        if given is None:
            raise StartError(_repeated_message(wall, zone, first, second))
    if given is None or given == offsets[0]:
        return first
    if given == offsets[1]:
        return second
    raise StartError(_offset_message(start, zone, first, second))


def api_start(start: datetime) -> tuple[str, str]:
    """``(start, time_zone)`` as conference/create is sent them for a start in its zone.

    The API takes a local wall time and a zone, and reads a time the zone
    repeats as the first of the two (as :func:`platform_start` does, and
    the sandbox). The second one cannot be said that way, so it is sent as
    the same instant in UTC: the conference starts when the page says,
    though Callbridge's own invitations then show it in UTC.
    """
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo)
    if _is_second(start):
        return start.astimezone(UTC).strftime(API_FORMAT), "UTC"
    return start.strftime(API_FORMAT), zone.key


def platform_start(text: str, time_zone: str) -> datetime:
    """The instant a conference's ``start`` and ``time_zone`` (as the API answers) stand for.

    A repeated wall time is the first of the two, as the API reads it.
    """
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(time_zone), fold=0)


def _is_second(value: datetime) -> bool:
    """Is ``value`` (aware, in a zone) the second of two equal wall times?"""
    return value.fold == 1 and value.replace(fold=0).utcoffset() != value.utcoffset()


def transition_between(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first instant after ``low`` at which ``zone`` is as at ``high`` (to the second).

    ``low`` and ``high`` are UTC instants on either side of one change of
    offset, abbreviation or daylight saving; found by bisection on the
    zone's rules, the only way zoneinfo gives them.
    """
    lo, hi = int(low.timestamp()), int(high.timestamp())
    target = _state(zone, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _state(zone, mid) == target:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _state(zone: ZoneInfo, timestamp: int) -> tuple[timedelta | None, timedelta | None, str | None]:
    local = datetime.fromtimestamp(timestamp, zone)
    return (local.utcoffset(), local.dst(), local.tzname())


# -- messages: what is wrong, and what would be right -------------------------


def _transition(wall: datetime, zone: ZoneInfo, first: datetime, second: datetime) -> datetime:
    """The instant of the zone's change that makes ``wall`` skipped or repeated."""
    offsets = [first.utcoffset(), second.utcoffset()]
    low, high = sorted(wall - offset for offset in offsets if offset is not None)
    return transition_between(zone, low.replace(tzinfo=UTC), high.replace(tzinfo=UTC))


def _change(wall: datetime, zone: ZoneInfo, first: datetime, second: datetime) -> str:
    """The zone's change around ``wall``: 'the clocks go forward from 02:00 to 03:00 (...)'."""
    before, after = first.utcoffset(), second.utcoffset()
    assert before is not None and after is not None
    moment = _transition(wall, zone, first, second)
    old = (moment - timedelta(seconds=1)).astimezone(zone)
    new = moment.astimezone(zone)
    way = "forward" if after > before else "back"
    naive = moment.replace(tzinfo=None)
    clocks = (
        f"the clocks go {way} from {_clock(naive + before, wall)} to "
        f"{_clock(naive + after, wall)}"
    )
    return f"{clocks} ({_label(old)} → {_label(new)})"


def _gap_message(wall: datetime, zone: ZoneInfo, first: datetime, second: datetime) -> str:
    moment = _transition(wall, zone, first, second)
    last = (moment - timedelta(minutes=1)).astimezone(zone)
    after = moment.astimezone(zone)
    return (
        f"start {_wall(wall)} does not exist in {zone.key}: {_change(wall, zone, first, second)}; "
        f"the nearest valid times are {_wall(last)} and {_wall(after)}"
    )


def _repeated_message(wall: datetime, zone: ZoneInfo, first: datetime, second: datetime) -> str:
    return (
        f"start {_wall(wall)} happens twice in {zone.key}: {_change(wall, zone, first, second)}; "
        f"say which with its UTC offset: '{_wall(wall)}{_offset(first)}' (the first, "
        f"{_name(first)}) or '{_wall(wall)}{_offset(second)}' (the second, {_name(second)})"
    )


def _offset_message(start: datetime, zone: ZoneInfo, first: datetime, second: datetime) -> str:
    wall = start.replace(tzinfo=None)
    has = " or ".join(dict.fromkeys(f"{_offset(d)} ({_name(d)})" for d in (first, second)))
    same = start.astimezone(zone)
    moment = _wall(same) + (_offset(same) if is_repeated(same) else "")
    return (
        f"start {_wall(wall)}{_offset(start)}: {zone.key} is at {has} at {_wall(wall)}, "
        f"not {_offset(start)}; write '{_wall(wall)}' for that wall time, or '{moment}' for "
        f"the moment {_wall(wall)}{_offset(start)}"
    )


def is_repeated(value: datetime) -> bool:
    """Is ``value``'s wall time one its zone has twice (the hour repeated when clocks go back)?"""
    return value.replace(fold=0).utcoffset() != value.replace(fold=1).utcoffset()


def _wall(value: datetime) -> str:
    """A wall time as authors write it: '2027-03-28 02:30' (seconds when there are some)."""
    return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")


def _clock(value: datetime, day: datetime) -> str:
    """'02:00', or with its date when it is not ``day``'s."""
    same = value.date() == day.date()
    return value.strftime(("" if same else "%Y-%m-%d ") + ("%H:%M:%S" if value.second else "%H:%M"))


def _offset(value: datetime) -> str:
    """'+01:00', as ISO 8601 and front matter write it."""
    offset = value.utcoffset() or timedelta()
    sign = "-" if offset < timedelta() else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _name(value: datetime) -> str:
    """The zone's abbreviation then ('CET'), or its offset where it has none of its own."""
    name = value.tzname() or ""
    return name if name and name[0] not in "+-" else _offset(value)


def _label(value: datetime) -> str:
    """'CET +01:00', or just '+10:30' where the zone has no abbreviation of its own."""
    name, offset = _name(value), _offset(value)
    return offset if name == offset else f"{name} {offset}"
