"""Dates and times as pages show them without JavaScript: in the event's own zone.

site-gen.js rewrites them in the visitor's zone and language once it runs;
these are what search engines, feeds and visitors without script read.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["format_date", "format_datetime", "format_time"]


def format_datetime(value: datetime) -> str:
    """'Friday, January 15, 2027, 4:00 PM EST': readable without JavaScript."""
    return f"{format_date(value)}, {format_time(value)}"


def format_date(value: datetime) -> str:
    """'Friday, January 15, 2027'."""
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def format_time(value: datetime) -> str:
    """'4:00 PM EST'."""
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour}:{value:%M} {suffix} {value.tzname() or ''}".rstrip()
