"""A webinar's time slot: when it starts and ends, in its own zone, and its state at a moment.

Every output that shows or encodes a webinar's times (page text, data
attributes, JSON-LD, .ics files, calendar links, listings) takes them from
here, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .lock import LockedConference
    from .pages import Page

__all__ = ["Status", "TimeSlot", "local_start"]

Status = Literal["upcoming", "live", "ended"]


@dataclass(frozen=True)
class TimeSlot:
    """A webinar's time, in its own zone, and the conference behind it (if any yet)."""

    start: datetime  # aware, in time_zone
    duration: int  # minutes
    time_zone: str
    conference: LockedConference | None = None

    @property
    def end(self) -> datetime:
        """Start plus duration (the API's end_time, computed the same way)."""
        return self.start + timedelta(minutes=self.duration)

    def status(self, now: datetime, *, opens_before: timedelta = timedelta(minutes=10)) -> Status:
        """Where ``now`` falls: before the room opens, while it is open, after the end."""
        if now >= self.end:
            return "ended"
        if now >= self.start - opens_before:
            return "live"
        return "upcoming"

    def changes(self, opens_before: timedelta) -> tuple[datetime, datetime, datetime]:
        """The instants at which a page showing this slot changes: room opens, start, end."""
        return (self.start - opens_before, self.start, self.end)


def local_start(page: Page, zone: ZoneInfo) -> datetime:
    """The webinar's start as an aware datetime in ``zone``."""
    start = page.meta.start
    assert start is not None
    return start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)
