"""Times are exact: elapsed-time arithmetic across daylight-saving changes, starts a zone
skips or repeats, and every output describing the same instants.

Zones and changes covered here: America/New_York's spring-forward night
(2027-03-14, 02:00 EST -> 03:00 EDT) and autumn (2027-11-07, 02:00 EDT ->
01:00 EST); Europe/Berlin's (2027-03-28 02:00 -> 03:00, 2027-10-31 03:00 ->
02:00); Australia/Lord_Howe's 30-minute changes (2027-04-04 02:00 -> 01:30,
2027-10-03 02:00 -> 02:30); America/Santiago's at midnight (2027-09-05
00:00 -> 01:00); Pacific/Chatham's 45-minute zone (2027-09-26 02:45 ->
03:45); America/St_Johns' half-hour zone (2027-11-07); Pacific/Apia's
skipped day (2011-12-30); Asia/Tokyo (no change); and, in the property
test, any IANA zone within a day of any of its changes.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, available_timezones

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import check
from site_gen.commands.plan import PlanOptions, plan
from site_gen.config.front_matter import FrontMatter
from site_gen.config.parsing import KeyLines
from site_gen.config.site_toml import load_config
from site_gen.errors import ValidationFailed
from site_gen.paths import LOCK_FILE
from site_gen.render.renderer import Renderer
from site_gen.render.vtimezone import transitions
from site_gen.structure.pages import Page
from site_gen.structure.resolve import Resolved
from site_gen.structure.timeslot import (
    StartError,
    TimeSlot,
    api_start,
    platform_start,
    zone_start,
)
from tests.helpers import BASE_CONFIG, SiteFactory, snapshot, soup, write_tree
from tests.helpers import SANDBOX_ADMIN_ENV as ADMIN
from tests.webinars import build_site, ics, rebuild, webinar

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
BEFORE_ALL = datetime(2027, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def instant(value: datetime) -> datetime:
    """``value`` in UTC: PEP 495 makes ``==`` false between zones for a repeated wall time."""
    return value.astimezone(UTC)


def slot(start: str, zone: ZoneInfo, minutes: int) -> TimeSlot:
    return TimeSlot(zone_start(datetime.fromisoformat(start), zone), minutes, zone.key)


# -- TimeSlot: elapsed time -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "zone", "minutes", "end_utc", "end_local"),
    [
        # The issue's examples: 90 minutes from 01:30 EST on the spring-forward night...
        ("2027-03-14 01:30", NY, 90, utc(2027, 3, 14, 8, 0), "2027-03-14T04:00:00-04:00"),
        # ...120 minutes across Berlin's autumn night end in the repeated hour...
        ("2027-10-31 01:30", BERLIN, 120, utc(2027, 10, 31, 1, 30), "2027-10-31T02:30:00+01:00"),
        # ...and Lord Howe's half-hour change.
        ("2027-04-04 01:00", LORD_HOWE, 90, utc(2027, 4, 3, 15, 30), "2027-04-04T02:00:00+10:30"),
        ("2027-10-03 01:30", LORD_HOWE, 90, utc(2027, 10, 2, 16, 30), "2027-10-03T03:30:00+11:00"),
        ("2027-09-26 02:00", ZoneInfo("Pacific/Chatham"), 60, utc(2027, 9, 25, 14, 15),
         "2027-09-26T04:00:00+13:45"),
        ("2027-09-04 23:30", ZoneInfo("America/Santiago"), 60, utc(2027, 9, 5, 4, 30),
         "2027-09-05T01:30:00-03:00"),
        ("2027-06-01 10:00", ZoneInfo("Asia/Tokyo"), 60, utc(2027, 6, 1, 2, 0),
         "2027-06-01T11:00:00+09:00"),
    ],
)
def test_the_end_is_the_duration_in_elapsed_time(
    start: str, zone: ZoneInfo, minutes: int, end_utc: datetime, end_local: str
) -> None:
    times = slot(start, zone, minutes)
    assert times.end_utc == end_utc
    assert times.end.isoformat() == end_local
    assert times.end_utc - times.start_utc == timedelta(minutes=minutes)
    assert times.end.tzinfo is zone


def test_state_and_cache_instants_are_elapsed_time() -> None:
    times = slot("2027-03-14 01:30", NY, 90)  # 06:30Z to 08:00Z
    assert times.status(utc(2027, 3, 14, 6, 19), opens_before=timedelta(minutes=10)) == "upcoming"
    assert times.status(utc(2027, 3, 14, 6, 20), opens_before=timedelta(minutes=10)) == "live"
    assert times.status(utc(2027, 3, 14, 7, 15)) == "live"  # was "ended" with wall-clock sums
    assert times.status(utc(2027, 3, 14, 7, 59, 59)) == "live"
    assert times.status(utc(2027, 3, 14, 8, 0)) == "ended"
    assert times.changes(timedelta(minutes=10)) == (
        utc(2027, 3, 14, 6, 20), utc(2027, 3, 14, 6, 30), utc(2027, 3, 14, 8, 0)
    )
    # The room opens 10 minutes before 03:05 EDT: at 01:55 EST, not at a 02:55 that never was.
    assert slot("2027-03-14 03:05", NY, 30).opens(timedelta(minutes=10)).isoformat() == (
        "2027-03-14T01:55:00-05:00"
    )


# -- starts a zone skips or repeats -----------------------------------------------


@pytest.mark.parametrize(
    ("start", "zone", "message"),
    [
        ("2027-03-28 02:30", "Europe/Berlin",
         "start 2027-03-28 02:30 does not exist in Europe/Berlin: the clocks go forward from "
         "02:00 to 03:00 (CET +01:00 → CEST +02:00); the nearest valid times are "
         "2027-03-28 01:59 and 2027-03-28 03:00"),
        ("2027-03-14 02:30", "America/New_York",
         "start 2027-03-14 02:30 does not exist in America/New_York: the clocks go forward from "
         "02:00 to 03:00 (EST -05:00 → EDT -04:00); the nearest valid times are "
         "2027-03-14 01:59 and 2027-03-14 03:00"),
        ("2027-10-03 02:10", "Australia/Lord_Howe",
         "start 2027-10-03 02:10 does not exist in Australia/Lord_Howe: the clocks go forward "
         "from 02:00 to 02:30 (+10:30 → +11:00); the nearest valid times are 2027-10-03 01:59 "
         "and 2027-10-03 02:30"),
        ("2027-09-05 00:30", "America/Santiago",
         "start 2027-09-05 00:30 does not exist in America/Santiago: the clocks go forward from "
         "00:00 to 01:00 (-04:00 → -03:00); the nearest valid times are 2027-09-04 23:59 and "
         "2027-09-05 01:00"),
        ("2027-09-26 03:00", "Pacific/Chatham",
         "start 2027-09-26 03:00 does not exist in Pacific/Chatham: the clocks go forward from "
         "02:45 to 03:45 (+12:45 → +13:45); the nearest valid times are 2027-09-26 02:44 and "
         "2027-09-26 03:45"),
        ("2011-12-30 12:00", "Pacific/Apia",
         "start 2011-12-30 12:00 does not exist in Pacific/Apia: the clocks go forward from "
         "00:00 to 2011-12-31 00:00 (-10:00 → +14:00); the nearest valid times are "
         "2011-12-29 23:59 and 2011-12-31 00:00"),
        ("2027-10-31 02:30", "Europe/Berlin",
         "start 2027-10-31 02:30 happens twice in Europe/Berlin: the clocks go back from 03:00 "
         "to 02:00 (CEST +02:00 → CET +01:00); say which with its UTC offset: "
         "'2027-10-31 02:30+02:00' (the first, CEST) or '2027-10-31 02:30+01:00' (the second, "
         "CET)"),
        ("2027-11-07 01:30", "America/St_Johns",
         "start 2027-11-07 01:30 happens twice in America/St_Johns: the clocks go back from "
         "02:00 to 01:00 (NDT -02:30 → NST -03:30); say which with its UTC offset: "
         "'2027-11-07 01:30-02:30' (the first, NDT) or '2027-11-07 01:30-03:30' (the second, "
         "NST)"),
        ("2027-04-04 01:45", "Australia/Lord_Howe",
         "start 2027-04-04 01:45 happens twice in Australia/Lord_Howe: the clocks go back from "
         "02:00 to 01:30 (+11:00 → +10:30); say which with its UTC offset: "
         "'2027-04-04 01:45+11:00' (the first, +11:00) or '2027-04-04 01:45+10:30' (the "
         "second, +10:30)"),
        ("2027-01-15 16:00+05:00", "Europe/Berlin",
         "start 2027-01-15 16:00+05:00: Europe/Berlin is at +01:00 (CET) at 2027-01-15 16:00, "
         "not +05:00; write '2027-01-15 16:00' for that wall time, or '2027-01-15 12:00' for "
         "the moment 2027-01-15 16:00+05:00"),
        ("2027-10-31 02:30+03:00", "Europe/Berlin",
         "start 2027-10-31 02:30+03:00: Europe/Berlin is at +02:00 (CEST) or +01:00 (CET) at "
         "2027-10-31 02:30, not +03:00; write '2027-10-31 02:30' for that wall time, or "
         "'2027-10-31 01:30' for the moment 2027-10-31 02:30+03:00"),
        ("2027-10-31 01:30+00:00", "Europe/Berlin",
         "start 2027-10-31 01:30+00:00: Europe/Berlin is at +02:00 (CEST) at 2027-10-31 01:30, "
         "not +00:00; write '2027-10-31 01:30' for that wall time, or '2027-10-31 02:30+01:00' "
         "for the moment 2027-10-31 01:30+00:00"),
    ],
)
def test_starts_the_zone_skips_or_repeats_are_errors(start: str, zone: str, message: str) -> None:
    with pytest.raises(StartError) as error:
        zone_start(datetime.fromisoformat(start), ZoneInfo(zone))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("start", "zone", "moment"),
    [
        ("2027-10-31 02:30+02:00", "Europe/Berlin", utc(2027, 10, 31, 0, 30)),  # the first
        ("2027-10-31 02:30+01:00", "Europe/Berlin", utc(2027, 10, 31, 1, 30)),  # the second
        ("2027-11-07 01:30-04:00", "America/New_York", utc(2027, 11, 7, 5, 30)),
        ("2027-11-07 01:30-05:00", "America/New_York", utc(2027, 11, 7, 6, 30)),
        ("2027-04-04 01:45+10:30", "Australia/Lord_Howe", utc(2027, 4, 3, 15, 15)),
        ("2027-01-15 16:00+01:00", "Europe/Berlin", utc(2027, 1, 15, 15, 0)),  # needless, right
        ("2027-03-28 03:00", "Europe/Berlin", utc(2027, 3, 28, 1, 0)),  # just after the gap
        ("2027-03-28 01:59", "Europe/Berlin", utc(2027, 3, 28, 0, 59)),  # just before it
        ("2027-10-31 03:00", "Europe/Berlin", utc(2027, 10, 31, 2, 0)),  # just after the repeat
    ],
)
def test_an_offset_says_which_of_a_repeated_hour(start: str, zone: str, moment: datetime) -> None:
    local = zone_start(datetime.fromisoformat(start), ZoneInfo(zone))
    assert local.astimezone(UTC) == moment
    assert local.tzinfo is ZoneInfo(zone)


def repeated_hour_site(make_site: SiteFactory) -> Path:
    return make_site(
        {
            "content/gap.md": webinar("Gap", start="2027-03-28 02:30",
                                      extra="time_zone: Europe/Berlin\n"),
            "content/twice.md": webinar("Twice", start="2027-10-31 02:30",
                                        extra="time_zone: Europe/Berlin\n"),
            "content/offset.md": webinar("Offset", start="2027-01-15 16:00+05:00",
                                         extra="time_zone: Europe/Berlin\n"),
            # The site's zone (Toronto) applies where the page names none.
            "content/site-zone.md": webinar("Site zone", start="2027-03-14 02:15"),
            "content/fine.md": webinar("Fine", start="2027-10-31 02:30+01:00",
                                       extra="time_zone: Europe/Berlin\n"),
        },
        with_default_page=False,
    )


def test_check_and_build_report_each_start_at_its_line(make_site: SiteFactory) -> None:
    root = repeated_hour_site(make_site)
    errors = [str(p) for p in check(root).errors]
    assert errors == [
        "content/gap.md:5: start 2027-03-28 02:30 does not exist in Europe/Berlin: the clocks "
        "go forward from 02:00 to 03:00 (CET +01:00 → CEST +02:00); the nearest valid times "
        "are 2027-03-28 01:59 and 2027-03-28 03:00",
        "content/offset.md:5: start 2027-01-15 16:00+05:00: Europe/Berlin is at +01:00 (CET) "
        "at 2027-01-15 16:00, not +05:00; write '2027-01-15 16:00' for that wall time, or "
        "'2027-01-15 12:00' for the moment 2027-01-15 16:00+05:00",
        "content/site-zone.md:5: start 2027-03-14 02:15 does not exist in America/Toronto: the "
        "clocks go forward from 02:00 to 03:00 (EST -05:00 → EDT -04:00); the nearest valid "
        "times are 2027-03-14 01:59 and 2027-03-14 03:00",
        "content/twice.md:5: start 2027-10-31 02:30 happens twice in Europe/Berlin: the clocks "
        "go back from 03:00 to 02:00 (CEST +02:00 → CET +01:00); say which with its UTC "
        "offset: '2027-10-31 02:30+02:00' (the first, CEST) or '2027-10-31 02:30+01:00' (the "
        "second, CET)",
    ]
    with pytest.raises(ValidationFailed) as failed:
        build(root, BuildOptions(now=BEFORE_ALL, environ={}))
    assert [str(p) for p in failed.value.problems if p.severity != "warning"] == errors
    assert not (root / "public").exists() and not (root / LOCK_FILE).exists()


def test_a_failed_build_keeps_the_previous_output_and_lock(make_site: SiteFactory) -> None:
    root = make_site({"content/w.md": webinar(extra="time_zone: Europe/Berlin\n")})
    build(root, BuildOptions(now=BEFORE_ALL, environ={}))
    before = snapshot(root / "public")
    lock = (root / LOCK_FILE).read_bytes()
    write_tree(root, {"content/w.md": webinar(start="2027-03-28 02:30",
                                              extra="time_zone: Europe/Berlin\n")})
    result = CliRunner().invoke(main, ["build", str(root)], env={"CALLBRIDGE_EMAIL": ""})
    assert result.exit_code == 1, result.output
    assert "content/w.md:5: start 2027-03-28 02:30 does not exist in Europe/Berlin" in (
        result.output
    )
    assert snapshot(root / "public") == before
    assert (root / LOCK_FILE).read_bytes() == lock


# -- the platform: what conference/create is sent ---------------------------------


def test_api_start_sends_local_time_except_the_second_of_a_repeated_hour() -> None:
    first = zone_start(datetime.fromisoformat("2027-10-31 02:30+02:00"), BERLIN)
    second = zone_start(datetime.fromisoformat("2027-10-31 02:30+01:00"), BERLIN)
    plain = zone_start(datetime.fromisoformat("2027-03-14 01:30"), NY)
    assert api_start(first) == ("2027-10-31 02:30:00", "Europe/Berlin")
    assert api_start(second) == ("2027-10-31 01:30:00", "UTC")
    assert api_start(plain) == ("2027-03-14 01:30:00", "America/New_York")
    for local in (first, second, plain):
        assert instant(platform_start(*api_start(local))) == instant(local)


def test_page_and_platform_agree_in_the_repeated_hour(make_site: SiteFactory) -> None:
    """Scheduled over real loopback HTTP; the sandbox reads local time as the API does."""
    pages = {
        "first": ("2027-10-31 02:30+02:00", "Europe/Berlin", utc(2027, 10, 31, 0, 30)),
        "second": ("2027-10-31 02:30+01:00", "Europe/Berlin", utc(2027, 10, 31, 1, 30)),
        "ny-second": ("2027-11-07 01:30-05:00", "America/New_York", utc(2027, 11, 7, 6, 30)),
        "spring": ("2027-03-14 01:30", "America/New_York", utc(2027, 3, 14, 6, 30)),
    }
    with running_sandbox() as sandbox:
        config = BASE_CONFIG.replace('api = "sandbox"', f'api = "{sandbox.url}"')
        root = make_site(
            {
                f"content/{slug}.md": webinar(slug, start=start, duration=90,
                                              extra=f"time_zone: {zone}\n")
                for slug, (start, zone, _) in pages.items()
            },
            config=config,
            with_default_page=False,
        )
        build(root, BuildOptions(now=BEFORE_ALL, environ=ADMIN))
        conferences = {c["subject"]: c for c in sandbox.conferences()}
        calls = sandbox.calls()["conference/create"]
        build(root, BuildOptions(now=BEFORE_ALL, environ=ADMIN))  # pinned: no second create
        assert sandbox.calls()["conference/create"] == calls == 4
    locked = json.loads((root / LOCK_FILE).read_text())["apis"][sandbox.url]["conferences"]
    assert (locked["second"]["start"], locked["second"]["time_zone"]) == (
        "2027-10-31 01:30:00", "UTC"
    )
    for slug, (_, _, start) in pages.items():
        answer = conferences[slug]
        assert instant(platform_start(answer["start"], answer["time_zone"])) == start, slug
        assert instant(platform_start(locked[slug]["start"], locked[slug]["time_zone"])) == start
        page = soup(root / "public" / slug / "index.html").find(attrs={"data-event": True})
        assert instant(datetime.fromisoformat(page["data-event-start"])) == start
        assert instant(datetime.fromisoformat(page["data-event-end"])) == (
            start + timedelta(minutes=90)
        )


# -- every output on a daylight-saving night ---------------------------------------


def event_of(path: Path):
    (event,) = ics(path).walk("VEVENT")
    return event


def test_the_spring_forward_webinar_of_the_issue(make_site: SiteFactory) -> None:
    """90 minutes from 01:30 EST on New York's spring-forward night end at 04:00 EDT."""
    start, end = utc(2027, 3, 14, 6, 30), utc(2027, 3, 14, 8, 0)
    out = build_site(
        make_site,
        {"content/q1.md": webinar(start="2027-03-14 01:30", duration=90,
                                  extra="time_zone: America/New_York\ntags: [spring]\n")},
        now=start + timedelta(minutes=45),  # an hour early, the old end
    )
    page = soup(out / "q1/index.html")
    times = page.find(class_="event-details").find("dt", string="Time").find_next("dd")
    # Across the clock change each end names its zone: 1:30 to 4:00 is 90 minutes.
    assert times.get_text(" ", strip=True) == (
        "1:30 AM ( Eastern Standard Time ) to 4:00 AM ( Eastern Daylight Time )"
    )
    assert times("time")[1]["datetime"] == "2027-03-14T04:00:00-04:00"
    article = page.find(attrs={"data-event": True})
    assert article["data-event-end"] == "2027-03-14T04:00:00-04:00"
    assert article["data-event-state"] == "live"
    assert page.find(class_="event-live") is not None and not page.find(class_="event-live").get(
        "hidden"
    )
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert (data["startDate"], data["endDate"]) == (
        "2027-03-14T01:30:00-05:00", "2027-03-14T04:00:00-04:00"
    )
    event = event_of(out / "q1/event.ics")
    assert event["DTEND"].params["TZID"] == "America/New_York"
    assert event["DTEND"].to_ical() == b"20270314T040000"
    assert (instant(event["DTSTART"].dt), instant(event["DTEND"].dt)) == (start, end)
    links = {a.text: a["href"] for a in page.select(".add-to-calendar a")}
    google = parse_qs(urlsplit(links["Google Calendar"]).query)
    assert google["dates"] == ["20270314T063000Z/20270314T080000Z"]
    outlook = parse_qs(urlsplit(links["Outlook.com"]).query)
    assert (outlook["startdt"], outlook["enddt"]) == (
        ["2027-03-14T06:30:00Z"], ["2027-03-14T08:00:00Z"]
    )
    home = soup(out / "index.html")
    upcoming = home.find("h2", string="Upcoming events").find_parent("section")
    assert [a.text for a in upcoming.select(".card-link")] == ["Q1 Launch"]
    card = upcoming.find(attrs={"data-event": True})
    assert card["data-event-end"] == "2027-03-14T04:00:00-04:00"
    (everything,) = ics(out / "events.ics").walk("VEVENT")
    assert instant(everything["DTEND"].dt) == end
    tag = soup(out / "tags/spring/index.html").find(attrs={"data-event": True})
    assert tag["data-event-state"] == "live"


