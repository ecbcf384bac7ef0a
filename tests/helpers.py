"""Test helpers: declarative temp sites, parsed output, fixed clocks."""

from __future__ import annotations

import http.server
import re
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

#: A fixed "now" for builds in tests: pages' states must not depend on the day CI runs.
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

BASE_CONFIG = """\
[site]
title = "Test Live"
base_url = "https://live.test.example"
time_zone = "America/Toronto"

[callbridge]
api = "sandbox"
domain = "meet.test.example"

[hosts.marketing]
name = "Marketing"
email = "marketing@acme.test"
host_id = 3
access_code = "1234567"
"""

#: The sandbox's seeded company admin, as a build reads credentials from the environment.
SANDBOX_ADMIN_ENV = {"CALLBRIDGE_EMAIL": "admin@acme.test", "CALLBRIDGE_PASSWORD": "sandbox-admin"}

ROOM_PAGE = """\
---
title: "Office Hours"
host: marketing
---
Hello **there**.
"""

SiteFactory = Callable[..., Path]


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``{"relative/path": content}`` under ``root`` (content dedented)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def soup(path: Path) -> BeautifulSoup:
    """An output file parsed as HTML."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: for "nothing changed" checks."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class StaticServer:
    """A folder served over real loopback HTTP in a thread, like a static host.

    ``/x/`` serves ``x/index.html``; unknown paths get ``404.html`` with status
    404, as Netlify and Cloudflare Pages do. ``headers`` are added to every
    response (a host applying ``_headers``: the CSP, for instance).
    """

    def __init__(
        self, folder: Path, host: str = "127.0.0.1", headers: dict[str, str] | None = None
    ) -> None:
        folder = folder.resolve()
        extra = dict(headers or {})

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def end_headers(self) -> None:
                for name, value in extra.items():
                    self.send_header(name, value)
                super().end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def send_error(
                self, code: int, message: str | None = None, explain: str | None = None
            ) -> None:
                page = folder / "404.html"
                if code == 404 and page.is_file():
                    body = page.read_bytes()
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().send_error(code, message, explain)

        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> str:
        self.thread.start()
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def pin_webinars(
    root: Path,
    *,
    api: str = "sandbox",
    access_code: str | None = "987654321",
    first_id: int = 183,
    sequence: int = 0,
) -> dict[str, int]:
    """Write lock entries for every webinar of the site at ``root``, as a build would.

    Returns slug → conference id. Lets rendering tests use scheduled webinars
    without an API.
    """
    from site_gen.paths import LOCK_FILE
    from site_gen.scheduling.plan import conference_fields, fingerprint, group_slugs
    from site_gen.structure.lock import Lock, LockedConference
    from site_gen.structure.site import load_site

    site = load_site(root, environ={})
    lock = Lock.load(root / LOCK_FILE)
    section = lock.section(api)
    ids = {}
    webinars = [p for p in site.pages if p.meta.kind == "webinar"]
    for number, page in enumerate(webinars, start=first_id):
        fields = conference_fields(page, site)
        host = site.config.hosts[page.meta.host or ""]
        section.conferences[page.slug] = LockedConference(
            conference_id=number,
            host_id=host.host_id or 0,
            access_code=access_code,
            start=fields["start"],
            time_zone=fields["time_zone"],
            duration=fields["duration"],
            sequence=sequence,
            # As a build records a translated webinar's group (else the next
            # build would write it, and a test of a no-op rebuild would see it).
            translations=group_slugs(site.translations.of(page), page.slug),
            fields=fields,
            fingerprint=fingerprint(fields),
        )
        ids[page.slug] = number
    lock.save()
    return ids


_FINGERPRINTED = re.compile(r"^(.*?/?)immutable/(.+)\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$")


def unhashed(path: str) -> str:
    """A fingerprinted path as the original: ``/immutable/a/x.0123456789.css`` → ``/a/x.css``.

    Pages link content-named copies of the CSS, JS and theme images (render/assets.py);
    tests that care which file is linked, not its hash, compare through this.
    """
    found = _FINGERPRINTED.match(path)
    return f"{found.group(1)}{found.group(2)}{found.group(3)}" if found else path
