#!/usr/bin/env python3
"""What the translated theme costs a build: the same pages in English and French, in turns.

Usage:
    .venv/bin/python bench/i18n_bench.py [-n 4000] [--runs 3] --baseline CHECKOUT

Two sites of the same generated webinar pages (``bench/pages.py``, pinned
in a lock as build_bench.py does), one with ``language = "en"``, one with
``language = "fr"``. Both are built clean by this checkout, and the French
one also by ``--baseline`` (another checkout with its own ``.venv``: the
commit before the catalogs, which renders it with the English words and
strftime dates); one warm-up each, then ``--runs`` rounds in rotating
turns (harness.py). Reported: median wall seconds and CPU
seconds (user + system of the build and its workers), and each build's
CPU against the baseline's. On a shared machine CPU seconds are the
steadier figure. Compare within one run only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from build_bench import ROOT, SITE_GEN, Baseline, make_site_gen_site
from harness import clean_build, in_turns
from pages import DEFAULT_SEED, make_pages


def make_sites(work: Path, n: int) -> dict[str, Path]:
    """One site per language, the same pages in each."""
    pages = make_pages(n, DEFAULT_SEED)
    sites = {}
    for language in ("en", "fr"):
        site = work / language
        make_site_gen_site(site, pages)
        config = site / "site.toml"
        config.write_text(
            config.read_text().replace("[site]\n", f'[site]\nlanguage = "{language}"\n', 1)
        )
        sites[language] = site
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "i18n")
    parser.add_argument(
        "--baseline",
        type=Path,
        required=True,
        help="a checkout of the commit before, with its own .venv",
    )
    args = parser.parse_args()
    sites = make_sites(args.work.absolute(), args.n)
    ours = [*SITE_GEN, "build", "-q", "."]
    baseline = Baseline.parse(str(args.baseline))
    old = baseline.copy_of(sites["fr"])  # its lock in the baseline's own format
    calls = {
        "fr, baseline (English words, strftime dates)": lambda: clean_build(baseline.command, old),
        "fr, translated": lambda: clean_build(ours, sites["fr"]),
        "en, this commit": lambda: clean_build(ours, sites["en"]),
    }
    results = in_turns(args.runs, calls)
    base = results["fr, baseline (English words, strftime dates)"].cpu
    print(
        f"| {args.n} pages, clean build (medians of {args.runs}) | wall s | CPU s | "
        "CPU / baseline |"
    )
    print("|---|--:|--:|--:|")
    for name, s in results.items():
        print(f"| {name} | {s.wall:.2f} | {s.cpu:.2f} | {s.cpu / base:.3f} |")


if __name__ == "__main__":
    main()
