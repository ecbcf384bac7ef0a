"""Dates, times, durations and zone names as pages show them without JavaScript: CLDR, via Babel.

Each is what ``Intl`` gives in a browser for the same language, so that
the text does not change when site-gen.js takes over (for a visitor in
the event's own zone; others see it in theirs):

- a date is CLDR's *full* date ("mardi 2 avril 2031"), ``dateStyle: "full"``;
- a time is the *short* time ("11:00", "11:00 AM"), ``timeStyle: "short"``;
- a date and time joins them with the locale's *full* date-time pattern
  ("{1}, {0}"), which the page hands to the script in
  ``data-datetime-pattern`` (Babel has no CLDR ``atTime`` variant, which
  ``Intl`` would otherwise pick for ``dateStyle`` with ``timeStyle``);
- a zone is its long CLDR name ("heure d’été d’Europe centrale"),
  ``timeZoneName: "long"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from babel import dates, lists, units

from site_gen.i18n import babel_locale

__all__ = ["DateFormats"]


def _unquote(pattern: str) -> str:
    """A CLDR pattern's quoted literals as text: ``{1} 'à' {0}`` → ``{1} à {0}``."""
    return pattern.replace("''", "\x00").replace("'", "").replace("\x00", "'")


class DateFormats:
    """The date filters of one page language; each value is formatted once per build."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = babel_locale(language)
        #: "{1}, {0}": {1} the date, {0} the time (site-gen.js gets the same).
        self.datetime_pattern = _unquote(str(self.locale.datetime_formats["full"]))
        self._memo: dict[tuple[object, ...], str] = {}
        self._short_time = self.locale.time_formats["short"]

    def _once(self, kind: str, value: object, make: Callable[[], str]) -> str:
        # Aware datetimes compare (and hash) by instant: 11:00 in Paris equals
        # 10:00 in London. The memo keys them by wall time, fold and zone.
        key = (
            (kind, value.replace(tzinfo=None), value.fold, value.tzinfo)
            if isinstance(value, datetime)
            else (kind, value)
        )
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = make()
        return hit

    def date(self, value: datetime) -> str:
        """'mardi 2 avril 2031', 'Wednesday, April 2, 2031'."""
        return self._once(
            "date", value, lambda: dates.format_date(value, "full", locale=self.locale)
        )

    def time(self, value: datetime) -> str:
        """'11:00', '11:00 AM' (Chromium writes a plain space where CLDR has U+202F).

        The pattern applied directly: what ``format_time`` does for a time
        already in its zone, at half the cost (a page shows three times).
        """
        return self._once(
            "time",
            value,
            lambda: self._short_time.apply(value, self.locale).replace("\u202f", " "),
        )

    def date_time(self, value: datetime) -> str:
        """'mardi 2 avril 2031, 11:00'."""
        return self.datetime_pattern.replace("{1}", self.date(value)).replace(
            "{0}", self.time(value)
        )

    def zone(self, value: datetime) -> str:
        """The long name of ``value``'s zone at that instant: 'Eastern Daylight Time'.

        Named once per zone, offset, daylight saving and year: every webinar
        of a summer in Toronto is in the same "Eastern Daylight Time".
        """
        key = (value.tzinfo, value.utcoffset(), value.dst(), value.year)
        return self._once(
            "zone", key, lambda: dates.get_timezone_name(value, "long", locale=self.locale)
        )

    def duration(self, minutes: int) -> str:
        """'60 minutes', '90 Minuten', '5 minut', with the language's plural rules."""
        return self._once(
            "minutes",
            minutes,
            lambda: units.format_unit(
                minutes, "duration-minute", length="long", locale=self.locale
            ),
        )

    def list_join(self, items: Iterable[str]) -> str:
        """'A, B and C', 'A, B et C', 'A、B、C': a list as the language writes one."""
        return lists.format_list(list(items), locale=self.locale)
