"""Calendar files every client reads the same: ical.js (Thunderbird), vobject and icalendar.

One site of webinars placed around the daylight-saving changes of thirteen
zones, 2026 to 2028 (starts just before, at and after each change, in the
skipped and the repeated hour, events spanning the change, ends in the
repeated hour), is built once; every ``event.ics`` and ``events.ics`` is
read by three independent parsers, each made to use only the file's own
VTIMEZONE (no zone database of its own), and each must give the UTC
instants zoneinfo gives. ``events.ics`` spans three years, so its
VTIMEZONEs have RDATE onsets; each ``event.ics`` covers a year or two.

ical.js runs in node from ``tests/node`` (``npm ci --prefix tests/node``,
as ``.ci/run`` does). Where node or ical.js is missing its test is skipped
with that message; under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from site_gen.commands.build import BuildOptions, build
from tests.helpers import BASE_CONFIG, pin_webinars, write_tree

NODE_TOOLS = Path(__file__).parent / "node"
ICAL_JS_SCRIPT = NODE_TOOLS / "ical_instants.mjs"

#: Zones and why each is here.
ZONES = {
    "Europe/Berlin": "spring forward, fall back at 02:00/03:00",
    "America/New_York": "the issue's 01:30 + 90 minutes",
    "Europe/London": "UTC+0 in winter (vobject takes such a VTIMEZONE for UTC)",
    "Australia/Lord_Howe": "a 30-minute change",
    "Australia/Sydney": "southern hemisphere: summer time over new year",
    "America/Santiago": "southern, changes at midnight (24:00 -> 23:00)",
    "America/St_Johns": "a half-hour zone with DST",
    "Pacific/Chatham": "+12:45 / +13:45",
    "Europe/Dublin": "negative DST in the tz database (winter is 'daylight')",
    "Africa/Casablanca": "DST suspended each Ramadan: changes on moving dates",
    "Antarctica/Troll": "a 2-hour change",
    "Asia/Tokyo": "no DST",
    "Asia/Kolkata": "a half-hour zone, no DST",
}
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
#: Around each change: (minutes from the change to the start, duration).
AROUND = ((-90, 120), (-30, 60), (0, 45), (30, 90), (-24 * 60, 25 * 60))
NOW = datetime(2027, 6, 1, tzinfo=UTC)  # some webinars past, some to come


@dataclass(frozen=True)
class Expected:
    """One webinar as zoneinfo places it."""

    zone: str
    start: datetime  # UTC
    end: datetime  # UTC
    written: str  # its front matter start


def zone_changes(zone: ZoneInfo, first: datetime = FIRST) -> list[datetime]:
    """zoneinfo's changes of offset in [first, LAST), to the minute (this test's own walk)."""
    found = []
    here = first
    while here < LAST:
        step = here + timedelta(hours=1)
        if step.astimezone(zone).utcoffset() != here.astimezone(zone).utcoffset():
            minute = here
            while minute.astimezone(zone).utcoffset() == here.astimezone(zone).utcoffset():
                minute += timedelta(minutes=1)
            found.append(minute)
        here = step
    return found


def front_matter_start(instant: datetime, zone: ZoneInfo) -> str:
    """``instant`` as an author writes it in ``zone``: an offset only for a repeated wall time."""
    local = instant.astimezone(zone)
    repeated = local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()
    return f"{local:%Y-%m-%d %H:%M}" + (local.isoformat()[19:] if repeated else "")


@dataclass
class InteropSite:
    public: Path
    expected: dict[str, Expected]  # by UID
    files: list[Path]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> InteropSite:
    root = tmp_path_factory.mktemp("interop")
    files: dict[str, str | bytes] = {"site.toml": BASE_CONFIG}
    by_slug: dict[str, Expected] = {}
    for name in ZONES:
        zone = ZoneInfo(name)
        changes = zone_changes(zone)
        starts = [
            (change + timedelta(minutes=shift), duration)
            for change in changes
            for shift, duration in AROUND
        ] or [
            (datetime(2027, 6, 1, 3, 0, tzinfo=UTC), 60),
            (datetime(2026, 12, 31, 14, 30, tzinfo=UTC), 24 * 60),  # across the new year
            (datetime(2028, 2, 28, 20, 0, tzinfo=UTC), 26 * 60),  # across 29 February
        ]
        for start, duration in starts:
            slug = f"w{len(by_slug)}"
            written = front_matter_start(start, zone)
            by_slug[slug] = Expected(name, start, start + timedelta(minutes=duration), written)
            files[f"content/{slug}.md"] = (
                f"---\ntitle: {slug} in {name}\nkind: webinar\nhost: marketing\n"
                f"start: {written}\ntime_zone: {name}\nduration: {duration}\n---\n"
            )
    write_tree(root, files)
    ids = pin_webinars(root)
    build(root, BuildOptions(now=NOW, environ={}))
    public = root / "public"
    expected = {f"conference-{ids[slug]}@meet.test.example": e for slug, e in by_slug.items()}
    ics = [*sorted(public.glob("*/event.ics")), public / "events.ics"]
    return InteropSite(public, expected, ics)


def own_zones_only(text: str, path: Path) -> str:
    """The file with its TZIDs renamed, so a parser cannot use a zone database of its own.

    icalendar prefers zoneinfo and vobject falls back to pytz for a known
    TZID; under a name nobody knows, they must read the file's VTIMEZONE.
    """
    prefix = f"X-INTEROP-{abs(hash(str(path)))}/"
    return re.sub(r"(^TZID:|;TZID=)", lambda m: m.group(1) + prefix, text, flags=re.MULTILINE)


#: What a parser read of one event: UID, start and end (UTC), and the wall
#: times it shows for them in the event's zone (None for a time given in UTC).
Read = tuple[str, datetime, datetime, str | None, str | None]


def wall(instant: datetime, zone: tzinfo | str) -> str:
    """``instant``'s wall time in ``zone``, as a calendar shows it."""
    return f"{instant.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone):%Y-%m-%d %H:%M}"


