"""Accessibility in real Chromium: focus never hidden, the leave message announced, axe clean.

Two sites, each built against the sandbox over HTTP and served with its own
``_headers`` (as a static host applies them): the example site, and the
example plus every feature the theme draws (a live webinar with its room
mounted, an ended one with a recording, a shown security PIN, a page
without an image, drafts, a registration form and its thank-you page, the
consent banner). Every page kind of both is checked at 375 and
1280 px; axe also in light and dark. See docs/accessibility.md.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from site_gen.callbridge.sandbox.testing import running_sandbox
from site_gen.commands.build import BuildOptions, build
from tests.helpers import SANDBOX_ADMIN_ENV as ADMIN
from tests.helpers import StaticServer
from tests.test_e2e_browser import site_headers

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "tests/node/node_modules/axe-core/axe.min.js"

VIEWPORTS = {"phone": {"width": 375, "height": 667}, "desktop": {"width": 1280, "height": 720}}

#: Every page kind of the example site.
EXAMPLE_PAGES = [
    "/",
    "/q1-launch/",  # webinar, upcoming
    "/office-hours/",  # room
    "/keynote-stream/",  # livestream
    "/watch-party/",  # watch party: the fixed strip
    "/tags/",
    "/tags/launch/",
    "/no-such-page/",  # 404
    "/fr/q1-launch/",  # the French translation: its language switcher
    "/fr/",  # the French home page
]
#: What the every-feature site adds.
FULL_PAGES = [
    *EXAMPLE_PAGES,
    "/live-now/",
    "/ended/",
    "/plain-room/",
    "/draft-room/",
    "/register/",
    "/register/registered/",
]


#: Integrations of the every-feature site: a consent banner on every page (an analytics
#: origin that refuses at once: nothing leaves the machine) and registration forms.
FULL_CONFIG = """
[registration]
provider = "url"
url = "https://forms.example.com/f/123"
fields = ["name", "email", "company", "job_title"]
consent = true

[integrations.analytics]
provider = "plausible"
site_id = "live.acme.example"
origin = "https://127.0.0.1:9"

[integrations.consent]
banner = "always"
"""


def _full_site_pages(now: datetime) -> dict[str, str]:
    live_start = (now - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    return {
        "content/live-now.md": f"""---
title: "Live right now"
description: "A webinar in progress: its room is on the page."
kind: webinar
host: marketing
start: {live_start}
time_zone: UTC
duration: 120
security_pin: "482913"
show_security_pin: true
tags: [launch]
on_leave:
  left: /
  kicked: "You were removed from the webinar by a moderator."
---
The webinar is live.
""",
        "content/ended.md": """---
title: "Last year's launch"
description: "An ended webinar with its recording."
image: /img/acme-live.jpg
kind: webinar
host: marketing
start: 2025-03-01 16:00
time_zone: America/Toronto
duration: 45
recording_url: https://acme.example/recordings/launch-2025
tags: [launch]
---
Watch the recording.
""",
        "content/plain-room.md": """---
