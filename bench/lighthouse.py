#!/usr/bin/env python3
"""Lighthouse 12.2.3 on every page kind of the example site: the four category scores per page.

Usage:
    npm ci --prefix bench/lighthouse --no-audit --no-fund     # once: Lighthouse 12.2.3, pinned
    .venv/bin/python bench/lighthouse.py [--form mobile desktop] [--runs 1] [PATH ...]

Not a test: scores move from run to run (performance above all, on a shared
machine), so this prints a table for docs/accessibility.md instead of
asserting. The example site (this repository's ``site.toml`` and
``content/``) is built against the sandbox served on loopback, so rooms
load in their frames; ``public/`` is served as a static host would: every
``_headers`` block applied by path (CSP, Permissions-Policy, Cache-Control)
and text gzipped. Lighthouse drives Debian's Chromium (``CHROME_PATH``,
default /usr/bin/chromium) headless, with its default mobile emulation
(Moto G Power, slow 4G, 4x CPU slowdown) or ``--preset=desktop``. With
``--runs`` above 1 the median of each score is printed.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench/lighthouse/node_modules/.bin/lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = [
    "/",
    "/q1-launch/",
    "/office-hours/",
    "/keynote-stream/",
    "/watch-party/",
    "/tags/",
    "/tags/launch/",
    # The 404 page at its own path: Lighthouse stops at a 404 status (the page is
    # the same one hosts serve for unknown paths; it is noindex on purpose).
    "/404.html",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TEXT = {".html", ".css", ".js", ".svg", ".xml", ".ics", ".txt", ".json"}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run --disable-quic"
)
#: The sandbox's seeded company admin (as tests/helpers.py has it).
SANDBOX_ADMIN_ENV = {"CALLBRIDGE_EMAIL": "admin@acme.test", "CALLBRIDGE_PASSWORD": "sandbox-admin"}


def header_rules(public: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """``_headers`` as (path pattern, headers) blocks, in file order."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in (public / "_headers").read_text().splitlines():
        if line and not line[0].isspace():
            rules.append((line.strip(), []))
        elif line.strip() and rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def serve(public: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """``public/`` as Netlify or Cloudflare Pages would serve it (headers, gzip, 404.html)."""
    rules = header_rules(public)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(public), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def end_headers(self) -> None:
            path = self.path.split("?")[0]
            for pattern, headers in rules:
                if matches(pattern, path):
                    for name, value in headers:
                        self.send_header(name, value)
            super().end_headers()

        def send_head(self) -> Any:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            status = 200
            if not path.is_file():
                path, status = public / "404.html", 404
            if path.suffix not in TEXT:
                return super().send_head()
            body = path.read_bytes()
            gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
            if gzipped:
                body = gzip.compress(body, compresslevel=6)
            self.send_response(status)
            self.send_header("Content-Type", self.guess_type(str(path)))
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def scores(url: str, form: str) -> dict[str, int]:
    """One Lighthouse run: category → score out of 100."""
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if form == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROME}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if os.environ.get("LIGHTHOUSE_DETAIL"):  # what a performance score is made of
        for audit in (
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "first-contentful-paint",
            "speed-index",
        ):
            found = report["audits"][audit]
            print(f"    {audit}: {found['displayValue']} ({found['score']})", file=sys.stderr)
        for item in report["audits"]["bootup-time"]["details"]["items"][:4]:
            print(f"    script {item['url']}: {item['total']:.0f} ms", file=sys.stderr)
        for item in report["audits"]["mainthread-work-breakdown"]["details"]["items"][:4]:
            print(
                f"    main thread {item['groupLabel']}: {item['duration']:.0f} ms", file=sys.stderr
            )
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--form", nargs="+", default=["mobile", "desktop"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(
            "Lighthouse missing: npm ci --prefix bench/lighthouse --no-audit --no-fund"
        )
    sys.path.insert(0, str(ROOT))
    from site_gen.callbridge.sandbox.testing import running_sandbox
    from site_gen.commands.build import BuildOptions, build

    with tempfile.TemporaryDirectory() as tmp, running_sandbox() as sandbox:
        site = Path(tmp) / "site"
        shutil.copytree(ROOT / "content", site / "content")
        shutil.copytree(ROOT / "static", site / "static", ignore=shutil.ignore_patterns("assets"))
        config = (
            (ROOT / "site.toml").read_text().replace('api = "sandbox"', f'api = "{sandbox.url}"')
        )
        (site / "site.toml").write_text(config)
        build(site, BuildOptions(environ=SANDBOX_ADMIN_ENV))
        httpd, base = serve(site / "public")
        try:
            print("| page | form | performance | accessibility | best practices | SEO |")
            print("|---|---|--:|--:|--:|--:|")
            for path in args.paths:
                for form in args.form:
                    runs = [scores(base + path, form) for _ in range(args.runs)]
                    row = [round(statistics.median(r[c] for r in runs)) for c in CATEGORIES]
                    print(f"| `{path}` | {form} | " + " | ".join(map(str, row)) + " |", flush=True)
        finally:
            httpd.shutdown()


if __name__ == "__main__":
    main()
