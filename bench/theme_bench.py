#!/usr/bin/env python3
"""What [theme] settings cost a build: the same pages with and without a brand, in turns.

Usage:
    .venv/bin/python bench/theme_bench.py [-n 1000] [--runs 5]

Two sites of the same generated webinar pages (``bench/pages.py``, pinned in
a lock as build_bench.py does): ``plain`` has the benchmark's site.toml;
``branded`` adds the example site's ``[theme]`` section (logo light and
dark, favicon, both accents, share image, extra_css, nav, footer, social)
with its files. Builds are clean (output and cache removed inside the
timing), one warm-up each, then ``--runs`` rounds with the two taking
turns; it prints the median seconds of each and branded / plain. It also
times, in this process, loading site.toml with its theme checks
(contrast pairs of both schemes) against loading the plain one.

The machine is shared: compare within one run only.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from build_bench import ROOT, SITE_GEN, interleaved, make_site_gen_site, run
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
    args = parser.parse_args()
    work = args.work.absolute()
    plain, branded = make_sites(work, args.n)
    build = [*SITE_GEN, "build", "-q", "."]

    def clean(site: Path):  # type: ignore[no-untyped-def]
        return lambda: run(build, site, [site / "public", site / ".site-gen" / "cache"])

    results = interleaved("clean", args.runs, {"plain": clean(plain), "branded": clean(branded)})
    plain_s, branded_s = results["plain"][0], results["branded"][0]
    load_plain, load_branded = load_seconds(plain), load_seconds(branded)
    print(f"| {args.n} pages, clean build | plain | branded | branded / plain |")
    print("|---|--:|--:|--:|")
    print(f"| wall seconds (median of {args.runs}) | {plain_s:.2f} | {branded_s:.2f} | "
          f"{branded_s / plain_s:.3f} |")
    print(f"| load_config, ms (median of 20) | {load_plain * 1000:.2f} | "
          f"{load_branded * 1000:.2f} | +{(load_branded - load_plain) * 1000:.2f} ms |")


if __name__ == "__main__":
    main()