title: "A room without an image"
kind: room
host: marketing
---
Some *text*, a [link](https://acme.example/) and `code`.
""",
        "content/register.md": """---
title: "Register for the summer update"
description: "A webinar with a registration form."
kind: webinar
host: marketing
start: 2027-06-01 16:00
time_zone: America/Toronto
duration: 60
registration: true
---
Tell us who you are and we will send the link.
""",
        "content/draft-room.md": """---
title: "A draft"
kind: room
host: marketing
draft: true
---
Not published yet.
""",
    }


@dataclass
class Served:
    url: str
    public: Path


def _deploy(
    root: Path, extra: dict[str, str], drafts: bool, config_extra: str = ""
) -> Iterator[Served]:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "static", root / "static", ignore=shutil.ignore_patterns("assets"))
    for rel, text in extra.items():
        (root / rel).write_text(text)
    with running_sandbox() as sandbox:
        config = (REPO / "site.toml").read_text()
        config = config.replace('api = "sandbox"', f'api = "{sandbox.url}"')
        (root / "site.toml").write_text(config + config_extra)
        build(root, BuildOptions(environ=ADMIN, drafts=drafts))
        public = root / "public"
        server = StaticServer(public, headers=site_headers(public))
        try:
            yield Served(server.start(), public)
        finally:
            server.stop()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _deploy(tmp_path_factory.mktemp("example"), {}, drafts=False)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    now = datetime.now(UTC)
    yield from _deploy(
        tmp_path_factory.mktemp("full"),
        _full_site_pages(now),
        drafts=True,
        config_extra=FULL_CONFIG,
    )


def _site(request: pytest.FixtureRequest, name: str) -> Served:
    served: Served = request.getfixturevalue(name)
    return served


# -- focus not obscured (WCAG 2.2 SC 2.4.11) -----------------------------------------

#: Where focus is now, and whether the element at its centre is it (or inside it).
FOCUS_PROBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // A link that wraps has one box per line: the centre of each must be the link.
  const boxes = Array.from(el.getClientRects()).filter(r => r.width > 1 && r.height > 1);
  if (!boxes.length) boxes.push(el.getBoundingClientRect());
  const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
    ' "' + (el.textContent || el.title || '').trim().slice(0, 40) + '"';
  const at = [];
  let visible = true;
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const own = hit => !!hit && (hit === el || el.contains(hit));
  for (const r of boxes) {
    // Clipped to the viewport: a room taller than the screen is seen through its visible part.
    const left = Math.max(r.left, 0), right = Math.min(r.right, vw);
    const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, vh);
    const seen = right > left && bottom > top;
    let hit = seen ? document.elementFromPoint((left + right) / 2, (top + bottom) / 2) : null;
    // Focus inside a room's frame is on an element we cannot see from here (another
    // origin): the frame must show, not be entirely hidden (SC 2.4.11), at some point
    // of a 5x5 grid over its visible part.
    if (seen && !own(hit) && el.tagName === 'IFRAME') {
      for (let i = 1; i <= 5 && !own(hit); i++) {
        for (let j = 1; j <= 5 && !own(hit); j++) {
          const probe = document.elementFromPoint(
            left + (right - left) * i / 6, top + (bottom - top) * j / 6);
          if (own(probe)) hit = probe;
        }
      }
    }
    if (!own(hit)) {
      visible = false;
      at.push(hit ? hit.tagName.toLowerCase() + '.' + hit.className : null);
    }
  }
  return {name, first: el.classList.contains('skip-link'), visible, at};
}"""


def _tab_through(page: Page, limit: int = 120) -> list[dict[str, Any]]:
    """Every stop of one round of Tab through the page, from the skip link back to it."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_PROBE)
        if stop is None:
            continue
        if stop["first"] and stops:
            return stops
        if not stops or stops[-1]["name"] != stop["name"]:  # an iframe holds focus for several
            stops.append(stop)
    return stops


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("site", "path"),
    [
        *[("example", p) for p in EXAMPLE_PAGES],
        # The full site's consent banner also sits over the watch party's strip.
        *[("full", p) for p in ["/", "/watch-party/", *FULL_PAGES[len(EXAMPLE_PAGES) :]]],
    ],
)
def test_no_focused_element_is_hidden(
    page: Page, request: pytest.FixtureRequest, site: str, path: str, viewport: str
) -> None:
    served = _site(request, site)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(served.url + path)
    page.wait_for_load_state("load")
    stops = _tab_through(page)
    assert len(stops) >= 3, stops  # the skip link, the header's links at least
    hidden = [s for s in stops if not s["visible"]]
    assert hidden == [], f"focused but covered on {path} at {viewport}: {hidden}"


# -- the leave message ------------------------------------------------------------------


def _ax_node(cdp: Any, selector: str) -> dict[str, Any]:
    """Chromium's own accessibility node for ``selector``, with its children."""
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"{selector} not in the page"
    tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": True})
    nodes = tree["nodes"]
    backend = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
    own = next(n for n in nodes if n.get("backendDOMNodeId") == backend)
    own["children"] = [n for n in nodes if n.get("parentId") == own["nodeId"]]
    return own


def _live(ax: dict[str, Any]) -> str | None:
    for prop in ax.get("properties", []):
        if prop["name"] == "live":
            value: str = prop["value"]["value"]
            return value
    return None


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("site", "path", "message"),
    [
        ("example", "/office-hours/", "You were removed from the room by a moderator."),
        ("full", "/live-now/", "You were removed from the webinar by a moderator."),
    ],
)
def test_the_leave_message_is_announced_and_focused(
    page: Page,
    request: pytest.FixtureRequest,
    site: str,
    path: str,
    message: str,
    viewport: str,
) -> None:
    """A live region present before it changes, then focus on it: nothing falls to <body>."""
    served = _site(request, site)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(served.url + path)
    frame = page.frame_locator(".cb-room iframe")
    frame.locator('[data-testid="kick"]').wait_for()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    before = _ax_node(cdp, "[data-room-status]")
    assert before["role"]["value"] == "status" and not before.get("ignored"), before
    assert _live(before) == "polite"
    assert before["children"] == [] or all(
        not c.get("name", {}).get("value") for c in before["children"]
    )
    page.evaluate("() => { document.querySelector('[data-room-status]').__before = true; }")
    # Focus is in the room when its kick button is pressed, as for a real visitor.
    frame.locator('[data-testid="kick"]').focus()
    frame.locator('[data-testid="kick"]').press("Enter")
    status = page.locator("[data-room-status]")
    expect(status).to_have_text(message)
    expect(page.locator(".cb-room iframe")).to_have_count(0)
    # The same element the page had from the start, now holding the text, and focused.
    assert page.evaluate("() => document.querySelector('[data-room-status]').__before === true")
    expect(status).to_be_focused()
    after = _ax_node(cdp, "[data-room-status]")
    assert after["role"]["value"] == "status" and _live(after) == "polite"
    assert [c["name"]["value"] for c in after["children"]] == [message]
    # The next Tab continues from the message, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.classList.contains('skip-link')")
    assert page.evaluate("() => document.activeElement !== document.body")


# -- axe-core ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core as tests/node/package-lock.json pins it (skip, or fail under CI=true)."""
    if not AXE.is_file():
        message = f"axe-core missing at {AXE}: npm ci --prefix tests/node"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


#: Every rule of the WCAG 2.0-2.2 A and AA tags plus axe's best practices. The rooms'
#: frames are the platform's pages, not ours: axe does not descend into them.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    iframes: false,
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                    'best-practice']},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
  }));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("site", "path"),
    [
        *[("example", p) for p in EXAMPLE_PAGES],
        *[("full", p) for p in FULL_PAGES],
    ],
)
def test_axe_finds_no_violation(
    page: Page,
    request: pytest.FixtureRequest,
    axe_source: str,
    site: str,
    path: str,
    viewport: str,
    scheme: str,
) -> None:
    served = _site(request, site)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(served.url + path)
    page.wait_for_load_state("load")
    # Evaluated, not a <script> tag: the site's CSP (script-src 'self') stays as served.
    page.evaluate(axe_source)
    violations = page.evaluate(AXE_RUN)
    assert violations == [], json.dumps(violations, indent=2)
