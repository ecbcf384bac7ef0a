#!/usr/bin/env python3
"""A CI build after a cache restore: fresh clone, `.site-gen/` and `public/` restored, one edit.

Usage:
    .venv/bin/python bench/ci_restore.py [-n 4000] [--runs 3] [--work DIR]

What a CI job does on every commit, simulated on this machine as closely
as it allows (docs/deploying.md has the GitHub Actions and Netlify steps):

1. the site is a git repository (content/, site.toml, site-gen.lock
   committed; public/ and .site-gen/ ignored, as `site-gen init` writes);
2. a first job builds it and saves `.site-gen/` and `public/` to the CI
   cache, here a `tar --posix` archive (what actions/cache makes: pax
   headers keep nanosecond mtimes);
3. the next job starts from a **fresh clone** at the same path (every file
   gets a new inode and mtime, as on a new runner), restores the archive,
   and builds after one page's body was edited in the commit.

Prints the median wall time of step 3's build, a clean build of the same
clone for comparison (the ratio is what the cache saves), and checks that
the restored build's output equals the clean build's (DTSTAMP aside).
Needs `git` and `tar`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import DEFAULT_SEED, make_pages

ROOT = Path(__file__).resolve().parents[1]
SITE_GEN = str(ROOT / ".venv" / "bin" / "site-gen")
_DTSTAMP = re.compile(rb"\r\nDTSTAMP:[0-9TZ]+\r\n")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _build(site: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([SITE_GEN, "build", "-q", "."], cwd=site, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"site-gen build failed in {site}:\n{done.stderr}")
    return wall


def make_origin(origin: Path, n: int) -> str:
    """The site as a git repository; returns the content file the jobs edit."""
    from build_bench import make_site_gen_site

    pages = make_pages(n, DEFAULT_SEED)
    make_site_gen_site(origin, pages)
    (origin / ".gitignore").write_text("/public/\n.site-gen/\n*.tmp-*\n")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "site")
    return f"content/{pages[n // 2]['slug']}.md"


def fresh_clone(origin: Path, checkout: Path) -> None:
    """A new runner: the repository cloned at the job's fixed path."""
    if checkout.exists():
        shutil.rmtree(checkout)
    _git(origin.parent, "clone", "-q", str(origin), str(checkout))


def save_cache(checkout: Path, archive: Path) -> None:
    """What actions/cache does at the end of a job: tar --posix of the cached paths."""
    subprocess.run(
        ["tar", "--posix", "-cf", str(archive), ".site-gen", "public"], cwd=checkout, check=True
    )


def restore_cache(checkout: Path, archive: Path) -> None:
    subprocess.run(["tar", "-xf", str(archive)], cwd=checkout, check=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): _DTSTAMP.sub(b"\r\nDTSTAMP:X\r\n", p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def ci_restore_runs(n: int, runs: int, work: Path, *, verify: bool = True) -> list[float]:
    """Wall seconds of ``runs`` restored-cache builds, each after a commit editing one page."""
    work.mkdir(parents=True, exist_ok=True)
    origin = work / f"origin-{n}"
    if origin.exists():
        shutil.rmtree(origin)
    target = make_origin(origin, n)
    checkout = work / f"checkout-{n}"
    archive = work / f"cache-{n}.tar"
    # The job before: a build whose output and cache were saved.
    fresh_clone(origin, checkout)
    _build(checkout)
    save_cache(checkout, archive)
    walls = []
    for run in range(runs + 1):  # the first is a warm-up
        page = origin / target
        page.write_text(page.read_text() + f"\nEdited in commit {run}.\n")
        _git(origin, "commit", "-q", "-am", f"edit {run}")
        fresh_clone(origin, checkout)
        restore_cache(checkout, archive)
        out = checkout / "public"
        before = {p: p.stat().st_ino for p in out.rglob("*/index.html")}
        wall = _build(checkout)
        if run:
            walls.append(wall)
        pages = sorted(
            p.relative_to(out).as_posix()
            for p in out.rglob("*/index.html")
            if before.get(p) != p.stat().st_ino and p.parent.parent == out
        )
        print(f"  CI restore, run {run}: {wall:.2f} s, pages rendered: {pages}", file=sys.stderr)
        if len(pages) != 1:
            raise SystemExit(f"a one-page commit re-rendered {len(pages)} pages after the restore")
        save_cache(checkout, archive)  # as the job would, for the next one
    if verify:
        restored = snapshot(checkout / "public")
        fresh_clone(origin, checkout)
        _build(checkout)
        if snapshot(checkout / "public") != restored:
            raise SystemExit("the restored build's output differs from a clean build's")
        print("  check: restored build == clean build (DTSTAMP aside)", file=sys.stderr)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "ci")
    args = parser.parse_args()
    walls = ci_restore_runs(args.n, args.runs, args.work.absolute())
    checkout = args.work.absolute() / f"checkout-{args.n}"
    shutil.rmtree(checkout / "public")
    shutil.rmtree(checkout / ".site-gen")
    clean = _build(checkout)
    median = statistics.median(walls)
    print(
        f"N={args.n}: CI restore + 1 edit {median:.2f} s (median of {args.runs}, "
        f"{min(walls):.2f}-{max(walls):.2f}); clean build of the same clone {clean:.2f} s "
        f"({clean / median:.1f}x)"
    )


if __name__ == "__main__":
    main()