def test_the_build_cache_changes_the_page_at_the_true_end(make_site: SiteFactory) -> None:
    start = utc(2027, 3, 14, 6, 30)
    out = build_site(
        make_site,
        {"content/q1.md": webinar(start="2027-03-14 01:30", duration=90,
                                  extra="time_zone: America/New_York\n")},
        now=start + timedelta(minutes=45),
    )
    root = out.parent
    live = (out / "q1/index.html").read_bytes()
    assert soup(out / "q1/index.html").find(attrs={"data-event": True})["data-event-state"] == (
        "live"
    )
    rebuild(root, now=start + timedelta(minutes=89))
    assert (out / "q1/index.html").read_bytes() == live
    rebuild(root, now=start + timedelta(minutes=90))
    state = soup(out / "q1/index.html").find(attrs={"data-event": True})["data-event-state"]
    assert state == "ended"


def test_the_plan_schedules_a_webinar_still_running(make_site: SiteFactory) -> None:
    """Past-webinar detection counts elapsed time: 45 minutes into 90 is not over."""
    root = make_site(
        {"content/q1.md": webinar(start="2027-03-14 01:30", duration=90,
                                  extra="time_zone: America/New_York\n")},
        with_default_page=False,
    )
    running = plan(root, PlanOptions(now=utc(2027, 3, 14, 7, 15), environ={}))
    assert [a.label for a in running.actions] == ["create conference q1"]
    over = plan(root, PlanOptions(now=utc(2027, 3, 14, 8, 0), environ={}))
    assert over.actions == [] and "started in the past" in over.warnings[0].message


