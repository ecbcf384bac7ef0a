#!/usr/bin/env python3
"""What [theme] settings cost a build: the same pages with and without a brand, in turns.

Usage:
    .venv/bin/python bench/theme_bench.py [-n 1000] [--runs 5] [--baseline CHECKOUT]

Two sites of the same generated webinar pages (``bench/pages.py``, pinned in
a lock as build_bench.py does): ``plain`` has the benchmark's site.toml;
``branded`` adds the example site's ``[theme]`` section (logo light and
dark, favicon, both accents, share image, extra_css, nav, footer, social)
with its files. Builds are clean (output and cache removed inside the
timing), one warm-up each, then ``--runs`` rounds with the builds taking
turns. ``--baseline`` also builds ``plain`` with another checkout's
site-gen (its own ``.venv``), in the same turns: the cost of this code
for a site without settings.

Reported: median wall seconds and median CPU seconds (user + system of
the build and its worker processes; timing and turns are ``harness.py``'s). On a shared machine
CPU seconds are the steadier figure: other processes stretch the wall
time, much less the work done. It also times, in this process, loading
site.toml with its theme checks (contrast pairs of both schemes) against
loading the plain one. Compare within one run only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from build_bench import ROOT, SITE_GEN, Baseline, make_site_gen_site
from harness import clean_build, in_turns
from pages import DEFAULT_SEED, make_pages


def theme_section() -> str:
    """The example site's [theme] table, as the repository's site.toml writes it."""
    text = (ROOT / "site.toml").read_text()
    found = re.search(r"^\[theme\]\n.*", text, re.M | re.S)
    assert found is not None, "the example site.toml has no [theme]"
    return found.group(0)


def make_sites(work: Path, n: int) -> tuple[Path, Path]:
    pages = make_pages(n, DEFAULT_SEED)
    plain, branded = work / "plain", work / "branded"
    make_site_gen_site(plain, pages)
    make_site_gen_site(branded, pages)
    config = branded / "site.toml"
    config.write_text(config.read_text() + "\n" + theme_section())
    for name in ("img", "css"):
        shutil.copytree(ROOT / "static" / name, branded / "static" / name)
    return plain, branded


def load_seconds(site: Path, repeat: int = 20) -> float:
    """Median seconds of load_config (parse, validate, theme files and contrast)."""
    sys.path.insert(0, str(ROOT))
    from site_gen.config.site_toml import load_config

    load_config(site, {})  # imports and caches outside the timing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load_config(site, {})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "theme")
    parser.add_argument("--baseline", type=Path, help="another checkout, with its own .venv")
    args = parser.parse_args()
    work = args.work.absolute()
    plain, branded = make_sites(work, args.n)
    ours = [*SITE_GEN, "build", "-q", "."]
    calls = {
        "plain": lambda: clean_build(ours, plain),
        "branded": lambda: clean_build(ours, branded),
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
    load_plain, load_branded = load_seconds(plain), load_seconds(branded)
    print(
        f"\nload_config (median of 20): plain {load_plain * 1000:.2f} ms, branded "
        f"{load_branded * 1000:.2f} ms (+{(load_branded - load_plain) * 1000:.2f} ms)"
    )


if __name__ == "__main__":
    main()
