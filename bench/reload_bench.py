#!/usr/bin/env python3
"""Edit-to-reload latency of ``site-gen serve`` on a 1000-page site, in real Chromium.

Usage:
    .venv/bin/python bench/reload_bench.py [-n 1000] [--edits 30] [--json FILE]

Lays out N pages with the benchmarks' generator (``bench/pages.py``: the
same titles, tags and ~300-word bodies the peer benchmark uses, written as
site-gen webinars), starts ``site-gen serve`` as its own process (as an
author runs it), opens one page in headless Chromium and then, for each edit:

    t0 = wall clock, then the page's Markdown file is written
    reload = performance.timeOrigin of the reloaded document - t0
             (the moment the browser acted on the server's reload event)
    shown  = DOMContentLoaded of the reloaded document - t0
    idle   = when the server has also re-rendered index, tags and feeds
             (after a title edit; the next edit waits for it)

It reports median and p90 of both, the rebuild time the server measured,
and the work done per edit from ``/_site-gen/status?since=N`` (the rebuild
that edit caused, not a later one such as its listings): pages rendered must
be 1 for a single content edit (the script exits 1 otherwise). Ratios put
the figures against the 150 ms target and against a full rebuild (a
template edit, which renders every page). BENCH_VERBOSE=1 also prints each
title edit's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from pages import DEFAULT_SEED, GeneratedPage, make_pages, page_source, site_config, write_site
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TARGET_MS = 150.0


def make_site(folder: Path, n: int) -> list[GeneratedPage]:
    pages = make_pages(n, DEFAULT_SEED)
    write_site(folder, pages, site_config())
    return pages


class Serve:
    """``site-gen serve`` as a child process."""

    def __init__(self, site: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "site_gen.cli", "serve", str(site), "--port", "0",
             "--no-sandbox"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, daemon=True).start()
        self.output: list[str] = []
        while True:
            line = self.lines.get(timeout=300)
            self.output.append(line)
            if line.startswith("Serving "):
                self.url = line.split()[1].rstrip("/")
                break
            if self.process.poll() is not None:
                raise SystemExit("site-gen serve exited:\n" + "\n".join(self.output))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def status(self, since: int | None = None) -> dict[str, Any]:
        params = {} if since is None else {"since": since}
        got = httpx.get(f"{self.url}/_site-gen/status", params=params, timeout=30)
        return got.json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(timeout=60)
        assert self.process.stdout is not None
        self.process.stdout.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def wait_tabs(serve: Serve, tabs: int) -> None:
    deadline = time.monotonic() + 60
    while serve.status()["tabs"] < tabs:
        if time.monotonic() > deadline:
            raise SystemExit("the browser tab never connected to /_site-gen/events")
        time.sleep(0.02)


def timed_edit(
    page: Page, serve: Serve, write: Any, marker: str, rel: str
) -> dict[str, float]:
    """Write, wait until the page shows ``marker``, and read the timings.

    The figures are those of the rebuild the edit caused: the first rebuild
    after ``before`` that changed ``rel`` (the page's file), taken from the
    server's list of recent rebuilds. The last rebuild may be a later one
    (the listings following a title edit, a second save event for the same
    write), whose page count is not this edit's.
    """
    before = serve.status()["build"]
    t0 = time.time() * 1000
    write()
    page.wait_for_function(
        "marker => document.body && document.body.innerText.includes(marker)",
        arg=marker, timeout=60_000,
    )
    origin, dcl = page.evaluate(
        "() => [performance.timeOrigin,"
        " performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd]"
    )
    wait_tabs(serve, 1)
    # The listings (index, tags, feeds) follow the page; the next edit waits for them.
    listed = serve.status()
    while listed["site_files_pending"] or listed["build"] - before < 1:
        time.sleep(0.005)
        listed = serve.status()
    listings_ms = time.time() * 1000 - t0
    rebuilds = serve.status(since=before)["rebuilds"]
    own = next((r for r in rebuilds if rel in r["changed"]), None)
    if own is None:
        raise SystemExit(f"no rebuild since #{before} changed {rel}: {rebuilds}")
    return {
        "listings_ms": listings_ms,
        "reload_ms": origin - t0,
        "shown_ms": origin + dcl - t0,
        "server_ms": own["seconds"] * 1000,
        "pages_rendered": own["pages_rendered"],
        "site_files_rendered": own["site_files_rendered"],
        "builds": rebuilds[-1]["build"] - before if rebuilds else 0,
    }


def summary(name: str, runs: list[dict[str, float]]) -> dict[str, float]:
    reload_ms = [r["reload_ms"] for r in runs]
    shown_ms = [r["shown_ms"] for r in runs]
    server_ms = [r["server_ms"] for r in runs]
    out = {
        "runs": len(runs),
        "reload_median_ms": statistics.median(reload_ms),
        "reload_p90_ms": percentile(reload_ms, 0.9),
        "shown_median_ms": statistics.median(shown_ms),
        "shown_p90_ms": percentile(shown_ms, 0.9),
        "server_rebuild_median_ms": statistics.median(server_ms),
        "pages_rendered_max": max(r["pages_rendered"] for r in runs),
        "pages_rendered_min": min(r["pages_rendered"] for r in runs),
        "listings_median_ms": statistics.median(r["listings_ms"] for r in runs),
    }
    print(
        f"{name:<22} reload median {out['reload_median_ms']:7.1f} ms  p90 "
        f"{out['reload_p90_ms']:7.1f} ms | shown median {out['shown_median_ms']:7.1f} ms  p90 "
        f"{out['shown_p90_ms']:7.1f} ms | server {out['server_rebuild_median_ms']:7.1f} ms | "
        f"idle after {out['listings_median_ms']:7.1f} ms | "
        f"pages rendered {out['pages_rendered_min']:.0f}-{out['pages_rendered_max']:.0f}"
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="pages in the site")
    parser.add_argument("--edits", type=int, default=30, help="body edits to time")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="site-gen-reload-bench-"))
    try:
        pages = make_site(folder / "site", args.n)
        started = time.perf_counter()
        serve = Serve(folder / "site")
        startup_s = time.perf_counter() - started
        first = serve.status()
        print(f"{args.n} pages; serve ready in {startup_s:.2f} s "
              f"(first build {first['seconds']:.2f} s, {first['pages_rendered']} pages)")
        target = pages[len(pages) // 2]
        source = folder / "site/content" / f"{target['slug']}.md"
        rel = f"{target['slug']}/index.html"  # the edited page's output file
        results: dict[str, Any] = {"pages": args.n, "first_build_s": first["seconds"]}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--no-first-run", "--disable-quic"],
            )
            page = browser.new_page()
            page.goto(f"{serve.url}/{target['slug']}/")
            wait_tabs(serve, 1)

            def body_edit(i: int) -> dict[str, float]:
                marker = f"bench-edit-{i}-{time.time_ns()}"
                text = page_source(target, f"{marker}\n\n{target['body']}")
                return timed_edit(page, serve, lambda: source.write_text(text), marker, rel)

            body_edit(-1)  # warm-up: first render of this template path
            body = [body_edit(i) for i in range(args.edits)]
            results["body_edit"] = summary("body edit", body)

            def title_edit(i: int) -> dict[str, float]:
                marker = f"Retitled {i} {time.time_ns()}"
                retitled = {**target, "title": marker}
                text = page_source(retitled, target["body"])
                return timed_edit(page, serve, lambda: source.write_text(text), marker, rel)

            titles = [title_edit(i) for i in range(max(3, args.edits // 3))]
            results["title_edit"] = summary("title edit (+ index)", titles)
            if os.environ.get("BENCH_VERBOSE"):
                for r in titles:
                    print(r)

            # The footer is on every page: overriding it re-renders them all.
            footer = "templates/partials/footer.html"
            base = (ROOT / footer).read_text()
            (folder / "site" / footer).parent.mkdir(parents=True)

            def template_edit(i: int) -> dict[str, float]:
                marker = f"Footer {i} {time.time_ns()}"
                text = base.replace("Video rooms by Callbridge", marker)
                return timed_edit(
                    page, serve, lambda: (folder / "site" / footer).write_text(text),
                    marker, rel,
                )

            templates = [template_edit(i) for i in range(3)]
            results["template_edit"] = summary("template edit (all)", templates)
            browser.close()
        serve.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    body_s = results["body_edit"]
    full_ms = results["template_edit"]["server_rebuild_median_ms"]
    ratios = {
        "reload_median_vs_150ms_target": body_s["reload_median_ms"] / TARGET_MS,
        "shown_median_vs_150ms_target": body_s["shown_median_ms"] / TARGET_MS,
        "full_rebuild_vs_single_edit_rebuild": full_ms / body_s["server_rebuild_median_ms"],
    }
    results["ratios"] = ratios
    print(
        f"ratios: reload/target {ratios['reload_median_vs_150ms_target']:.2f}, "
        f"shown/target {ratios['shown_median_vs_150ms_target']:.2f}, "
        f"full rebuild / one-page rebuild {ratios['full_rebuild_vs_single_edit_rebuild']:.0f}x"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    single = {r["pages_rendered"] for r in body} | {r["pages_rendered"] for r in titles}
    if single != {1}:
        print(f"FAIL: a single content edit rendered {sorted(single)} pages (must be 1)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
