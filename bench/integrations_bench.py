#!/usr/bin/env python3
"""What integrations cost a build: the same pages with and without them, in turns.

Usage:
    .venv/bin/python bench/integrations_bench.py [-n 1000] [--runs 5] [--baseline CHECKOUT]

Two sites of the same generated webinar pages (``bench/pages.py``, pinned in
a lock as build_bench.py does): ``plain`` has the benchmark's site.toml;
``integrated`` adds an analytics preset behind the consent banner (GA4),
``[security.csp]`` sources, ``[deploy] headers = "both"`` (a ``<meta>``
policy in every page) and a registration form on every page (so each page
also writes its ``registered/`` page, and the policy gathers every form's
origin). Builds are clean, one warm-up each, then ``--runs`` rounds taking
turns; ``--baseline`` also builds ``plain`` with another checkout's
site-gen (its own ``.venv``): the cost of this code for a site without
integrations. Timing and turns are harness.py's; compare within one run.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from build_bench import ROOT, SITE_GEN, Baseline, make_site_gen_site
from harness import clean_build, in_turns
from pages import DEFAULT_SEED, make_pages

INTEGRATIONS = """
[integrations.analytics]
provider = "google"
site_id = "G-BENCH12345"

[security.csp]
frame_src = ["https://www.youtube-nocookie.com"]
script_src = ["https://js.hsforms.net"]

[deploy]
headers = "both"

[registration]
url = "https://forms.example.com/f/123"
fields = ["name", "email", "company"]
consent = true
"""


def make_sites(work: Path, n: int) -> tuple[Path, Path]:
    pages = make_pages(n, DEFAULT_SEED)
    plain, integrated = work / "plain", work / "integrated"
    make_site_gen_site(plain, pages)
    make_site_gen_site(integrated, pages)
    config = integrated / "site.toml"
    config.write_text(config.read_text() + INTEGRATIONS)
    for page in (integrated / "content").rglob("*.md"):
        text = page.read_text()
        page.write_text(re.sub(r"\A---\n", "---\nregistration: true\n", text, count=1))
    return plain, integrated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "integrations")
    parser.add_argument("--baseline", type=Path, help="another checkout, with its own .venv")
    args = parser.parse_args()
    plain, integrated = make_sites(args.work.absolute(), args.n)
    ours = [*SITE_GEN, "build", "-q", "."]
    calls = {
        "plain": lambda: clean_build(ours, plain),
        "integrated": lambda: clean_build(ours, integrated),
    }
    if args.baseline is not None:
        baseline = Baseline.parse(str(args.baseline))
        old = baseline.copy_of(plain)  # its lock in the baseline's own format
        calls["plain, baseline"] = lambda: clean_build(baseline.command, old)
    results = in_turns(args.runs, calls)
    print(
        f"| {args.n} pages, clean build (medians of {args.runs}) | wall s | CPU s | CPU / plain |"
    )
    print("|---|--:|--:|--:|")
    for name, s in results.items():
        print(f"| {name} | {s.wall:.2f} | {s.cpu:.2f} | {s.cpu / results['plain'].cpu:.3f} |")


if __name__ == "__main__":
    main()
