"""The command line: arguments lead to library calls, errors to exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from site_gen import __version__
from site_gen.cli import main
from tests.helpers import SiteFactory


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"site-gen, version {__version__}"


def test_build_ok(make_site: SiteFactory) -> None:
    root = make_site()
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Built 1 page (13 files) into ")
    assert (root / "public/office-hours/index.html").exists()


def test_build_quiet(make_site: SiteFactory) -> None:
    result = CliRunner().invoke(main, ["build", "-q", str(make_site())])
    assert result.exit_code == 0
    assert result.output == ""


def test_content_errors_exit_1_without_traceback(make_site: SiteFactory) -> None:
    root = make_site({"content/bad.md": "---\ntitle: Bad\nkind: webniar\nhost: marketing\n---\n"})
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "content/bad.md:3: kind: 'webniar' is not one of 'room', 'webinar', 'livestream', "
        "'watch_party' (did you mean 'webinar'?)",
        "Error: 1 problem found; nothing was changed.",
    ]
    assert "Traceback" not in result.output


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(main, ["build", "--no-such-option"])
    assert result.exit_code == 2


def test_help_lists_exit_codes() -> None:
    result = CliRunner().invoke(main, ["build", "--help"])
    assert "Exit codes:" in result.output
    assert "Example:" in result.output
