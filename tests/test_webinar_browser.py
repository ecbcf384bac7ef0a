"""Webinar pages in Chromium with a fixed clock: countdown, room, ended, local time.

Pages are served over loopback with the site's own Content-Security-Policy
(from headers.py) on every response, so anything inline that the CSP would
block in production fails here too. The README's screenshots are made by
test_theme_browser.py, from the example site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from site_gen.render.headers import content_security_policy
from tests.helpers import BASE_CONFIG, SiteFactory, StaticServer
from tests.webinars import END_UTC, START_UTC, build_site, webinar

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
OPENS_UTC = START_UTC - timedelta(minutes=10)
ROOM = """\
<!doctype html><title>room</title>
<button id=leave onclick="parent.postMessage({type: 'iotumLeaveCallEvent', reason: 'kicked'}, '*')">
leave</button>
"""
PUBLISHED = "Monday, March 15, 2027, 4:00 PM"


@dataclass
class Served:
    """A built webinar site on one loopback origin, its rooms on another."""

    url: str  # the webinar page
    room_origin: str


@pytest.fixture
def served(
    make_site: SiteFactory, serve_dir: Callable[[Path], str], tmp_path: Path
) -> Iterator[Served]:
    rooms = tmp_path / "rooms"
    (rooms / "conf/call/987654321").mkdir(parents=True)
    (rooms / "conf/call/987654321/index.html").write_text(ROOM)
    room_origin = serve_dir(rooms)
    config = BASE_CONFIG.replace('"meet.test.example"', f'"{room_origin}"')
    page = webinar(
        "Q1 Launch",
        extra=(
            'description: "Everything new in 2027."\n'
            "recording_url: https://videos.example.com/q1\n"
            "on_leave:\n  kicked: Removed by the moderator.\n"
        ),
    )
    out = build_site(make_site, {"content/q1.md": page}, config=config)
    server = StaticServer(
        out, headers={"Content-Security-Policy": content_security_policy(room_origin)}
    )
    site = server.start()
    yield Served(f"{site}/q1/", room_origin)
    server.stop()


def open_page(page: Page, served: Served) -> list[str]:
    """Open the webinar page; returns the console errors seen (CSP violations included)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served.url)
    return errors


def countdown(page: Page) -> list[str]:
    return page.locator("[data-countdown-part]").all_text_contents()


def test_countdown_then_room_then_overtime_then_ended(page: Page, served: Served) -> None:
    before = START_UTC - timedelta(days=2, hours=3, minutes=4, seconds=5)
    page.clock.install(time=before - timedelta(seconds=1))
    page.clock.pause_at(before)
    errors = open_page(page, served)

    expect(page.locator(".countdown")).to_be_visible()
    assert countdown(page) == ["2", "03", "04", "05"]
    expect(page.locator(".badge-upcoming")).to_be_visible()
    expect(page.locator(".countdown-fallback")).to_be_hidden()
    expect(page.locator("iframe")).to_have_count(0)
    page.clock.run_for(1000)
    expect(page.locator("[data-countdown-part='seconds']")).to_have_text("04")

    # The room opens ten minutes before the start, without a reload.
    page.clock.pause_at(OPENS_UTC - timedelta(seconds=1))
    page.clock.run_for(2000)
    expect(page.locator(".badge-open")).to_be_visible()
    expect(page.locator(".event-countdown")).to_be_hidden()
    frame = page.locator(".event-live iframe")
    expect(frame).to_be_visible()
    assert frame.get_attribute("src") == f"{served.room_origin}/conf/call/987654321?events=true"
    expect(page.get_by_role("link", name="Join now")).to_be_visible()

    page.clock.pause_at(START_UTC)
    page.clock.run_for(1000)
    expect(page.locator(".badge-live")).to_be_visible()
    expect(page.locator(".panel-status")).to_have_text("Live now", use_inner_text=True)

    # A room in use is not torn down at the scheduled end...
    page.clock.pause_at(END_UTC)
    page.clock.run_for(1000)
    expect(page.locator(".badge-ended")).to_be_visible()
    expect(page.locator(".panel-status")).to_have_text(
        "The scheduled time is over: the room stays open until you leave.", use_inner_text=True
    )
    expect(page.locator("iframe")).to_have_count(1)
    expect(page.locator(".event-ended")).to_be_hidden()

    # ...the ended state comes once the visitor leaves (a frame mounted late still talks).
    page.frame_locator("iframe").locator("#leave").click()
    expect(page.locator(".event-ended")).to_be_visible()
    expect(page.get_by_role("link", name="Watch the recording")).to_have_attribute(
        "href", "https://videos.example.com/q1"
    )
    assert errors == []


def test_live_on_arrival_shows_the_room_and_handles_leaving(page: Page, served: Served) -> None:
    page.clock.set_fixed_time(START_UTC + timedelta(minutes=5))
    errors = open_page(page, served)
    expect(page.locator(".badge-live")).to_be_visible()
    expect(page.locator(".event-countdown")).to_be_hidden()
    page.frame_locator("iframe").locator("#leave").click()
    expect(page.locator(".cb-left-message")).to_have_text("Removed by the moderator.")
    assert errors == []


def test_after_the_end_shows_the_recording(page: Page, served: Served) -> None:
    page.clock.set_fixed_time(END_UTC + timedelta(days=1))
    errors = open_page(page, served)
    expect(page.locator(".event-ended")).to_be_visible()
    expect(page.locator(".badge-ended")).to_be_visible()
    expect(page.get_by_role("link", name="Watch the recording")).to_be_visible()
    expect(page.locator(".event-countdown")).to_be_hidden()
    expect(page.locator(".add-to-calendar")).to_be_hidden()
    expect(page.locator("iframe")).to_have_count(0)
    assert errors == []


