"""Add to calendar: event.ics, events.ics and the Google/Outlook links, parsed back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.helpers import BASE_CONFIG, NOW, SiteFactory, soup
from tests.webinars import (
    END_UTC,
    HOSTILE,
    START_UTC,
    build_site,
    ics,
    rebuild,
    reschedule_in_lock,
    webinar,
)

PAGE_URL = "https://live.test.example/q1/"


def only_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_event_ics_has_the_zone_times_and_page(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {"content/q1.md": webinar(extra='description: "All of 2027, live."\ntags: [product]\n')},
    )
    cal = ics(out / "q1/event.ics")
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//site-gen//")
    assert "METHOD" not in cal
    event = only_event(cal)
    start, end = event["DTSTART"], event["DTEND"]
    assert start.params["TZID"] == "America/Toronto"
    assert end.params["TZID"] == "America/Toronto"
    assert start.dt == datetime(2027, 3, 15, 16, 0, tzinfo=ZoneInfo("America/Toronto"))
    assert start.dt == START_UTC
    assert end.dt == END_UTC
    assert str(event["UID"]) == "conference-183@meet.test.example"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Q1 Launch"
    assert str(event["DESCRIPTION"]) == f"All of 2027, live.\n\n{PAGE_URL}"
    assert str(event["URL"]) == PAGE_URL
    assert str(event["LOCATION"]) == PAGE_URL
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTAMP"].dt == NOW
    assert [str(c) for c in event["CATEGORIES"].cats] == ["product"]
    # RFC 5545: one VTIMEZONE per TZID used, and it agrees with the tz database.
    assert cal.get_missing_tzids() == set()
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"
    tz = zone.to_tz()
    for moment in (start.dt, end.dt, datetime(2027, 1, 15, 12), datetime(2027, 11, 20, 12)):
        local = moment.replace(tzinfo=None)
        assert (
            local.replace(tzinfo=tz).utcoffset()
            == local.replace(tzinfo=ZoneInfo("America/Toronto")).utcoffset()
        )


def test_the_page_zone_wins_over_the_site_zone(make_site: SiteFactory) -> None:
    out = build_site(
        make_site, {"content/q1.md": webinar(extra="time_zone: Asia/Kolkata\n", duration=90)}
    )
    cal = ics(out / "q1/event.ics")
    event = only_event(cal)
    assert event["DTSTART"].params["TZID"] == "Asia/Kolkata"
    assert event["DTSTART"].dt == datetime(2027, 3, 15, 10, 30, tzinfo=UTC)
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=90)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Kolkata"]


def test_uid_is_stable_across_rebuilds(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()})
    first = (out / "q1/event.ics").read_text()
    rebuild(out.parent, now=NOW + timedelta(days=3))
    second = (out / "q1/event.ics").read_text()
    uids = {str(only_event(Calendar.from_ical(text))["UID"]) for text in (first, second)}
    assert uids == {"conference-183@meet.test.example"}
    assert str(only_event(ics(out / "events.ics"))["UID"]) == "conference-183@meet.test.example"


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/q1.md": webinar()}, first_id=190)
    reschedule_in_lock(out.parent, "q1", previous_id=183, previous_start="2027-03-08 16:00:00")
    rebuild(out.parent)
    for path in (out / "q1/event.ics", out / "events.ics"):
        event = only_event(ics(path))
        # The first conference names the event for its whole life; calendars update it.
        assert str(event["UID"]) == "conference-183@meet.test.example"
        assert event["SEQUENCE"] == 1


def test_sandbox_rooms_on_loopback_use_the_site_host(make_site: SiteFactory) -> None:
    config = BASE_CONFIG.replace('domain = "meet.test.example"\n', "")
    out = build_site(make_site, {"content/q1.md": webinar()}, config=config)
    assert str(only_event(ics(out / "q1/event.ics"))["UID"]) == "conference-183@live.test.example"


def test_past_webinar_never_scheduled_is_named_by_its_slug(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {"content/talks/old.md": webinar(start="2026-06-01 10:00")},
        pin=False,
    )
    event = only_event(ics(out / "talks/old/event.ics"))
    assert str(event["UID"]) == "talks/old@live.test.example"
    assert event["DTSTART"].dt == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def test_events_ics_is_every_webinar_soonest_first(make_site: SiteFactory) -> None:
    out = build_site(
        make_site,
        {
            "content/later.md": webinar("Later", start="2027-05-01 09:00"),
            "content/berlin.md": webinar(
                "Berlin", start="2027-02-01 09:00", extra="time_zone: Europe/Berlin\n"
            ),
            "content/room.md": "---\ntitle: Room\nhost: marketing\n---\n",
        },
    )
    cal = ics(out / "events.ics")
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Berlin", "Later"]
    assert sorted(str(z["TZID"]) for z in cal.walk("VTIMEZONE")) == [
        "America/Toronto",
        "Europe/Berlin",
    ]
    assert cal.get_missing_tzids() == set()
    assert str(cal["NAME"]) == "Test Live"
    assert str(cal["X-WR-CALNAME"]) == "Test Live"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=12)
    assert str(cal["URL"]) == "https://live.test.example/events.ics"
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == 2


def test_events_ics_exists_without_webinars(make_site: SiteFactory) -> None:
    out = build_site(make_site, {"content/room.md": "---\ntitle: Room\nhost: marketing\n---\n"})
    cal = ics(out / "events.ics")
    assert cal.walk("VEVENT") == []
    assert cal.walk("VTIMEZONE") == []
    assert not list(out.rglob("event.ics"))
    # The home page offers no calendar to subscribe to while it is empty.
    assert soup(out / "index.html").find("a", string="Subscribe to the calendar") is None


def test_hostile_text_survives_the_ics_round_trip(make_site: SiteFactory) -> None:
    title = f"Launch {HOSTILE}"
    description = f"Line one\nLine two; {HOSTILE}"
    out = build_site(
        make_site,
        {"content/q1.md": webinar(title, extra=f"description: {json_escape(description)}\n")},
    )
    raw = (out / "q1/event.ics").read_bytes()
    # Every line of an RFC 5545 file ends with CRLF; no value can start a new line.
    assert all(line.endswith(b"\r") for line in raw.split(b"\n")[:-1])
    event = only_event(Calendar.from_ical(raw))
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]) == f"{description}\n\n{PAGE_URL}"
    assert len(Calendar.from_ical(raw).walk("VEVENT")) == 1


def json_escape(text: str) -> str:
    """A YAML double-quoted scalar (JSON is valid YAML) that keeps U+2028 as an escape."""
    return json.dumps(text)


def test_add_to_calendar_links_match_the_ics(make_site: SiteFactory) -> None:
    out = build_site(
        make_site, {"content/q1.md": webinar("Q1 & more", extra='description: "Big news"\n')}
    )
    html = soup(out / "q1/index.html")
    menu = html.find("details", class_="add-to-calendar")
    links = {a.text: a["href"] for a in menu.find_all("a")}
    event = only_event(ics(out / "q1/event.ics"))
    details = str(event["DESCRIPTION"])

    google = urlsplit(links["Google Calendar"])
    assert (google.scheme, google.netloc, google.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    query = {k: v[0] for k, v in parse_qs(google.query, strict_parsing=True).items()}
    assert query == {
        "action": "TEMPLATE",
        "text": "Q1 & more",
        "dates": "20270315T200000Z/20270315T210000Z",
        "details": details,
        "location": PAGE_URL,
        "ctz": "America/Toronto",
    }
    for label, host in (
        ("Outlook.com", "outlook.live.com"),
        ("Microsoft 365", "outlook.office.com"),
    ):
        outlook = urlsplit(links[label])
        assert (outlook.netloc, outlook.path) == (host, "/calendar/0/deeplink/compose")
        query = {k: v[0] for k, v in parse_qs(outlook.query, strict_parsing=True).items()}
        assert query == {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": "Q1 & more",
            "startdt": "2027-03-15T20:00:00Z",
            "enddt": "2027-03-15T21:00:00Z",
            "body": details,
            "location": PAGE_URL,
        }
    assert links["Apple Calendar, Outlook app (.ics)"] == "/q1/event.ics"
    head_link = html.find("link", rel="alternate", href="https://live.test.example/q1/event.ics")
    assert head_link["type"] == "text/calendar"
