"""The event script in a real Chromium: a room on another origin leaves the call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from site_gen.commands.build import BuildOptions, build
from tests.helpers import BASE_CONFIG, NOW, SiteFactory

pytestmark = pytest.mark.browser

ROOM = """\
<!doctype html><title>room</title>
<button id=leave onclick="parent.postMessage(
  {type: 'iotumLeaveCallEvent', reason: 'kicked'}, '*')">leave</button>
"""


def test_leave_event_from_the_room_frame_shows_the_message(
    make_site: SiteFactory, serve_dir: Callable[[Path], str], page: Page, tmp_path: Path
) -> None:
    rooms = tmp_path / "rooms"
    (rooms / "conf/call/1234567").mkdir(parents=True)
    (rooms / "conf/call/1234567/index.html").write_text(ROOM)
    room_origin = serve_dir(rooms)
    root = make_site(
        {
            "content/office-hours.md": "---\ntitle: OH\nhost: marketing\non_leave:\n"
            "  kicked: Removed by the moderator.\n---\n"
        },
        config=BASE_CONFIG.replace('"meet.test.example"', f'"{room_origin}"'),
    )
    build(root, BuildOptions(now=NOW, environ={}))
    site = serve_dir(root / "public")
    page.goto(f"{site}/office-hours/")
    page.evaluate(
        "window.__reasons = []; document.addEventListener('callbridge:leave',"
        " e => window.__reasons.push(e.detail.reason))"
    )
    # The iframe src ends with a query string: serve the room page for it.
    page.frame_locator("iframe").locator("#leave").click()
    expect(page.locator(".cb-left-message")).to_have_text("Removed by the moderator.")
    assert page.evaluate("window.__reasons") == ["kicked"]
