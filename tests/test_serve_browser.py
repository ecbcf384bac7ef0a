"""The preview in a real Chromium: pages follow the author's saves with no manual reload."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import BASE_CONFIG, ROOM_PAGE, SiteFactory
from tests.test_serve_app import PATIENCE, running

pytestmark = pytest.mark.browser

TOWN_HALL = ROOM_PAGE.replace("Office Hours", "Town Hall").replace("Hello", "All hands")
TIMEOUT_MS = PATIENCE * 1000


def connected(url: str, tabs: int) -> None:
    """Wait until ``tabs`` tabs hold an event stream (edits before that reload on connect)."""
    deadline = time.monotonic() + PATIENCE
    while httpx.get(f"{url}/_site-gen/status").json()["tabs"] < tabs:
        assert time.monotonic() < deadline, "the tabs never connected"
        time.sleep(0.02)


def test_edit_break_fix_and_retheme_while_the_page_is_open(
    make_site: SiteFactory, page: Page, browser: Browser
) -> None:
    root = make_site({"content/town-hall.md": TOWN_HALL})
    source = root / "content/office-hours.md"
    with running(root) as live:
        page.goto(f"{live.url}/office-hours/")
        body = page.locator(".page-body")
        expect(body).to_contain_text("Hello there")
        connected(live.url, 1)

        # 1. Edit the Markdown: the new text appears by itself.
        source.write_text(ROOM_PAGE.replace("Hello **there**", "Hello *edited* world"))
        expect(body).to_contain_text("Hello edited world", timeout=TIMEOUT_MS)
        assert live.server.site.last is not None
        assert live.server.site.last.pages_rendered == 1

        # 2. Break the front matter: an overlay names the file and the line.
        source.write_text(ROOM_PAGE.replace("host:", "skipjoin: true\nhost:"))
        overlay = page.locator("#site-gen-overlay")
        expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
        expect(overlay.locator("li")).to_have_text(
            "content/office-hours.md:3: unknown key 'skipjoin'"
        )
        expect(overlay.locator("h2")).to_have_text("site-gen: 1 problem")
        # The last good page is still there underneath.
        expect(body).to_contain_text("Hello edited world")

        # 3. Fix it: the overlay goes and the page is back, with the fixed text.
        source.write_text(ROOM_PAGE.replace("Hello **there**", "Fixed again"))
        expect(body).to_contain_text("Fixed again", timeout=TIMEOUT_MS)
        expect(overlay).to_have_count(0)

        # 4. Edit a template: every page changes, including tabs on other pages.
        other = browser.new_page()
        try:
            other.goto(f"{live.url}/town-hall/")
            expect(other.locator(".page-body")).to_contain_text("All hands")
            connected(live.url, 2)
            footer = (Path(__file__).parents[1] / "templates/partials/footer.html").read_text()
            (root / "templates/partials").mkdir(parents=True)
            (root / "templates/partials/footer.html").write_text(
                footer.replace("Video rooms by Callbridge", "Previewed with love")
            )
            for tab in (page, other):
                expect(tab.locator(".site-footer")).to_contain_text(
                    "Previewed with love", timeout=TIMEOUT_MS
                )
        finally:
            other.close()
        page.goto(f"{live.url}/")
        expect(page.locator(".site-footer")).to_contain_text("Previewed with love")
        # The template change rendered both pages (then, apart, the listings).
        assert [r.pages_rendered for r in live.server.rebuilds][-2:] == [2, 0]


def test_draft_and_unscheduled_webinar_as_an_author_sees_them(
    make_site: SiteFactory, page: Page
) -> None:
    from tests.webinars import webinar

    root = make_site({"content/q1.md": webinar(extra="draft: true\n")})
    with running(root) as live:
        page.goto(f"{live.url}/q1/")
        expect(page.locator(".badge-draft")).to_have_text("Draft")
        placeholder = page.locator(".cb-placeholder")
        expect(placeholder).to_be_visible()
        expect(placeholder).to_contain_text("Room scheduled when published.")
        expect(page.locator("iframe")).to_have_count(0)


def test_sandbox_rooms_load_cross_origin_and_their_events_reach_the_page(
    make_site: SiteFactory, page: Page
) -> None:
    from site_gen.commands.serve import sandbox_rooms
    from site_gen.config.site_toml import SANDBOX_ORIGIN

    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
    try:
        probe.bind(("127.0.0.1", 8001))
    except OSError:
        pytest.skip(f"{SANDBOX_ORIGIN} is in use on this machine")
    finally:
        probe.close()
    config = BASE_CONFIG.replace('domain = "meet.test.example"\n', "")
    leave = "on_leave:\n  kicked: Removed by the moderator.\nembed:\n  skip_join: true\nhost:"
    root = make_site(
        {"content/office-hours.md": ROOM_PAGE.replace("host:", leave)}, config=config
    )
    with running(root, companions=[sandbox_rooms]) as live:
        assert f"Sandbox rooms on {SANDBOX_ORIGIN}/" in live.output()
        page.goto(f"{live.url}/office-hours/")
        frame = page.locator("iframe")
        assert (frame.get_attribute("src") or "").startswith(
            f"{SANDBOX_ORIGIN}/conf/call/1234567?"
        )
        # Another origin than the preview's: the script's origin check is exercised.
        assert not live.url.startswith(SANDBOX_ORIGIN)
        page.frame_locator("iframe").get_by_test_id("kick").click()
        expect(page.locator(".cb-left-message")).to_have_text("Removed by the moderator.")