def check(parser: str, path: Path, events: Iterator[Read], site: InteropSite) -> list[str]:
    """Each event's instants, and their wall times in its zone, against zoneinfo's.

    Every event of the file must be seen exactly once.
    """
    wrong, seen = [], []
    for uid, start, end, start_shown, end_shown in events:
        seen.append(uid)
        want = site.expected[uid]
        got = (start, end, start_shown, end_shown)
        zone_says = (
            want.start,
            want.end,
            None if start_shown is None else wall(want.start, want.zone),
            None if end_shown is None else wall(want.end, want.zone),
        )
        if got != zone_says:
            wrong.append(
                f"{parser}: {path.relative_to(site.public)} {uid} ({want.zone}, start "
                f"{want.written}): read {start:%Y-%m-%d %H:%M}Z-{end:%Y-%m-%d %H:%M}Z shown "
                f"{start_shown}-{end_shown}; zoneinfo {want.start:%Y-%m-%d %H:%M}Z-"
                f"{want.end:%Y-%m-%d %H:%M}Z shown {zone_says[2]}-{zone_says[3]}"
            )
    if path.name == "events.ics":
        assert sorted(seen) == sorted(site.expected), path
    else:
        assert len(seen) == 1, path
    return wrong


def shown(value: datetime) -> str | None:
    """The wall time a Python parser shows for ``value``'s instant in ``value``'s own zone."""
    zone = value.tzinfo
    assert zone is not None
    if value.utcoffset() == timedelta() and (value.tzname() or "UTC").upper() in ("UTC", "Z"):
        return None
    return wall(value.astimezone(UTC), zone)


def test_the_site_covers_every_kind_of_change(site: InteropSite) -> None:
    """Not a vacuous run: the zones, the repeated and skipped hours, RDATE onsets are all there."""
    assert len({e.zone for e in site.expected.values()}) == len(ZONES) >= 8
    repeated = {e.zone for e in site.expected.values() if e.written[16:]}
    assert repeated >= set(ZONES) - {"Asia/Tokyo", "Asia/Kolkata"}
    events = (site.public / "events.ics").read_text()
    assert "RDATE:" in events
    assert re.search(r"^DTSTART:\d{8}T\d{6}Z", events, re.MULTILINE)  # repeated hours in UTC
    assert len(site.files) == len(site.expected) + 1


