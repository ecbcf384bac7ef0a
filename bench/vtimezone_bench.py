#!/usr/bin/env python3
"""What a VTIMEZONE costs: site-gen's own (render/vtimezone.py) against icalendar's, in turns.

Usage:
    .venv/bin/python bench/vtimezone_bench.py [--zones America/Toronto ...] [--rounds 5]

A build makes each zone's VTIMEZONE once per process and years covered
(``vtimezone_ical`` is cached), so this is a cost per zone, not per page.
For each zone and span (one year, as an event.ics has; three, as an
events.ics may), the two generators run in turns, uncached, and the table
gives median milliseconds per VTIMEZONE (made and serialised) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from icalendar import Timezone

from site_gen.render.vtimezone import vtimezone

ZONES = ["America/Toronto", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Tokyo"]


def ours(zone: str, first: date, last: date) -> bytes:
    data: bytes = vtimezone.__wrapped__(zone, first, last).to_ical()
    return data


def icalendars(zone: str, first: date, last: date) -> bytes:
    data: bytes = Timezone.from_tzid(zone, first_date=first, last_date=last).to_ical()
    return data


def timed(make: object, zone: str, first: date, last: date, repeat: int) -> float:
    assert callable(make)
    start = time.perf_counter()
    for _ in range(repeat):
        make(zone, first, last)
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones", nargs="+", default=ZONES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print("| zone | years | site-gen ms | icalendar ms | site-gen / icalendar |")
    print("|---|--:|--:|--:|--:|")
    for zone in args.zones:
        for years in (1, 3):
            first, last = date(2027, 1, 1), date(2027 + years, 1, 1)
            times: dict[str, list[float]] = {"ours": [], "icalendar": []}
            for _ in range(args.rounds):  # in turns: drift weighs on both alike
                times["ours"].append(timed(ours, zone, first, last, args.repeat))
                times["icalendar"].append(timed(icalendars, zone, first, last, args.repeat))
            mine, theirs = statistics.median(times["ours"]), statistics.median(times["icalendar"])
            print(f"| {zone} | {years} | {mine:.2f} | {theirs:.2f} | {mine / theirs:.1f}x |")


if __name__ == "__main__":
    main()
