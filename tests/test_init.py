"""``site-gen init``: a new site that builds at once, from a checkout or a wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import site_gen
from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, check
from site_gen.commands.init import InitError, init
from site_gen.render.theme import bundled_root
from tests.helpers import NOW, soup

REPO = Path(__file__).resolve().parents[1]


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_copies_the_example_site_and_nothing_of_the_theme(tmp_path: Path) -> None:
    target = tmp_path / "mysite"
    report = init(target)
    assert (target / "site.toml").read_text() == (REPO / "site.toml").read_text()
    assert "\n[theme]\n" in (target / "site.toml").read_text()
    assert files_under(target / "content") == files_under(REPO / "content")
    # The example's own files (share image, logos, brand stylesheet), never the theme's.
    theme_assets = {f"assets/{name}" for name in files_under(REPO / "static/assets")}
    assert files_under(target / "static") == sorted(
        set(files_under(REPO / "static")) - theme_assets
    )
    assert "img/acme-live.jpg" in files_under(target / "static")
    assert not (target / "templates").exists()
    assert not (target / "static/assets").exists()
    assert (target / ".gitignore").read_text().splitlines()[1:] == [
        "/public/", ".site-gen/", "*.tmp-*"
    ]
    assert "site-gen.lock" not in (target / ".gitignore").read_text().splitlines()
    assert not (target / "site-gen.lock").exists()
    assert not (target / "public").exists()
    assert report.written == files_under(target)
    assert report.replaced == []


#: The example site's pages, and how many are webinars (scheduled on the first build).
PAGES = len(list((REPO / "content").rglob("*.md")))
_WEBINAR_FILES = [
    p.relative_to(REPO / "content")
    for p in (REPO / "content").rglob("*.md")
    if "kind: webinar" in p.read_text() or 'kind = "webinar"' in p.read_text()
]
WEBINARS = len(_WEBINAR_FILES)
#: One conference per event: a translation (content/LANG/..., LANG in [languages])
#: embeds its original's, so it is reused, not scheduled.
CONFERENCES = sum(
    p.parts[0] not in tomllib.loads((REPO / "site.toml").read_text()).get("languages", {})
    for p in _WEBINAR_FILES
)


def test_new_site_builds_and_checks_clean(tmp_path: Path) -> None:
    target = tmp_path / "mysite"
    init(target)
    report = build(target, BuildOptions(now=NOW, environ={}))
    assert report.pages == PAGES
    assert report.scheduled == CONFERENCES  # through the in-process sandbox
    out = target / "public"
    assert (out / "office-hours/index.html").is_file()
    html = soup(out / "watch-party/index.html")
    assert html.find("iframe")["src"].startswith("http://127.0.0.1:8001/conf/call/1234567?")
    checked = check(target, CheckOptions(now=NOW, environ={}))
    assert checked.errors == []
    assert not checked.failed


def test_new_site_builds_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(main, ["init", "mysite"])
    assert created.exit_code == 0, created.output
    assert created.stdout.splitlines() == [
        f"Created a new site in mysite ({len(files_under(tmp_path / 'mysite'))} files).",
        "Next: cd mysite && site-gen build   (site.toml's comments explain each setting)",
    ]
    monkeypatch.chdir(tmp_path / "mysite")
    built = runner.invoke(main, ["build"])
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith(f"Built {PAGES} pages (")
    assert built.stdout.endswith(f"s: {CONFERENCES} scheduled, {WEBINARS - CONFERENCES} reused.\n")
    assert (tmp_path / "mysite/public/index.html").is_file()
    again = runner.invoke(main, ["build"])
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith(f"s: 0 scheduled, {WEBINARS} reused.\n")


def test_refuses_a_folder_with_files(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {target} is not empty: choose a new folder, or pass --force to write the "
        "example site into it (files of the same name are replaced, others are kept)"
    ]
    assert files_under(target) == ["notes.txt"]


def test_force_writes_into_a_folder_and_keeps_other_files(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    (target / "site.toml").write_text("# old\n")
    (target / ".gitignore").write_text("my-own-rules\n")
    result = CliRunner().invoke(main, ["init", "--force", "-v", str(target)])
    assert result.exit_code == 0, result.output
    assert "  replaced site.toml" in result.stdout.splitlines()
    assert "  created content/office-hours.md" in result.stdout.splitlines()
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "site.toml").read_text() == (REPO / "site.toml").read_text()
    assert (target / ".gitignore").read_text() == "my-own-rules\n"  # never replaced


def test_an_empty_folder_needs_no_force(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert "site.toml" in init(target).written


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InitError, match="exists and is not a folder"):
        init(target, force=True)


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", "-q", str(tmp_path / "s")])
    assert result.exit_code == 0
    assert result.output == ""


def test_in_a_checkout_the_bundle_is_the_repository() -> None:
    assert bundled_root() == REPO


def run_installed(lib: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m site_gen ARGS`` importing site-gen from ``lib`` (an installed wheel).

    PYTHONPATH (not sys.path) so that a build's scheduler child process
    imports the wheel's copy too.
    """
    env = {**os.environ, "PYTHONPATH": str(lib), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "site_gen", *args],
        capture_output=True, text=True, cwd=cwd, check=False, env=env,
    )


