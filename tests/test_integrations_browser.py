"""Analytics, consent and registration in Chromium, under the generated policy, on three origins.

- the site, served as a static host would (``_headers`` applied, or not at
  all for the ``<meta>`` fallback);
- a stand-in for the declared third party: an analytics server (Plausible's
  and Matomo's script paths) that is also the registration endpoint, and
  records every request;
- an undeclared origin whose script a hook partial includes: the policy
  must block it, and the page sees the ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from site_gen.commands.build import BuildOptions, build
from site_gen.render.headers import site_headers
from site_gen.structure.site import load_site
from tests.helpers import BASE_CONFIG, StaticServer, pin_webinars, write_tree
from tests.webinars import webinar

pytestmark = pytest.mark.browser

PLAUSIBLE_JS = """
(function () {
  var me = document.currentScript;
  fetch(new URL('/api/event', me.src), {
    method: 'POST', mode: 'no-cors', body: JSON.stringify({domain: me.dataset.domain})
  });
})();
"""
# Matomo's library reads the _paq queue site-gen's generated file filled.
MATOMO_JS = """
(function () {
  var queue = window._paq || [];
  var url = null, site = null;
  queue.forEach(function (c) {
    if (c[0] === 'setTrackerUrl') url = c[1];
    if (c[0] === 'setSiteId') site = c[1];
  });
  document.cookie = '_pk_id=1; path=/';
  fetch(url + '?idsite=' + site, {method: 'POST', mode: 'no-cors'});
})();
"""
EVIL_JS = "window.evilRan = true;\n"
VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push({blocked: e.blockedURI, directive: e.effectiveDirective});
});
"""


class Recorder:
    """A loopback HTTP server that serves fixed scripts and records every request."""

    def __init__(self, files: dict[str, str]) -> None:
        self.requests: list[dict[str, Any]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self, body: bytes) -> None:
                recorder.requests.append(
                    {"method": self.command, "path": self.path, "body": body.decode()}
                )

            def do_GET(self) -> None:
                self._record(b"")
                text = files.get(urlsplit(self.path).path)
                data = (text or "").encode()
                self.send_response(200 if text is not None else 404)
                self.send_header("Content-Type", "text/javascript")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._record(self.rfile.read(length))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def paths(self) -> list[str]:
        return [urlsplit(r["path"]).path for r in self.requests]

    def wait_for(self, path: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in self.requests:
                if urlsplit(request["path"]).path == path:
                    return request
            time.sleep(0.05)
        raise AssertionError(f"no request for {path}; got {self.paths()}")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def third_parties() -> Iterator[tuple[Recorder, Recorder]]:
    """(the declared stand-in, the undeclared origin)."""
    declared = Recorder({"/js/script.js": PLAUSIBLE_JS, "/matomo.js": MATOMO_JS})
    undeclared = Recorder({"/evil.js": EVIL_JS})
    yield declared, undeclared
    declared.stop()
    undeclared.stop()


@pytest.fixture
def serve_site(tmp_path: Path) -> Iterator[Callable[..., str]]:
    servers: list[StaticServer] = []

    def start(files: dict[str, str | bytes], *, with_headers: bool = True) -> str:
        root = tmp_path / f"site{len(servers)}"
        write_tree(root, files)
        pin_webinars(root)
        now = datetime.now(UTC)
        build(root, BuildOptions(now=now, environ={}))
        site = load_site(root, environ={})
        headers = site_headers(site.config, site.pages).for_path("/") if with_headers else {}
        server = StaticServer(root / "public", headers=headers)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def site_files(config: str, evil: str, pages: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "site.toml": BASE_CONFIG + config,
        "content/office-hours.md": "---\ntitle: Office Hours\nhost: marketing\n---\nHello.\n",
        "templates/partials/head-extra.html": f'<script src="{evil}/evil.js" defer></script>\n',
        **(pages or {}),
    }


def violations(page: Page) -> list[dict[str, str]]:
    found: list[dict[str, str]] = page.evaluate("window.__violations")
    return found


def test_declared_analytics_loads_and_an_undeclared_script_is_blocked(
    page: Page, serve_site: Callable[..., str], third_parties: tuple[Recorder, Recorder]
) -> None:
    declared, undeclared = third_parties
    config = f"""
[integrations.analytics]
provider = "plausible"
site_id = "live.test.example"
origin = "{declared.origin}"
"""
    base = serve_site(site_files(config, undeclared.origin))
    page.add_init_script(VIOLATIONS)
    page.goto(base + "/office-hours/")
    event = declared.wait_for("/api/event")
    assert json.loads(event["body"]) == {"domain": "live.test.example"}
    expect(page.locator("[data-consent-banner]")).to_have_count(0)
    page.wait_for_function("window.__violations.length > 0")
    assert {"blocked": f"{undeclared.origin}/evil.js", "directive": "script-src-elem"} in \
        violations(page)
    assert page.evaluate("window.evilRan") is None
    assert undeclared.requests == []


def test_a_cookie_setting_preset_loads_only_after_accept(
    page: Page, serve_site: Callable[..., str], third_parties: tuple[Recorder, Recorder]
) -> None:
    declared, undeclared = third_parties
    config = f"""
[integrations.analytics]
provider = "matomo"
site_id = "7"
origin = "{declared.origin}"
"""
    base = serve_site(site_files(config, undeclared.origin))
    page.goto(base + "/office-hours/")
    banner = page.get_by_role("region", name="Cookies and analytics")
    expect(banner).to_be_visible()
    # The page keeps room for the banner: scrolled down, the footer ends above it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer_bottom = page.evaluate(
        "document.querySelector('.site-footer').getBoundingClientRect().bottom"
    )
    assert footer_bottom <= banner.bounding_box()["y"]  # type: ignore[index]
    page.wait_for_timeout(500)
    assert "/matomo.js" not in declared.paths()
    assert page.evaluate("document.cookie") == ""

    banner.get_by_role("button", name="Accept").click()
    expect(banner).to_be_hidden()
    declared.wait_for("/matomo.js")
    tracked = declared.wait_for("/matomo.php")
    assert parse_qs(urlsplit(tracked["path"]).query) == {"idsite": ["7"]}

    # Remembered in this browser: the next page loads it without asking.
    declared.requests.clear()
    page.goto(base + "/")
    expect(banner).to_be_hidden()
    declared.wait_for("/matomo.js")
    # The footer reopens the choice; rejecting reloads a page without the tool.
    page.get_by_role("button", name="Cookie settings").click()
    expect(banner).to_be_visible()
    expect(banner.get_by_role("button", name="Accept")).to_be_focused()
    with page.expect_navigation():
        banner.get_by_role("button", name="Reject").click()
    declared.requests.clear()
    page.wait_for_timeout(500)
    assert "/matomo.js" not in declared.paths()
    expect(banner).to_be_hidden()


