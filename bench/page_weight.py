#!/usr/bin/env python3
"""Bytes a first visit transfers, per page, in headless Chromium: the figure of issue 20.

Usage:
    .venv/bin/python bench/page_weight.py [--checkout DIR] [--width 375] [PATH ...]

Builds the example site (this repository's ``site.toml`` and ``content/``,
the in-process sandbox, like ``site-gen build``) with the site-gen of
``--checkout`` (default: this one; another checkout's own package is put
first on ``PYTHONPATH``, so main and a branch are built the same way), serves
``public/`` over loopback HTTP (text gzipped, as static hosts do), and loads each PATH
(default: the webinar page ``/q1-launch/``) in Debian's Chromium at
``--width`` x 667 with an empty cache. Reported: the bytes Chromium
received for every response (the DevTools protocol's ``encodedDataLength``:
headers and body as transferred), per resource and in total.

Compare two checkouts with this script's method only (gzip level 6 and
Python's server; a real host's Brotli and headers differ by a few percent).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

TEXT = {".html", ".css", ".js", ".svg", ".xml", ".ics", ".txt", ".json"}
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def build_example(checkout: Path, work: Path) -> Path:
    """The example site of this repository, built by ``checkout``'s site-gen."""
    site = work / "site"
    site.mkdir()
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copytree(ROOT / "static", site / "static", ignore=shutil.ignore_patterns("assets"))
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run(
        [sys.executable, "-m", "site_gen", "build", "-q", str(site)],
        check=True,
        env=env,
        cwd=checkout,  # -m puts the working folder first on sys.path
    )
    return site / "public"


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def send_head(self) -> Any:
            """Text gzipped when asked, as Netlify and Cloudflare Pages do; images as they are."""
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            if not (accepts and path.is_file() and path.suffix in TEXT):
                return super().send_head()
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def weigh(url: str, width: int) -> list[tuple[str, int]]:
    """(URL, bytes) of every response of one cold load of ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": width, "height": 667})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        page.goto(url, wait_until="load")
        page.wait_for_timeout(1000)  # late images (lazy ones in view) and fonts
        browser.close()
    rows = [(urls.get(rid, rid), size) for rid, size in sizes.items()]
    return [(url, size) for url, size in rows if not url.startswith("data:")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/q1-launch/"])
    parser.add_argument("--checkout", type=Path, default=ROOT)
    parser.add_argument("--width", type=int, default=375)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        public = build_example(args.checkout.resolve(), Path(tmp))
        httpd, base = serve(public)
        try:
            for path in args.paths:
                rows = weigh(base + path, args.width)
                print(f"{path} at {args.width} px ({args.checkout}):")
                for url, size in sorted(rows, key=lambda r: -r[1]):
                    print(f"  {size:>8,} B  {url.removeprefix(base)}")
                print(f"  {sum(s for _, s in rows):>8,} B  total, {len(rows)} responses")
        finally:
            httpd.shutdown()


if __name__ == "__main__":
    main()
