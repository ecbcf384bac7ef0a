"""End to end: the example site, built against the sandbox over HTTP, in real Chromium.

Three loopback origins, as in production: the site (served with its own
``_headers`` applied, as Netlify does), the sandbox's rooms, and a third
one playing an attacker.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.commands.build import BuildOptions, build
from tests.helpers import SANDBOX_ADMIN_ENV as ADMIN
from tests.helpers import StaticServer, write_tree

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent

#: Records every callbridge:leave the page fires, and keeps the default action.
RECORD_LEAVES = """
window.__leaves = [];
document.addEventListener('callbridge:leave', function (e) {
  window.__leaves.push(e.detail.reason);
}, true);
"""


def site_headers(public: Path) -> dict[str, str]:
    """The ``/*`` block of ``_headers``: what a static host would send with every page."""
    headers: dict[str, str] = {}
    block = None
    for line in (public / "_headers").read_text().splitlines():
        if line and not line[0].isspace():
            block = line.strip()
        elif line.strip() and block == "/*":
            name, _, value = line.strip().partition(":")
            headers[name.strip()] = value.strip()
    return headers


@dataclass
class Deployed:
    site: str  # the site's origin
    rooms: str  # the sandbox's origin (the meeting origin)
    attacker: str  # a third origin
    public: Path
    sandbox: object


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "content", root / "content")
    # The example's own images and stylesheet; the theme (static/assets/) stays by reference.
    shutil.copytree(REPO / "static", root / "static", ignore=shutil.ignore_patterns("assets"))
    with running_sandbox() as sandbox:
        config = (REPO / "site.toml").read_text()
        config = config.replace('api = "sandbox"', f'api = "{sandbox.url}"')
        assert sandbox.url in config
        (root / "site.toml").write_text(config)
        report = build(root, BuildOptions(environ=ADMIN))
        assert report.scheduled >= 1  # the example's webinar, through the API over HTTP
        public = root / "public"
        site = StaticServer(public, headers=site_headers(public))
        attacker_dir = tmp_path_factory.mktemp("attacker")
        write_tree(attacker_dir, {"index.html": "<!doctype html><title>attacker</title>"})
        attacker = StaticServer(attacker_dir, host="localhost")
        try:
            yield Deployed(site.start(), sandbox.url, attacker.start(), public, sandbox)
        finally:
            site.stop()
            attacker.stop()


def open_page(page: Page, url: str) -> None:
    page.add_init_script(RECORD_LEAVES)
    page.goto(url)


def leaves(page: Page) -> list[str]:
    return page.evaluate("() => window.__leaves")


def test_the_room_shows_exactly_the_pages_parameters(page: Page, deployed: Deployed) -> None:
    open_page(page, f"{deployed.site}/office-hours/")
    src = page.locator("iframe").get_attribute("src")
    url = urlsplit(src)
    assert f"{url.scheme}://{url.netloc}" == deployed.rooms
    assert url.path == "/conf/call/1234567"
    assert parse_qsl(url.query, strict_parsing=True) == [
        ("skip_join", "false"), ("mute", "camera"), ("view", "gallery"), ("events", "true"),
    ]
    room = page.frame_locator("iframe")
    expect(room.locator('[data-testid="param-view"]')).to_have_text("gallery")
    expect(room.locator('[data-testid="param-skip-join"]')).to_have_text("false")
    expect(room.locator('[data-testid="camera"]')).to_contain_text("off", use_inner_text=False)
    expect(room.locator('[data-testid="mic"]')).to_contain_text("on", use_inner_text=False)
    expect(room.locator('[data-testid="ignored-params"]')).to_have_count(0)


def test_watch_party_strip_and_name(page: Page, deployed: Deployed) -> None:
    open_page(page, f"{deployed.site}/watch-party/")
    query = dict(parse_qsl(urlsplit(page.locator("iframe").get_attribute("src")).query))
    assert query == {"name": "Watch party guest", "skip_join": "true", "mute": "mic",
                     "strip_layout": "true", "events": "true"}
    room = page.frame_locator("iframe")
    expect(room.locator('[data-testid="layout"]')).to_have_text("strip")
    expect(room.locator('[data-testid="own-tile"]')).to_have_text("Watch party guest")
    expect(room.locator('[data-testid="mic"]')).to_have_text("mic off")
    expect(room.locator('[data-testid="param-observer"]')).to_have_text("false")


def test_livestream_player_loads(page: Page, deployed: Deployed) -> None:
    open_page(page, f"{deployed.site}/keynote-stream/")
    frame = page.locator("iframe")
    assert frame.get_attribute("src") == f"{deployed.rooms}/livestream/1234567"
    assert frame.get_attribute("allow") == "fullscreen;autoplay"
    expect(page.frame_locator("iframe").locator('[data-testid="player"]')).to_be_visible()


def test_left_navigates_as_on_leave_says(page: Page, deployed: Deployed) -> None:
    open_page(page, f"{deployed.site}/office-hours/")
    with page.expect_navigation(url=f"{deployed.site}/"):
        page.frame_locator("iframe").locator('[data-testid="leave"]').click()
    assert page.url == f"{deployed.site}/"


@pytest.mark.parametrize(("button", "reason", "message"), [
    ("kick", "kicked", "You were removed from the room by a moderator."),
    ("block", "blocked", "You cannot rejoin this room."),
])
def test_kicked_and_blocked_show_the_message(
    page: Page, deployed: Deployed, button: str, reason: str, message: str
) -> None:
    open_page(page, f"{deployed.site}/office-hours/")
    page.frame_locator("iframe").locator(f'[data-testid="{button}"]').click()
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)  # the room is gone
    assert leaves(page) == [reason]
    assert page.url == f"{deployed.site}/office-hours/"


def test_the_event_can_be_cancelled_by_the_page(page: Page, deployed: Deployed) -> None:
    page.add_init_script(
        "document.addEventListener('callbridge:leave', e => e.preventDefault());" + RECORD_LEAVES
    )
    page.goto(f"{deployed.site}/office-hours/")
    page.frame_locator("iframe").locator('[data-testid="kick"]').click()
    page.wait_for_function("() => window.__leaves.length === 1")
    expect(page.locator("iframe")).to_have_count(1)


def test_forged_leave_from_a_third_origin_is_ignored(page: Page, deployed: Deployed) -> None:
    """An attacker's page opens ours and posts every shape of leave message into it."""
    page.goto(deployed.attacker)
    with page.expect_popup() as popup_info:
        page.evaluate("url => { window.victim = window.open(url); }",
                      f"{deployed.site}/office-hours/")
    victim = popup_info.value
    victim.wait_for_load_state()
    victim.evaluate(RECORD_LEAVES)
    page.evaluate("""() => {
      for (const reason of ['left', 'kicked', 'blocked']) {
        window.victim.postMessage({type: 'iotumLeaveCallEvent', reason}, '*');
        window.victim.postMessage({type: 'CONFERENCE_CALL_EXIT', reason}, '*');
        window.victim.postMessage(JSON.stringify({type: 'iotumLeaveCallEvent', reason}), '*');
      }
    }""")
    # A genuine leave afterwards proves the page was listening all along.
    victim.frame_locator("iframe").locator('[data-testid="kick"]').click()
    victim.wait_for_function("() => window.__leaves.length > 0")
    assert leaves(victim) == ["kicked"]


def test_a_meeting_origin_window_other_than_the_room_is_ignored(
    page: Page, deployed: Deployed
) -> None:
    """Same origin as the room but not its frame (a popup of the sandbox): ignored."""
    open_page(page, f"{deployed.site}/office-hours/")
    with page.expect_popup() as popup_info:
        page.evaluate("url => { window.open(url); }", f"{deployed.rooms}/")
    other = popup_info.value
    other.wait_for_load_state()
    other.evaluate("() => window.opener.postMessage("
                   "{type: 'iotumLeaveCallEvent', reason: 'kicked'}, '*')")
    page.frame_locator("iframe").locator('[data-testid="param-view"]').wait_for()
    assert leaves(page) == []
    expect(page.locator("iframe")).to_have_count(1)


def test_permissions_policy_delegates_to_the_meeting_origin_only(
    page: Page, deployed: Deployed
) -> None:
    open_page(page, f"{deployed.site}/office-hours/")
    policy = page.evaluate("""([rooms, attacker]) => {
      const p = document.featurePolicy;
      const out = {};
      for (const f of ['camera', 'microphone', 'display-capture', 'fullscreen']) {
        out[f] = [p.allowsFeature(f, rooms), p.allowsFeature(f, attacker)];
      }
      return out;
    }""", [deployed.rooms, deployed.attacker])
    assert policy == {f: [True, False] for f in
                      ("camera", "microphone", "display-capture", "fullscreen")}
    room = next(f for f in page.frames if f.url.startswith(deployed.rooms))
    assert room.evaluate("document.featurePolicy.allowsFeature('camera')") is True
    assert room.evaluate("document.featurePolicy.allowsFeature('microphone')") is True


def test_csp_blocks_frames_from_other_origins(page: Page, deployed: Deployed) -> None:
    open_page(page, f"{deployed.site}/office-hours/")
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "frame-src" in m.text else None)
    page.evaluate("""url => {
      const f = document.createElement('iframe'); f.src = url; document.body.append(f);
    }""", f"{deployed.attacker}/")
    page.wait_for_timeout(300)
    frames = [f.url for f in page.frames]
    assert not any(u.startswith(deployed.attacker) for u in frames), frames


def test_the_scheduled_webinar_page_points_at_its_conference(
    page: Page, deployed: Deployed
) -> None:
    conferences = deployed.sandbox.conferences()  # type: ignore[attr-defined]
    (conference,) = [c for c in conferences if c["subject"].startswith("Spring Launch")]
    open_page(page, f"{deployed.site}/q1-launch/")
    html = (deployed.public / "q1-launch/index.html").read_text()
    code = str(conference["one_time_access_code"])
    assert f"/conf/call/{code}" in html
    expect(page.locator("h1")).to_contain_text("Spring Launch")


@pytest.fixture(autouse=True)
def _no_proxy() -> Iterator[None]:
    # Loopback only: a proxy in the environment must not see these requests.
    saved = {k: os.environ.pop(k) for k in ("HTTP_PROXY", "http_proxy") if k in os.environ}
    yield
    os.environ.update(saved)