def test_a_registration_posts_every_field_then_the_thank_you_page_shows_the_room(
    page: Page, serve_site: Callable[..., str], third_parties: tuple[Recorder, Recorder]
) -> None:
    declared, undeclared = third_parties
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    config = f"""
[registration]
url = "{declared.origin}/form"
fields = [
  "name", "email",
  {{name = "team", label = "Team size", type = "select", options = ["1-10", "11+"]}},
]
consent = true
"""
    extra = "time_zone: UTC\nregistration:\n  required: true\n"
    launch = webinar("Launch", start=f"{start:%Y-%m-%d %H:%M}", extra=extra)
    base = serve_site(site_files(config, undeclared.origin, {"content/launch.md": launch}))
    page.goto(base + "/launch/?utm_source=newsletter&utm_campaign=q1&utm_medium=email")
    expect(page.locator("iframe")).to_have_count(0)

    # Checked in the page first, with the browser's own messages beside the fields.
    register = page.get_by_role("button", name="Register")
    register.click()
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    expect(page.locator("#register-name-error")).not_to_be_empty()
    assert "/form" not in declared.paths()

    name.fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Team size").select_option("11+")
    page.get_by_label("I agree").check()
    register.click()
    posted = declared.wait_for("/form")
    fields = {k: v[0] for k, v in parse_qs(posted["body"]).items()}
    assert fields == {
        "event": "launch",
        "event_title": "Launch",
        "event_start": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "page_url": base + "/launch/",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "q1",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "team": "11+",
        "consent": "yes",
    }
    page.wait_for_url(base + "/launch/registered/")
    expect(page.get_by_role("heading", name="You are registered")).to_be_visible()
    expect(page.locator("iframe.cb-frame, iframe")).to_have_count(1)


def test_the_meta_policy_blocks_the_same_script_without_headers(
    page: Page, serve_site: Callable[..., str], third_parties: tuple[Recorder, Recorder]
) -> None:
    declared, undeclared = third_parties
    config = f"""
[integrations.analytics]
provider = "plausible"
site_id = "live.test.example"
origin = "{declared.origin}"

[deploy]
headers = "meta"
"""
    base = serve_site(site_files(config, undeclared.origin), with_headers=False)
    page.add_init_script(VIOLATIONS)
    response = page.goto(base + "/office-hours/")
    assert response is not None and "content-security-policy" not in response.headers
    declared.wait_for("/api/event")
    page.wait_for_function("window.__violations.length > 0")
    assert {"blocked": f"{undeclared.origin}/evil.js", "directive": "script-src-elem"} in \
        violations(page)
    assert page.evaluate("window.evilRan") is None