def test_the_second_of_a_repeated_hour_in_calendar_files(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {
            # Files in the opposite order of their instants, so listing order is tested.
            "content/b-first.md": webinar("First", start="2027-10-31 02:30+02:00",
                                          duration=60, extra="time_zone: Europe/Berlin\n"
                                          "slug: first\n"),
            "content/a-second.md": webinar("Second", start="2027-10-31 02:30+01:00",
                                           duration=60, extra="time_zone: Europe/Berlin\n"
                                           "slug: second\n"),
        },
    )
    first, second = event_of(out / "first/event.ics"), event_of(out / "second/event.ics")
    # RFC 5545 reads a repeated local time as the first, ical.js as the second: UTC for both.
    assert first["DTSTART"].to_ical() == b"20271031T003000Z"
    assert first["DTEND"].to_ical() == b"20271031T013000Z"  # 02:30 CET: the second 02:30
    assert second["DTSTART"].to_ical() == b"20271031T013000Z"
    assert (second["DTEND"].params["TZID"], second["DTEND"].to_ical()) == (
        "Europe/Berlin", b"20271031T033000"
    )
    pages = {slug: soup(out / slug / "index.html") for slug in ("first", "second")}
    # The same wall time; the zone line says which of the two it is.
    assert pages["first"].find("time", class_="event-start").text == (
        "Sunday, October 31, 2027, 2:30 AM"
    )
    assert pages["first"].find(attrs={"data-zone": "event"}).text == (
        "Time zone: Central European Summer Time"
    )
    assert pages["second"].find("time", class_="event-start").text == (
        "Sunday, October 31, 2027, 2:30 AM"
    )
    assert pages["second"].find(attrs={"data-zone": "event"}).text == (
        "Time zone: Central European Standard Time"
    )
    # The home page lists them by instant (by wall time they would be equal).
    home = soup(out / "index.html").find("h2", string="Upcoming events").find_parent("section")
    assert [a.text for a in home.select(".card-link")] == ["First", "Second"]


