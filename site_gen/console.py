"""What the terminal shows: when to use colour, and how problems and summaries read.

Colour follows the conventions CI systems and terminals agree on: on when
the stream is a terminal, off when it is piped or redirected, off whenever
``NO_COLOR`` is set to anything non-empty (https://no-color.org), and on
when ``FORCE_COLOR`` is set (for CI logs that render ANSI, such as GitHub
Actions'). click does the TTY test itself; this module only decides the
override, so the rule lives in one place and the library stays click-free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from .errors import Problem

if TYPE_CHECKING:
    from site_gen.commands.build import Report

__all__ = [
    "colour_override",
    "format_github",
    "format_json",
    "format_problem",
    "plural",
    "summary_line",
]


def colour_override(environ: Mapping[str, str]) -> bool | None:
    """False to never colour, True to always, None to colour only on a terminal."""
    if environ.get("NO_COLOR", ""):
        return False
    force = environ.get("FORCE_COLOR", "")
    if force and force.lower() not in ("0", "false", "no"):
        return True
    return None


def plural(count: int, word: str) -> str:
    """``1 page``, ``2 pages``: summaries are read by people, not parsed."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def format_problem(
    problem: Problem, *, severity: str | None = None, style: Callable[[str], str] = str
) -> str:
    """``file:line: message``, with ``warning:`` before the message of a warning.

    Errors keep the plain form build has always printed (editors and CI
    problem matchers parse it); warnings say so, since a build carries on
    after them. ``style`` colours the label (the CLI passes click.style).
    """
    kind = severity or problem.severity
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    prefix = style("warning:") + " " if kind == "warning" else ""
    return f"{where}: {prefix}{problem.message}"


def format_json(problems: Iterable[Problem]) -> str:
    """A JSON list of ``{file, line, severity, message}``, for CI tools and scripts."""
    return json.dumps(
        [
            {"file": p.path, "line": p.line, "severity": p.severity, "message": p.message}
            for p in problems
        ],
        indent=2,
        ensure_ascii=False,
    )


def format_github(problem: Problem) -> str:
    """A GitHub Actions workflow command: an annotation on the file's line in the PR diff."""
    level = "warning" if problem.severity == "warning" else "error"
    props = f"file={_escape_property(problem.path)}"
    if problem.line is not None:
        props += f",line={problem.line}"
    return f"::{level} {props}::{_escape_data(problem.message)}"


def _escape_data(text: str) -> str:
    # The escapes GitHub's runner (actions/toolkit's command.ts) undoes.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_line(report: Report) -> str:
    """The one line a build ends with: what was built, what the API did, how long it took."""
    return (
        f"Built {_count(report.pages, 'page')} ({_count(report.files, 'file')}) "
        f"into {report.out_dir} "
        f"in {report.seconds:.2f}s: {report.scheduled} scheduled, {report.reused} reused"
        f"{_warnings(len(report.warnings))}."
    )


def _warnings(count: int) -> str:
    return f", {plural(count, 'warning')}" if count else ""
