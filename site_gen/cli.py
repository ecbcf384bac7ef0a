"""The ``site-gen`` command: parse options, call the library, report.

Each command is a thin shell over one library call; the library never
imports click. Errors a user can fix print as ``file:line: message`` lines
without a traceback (``-v`` shows one); see ``site-gen --help`` for the
exit codes.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from . import __version__
from .errors import ExitCode, SiteGenError, ValidationFailed

T = TypeVar("T")

EXIT_CODES = """\b
Exit codes:
  0  success
  1  invalid content or config, or the build failed
  2  wrong usage of the command
  3  the Callbridge API refused or failed
  4  unexpected error (a bug: please report it)"""

site_argument = click.argument(
    "site", default=".", type=click.Path(file_okay=False, path_type=Path)
)


def verbosity(function: Callable[..., T]) -> Callable[..., T]:
    """``-q`` and ``-v``, shared by every command."""
    function = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(function)
    return click.option("-v", "--verbose", is_flag=True, help="Log each step and show tracebacks.")(
        function
    )


def run(action: Callable[[], T], *, verbose: bool) -> T:
    """Run a library call; turn its errors into messages and exit codes."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        return action()
    except ValidationFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.secho(
            f"Error: {count} problem{'s' if count != 1 else ''} found; nothing was changed.",
            err=True,
            fg="red",
        )
        _traceback(verbose)
        sys.exit(exc.exit_code)
    except SiteGenError as exc:
        click.secho(f"Error: {exc}", err=True, fg="red")
        _traceback(verbose)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:
        click.secho(
            f"Error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in site-gen; run again with -v for the traceback and report it.",
            err=True,
            fg="red",
        )
        _traceback(verbose)
        sys.exit(ExitCode.UNEXPECTED)


def _traceback(verbose: bool) -> None:
    if verbose:
        click.echo(traceback.format_exc(), err=True)


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="site-gen")
def main() -> None:
    """Static webinar and meeting pages with embedded Callbridge video rooms."""


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site.toml's output_dir, 'public').",
)
@click.option("--drafts", is_flag=True, help="Include pages with draft: true.")
@verbosity
def build(site: Path, out: Path | None, drafts: bool, quiet: bool, verbose: bool) -> None:
    """Validate, schedule what the lock lacks, and write the site.

    \b
    Example:
      site-gen build              # the site in the current folder, into public/
      site-gen build mysite --out /tmp/preview --drafts
    """
    from .commands.build import BuildOptions
    from .commands.build import build as build_site

    options = BuildOptions(out=out, drafts=drafts)
    report = run(lambda: build_site(site, options), verbose=verbose)
    for warning in report.warnings:
        click.echo(f"{warning}", err=True)
    if not quiet:
        click.echo(
            f"Built {report.pages} pages ({report.files} files) into {report.out_dir} "
            f"in {report.seconds:.2f}s."
        )


if __name__ == "__main__":  # pragma: no cover
    main()
