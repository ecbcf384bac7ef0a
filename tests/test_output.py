"""What the terminal shows: colour rules, -q/-v, the summary line, exit codes, help."""

from __future__ import annotations

import os
import pty
import re
import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from site_gen import __version__
from site_gen.callbridge.errors import ApiTransportError
from site_gen.cli import EXIT_CODES, main, run
from site_gen.commands.build import Report
from site_gen.console import colour_override, format_problem, summary_line
from site_gen.errors import Problem, ValidationFailed
from tests.helpers import SiteFactory

ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: A page that builds, with one check warning (no image) and nothing else.
WARNED = '---\ntitle: "Hi"\ndescription: "d"\nhost: marketing\n---\n'


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "TERM": "xterm-256color", **extra}


def in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run site-gen with stdout and stderr on a real pseudo-terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_gen.cli", *args],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode()


def piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_gen.cli", *args],
        capture_output=True, text=True, env=env, check=False,
    )


# Colour ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": ""}, None),  # no-color.org: only a non-empty value counts
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, None),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_override(environ: dict[str, str], expected: bool | None) -> None:
    assert colour_override(environ) is expected


def test_colour_on_a_terminal(make_site: SiteFactory) -> None:
    root = make_site({"content/office-hours.md": WARNED})
    code, text = in_terminal(["check", str(root)], clean_env())
    assert code == 0
    assert "\x1b[33mwarning:\x1b[0m no image" in text
    assert ANSI.sub("", text).splitlines()[-1] == "OK: 0 errors, 1 warning in 1 page."


def test_no_colour_on_a_terminal_with_no_color(make_site: SiteFactory) -> None:
    root = make_site({"content/office-hours.md": WARNED})
    code, text = in_terminal(["check", str(root)], clean_env(NO_COLOR="1"))
    assert code == 0
    assert "warning: no image" in text
    assert not ANSI.search(text)


def test_no_colour_when_piped(make_site: SiteFactory) -> None:
    root = make_site({"content/office-hours.md": WARNED})
    done = piped(["check", str(root)], clean_env())
    assert done.returncode == 0
    assert "warning: no image" in done.stdout
    assert not ANSI.search(done.stdout + done.stderr)
    build = piped(["build", str(root)], clean_env())
    assert build.returncode == 0, build.stderr
    assert not ANSI.search(build.stdout + build.stderr)


def test_force_color_when_piped(make_site: SiteFactory) -> None:
    root = make_site({"content/office-hours.md": WARNED})
    done = piped(["check", str(root)], clean_env(FORCE_COLOR="1"))
    assert "\x1b[33mwarning:\x1b[0m" in done.stdout


def test_errors_are_red_on_a_terminal_only(make_site: SiteFactory) -> None:
    root = make_site({"content/bad.md": "---\ntitle: B\nhost: nobody\n---\n"})
    code, text = in_terminal(["build", str(root)], clean_env())
    assert code == 1
    assert "\x1b[31mError: 1 problem found; nothing was changed.\x1b[0m" in text
    runner = CliRunner()
    assert ANSI.search(runner.invoke(main, ["build", str(root)], color=True).output)
    no_color = runner.invoke(main, ["build", str(root)], color=True, env={"NO_COLOR": "1"})
    assert not ANSI.search(no_color.output)
    assert "Error: 1 problem found; nothing was changed." in no_color.stderr


# -q, -v and the summary line ----------------------------------------------------


def test_summary_line() -> None:
    report = Report(out_dir=Path("/srv/public"), pages=12, files=40, scheduled=2, reused=3,
                    seconds=1.234)
    assert summary_line(report) == (
        "Built 12 pages (40 files) into /srv/public in 1.23s: 2 scheduled, 3 reused."
    )
    report.warnings = [Problem("site.toml", None, "x", "warning")]
    assert summary_line(report).endswith(": 2 scheduled, 3 reused, 1 warning.")


def test_build_ends_with_the_summary(make_site: SiteFactory) -> None:
    root = make_site()
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0
    assert re.fullmatch(
        rf"Built 1 page \(13 files\) into {re.escape(str(root / 'public'))} "
        r"in \d+\.\d\ds: 0 scheduled, 0 reused\.\n",
        result.stdout,
    )