def ical_js() -> list[str]:
    """The command that runs ical.js, or skip (fail in CI) saying what is missing."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node is not installed (Debian: apt-get install nodejs)"
    elif not (NODE_TOOLS / "node_modules/ical.js/package.json").is_file():
        missing = "ical.js is not installed: run 'npm ci --prefix tests/node'"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; .ci/run installs it")
        pytest.skip(missing)
    assert node is not None
    return [node, str(ICAL_JS_SCRIPT)]


def test_ical_js_reads_zoneinfo_instants(site: InteropSite) -> None:
    command = ical_js()
    result = subprocess.run(
        [*command, *map(str, site.files)], capture_output=True, text=True, check=True, timeout=120
    )
    parsed = json.loads(result.stdout)
    wrong: list[str] = []
    for path in site.files:
        # Instants only: ical.js converts an instant to a zone by looking the
        # offset up with the UTC time as if it were local (Timezone.convert_time),
        # so near a change the wall time it shows is off whatever the file says.
        events: list[Read] = [
            (e["uid"], datetime.fromtimestamp(e["start"], UTC),
             datetime.fromtimestamp(e["end"], UTC), None, None)
            for e in parsed[str(path)]
        ]
        wrong += check("ical.js", path, iter(events), site)
    assert not wrong, f"{len(wrong)} events read differently:\n" + "\n".join(wrong)


def test_vobject_reads_zoneinfo_instants(site: InteropSite) -> None:
    wrong: list[str] = []
    for path in site.files:
        text = own_zones_only(path.read_bytes().decode("utf-8"), path)
        # vobject registers a VTIMEZONE only if it differs from UTC in
        # 2000-2020 (Europe/London's of 2027 does not): register them all.
        zones = "".join(re.findall(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", text, re.DOTALL))
        for vtimezone in vobject.readOne(f"BEGIN:VCALENDAR\r\n{zones}END:VCALENDAR\r\n").contents[
            "vtimezone"
        ]:
            vobject.icalendar.registerTzid(vtimezone.tzid.value, vtimezone.gettzinfo())

        def events(text: str = text) -> Iterator[Read]:
            for vevent in vobject.readOne(text).vevent_list:
                start, end = vevent.dtstart.value, vevent.dtend.value
                assert start.tzinfo is not None and end.tzinfo is not None
                yield (vevent.uid.value, start.astimezone(UTC), end.astimezone(UTC),
                       shown(start), shown(end))

        wrong += check("vobject", path, events(), site)
    assert not wrong, f"{len(wrong)} events read differently:\n" + "\n".join(wrong)


def test_icalendar_reads_zoneinfo_instants(site: InteropSite) -> None:
    wrong: list[str] = []
    for path in site.files:
        calendar = Calendar.from_ical(own_zones_only(path.read_bytes().decode("utf-8"), path))

        def events(calendar: Calendar = calendar) -> Iterator[Read]:
            for vevent in calendar.walk("VEVENT"):
                start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
                for value in (start, end):
                    # From the file's VTIMEZONE (or UTC), never zoneinfo's own rules.
                    zone = value.tzinfo
                    assert zone is not None
                    assert not isinstance(zone, ZoneInfo) or zone.key == "UTC", zone
                yield (str(vevent["UID"]), start.astimezone(UTC), end.astimezone(UTC),
                       shown(start), shown(end))

        wrong += check("icalendar", path, events(), site)
    assert not wrong, f"{len(wrong)} events read differently:\n" + "\n".join(wrong)


def test_vtimezone_onsets_are_local_times_before_each_change(site: InteropSite) -> None:
    """RFC 5545 3.6.5, read directly: every onset, in TZOFFSETFROM, is one of zoneinfo's changes."""
    calendar = Calendar.from_ical((site.public / "events.ics").read_bytes().decode("utf-8"))
    for vtimezone in calendar.walk("VTIMEZONE"):
        zone = ZoneInfo(str(vtimezone["TZID"]))
        # The zone as it is on the first date comes from its change before it.
        changes = set(zone_changes(zone, FIRST - timedelta(days=400)))
        for sub in vtimezone.subcomponents:
            before = sub["TZOFFSETFROM"].td
            after = sub["TZOFFSETTO"].td
            onsets = [sub["DTSTART"].dt]
            rdates = sub.get("RDATE", [])
            rdates = rdates if isinstance(rdates, list) else [rdates]
            listed = [d for r in rdates for d in (p.dt for p in r.dts)]
            if rdates:
                assert all(len(r.dts) == 1 for r in rdates), "one RDATE line per onset"
                assert onsets[0] in listed, "ical.js needs DTSTART's onset in RDATE too"
            for onset in [*onsets, *listed]:
                if before == after:  # a zone unchanged for a year: no change, first date
                    assert onset == datetime(2026, 1, 1) and not changes, zone
                    continue
                instant = (onset - before).replace(tzinfo=UTC)
                assert instant in changes, (zone, onset)
                assert instant.astimezone(zone).utcoffset() == after
                assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before


def test_event_files_cover_their_own_years(site: InteropSite) -> None:
    """Each event.ics's VTIMEZONE runs from its start's new year to the new year after its end."""
    for path in site.files[:-1]:
        calendar = Calendar.from_ical(path.read_bytes().decode("utf-8"))
        (vtimezone,) = calendar.walk("VTIMEZONE")
        comment = str(vtimezone["COMMENT"])
        first, last = re.findall(r"\d{4}-\d{2}-\d{2}", comment)
        (vevent,) = calendar.walk("VEVENT")
        assert date.fromisoformat(first) <= vevent["DTSTART"].dt.date()
        assert vevent["DTEND"].dt.date() < date.fromisoformat(last)