@pytest.mark.parametrize(
    ("zone", "locale", "parts", "end_parts"),
    [
        ("America/Los_Angeles", "en-US", ["Monday, March 15, 2027", "1:00", "PM"], "2:00"),
        ("Asia/Tokyo", "ja-JP", ["Tuesday, March 16, 2027", "5:00", "AM"], "6:00"),
    ],
)
def test_start_in_the_visitors_time_zone(
    browser: Browser, served: Served, zone: str, locale: str, parts: list[str], end_parts: str
) -> None:
    context = browser.new_context(timezone_id=zone, locale=locale)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(START_UTC - timedelta(days=3))
        errors = open_page(page, served)
        start = page.locator(".event-start")
        # Written in the page's language (lang="en"), in the visitor's zone.
        expect(start).to_contain_text(parts[0])
        text = start.text_content() or ""
        for part in parts:
            assert part in text, (part, text)
        # The time as published stays one hover away.
        assert start.get_attribute("title") == PUBLISHED
        # The visitor's zone by its CLDR name, in the page's language.
        names = {
            "America/Los_Angeles": "Pacific Daylight Time",
            "Asia/Tokyo": "Japan Standard Time",
        }
        expect(page.locator("[data-zone-name]")).to_have_text(names[zone])
        expect(page.locator("[data-zone='local']")).to_be_visible()
        expect(page.locator("[data-zone='event']")).to_be_hidden()
        end = page.locator(".event-details time").nth(2)
        expect(end).to_contain_text(end_parts)
        assert errors == []
    finally:
        context.close()


def test_without_javascript_a_link_opens_the_room(browser: Browser, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url)
        expect(page.locator(".event-start")).to_have_text(PUBLISHED)
        expect(page.locator(".countdown")).to_be_hidden()
        expect(page.locator(".countdown-fallback")).to_have_text(PUBLISHED)
        link = page.get_by_role("link", name="open the video room").first
        expect(link).to_be_visible()
        expect(link).to_have_attribute(
            "href", f"{served.room_origin}/conf/call/987654321?events=true"
        )
        expect(page.locator("iframe")).to_have_count(0)
        # The add-to-calendar menu is a plain <details>.
        page.get_by_text("Add to calendar").click()
        expect(page.get_by_role("link", name="Google Calendar")).to_be_visible()
    finally:
        context.close()


def test_calendar_menu_opens_and_closes_with_the_keyboard(page: Page, served: Served) -> None:
    page.clock.set_fixed_time(START_UTC - timedelta(days=3))
    open_page(page, served)
    summary = page.locator(".add-to-calendar summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Google Calendar")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Google Calendar")).to_be_hidden()
    expect(summary).to_be_focused()


def test_home_page_cards_follow_the_clock(page: Page, served: Served) -> None:
    page.clock.set_fixed_time(START_UTC + timedelta(minutes=1))
    errors = open_page(page, served)
    page.goto(served.url.replace("/q1/", "/"))
    card = page.locator(".card", has_text="Q1 Launch")
    expect(card.locator(".badge-live")).to_be_visible()
    expect(card.locator(".badge-upcoming")).to_be_hidden()
    assert errors == []


def test_a_webinar_across_the_spring_forward_night(
    browser: Browser, make_site: SiteFactory, serve_dir: Callable[[Path], str], tmp_path: Path
) -> None:
    """90 minutes from 01:30 EST on New York's spring-forward night: the page says it ends at
    4:00 AM EDT and keeps the room until then (wall-clock sums ended it at 3:00 AM EDT, after
    30 minutes), for a visitor in New York.
    """
    rooms = tmp_path / "rooms"
    (rooms / "conf/call/987654321").mkdir(parents=True)
    (rooms / "conf/call/987654321/index.html").write_text(ROOM)
    room_origin = serve_dir(rooms)
    config = BASE_CONFIG.replace('"meet.test.example"', f'"{room_origin}"')
    page_source = webinar("Night owls", start="2027-03-14 01:30", duration=90,
                          extra="time_zone: America/New_York\n")
    out = build_site(make_site, {"content/night.md": page_source}, config=config)
    server = StaticServer(
        out, headers={"Content-Security-Policy": content_security_policy(room_origin)}
    )
    site = server.start()
    start = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    try:
        page = context.new_page()
        page.clock.install(time=start + timedelta(minutes=44))
        page.clock.pause_at(start + timedelta(minutes=45))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{site}/night/")
        times = page.locator(".event-details time")
        expect(times.nth(1)).to_have_text(re.compile(r"^1:30\sAM$"))
        expect(times.nth(2)).to_have_text(re.compile(r"^4:00\sAM$"))
        zones = page.locator(".event-details [data-zone-name]")
        expect(zones).to_have_text(["Eastern Standard Time", "Eastern Daylight Time"])
        expect(page.locator(".badge-live")).to_be_visible()
        expect(page.locator(".event-live iframe")).to_be_visible()
        page.clock.pause_at(start + timedelta(minutes=89))
        page.clock.run_for(1000)
        expect(page.locator(".badge-live")).to_be_visible()
        expect(page.locator(".panel-status")).to_have_text("Live now", use_inner_text=True)
        page.clock.pause_at(start + timedelta(minutes=90))
        page.clock.run_for(1000)
        expect(page.locator(".badge-ended")).to_be_visible()
        assert errors == []
    finally:
        context.close()
        server.stop()