def test_build_warnings_say_warning(make_site: SiteFactory) -> None:
    past = (
        "---\ntitle: Old\nkind: webinar\nhost: marketing\nstart: 2020-01-01 10:00\n"
        "duration: 30\n---\n"
    )
    root = make_site({"content/old.md": past})
    result = CliRunner().invoke(main, ["build", "-q", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "content/old.md:5: warning: webinar 'old' started in the past and was never "
        "scheduled: not scheduling it; its page shows it as ended\n"
    )


def test_format_problem() -> None:
    problem = Problem("content/a.md", 3, "bad")
    assert format_problem(problem) == "content/a.md:3: bad"
    assert format_problem(problem, severity="warning") == "content/a.md:3: warning: bad"
    assert format_problem(Problem("site.toml", None, "x", "warning")) == "site.toml: warning: x"
    styled = format_problem(problem, severity="warning", style=str.upper)
    assert styled == "content/a.md:3: WARNING: bad"


def test_verbose_shows_the_traceback(make_site: SiteFactory) -> None:
    root = make_site({"content/bad.md": "---\ntitle: B\nhost: nobody\n---\n"})
    quiet = CliRunner().invoke(main, ["build", str(root)])
    assert "Traceback" not in quiet.output
    loud = CliRunner().invoke(main, ["build", "-v", str(root)])
    assert loud.exit_code == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert "ValidationFailed" in loud.stderr


# Exit codes ------------------------------------------------------------------


def test_help_documents_the_exit_codes() -> None:
    text = CliRunner().invoke(main, ["--help"]).output
    for line in ("0  success", "1  invalid content or config", "2  wrong usage",
                 "3  the Callbridge API", "4  unexpected error"):
        assert line in text
    assert ANSI.sub("", EXIT_CODES).count("\n") == 6


def test_exit_0_1_2(make_site: SiteFactory) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(make_site())]).exit_code == 0
    bad = make_site({"content/bad.md": "---\ntitle: B\nhost: nobody\n---\n"})
    assert runner.invoke(main, ["build", str(bad)]).exit_code == 1
    assert runner.invoke(main, ["check", str(bad)]).exit_code == 1
    assert runner.invoke(main, ["build", "--no-such-option"]).exit_code == 2
    assert runner.invoke(main, ["init"]).exit_code == 2  # DIRECTORY missing
    assert runner.invoke(main, ["check", "--format", "xml"]).exit_code == 2
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_exit_3_when_the_api_cannot_be_reached(make_site: SiteFactory) -> None:
    webinar = (
        "---\ntitle: W\nkind: webinar\nhost: marketing\nstart: 2030-01-01 10:00\n"
        "duration: 30\n---\n"
    )
    root = make_site({"content/w.md": webinar})
    env = {
        "CALLBRIDGE_API": f"http://127.0.0.1:{free_port()}",
        "CALLBRIDGE_EMAIL": "api@acme.test",
        "CALLBRIDGE_PASSWORD": "Sup3rSecret!",
    }
    result = CliRunner().invoke(main, ["build", str(root)], env=env)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("Error: ")
    assert "Sup3rSecret!" not in result.output
    assert not (root / "public").exists()


def exit_code_of(action: object) -> int:
    with pytest.raises(SystemExit) as caught:
        run(action, verbose=False)  # type: ignore[arg-type]
    return int(caught.value.code or 0)


def test_run_maps_errors_to_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    def validation() -> None:
        raise ValidationFailed([Problem("content/a.md", 1, "bad")])

    def api() -> None:
        raise ApiTransportError(
            "POST https://x/enterprise_api/authenticate failed",
            url="https://x/enterprise_api/authenticate", maybe_applied=False,
        )

    def bug() -> None:
        raise KeyError("oops")

    with click.Context(main):
        assert exit_code_of(validation) == 1
        assert exit_code_of(api) == 3
        assert exit_code_of(bug) == 4
    err = capsys.readouterr().err
    assert "Error: unexpected KeyError: 'oops'" in err
    assert "This is a bug in site-gen" in err


# --version and help ---------------------------------------------------------------


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"site-gen, version {__version__}\n"


def test_every_command_has_an_example_and_the_exit_codes() -> None:
    runner = CliRunner()
    for name in ["", *sorted(main.commands)]:
        result = runner.invoke(main, [*([name] if name else []), "--help"])
        assert result.exit_code == 0, name
        has_example = re.search(r"Example:\n +site-gen ", result.output)
        assert has_example, f"'site-gen {name} --help' has no example"
        assert "Exit codes:" in result.output, name