def test_the_preview_shows_the_same_end(make_site: SiteFactory) -> None:
    from site_gen.preview import PreviewSite

    root = make_site(
        {"content/q1.md": webinar(start="2027-03-14 01:30", duration=90,
                                  extra="time_zone: America/New_York\n")},
        with_default_page=False,
    )
    preview = PreviewSite(root, environ={}, clock=lambda: utc(2027, 3, 14, 7, 15))
    preview.build()
    page = BeautifulSoup(preview.files["q1/index.html"].data().decode(), "html.parser")
    article = page.find(attrs={"data-event": True})
    assert article["data-event-end"] == "2027-03-14T04:00:00-04:00"
    assert article["data-event-state"] == "live"


# -- the property: every output describes the same instants ---------------------------


@cache
def zone_changes(name: str) -> tuple[datetime, ...]:
    zone = ZoneInfo(name)
    return tuple(t.instant for t in transitions(zone, utc(1990, 1, 1), utc(2038, 1, 1)))


ZONE_NAMES = sorted(available_timezones() - {"localtime", "Factory"})


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    root = tmp_path_factory.mktemp("property")
    write_tree(root, {"site.toml": BASE_CONFIG})
    return Renderer(root, load_config(root, {}), now=utc(2000, 1, 1))


@st.composite
def webinars(draw: st.DrawFn) -> tuple[str, datetime, int]:
    """A zone, a start (UTC, to the minute) within a day of one of its changes, a duration."""
    name = draw(st.sampled_from(ZONE_NAMES))
    changes = zone_changes(name)
    if changes:
        change = draw(st.sampled_from(changes))
    else:  # a zone without changes since 1990: any time
        change = utc(2027, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
    shift = timedelta(minutes=draw(st.integers(-24 * 60, 24 * 60)))
    start = (change + shift).replace(second=0)
    return name, start, draw(st.integers(1, 3 * 24 * 60))


def page_of(name: str, start: datetime, minutes: int) -> Resolved:
    local = start.astimezone(ZoneInfo(name))
    repeated = local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()
    written = f"{local:%Y-%m-%d %H:%M}" + (local.isoformat()[19:] if repeated else "")
    meta = FrontMatter.model_validate({
        "title": "P", "kind": "webinar", "host": "marketing", "start": written,
        "time_zone": name, "duration": minutes,
    })  # fmt: skip
    page = Page("content/p.md", meta, "", 1, KeyLines())
    zone = ZoneInfo(name)
    assert meta.start is not None
    return Resolved(page, None, TimeSlot(zone_start(meta.start, zone), minutes, name))


def own_zone_only(text: str) -> str:
    """``text`` with a TZID no parser knows (icalendar would use zoneinfo's own rules), new
    each time: icalendar caches zones by TZID, and each example's VTIMEZONE has its own years.
    """
    prefix = f"X-PROPERTY-{next(_UNIQUE)}/"
    return re.sub(r"(^TZID:|;TZID=)", lambda m: m.group(1) + prefix, text, flags=re.MULTILINE)


_UNIQUE = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(webinars())
def test_every_output_describes_the_same_instants(
    renderer: Renderer, webinar: tuple[str, datetime, int]
) -> None:
    name, start, minutes = webinar
    end = start + timedelta(minutes=minutes)
    item = page_of(name, start, minutes)
    html = BeautifulSoup(renderer.render_page(item), "html.parser")
    article = html.find(attrs={"data-event": True})
    data = json.loads(html.find("script", type="application/ld+json").string)
    text = renderer.render_event_ics(item)
    calendars = {"zoneinfo": Calendar.from_ical(text),
                 "own VTIMEZONE": Calendar.from_ical(own_zone_only(text))}  # fmt: skip
    found: dict[str, tuple[datetime, datetime]] = {
        "data-event-*": (datetime.fromisoformat(article["data-event-start"]),
                         datetime.fromisoformat(article["data-event-end"])),
        "JSON-LD": (datetime.fromisoformat(data["startDate"]),
                    datetime.fromisoformat(data["endDate"])),
    }  # fmt: skip
    for how, calendar in calendars.items():
        (event,) = calendar.walk("VEVENT")
        found[f"DTSTART/DTEND ({how})"] = (event["DTSTART"].dt, event["DTEND"].dt)
    for what, (got_start, got_end) in found.items():
        assert (instant(got_start), instant(got_end)) == (start, end), what
        assert instant(got_end) - instant(got_start) == timedelta(minutes=minutes), what
    # Shown in the event's own zone, as local times that exist.
    for value in (article["data-event-start"], article["data-event-end"]):
        local = datetime.fromisoformat(value)
        assert local.utcoffset() == local.astimezone(ZoneInfo(name)).utcoffset()


def test_the_property_reaches_changes_of_every_kind() -> None:
    """The zones it draws from have gaps, repeats, 30- and 45-minute zones, no-DST zones."""
    kinds = set()
    for name in ("Australia/Lord_Howe", "Pacific/Chatham", "Europe/Berlin", "Asia/Tokyo"):
        changes = zone_changes(name)
        kinds.add((name, bool(changes)))
        for change in changes[:2]:
            zone = ZoneInfo(name)
            before = (change - timedelta(seconds=1)).astimezone(zone).utcoffset()
            after = change.astimezone(zone).utcoffset()
            assert before != after
    assert ("Asia/Tokyo", False) in kinds and ("Australia/Lord_Howe", True) in kinds
    assert len(ZONE_NAMES) > 400
