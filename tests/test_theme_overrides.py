"""Overriding the theme: hooks, blocks of the theme's own templates, ejected files, old copies."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import site_gen
from site_gen.cli import main
from site_gen.commands import theme as theme_commands
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, check
from site_gen.commands.theme import (
    HOOKS,
    ThemeError,
    eject,
    outdated_overrides,
    theme_diff,
    theme_list,
)
from site_gen.render.theme import theme_files
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, snapshot, soup
from tests.webinars import build_site, webinar

REPO = Path(__file__).resolve().parents[1]
#: The templates as `site-gen init` copied them into every site before the theme was
#: used by reference (commit 9f18a79): such sites must keep building as they did.
OLD_TEMPLATES = Path(__file__).parent / "data/templates-before-theme"
VERSION = site_gen.__version__


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(root: Path) -> Path:
    build(root, BuildOptions(now=NOW, environ={}))
    return root / "public"


# -- hooks and blocks --------------------------------------------------------------------


def test_the_hooks_are_empty_in_the_theme(make_site: SiteFactory) -> None:
    html = (run(make_site()) / "office-hours/index.html").read_text()
    assert "hook" not in html.lower()
    assert html.rstrip().endswith("</footer>\n</body>\n</html>")


def test_each_hook_puts_a_sites_markup_in_its_place(make_site: SiteFactory) -> None:
    root = make_site({
        "templates/partials/head-extra.html": '<meta name="theme-color" content="#0f766e">\n',
        "templates/partials/header-extra.html": '<a class="cta" href="/register/">Register</a>\n',
        "templates/partials/footer-extra.html": "<p class=legal>Acme Inc., Toronto</p>\n",
        "templates/partials/page-end.html": (
            '<div id="chat" data-page="{{ page.slug if page is defined }}"></div>\n'
        ),
    })
    assert sorted(HOOKS) == sorted(n for n in theme_files() if n.endswith("-extra.html")
                                   or n.endswith("page-end.html"))
    html = soup(run(root) / "office-hours/index.html")
    assert html.head.find_all("meta")[-1]["name"] == "theme-color"
    assert html.find("header", class_="site-header").find("a", class_="cta").text == "Register"
    assert html.find("footer").find_all("p")[-1].text == "Acme Inc., Toronto"
    last = html.body.find_all(recursive=False)[-1]
    assert (last.name, last["id"], last["data-page"]) == ("div", "chat", "office-hours")
    index = soup(root / "public/index.html")  # listing pages have no `page`
    assert index.body.find_all(recursive=False)[-1]["data-page"] == ""


def test_a_template_extends_the_themes_own_and_changes_one_block(
    make_site: SiteFactory,
) -> None:
    own = """\
{% extends "!webinar.html" %}
{% block aside %}
{{ super() }}
<p class="questions">Questions? events@acme.example</p>
{% endblock %}
"""
    out = build_site(make_site, {"content/q1.md": webinar(), "templates/webinar.html": own})
    html = soup(out / "q1/index.html")
    aside = html.find("aside", class_="event-details")
    assert aside is not None  # the theme's block, kept by super()
    assert aside.find_next_sibling("p", class_="questions").text == (
        "Questions? events@acme.example"
    )
    assert html.find(class_="countdown") is not None  # the rest of the theme's page


def test_an_unknown_theme_template_is_a_build_error(make_site: SiteFactory) -> None:
    root = make_site({"templates/room.html": '{% extends "!nope.html" %}'})
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: template '!nope.html' not found in ")


def test_sites_with_the_templates_init_used_to_copy_keep_building(
    make_site: SiteFactory,
) -> None:
    """A site made by the old init: every template its own. It builds, its files win, and
    the pages carry what they did (the example's webinar, room and listing)."""
    files = {f"templates/{p.relative_to(OLD_TEMPLATES).as_posix()}": p.read_text()
             for p in OLD_TEMPLATES.rglob("*") if p.is_file()}
    assert len(files) == 17
    config = BASE_CONFIG + '\n[theme]\naccent = "#0f766e"\n'
    out = build_site(make_site, {
        **files, "site.toml": config,
        "content/q1.md": webinar(extra="tags: [Launch]\nimage: /img/q1.png\n"),
        "content/office-hours.md": "---\ntitle: Office Hours\nhost: marketing\n---\n",
    })
    page = soup(out / "q1/index.html")
    # The old base.html: its own header, no hooks, no theme stylesheet link.
    assert page.find("nav", class_="site-nav").find("a").text == "All events"
    assert page.find("nav", class_="site-nav").find("ul") is None
    assert [link["href"] for link in page.find_all("link", rel="stylesheet")] == [
        "/assets/site-gen.css"
    ]
    assert page.find("link", rel="icon")["href"] == "/assets/favicon.svg"
    # Everything the old templates read is still there.
    assert page.find(class_="countdown") is not None
    assert page.find("time", class_="event-start")["datetime"] == "2027-03-15T16:00:00-04:00"
    assert page.find("a", href="/tags/launch/") is not None
    assert page.find("meta", property="og:image")["content"] == (
        "https://live.test.example/img/q1.png"
    )
    assert soup(out / "office-hours/index.html").find("iframe") is not None
    index = soup(out / "index.html")
    assert index.find("a", href="/q1/").text == "Q1 Launch"
    assert index.find("meta", attrs={"name": "description"}) is None  # as the old one had
    assert (out / "assets/site-gen-theme.css").exists()  # written; their base.html ignores it
    assert check(out.parent, CheckOptions(now=NOW, environ={})).errors == []


def test_theme_list_tells_old_copies_from_the_theme(make_site: SiteFactory) -> None:
    root = make_site({
        "templates/404.html": (REPO / "templates/404.html").read_text(),
        "templates/base.html": (OLD_TEMPLATES / "base.html").read_text(),
    })
    statuses = {f.name: f.status() for f in theme_list(root) if f.overridden}
    assert statuses == {
        "404.html": "overridden: the same as the theme's (delete it to follow upgrades)",
        "base.html": "overridden: your own file (no eject record)",
    }


# -- eject ---------------------------------------------------------------------------------


def test_eject_a_template_records_version_and_hash_in_a_jinja_comment(
    make_site: SiteFactory,
) -> None:
    root = make_site()
    before = snapshot(run(root))
    file = eject(root, "partials/footer.html")
    original = REPO / "templates/partials/footer.html"
    copy = root / "templates/partials/footer.html"
    assert file.site_path == "templates/partials/footer.html"
    lines = copy.read_text().splitlines(keepends=True)
    assert lines[0] == (
        f"{{# site-gen theme {VERSION}: partials/footer.html sha256={sha(original)} #}}\n"
    )
    assert "".join(lines[1:]) == original.read_text()
    assert file.record is not None and file.record.digest == sha(original)
    assert not file.upstream_changed and file.edited is False
    # The record never reaches a page: the build is byte for byte the same.
    assert snapshot(run(root)) == before


def _without_hashes(files: dict[str, bytes]) -> dict[str, bytes]:
    """Fingerprinted names (immutable/x.HASH.css) without their hash, in paths and in pages."""
    hashed = re.compile(rb"(immutable/[^\"' )]+)\.[0-9a-f]{10}(\.[A-Za-z0-9]+)")
    return {
        hashed.sub(rb"\1\2", rel.encode()).decode(): hashed.sub(rb"\1\2", data)
        for rel, data in files.items()
    }


def test_eject_every_file_and_the_output_is_unchanged(make_site: SiteFactory) -> None:
    root = make_site()
    before = _without_hashes(snapshot(run(root)))
    for name in theme_files():
        eject(root, name)
    after = _without_hashes(snapshot(run(root)))
    assert after.keys() == before.keys()
    changed = sorted(rel for rel in after if after[rel] != before[rel])
    # Only the copied assets carry their record (a comment) into the output (and so
    # their fingerprinted copies get new names, which pages link: the hashes differ).
    assert changed == [
        "assets/favicon.svg", "assets/site-gen.css", "assets/site-gen.js",
        "immutable/assets/favicon.svg", "immutable/assets/site-gen.css",
        "immutable/assets/site-gen.js",
    ]
    css = (root / "public/assets/site-gen.css").read_text()
    assert css.startswith(f"/* site-gen theme {VERSION}: assets/site-gen.css sha256=")
    svg = (root / "public/assets/favicon.svg").read_text()
    assert svg.startswith(f"<!-- site-gen theme {VERSION}: assets/favicon.svg sha256=")
    assert [f for f in theme_list(root) if not f.overridden or f.record is None] == []


def test_an_svg_with_an_xml_declaration_keeps_it_first(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    icon = tmp_path / "theme/icon.svg"
    icon.parent.mkdir()
    icon.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    monkeypatch.setattr(theme_commands, "theme_files", lambda: {"assets/icon.svg": icon})
    root = make_site()
    eject(root, "assets/icon.svg")
    lines = (root / "static/assets/icon.svg").read_text().splitlines()
    assert lines[0] == '<?xml version="1.0"?>'
    assert lines[1].startswith(f"<!-- site-gen theme {VERSION}: assets/icon.svg sha256=")
    assert theme_list(root)[0].edited is False


def test_a_binary_asset_is_copied_as_it_is_and_not_tracked(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    font = tmp_path / "theme/brand.woff2"
    font.parent.mkdir()
    font.write_bytes(b"wOF2\x00\x01\xff\xfe")
    monkeypatch.setattr(theme_commands, "theme_files", lambda: {"assets/brand.woff2": font})
    root = make_site()
    result = CliRunner().invoke(main, ["theme", "eject", "assets/brand.woff2", "--site", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Ejected assets/brand.woff2 to static/assets/brand.woff2.",
        "It is copied as it is (no comment syntax): nothing tracks its original.",
    ]
    assert (root / "static/assets/brand.woff2").read_bytes() == font.read_bytes()
    font.write_bytes(b"wOF2 changed")
    assert outdated_overrides(root) == []


def test_eject_refuses_what_it_cannot_do(make_site: SiteFactory, tmp_path: Path) -> None:
    root = make_site()
    runner = CliRunner()
    unknown = runner.invoke(main, ["theme", "eject", "partials/fotter.html", "--site", str(root)])
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "Error: the theme has no file 'partials/fotter.html' (did you mean "
        "'partials/footer.html'?): 'site-gen theme list' shows them all\n"
    )
    assert runner.invoke(main, ["theme", "eject", "base.html", "--site", str(root)]).exit_code == 0
    again = runner.invoke(main, ["theme", "eject", "templates/base.html", "--site", str(root)])
    assert again.exit_code == 2
    assert again.stderr == (
        "Error: templates/base.html exists: the site already overrides base.html ('site-gen "
        "theme diff' shows how it differs; --force replaces it with the theme's current file)\n"
    )
    (root / "templates/base.html").write_text("mine")
    forced = runner.invoke(main, ["theme", "eject", "base.html", "--force", "--site", str(root)])
    assert forced.exit_code == 0
    assert (root / "templates/base.html").read_text().endswith(
        (REPO / "templates/base.html").read_text()
    )
    nowhere = runner.invoke(main, ["theme", "list", "--site", str(tmp_path / "none")])
    assert nowhere.exit_code == 2
    assert "is not a site (no site.toml)" in nowhere.stderr
    with pytest.raises(ThemeError, match="site-gen's own theme"):
        eject(REPO, "base.html")


def test_theme_list_on_the_command_line(make_site: SiteFactory) -> None:
    root = make_site()
    eject(root, "partials/footer.html")
    result = CliRunner().invoke(main, ["theme", "list", "--site", str(root)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == list(theme_files())
    assert "templates/partials/footer.html" not in names  # names, not paths
    width = max(len(n) for n in names)
    footer = next(line for line in lines if line.startswith("partials/footer.html"))
    assert footer == "partials/footer.html".ljust(width) + (
        f"  overridden: ejected from {VERSION}, the theme's is unchanged"
    )
    hook = next(line for line in lines if line.startswith("partials/page-end.html"))
    assert hook.endswith("hook: just before </body>")
    assert result.stderr == (
        f"\n{len(names)} theme files (site-gen {VERSION}); the site overrides 1.\n"
    )


# -- after an upgrade: check and diff --------------------------------------------------------


@pytest.fixture
def upgraded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The installed theme as a copy that a test may change: an upgrade, simulated."""
    theme = tmp_path / "installed"
    files = {}
    for name, path in theme_files().items():
        files[name] = theme / name
        files[name].parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, files[name])
    monkeypatch.setattr(theme_commands, "theme_files", lambda: dict(files))
    return theme


def footer_changed_upstream(theme: Path) -> None:
    path = theme / "partials/footer.html"
    path.write_text(path.read_text().replace('<p class="site-credit">', '<p class="credit">'))


def test_check_warns_when_an_ejected_files_original_changes(
    make_site: SiteFactory, upgraded: Path
) -> None:
    root = make_site()
    eject(root, "partials/footer.html")
    eject(root, "assets/site-gen.css")
    assert outdated_overrides(root) == []
    footer_changed_upstream(upgraded)
    report = check(root, CheckOptions(now=NOW, environ={}))
    assert [str(p) for p in report.warnings if p.path.startswith("templates")] == [
        f"templates/partials/footer.html:1: ejected from site-gen theme {VERSION}; the "
        "theme's partials/footer.html has changed since: 'site-gen theme diff "
        "partials/footer.html' shows the difference"
    ]
    assert not report.failed
    assert check(root, CheckOptions(now=NOW, environ={}, strict=True)).failed


def test_check_warns_about_an_ejected_file_the_theme_no_longer_has(
    make_site: SiteFactory, upgraded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site()
    eject(root, "partials/social.html")
    files = {n: p for n, p in theme_commands.theme_files().items() if n != "partials/social.html"}
    monkeypatch.setattr(theme_commands, "theme_files", lambda: files)
    assert [str(p) for p in outdated_overrides(root)] == [
        f"templates/partials/social.html:1: ejected from site-gen theme {VERSION}, whose "
        "partials/social.html the installed theme no longer has: this file overrides nothing"
    ]


def test_diff_of_an_unedited_copy_is_exactly_the_themes_change(
    make_site: SiteFactory, upgraded: Path
) -> None:
    root = make_site()
    eject(root, "partials/footer.html")
    unchanged = theme_diff(root, "partials/footer.html")
    assert unchanged.diff == ""
    assert "is unedited and the theme's partials/footer.html is unchanged" in unchanged.summary
    footer_changed_upstream(upgraded)
    result = theme_diff(root, "partials/footer.html")
    assert result.summary.startswith(
        f"The theme's partials/footer.html changed since you ejected it from {VERSION}, and "
        "your copy is unedited: the difference below is exactly the theme's change (+)."
    )
    assert [line for line in result.diff.splitlines() if line[:1] in "+-"] == [
        "--- templates/partials/footer.html (yours)",
        f"+++ theme partials/footer.html (site-gen {VERSION})",
        '-    <p class="site-credit">© {{ site.title }} · '
        '<a href="{{ (site.home ~ \'events.ics\') | url }}">'
        '{{ _("Calendar feed") }}</a> · {{ _("Video rooms by Callbridge") }}</p>',
        '+    <p class="credit">© {{ site.title }} · '
        '<a href="{{ (site.home ~ \'events.ics\') | url }}">'
        '{{ _("Calendar feed") }}</a> · {{ _("Video rooms by Callbridge") }}</p>',
    ]


def test_diff_of_an_edited_copy(make_site: SiteFactory, upgraded: Path) -> None:
    root = make_site()
    eject(root, "partials/footer.html")
    copy = root / "templates/partials/footer.html"
    copy.write_text(copy.read_text().replace("Calendar feed", "Our calendar"))
    mine = theme_diff(root, "partials/footer.html")
    assert mine.summary.startswith(
        f"The theme's partials/footer.html is as it was when you ejected it ({VERSION}): "
        "the difference below is your own edit"
    )
    footer_changed_upstream(upgraded)
    both = theme_diff(root, "partials/footer.html")
    fresh = hashlib.sha256((upgraded / "partials/footer.html").read_bytes()).hexdigest()
    assert both.summary.startswith("Both changed: ")
    line = f"{{# site-gen theme {VERSION}: partials/footer.html sha256={fresh} #}}"
    assert both.summary.endswith(
        f"make this your copy's first line, recording the theme's current file: {line}"
    )
    # Taking that record line: check is satisfied, and the edit is kept.
    copy.write_text(line + "\n" + copy.read_text().split("\n", 1)[1])
    assert outdated_overrides(root) == []


def test_diff_without_an_override_or_a_record(make_site: SiteFactory) -> None:
    root = make_site({"templates/base.html": (OLD_TEMPLATES / "base.html").read_text()})
    runner = CliRunner()
    none = runner.invoke(main, ["theme", "diff", "404.html", "--site", str(root)])
    assert none.exit_code == 2
    assert none.stderr == (
        "Error: the site does not override 404.html: it uses the theme's ('site-gen theme "
        "eject 404.html' copies it)\n"
    )
    old = runner.invoke(main, ["theme", "diff", "base.html", "--site", str(root)])
    assert old.exit_code == 0
    assert old.stderr.startswith("templates/base.html has no eject record")
    assert "+{% include \"partials/header.html\" %}" in old.stdout


def test_page_templates_compile_with_everything_they_use_before_workers_fork(
    make_site: SiteFactory,
) -> None:
    """PageBatch compiles in the parent: a forked worker must find every template ready."""
    from datetime import UTC, datetime

    from site_gen.render.renderer import Renderer
    from site_gen.structure.site import load_site

    own = '{% extends "!webinar.html" %}{% block aside %}{% endblock %}'
    root = make_site({"templates/webinar.html": own, "templates/broken.html": "{% if %}"})
    site = load_site(root, {})
    renderer = Renderer(root, site.config, now=datetime(2027, 1, 1, tzinfo=UTC))
    renderer.compile_templates(["webinar.html", "broken.html"])
    compiled = {name for _loader, name in renderer.env.cache}  # type: ignore[union-attr]
    assert {"webinar.html", "!webinar.html", "page.html", "base.html", "partials/header.html",
            "partials/footer.html", "partials/meta.html", "partials/room.html",
            "partials/labels.html"} <= compiled
    assert "broken.html" not in compiled  # left to rendering, which reports its line