@pytest.mark.slow
def test_init_and_build_from_the_wheel_and_upgrade_the_theme(tmp_path: Path) -> None:
    """The wheel carries the example site and the theme; a site made by init uses the
    installed theme by reference, so changing the installed copy (an upgrade) changes
    the site, except for the file it ejected, which check and theme diff then report."""
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(iter(WheelBuilder(str(REPO)).build(directory=str(tmp_path / "dist")))))
    lib = tmp_path / "lib"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(lib)
    assert "site_gen/_bundled/site.toml" in names
    assert "site_gen/_bundled/content/office-hours.md" in names
    assert "site_gen/_bundled/templates/base.html" in names
    assert "site_gen/_bundled/static/assets/site-gen.css" in names
    assert "site_gen/_bundled/static/img/acme-live.jpg" in names
    assert "site_gen/_bundled/locales/fr.po" in names  # the theme's words, every language
    assert not any(n.startswith("site_gen/_bundled/site-gen.lock") for n in names)
    which = subprocess.run(
        [sys.executable, "-c", "import site_gen.render.theme as t; print(t.bundled_root())"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
        env={**os.environ, "PYTHONPATH": str(lib)},
    )
    assert which.stdout.strip() == str(lib / "site_gen/_bundled")

    site = tmp_path / "fresh"
    for args in (["init", "-q", str(site)], ["build", "-q", str(site)],
                 ["theme", "eject", "-q", "partials/footer.html", "--site", str(site)]):
        done = run_installed(lib, tmp_path, *args)
        assert done.returncode == 0, done.stderr
    assert (site / "site.toml").read_text() == (REPO / "site.toml").read_text()
    assert files_under(site / "content") == files_under(REPO / "content")
    assert files_under(site / "templates") == ["partials/footer.html"]  # the ejected file only
    assert not (site / "static/assets").exists()
    index = (site / "public/index.html").read_text()
    assert (site / "public/keynote-stream/index.html").is_file()
    assert 'class="site-nav"' in index
    assert "data-upgraded" not in index

    # An upgrade: the installed theme's navigation and footer change.
    installed = lib / "site_gen/_bundled/templates/partials"
    for name in ("header.html", "footer.html"):
        text = (installed / name).read_text()
        (installed / name).write_text(text.replace("<nav class=", "<nav data-upgraded class=", 1))
    done = run_installed(lib, tmp_path, "build", "-q", str(site))
    assert done.returncode == 0, done.stderr
    header, footer = soup(site / "public/index.html").find("header"), soup(
        site / "public/index.html").find("footer")
    assert header.find("nav", attrs={"data-upgraded": True}) is not None  # followed the theme
    assert footer.find("nav", attrs={"data-upgraded": True}) is None  # the site's copy won

    checked = run_installed(lib, tmp_path, "check", str(site))
    assert checked.returncode == 0, checked.stderr
    assert (
        "templates/partials/footer.html:1: warning: ejected from site-gen theme "
        f"{site_gen.__version__}; the theme's partials/footer.html has changed since: "
        "'site-gen theme diff partials/footer.html' shows the difference"
    ) in checked.stdout.splitlines()
    diff = run_installed(
        lib, tmp_path, "theme", "diff", "partials/footer.html", "--site", str(site)
    )
    assert diff.returncode == 0, diff.stderr
    assert "your copy is unedited: the difference below is exactly the theme's change" in (
        " ".join(diff.stderr.split())
    )
    changed = [line for line in diff.stdout.splitlines() if line.startswith(("-", "+"))]
    assert changed[2:] == [
        '-    <nav class="footer-nav" aria-label="{{ _(\'Footer\') }}">',
        '+    <nav data-upgraded class="footer-nav" aria-label="{{ _(\'Footer\') }}">',
    ]
