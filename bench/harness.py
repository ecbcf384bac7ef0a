"""Timing builds side by side: the one A/B loop that every benchmark in bench/ uses.

Each build runs as its own process. Three figures are taken per build:

- wall seconds, from just before the output is removed to the build's exit;
- CPU seconds, user + system of the build's whole process tree (the build,
  its render workers and its Markdown helper, all reaped before it exits),
  as the difference of ``resource.getrusage(RUSAGE_CHILDREN)`` around the
  subprocess. On a shared machine the wall time stretches with other
  sessions' load; the work done does not much, so CPU seconds are the
  figure to compare;
- the peak resident memory of the largest single process (GNU time's
  ``%M``: a child forked from this harness would inherit its RSS as a floor
  in ``ru_maxrss``).

Builds take turns (one of each per round), the order rotating from round to
round, after one warm-up each: drift in the machine's speed weighs on all of
them alike, and no build always runs right after the harness deleted another
build's output. Compare within one run only.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One build's wall seconds, CPU seconds (its process tree) and peak MiB."""

    wall: float
    cpu: float
    peak: float


@dataclass(frozen=True)
class Summary:
    """Medians and spreads of one build's samples in one run."""

    wall: float
    cpu: float
    peak: float
    wall_range: tuple[float, float]
    cpu_range: tuple[float, float]
    runs: int

    @classmethod
    def of(cls, samples: list[Sample]) -> Summary:
        walls = [s.wall for s in samples]
        cpus = [s.cpu for s in samples]
        return cls(
            wall=statistics.median(walls),
            cpu=statistics.median(cpus),
            peak=statistics.median(s.peak for s in samples),
            wall_range=(min(walls), max(walls)),
            cpu_range=(min(cpus), max(cpus)),
            runs=len(samples),
        )


def children_cpu() -> float:
    """User + system seconds of every reaped descendant of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(cmd: list[str], cwd: Path, before: Iterable[Path] = ()) -> Sample:
    """Run one build; removing ``before`` (a clean build's output and cache) is in the wall time.

    A build that fails is run once more (on a machine shared with test
    suites, a build has been seen to die with no message of its own), with
    its exit status and output on stderr; a second failure ends the
    benchmark: a figure of a failed build would be meaningless.
    """
    try:
        return _run_build(cmd, cwd, before)
    except BuildFailed as exc:
        print(f"  {exc}\n  running it once more", file=sys.stderr)
        try:
            return _run_build(cmd, cwd, before)
        except BuildFailed as again:
            raise SystemExit(str(again)) from None


class BuildFailed(Exception):
    """A build exited with a non-zero status (the message has its status and output)."""


def _run_build(cmd: list[str], cwd: Path, before: Iterable[Path]) -> Sample:
    peak_file = cwd / ".bench-peak"
    start = time.perf_counter()
    for path in before:
        shutil.rmtree(path, ignore_errors=True)
    cpu_before = children_cpu()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *cmd],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    cpu = children_cpu() - cpu_before
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise BuildFailed(
            f"{' '.join(cmd)} failed in {cwd} (exit status {done.returncode}):\n"
            f"{done.stdout.decode()}{done.stderr.decode()}"
        )
    peak_kib = int(peak_file.read_text().split()[-1])
    peak_file.unlink()
    return Sample(wall=wall, cpu=cpu, peak=peak_kib / 1024)


def built_state(site: Path) -> list[Path]:
    """What a clean site-gen build starts without: the output and the build cache."""
    return [site / "public", site / ".site-gen" / "cache"]


def clean_build(cmd: list[str], site: Path) -> Sample:
    """A clean site-gen build: output and build cache removed first, inside the wall time."""
    return run_build(cmd, site, built_state(site))


Timing = Callable[[], Sample]


def in_turns(runs: int, calls: dict[str, Timing], label: str = "") -> dict[str, Summary]:
    """Each call once as a warm-up, then ``runs`` rounds of one call each, in rotating order.

    Prints each call's medians and spreads to stderr as it goes (a long
    benchmark shows where it is).
    """
    for name, once in calls.items():
        once()
        print(f"  warm-up {name} {label}".rstrip(), file=sys.stderr)
    names = list(calls)
    seen: dict[str, list[Sample]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            sample = calls[name]()
            seen[name].append(sample)
            print(
                f"  round {round_ + 1} {name} {label}: {sample.wall:.2f} s wall, "
                f"{sample.cpu:.2f} CPU s",
                file=sys.stderr,
            )
    results = {name: Summary.of(samples) for name, samples in seen.items()}
    for name, s in results.items():
        print(
            f"  {name} {label}: {s.wall:.2f} s ({s.wall_range[0]:.2f}-{s.wall_range[1]:.2f}), "
            f"{s.cpu:.2f} CPU s ({s.cpu_range[0]:.2f}-{s.cpu_range[1]:.2f})",
            file=sys.stderr,
        )
    return results


def instructions(cmd: list[str], site: Path, core: int = 0) -> int:
    """Instructions a clean build executes, counted by valgrind (``--modes instructions``).

    Timings on a shared machine move by 10% between identical builds;
    instruction counts move by far less than 0.1%, so they tell a few
    percent of cost apart where CPU seconds cannot (they do not see memory
    stalls: report both). The build runs on one core (``taskset``), so
    site-gen renders in one process (no render pool, no Markdown helper),
    with a fixed hash seed and no template cache. A build that forks
    anyway is refused: valgrind gives a forked child its parent's count
    up to the fork, so the processes' counts cannot be added. About ten
    times slower than the build itself.
    """
    for path in built_state(site):
        shutil.rmtree(path, ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "SITE_GEN_TEMPLATE_CACHE": "off",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = Path(cmd[0]).with_name("python")  # the console script's own interpreter
    done = subprocess.run(
        [
            "taskset", "-c", str(core),
            "valgrind", "--tool=cachegrind", "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            str(python), *cmd,
        ],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} under valgrind failed in {site}:\n{done.stderr[-3000:]}")
    counts = re.findall(r"^==\d+== I\s+refs:\s+([\d,]+)", done.stderr, re.MULTILINE)
    if len(counts) != 1:
        raise SystemExit(
            f"expected one process's instruction count for {site}, got {len(counts)}:\n"
            f"{done.stderr[-3000:]}"
        )
    return int(counts[0].replace(",", ""))
