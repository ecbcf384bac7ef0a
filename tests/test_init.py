"""``site-gen init``: a new site that builds at once, from a checkout or a wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, check
from site_gen.commands.init import InitError, init
from site_gen.render.theme import bundled_root
from tests.helpers import NOW, soup

REPO = Path(__file__).resolve().parents[1]


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_copies_the_example_site_and_theme(tmp_path: Path) -> None:
    target = tmp_path / "mysite"
    report = init(target)
    assert (target / "site.toml").read_text() == (REPO / "site.toml").read_text()
    for part in ("content", "templates", "static"):
        assert files_under(target / part) == files_under(REPO / part), part
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
WEBINARS = sum(
    "kind: webinar" in p.read_text() or 'kind = "webinar"' in p.read_text()
    for p in (REPO / "content").rglob("*.md")
)


def test_new_site_builds_and_checks_clean(tmp_path: Path) -> None:
    target = tmp_path / "mysite"
    init(target)
    report = build(target, BuildOptions(now=NOW, environ={}))
    assert report.pages == PAGES
    assert report.scheduled == WEBINARS  # through the in-process sandbox
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
    assert built.stdout.endswith(f"s: {WEBINARS} scheduled, 0 reused.\n")
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


@pytest.mark.slow
def test_init_and_build_from_the_wheel(tmp_path: Path) -> None:
    """The wheel carries the example site: init works with no checkout at all."""
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(iter(WheelBuilder(str(REPO)).build(directory=str(tmp_path / "dist")))))
    lib = tmp_path / "lib"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(lib)
    assert "site_gen/_bundled/site.toml" in names
    assert "site_gen/_bundled/content/office-hours.md" in names
    assert "site_gen/_bundled/templates/base.html" in names
    assert not any(n.startswith("site_gen/_bundled/site-gen.lock") for n in names)
    site = tmp_path / "fresh"
    # PYTHONPATH (not sys.path) so that the build's scheduler child process
    # imports the wheel's copy too.
    script = (
        "import sys;"
        "import site_gen, site_gen.render.theme as t;"
        "assert site_gen.__file__.startswith(sys.argv[1]), site_gen.__file__;"
        "print(t.bundled_root());"
        "from site_gen.cli import main;"
        "main(['init', '-q', sys.argv[2]], standalone_mode=False);"
        "main(['build', '-q', sys.argv[2]], standalone_mode=False)"
    )
    env = {**os.environ, "PYTHONPATH": str(lib)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(lib), str(site)],
        capture_output=True, text=True, cwd=tmp_path, check=False, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(lib / "site_gen/_bundled")
    assert (site / "site.toml").read_text() == (REPO / "site.toml").read_text()
    assert files_under(site / "content") == files_under(REPO / "content")
    assert (site / "public/keynote-stream/index.html").is_file()
