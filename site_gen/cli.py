"""The ``site-gen`` command: parse options, call the library, report.

Each command is a thin shell over one library call; the library never
imports click. Each command imports its library module when it runs, so
that ``--help`` and every other command start without it. Errors a user
can fix print as ``file:line: message`` lines without a traceback (``-v``
shows one); see ``site-gen --help`` for the exit codes.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .console import colour_override, format_problem, summary_line
from .errors import ExitCode, SiteGenError, ValidationFailed

if TYPE_CHECKING:
    from .scheduling.apply import Progress

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


class ProgressDisplay:
    """Creates made so far: a bar on a terminal, one plain line each otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._tty = sys.stderr.isatty()

    def __call__(self, progress: Progress) -> None:
        if not self._tty:
            click.echo(
                f"[{progress.done}/{progress.total}] {progress.label}: {progress.outcome}",
                err=True,
            )
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=progress.total, label="Scheduling", file=sys.stderr, show_pos=True
            )
            self._bar.__enter__()
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="site-gen")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Static webinar and meeting pages with embedded Callbridge video rooms.

    Colour is used on a terminal only; NO_COLOR=1 turns it off, FORCE_COLOR=1
    turns it on (CI logs). Every command takes -q (errors only) and -v (log
    each step, tracebacks).

    \b
    Example:
      site-gen init mysite && cd mysite
      site-gen check              # validate, with warnings; no API call
      site-gen build              # into public/
    """
    override = colour_override(os.environ)
    if override is not None:
        ctx.color = override


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site.toml's output_dir, 'public').",
)
@click.option("--drafts", is_flag=True, help="Include pages with draft: true.")
@click.option(
    "--offline", is_flag=True,
    help="Make no API call: build from site-gen.lock alone; fail naming every page it lacks.",
)
@click.option(
    "--reschedule", is_flag=True,
    help="Create a new conference for webinars whose scheduling fields changed.",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
    help="API requests in flight at once.",
)
@verbosity
def build(
    site: Path, out: Path | None, drafts: bool, offline: bool, reschedule: bool,
    concurrency: int, quiet: bool, verbose: bool,
) -> None:
    """Validate, schedule what the lock lacks, and write the site.

    Each conference, host or company the API creates is recorded in
    site-gen.lock the moment it is created; commit that file, and rebuilds
    make no API call at all.

    \b
    Example:
      site-gen build              # the site in the current folder, into public/
      site-gen build mysite --out /tmp/preview --drafts
      site-gen build --offline    # pull-request previews: no credentials needed
    """
    from .commands.build import BuildOptions
    from .commands.build import build as build_site

    progress = None if quiet else ProgressDisplay()
    options = BuildOptions(
        out=out, drafts=drafts, offline=offline, reschedule=reschedule,
        concurrency=concurrency, on_progress=progress,
    )
    try:
        report = run(lambda: build_site(site, options), verbose=verbose)
    finally:
        if progress is not None:
            progress.close()
    for warning in report.warnings:
        click.echo(format_problem(warning, severity="warning", style=_yellow), err=True)
    if not quiet:
        click.secho(summary_line(report), fg="green", bold=True)


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option("--drafts", is_flag=True, help="Include pages with draft: true.")
@click.option("--reschedule", is_flag=True, help="Plan as 'build --reschedule' would.")
@click.option(
    "--exit-code", is_flag=True,
    help="Exit 2 when there is something to create, 0 when nothing (for CI).",
)
@verbosity
def plan(
    site: Path, drafts: bool, reschedule: bool, exit_code: bool, quiet: bool, verbose: bool
) -> None:
    """Show what a build would create through the API, and create nothing.

    Checks the credentials with one authenticate call when there is
    something to create; makes no other call.

    \b
    Example:
      site-gen plan                 # the table of creates
      site-gen plan --exit-code     # in CI: exit 2 if a merge would schedule something
    """
    from .commands.plan import PLAN_COLUMNS, PlanOptions, plan_table
    from .commands.plan import plan as make_plan

    result = run(
        lambda: make_plan(site, PlanOptions(drafts=drafts, reschedule=reschedule)),
        verbose=verbose,
    )
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    rows = plan_table(result)
    if not rows:
        if not quiet:
            click.echo(f"Nothing to create: site-gen.lock covers every page ({result.api}).")
        return
    if not quiet:
        widths = [max(len(str(c)) for c in col) for col in zip(PLAN_COLUMNS, *rows, strict=False)]
        for i, row in enumerate([PLAN_COLUMNS, *rows]):
            line = "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            click.secho(line, bold=(i == 0))
        click.echo(f"\n{len(rows)} to create through {result.api}.")
    if exit_code:
        sys.exit(2)


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="Port to serve on; when taken, the next free one (said so). 0: any free port.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.option(
    "--no-sandbox", is_flag=True,
    help="Do not serve the sandbox's simulated rooms on their origin (127.0.0.1:8001).",
)
@verbosity
def serve(
    site: Path, host: str, port: int, open_browser: bool, no_sandbox: bool, quiet: bool,
    verbose: bool,
) -> None:
    """Preview the site with live reload while you write it.

    Builds into memory (drafts included, with a badge), serves on loopback,
    and rebuilds only what each saved file touches; open tabs reload by
    themselves. Problems show in the browser and here, and the server keeps
    running. Never schedules: webinars not yet in site-gen.lock show a
    "scheduled when published" placeholder. Ctrl-C stops it.

    \b
    Example:
      site-gen serve                  # http://127.0.0.1:8000/
      site-gen serve mysite --port 8080 --open
    """
    from .commands.serve import ServeOptions
    from .commands.serve import serve as serve_site

    def echo(message: str, *, err: bool = False) -> None:
        if err or not quiet:
            click.echo(message, err=err)

    options = ServeOptions(
        host=host, port=port, open_browser=open_browser, sandbox=not no_sandbox, echo=echo
    )
    run(lambda: serve_site(site, options), verbose=verbose)


@main.command("host-link", epilog=EXIT_CODES)
@click.argument("host")
@click.option(
    "--site", "site", default=".", type=click.Path(file_okay=False, path_type=Path),
    help="The site folder (default: the current one).",
)
@click.option("--redirect-url", help="Where to land after signing in (default: the host's room).")
@click.option("--after-call-url", help="Where to go after leaving a call.")
@click.option(
    "--allow-pipe", is_flag=True,
    help="Print even when the output is not a terminal (the URL is a login credential).",
)
@verbosity
def host_link(
    host: str, site: Path, redirect_url: str | None, after_call_url: str | None,
    allow_pipe: bool, quiet: bool, verbose: bool,
) -> None:
    """Print HOST's single sign-on URL, to a terminal only.

    Whoever opens the URL is signed in as the host: never paste it into a
    page, a ticket or a chat. The key it carries comes from the environment
    (CALLBRIDGE_LOGIN_TOKEN_<HOST>), or from the sandbox with api = "sandbox".

    \b
    Example:
      site-gen host-link marketing
      site-gen host-link marketing --after-call-url https://live.acme.example/
    """
    from .commands.host_link import host_link as make_link

    if not allow_pipe and not sys.stdout.isatty():
        click.secho(
            "Error: refusing to write a login URL to a pipe or file, where it would be kept; "
            "run this in a terminal (or pass --allow-pipe if you really mean it).",
            err=True, fg="red",
        )
        sys.exit(ExitCode.USAGE)
    url = run(
        lambda: make_link(site, host, redirect_url=redirect_url, after_call_url=after_call_url),
        verbose=verbose,
    )
    click.secho(
        "Warning: this URL signs anyone who opens it in as the host. Do not share or store it.",
        err=True, fg="yellow",
    )
    click.echo(url)


@main.command(epilog=EXIT_CODES)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True,
    help="Write into a folder that is not empty (same-named files are replaced).",
)
@verbosity
def init(directory: Path, force: bool, quiet: bool, verbose: bool) -> None:
    """Create a new site: settings, example pages and images; the theme by reference.

    The new site has a commented site.toml (with the [theme] settings: logo,
    colours, links), one page of each kind in content/ and the example's
    images in static/. It holds no template or theme file: upgrading
    site-gen upgrades its look ('site-gen theme eject NAME' copies one file
    when a setting is not enough). It builds at once: site.toml points at
    the built-in sandbox.

    \b
    Example:
      site-gen init mysite
      cd mysite && site-gen build
    """
    from .commands.init import init as init_site

    report = run(lambda: init_site(directory, force=force), verbose=verbose)
    if quiet:
        return
    for rel in report.written if verbose else ():
        click.echo(f"  {'replaced' if rel in report.replaced else 'created'} {rel}")
    click.secho(
        f"Created a new site in {directory} ({len(report.written)} files).", fg="green", bold=True
    )
    click.echo(
        f"Next: cd {directory} && site-gen build   (site.toml's comments explain each setting)"
    )


@main.group(epilog=EXIT_CODES)
def theme() -> None:
    """The default theme's files: list them, copy one into the site, see what changed.

    A site uses the theme by reference: [theme] in site.toml sets its logo,
    colours, links and extra files, and upgrading site-gen upgrades its
    look. When that is not enough, eject one file: the site's copy wins
    over the theme's, and its first line records the theme version and the
    original's hash, so 'site-gen check' can warn when the original changes.

    \b
    Example:
      site-gen theme list
      site-gen theme eject partials/footer.html
      site-gen theme diff partials/footer.html
    """


theme_site = click.option(
    "--site", "site", default=".", type=click.Path(file_okay=False, path_type=Path),
    help="The site folder (default: the current one).",
)


@theme.command("list", epilog=EXIT_CODES)
@theme_site
@verbosity
def theme_list(site: Path, quiet: bool, verbose: bool) -> None:
    """Every file of the theme a site can override, and which ones this site does.

    Templates are named by their path under templates/ (partials/footer.html),
    assets by their path under static/ (assets/site-gen.css). The hooks are
    empty partials for your own markup: create them in the site.
    """
    from .commands.theme import theme_list as list_files

    files = run(lambda: list_files(site), verbose=verbose)
    width = max(len(f.name) for f in files)
    for file in files:
        status = file.status()
        line = f"{file.name.ljust(width)}  {status}".rstrip()
        click.secho(line, fg="yellow" if file.upstream_changed else None, bold=file.overridden)
    if not quiet:
        count = sum(f.overridden for f in files)
        click.echo(
            f"\n{len(files)} theme files (site-gen {__version__}); the site overrides {count}.",
            err=True,
        )


@theme.command(epilog=EXIT_CODES)
@click.argument("name")
@theme_site
@click.option("--force", is_flag=True, help="Replace the site's copy with the theme's file.")
@verbosity
def eject(name: str, site: Path, force: bool, quiet: bool, verbose: bool) -> None:
    """Copy the theme's file NAME into the site, to change it there.

    The copy wins over the theme's file from then on, and no longer
    follows upgrades: prefer a [theme] setting, a hook partial, or a small
    template that extends the theme's own ("!NAME"). The copy's first line
    records the theme version and the original's sha256 (images and fonts
    are copied as they are, without a record).

    \b
    Example:
      site-gen theme eject partials/footer.html
      site-gen theme eject assets/site-gen.css
    """
    from .commands.theme import eject as eject_file

    file = run(lambda: eject_file(site, name, force=force), verbose=verbose)
    if not quiet:
        click.secho(f"Ejected {file.name} to {file.site_path}.", fg="green", bold=True)
        if file.record is None:
            click.echo("It is copied as it is (no comment syntax): nothing tracks its original.")
        else:
            click.echo(f"After an upgrade, 'site-gen theme diff {file.name}' shows what changed.")


@theme.command(epilog=EXIT_CODES)
@click.argument("name")
@theme_site
@verbosity
def diff(name: str, site: Path, quiet: bool, verbose: bool) -> None:
    """Show how the site's copy of NAME differs from the theme's current file.

    site-gen keeps no old versions of its theme; the copy's record (version
    and hash of the original) tells whether the difference is the theme's
    change, your edit, or both, and the first lines say which.

    \b
    Example:
      site-gen theme diff partials/footer.html
    """
    from .commands.theme import theme_diff

    result = run(lambda: theme_diff(site, name), verbose=verbose)
    if not quiet:
        click.echo(result.summary, err=True)
    for line in result.diff.splitlines():
        colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        click.secho(line, fg=None if line.startswith(("+++", "---")) else colour)


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option("--drafts", is_flag=True, help="Check as 'build --drafts' would.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "github"]),
    default="text", show_default=True,
    help="json: a list of {file, line, severity, message}; github: Actions annotations.",
)
@verbosity
def check(
    site: Path, drafts: bool, strict: bool, output_format: str, quiet: bool, verbose: bool
) -> None:
    """Validate config and content as a build would, and warn about likely mistakes.

    Makes no API call and writes nothing. Warnings: a past webinar that was
    never scheduled, a page without description or image, a base_url that
    is not https, a webinar without time_zone, an on_leave path or a
    [theme] nav or footer path that leads to no page, a social network the
    theme has no icon for, a theme file the site ejected whose original has
    changed since. Exits 1 on any error (and with --strict, any warning).

    \b
    Example:
      site-gen check
      site-gen check --strict --format github   # in a GitHub Actions step
      site-gen check --format json > problems.json
    """
    from .commands.check import CheckOptions
    from .commands.check import check as check_site
    from .console import format_github, format_json, plural

    report = run(
        lambda: check_site(site, CheckOptions(drafts=drafts, strict=strict)), verbose=verbose
    )
    problems = [
        p for p in report.problems if not (quiet and p.severity == "warning" and not strict)
    ]
    if output_format == "json":
        click.echo(format_json(problems))
    elif output_format == "github":
        for problem in problems:
            click.echo(format_github(problem))
    else:
        for problem in problems:
            click.echo(format_problem(problem, style=_yellow))
    errors, warnings = len(report.errors), len(report.warnings)
    summary = (
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in "
        f"{plural(report.pages, 'page')}."
    )
    if report.failed:
        if output_format == "text":
            click.secho(f"Error: {summary}", err=True, fg="red")
        sys.exit(ExitCode.CONTENT)
    if not quiet and output_format == "text":
        click.secho(f"OK: {summary}", err=True, fg="green" if not warnings else "yellow")


@main.command(epilog=EXIT_CODES)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of printing it.",
)
@verbosity
def schema(output: Path | None, quiet: bool, verbose: bool) -> None:
    """Print the JSON Schema (draft 2020-12) of a page's front matter.

    Editors use it for completion and red squiggles while you type; see
    docs/editors.md for VS Code's YAML extension.

    \b
    Example:
      site-gen schema -o .vscode/site-gen.schema.json
      site-gen schema | jq '.properties | keys'
    """
    from .commands.schema import schema as make_schema

    text = run(lambda: make_schema(output), verbose=verbose)
    if output is None:
        click.echo(text, nl=False)
    elif not quiet:
        click.echo(f"Wrote {output}.", err=True)


@main.command(epilog=EXIT_CODES)
@site_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["netlify", "nginx", "caddy", "vercel", "firebase"]),
    default="netlify",
    show_default=True,
    help="The host's syntax: netlify (_headers, also Cloudflare Pages), nginx, caddy, "
    "vercel (vercel.json), firebase (firebase.json).",
)
@verbosity
def headers(site: Path, output_format: str, quiet: bool, verbose: bool) -> None:
    """Print the site's HTTP headers (CSP, Permissions-Policy...) for a host.

    The same policy as the build's _headers, composed from site.toml's
    [security.csp], [integrations] and the pages' registration forms.

    \b
    Example:
      site-gen headers --format nginx > /etc/nginx/snippets/live-headers.conf
    """
    from .commands.headers import headers as make_headers

    click.echo(run(lambda: make_headers(site, output_format), verbose=verbose), nl=False)


def _yellow(label: str) -> str:
    return click.style(label, fg="yellow")


@main.command(epilog=EXIT_CODES)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--latency-ms", default=0.0, type=click.FloatRange(min=0), help="Delay every API call."
)
@click.option(
    "--fail-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Fraction of API calls answered 500 (before any change).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps the state (default: the site's .site-gen/sandbox.db "
    "inside a site, else memory; ':memory:' forces memory).",
)
@verbosity
def sandbox(
    host: str,
    port: int,
    latency_ms: float,
    fail_rate: float,
    db: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Serve a simulated Callbridge (API, rooms, SSO) on loopback.

    \b
    Example:
      site-gen sandbox --port 8001 --db .site-gen/sandbox.db
      CALLBRIDGE_API=http://127.0.0.1:8001 CALLBRIDGE_EMAIL=admin@acme.test \\
        CALLBRIDGE_PASSWORD=sandbox-admin site-gen build
    """
    from .commands.sandbox import SandboxOptions
    from .commands.sandbox import sandbox as run_sandbox

    echo = (lambda _line: None) if quiet else click.echo
    options = SandboxOptions(
        host=host, port=port, latency_ms=latency_ms, fail_rate=fail_rate, db=db, echo=echo
    )
    run(lambda: run_sandbox(options), verbose=verbose)


if __name__ == "__main__":  # pragma: no cover
    main()
