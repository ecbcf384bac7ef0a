"""``site-gen check``: build's validation plus warnings, as text, JSON or annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_gen.cli import main
from site_gen.commands.build import BuildOptions, build
from site_gen.commands.check import CheckOptions, CheckReport, check
from tests.helpers import BASE_CONFIG, NOW, SiteFactory, pin_webinars, snapshot

#: A page check has nothing to say about.
CLEAN = """\
---
title: "Office Hours"
description: "Ask us anything."
image: /assets/favicon.svg
host: marketing
---
Hello.
"""


def webinar(start: str = "2027-03-15 16:00", extra: str = "") -> str:
    return (
        "---\n"
        'title: "Q1 Launch"\n'
        'description: "What is new."\n'
        "image: https://cdn.example/launch.png\n"
        "kind: webinar\n"
        "host: marketing\n"
        f"start: {start}\n"
        "duration: 60\n"
        f"{extra}"
        "---\n"
        "Join us.\n"
    )


def run_check(root: Path, **options: bool) -> CheckReport:
    return check(root, CheckOptions(now=NOW, environ={}, **options))


def lines(report: CheckReport) -> list[str]:
    return [f"{p.severity}: {p}" for p in report.problems]


@pytest.fixture
def site(make_site: SiteFactory) -> SiteFactory:
    """make_site whose default page is clean."""

    def factory(files: dict[str, str | bytes] | None = None, **kwargs: object) -> Path:
        return make_site({"content/office-hours.md": CLEAN, **(files or {})}, **kwargs)

    return factory


def test_a_clean_site_has_nothing_to_report(site: SiteFactory) -> None:
    report = run_check(site())
    assert report.problems == []
    assert report.pages == 1
    assert not report.failed


def test_missing_description_and_image(site: SiteFactory) -> None:
    root = site({"content/bare.md": "---\ntitle: Bare\nhost: marketing\n---\n"})
    assert lines(run_check(root)) == [
        "warning: content/bare.md:2: no description: search results and link previews "
        "will show none",
        "warning: content/bare.md:2: no image: link previews in social posts and chats "
        "will show none",
    ]


def test_base_url_not_https(site: SiteFactory) -> None:
    config = BASE_CONFIG.replace("https://live.test.example", "http://live.test.example")
    assert lines(run_check(site(config=config))) == [
        "warning: site.toml:3: base_url 'http://live.test.example' is not https: browsers "
        "refuse camera and microphone to embedded rooms on plain http pages (except localhost)",
    ]


def test_webinar_relying_on_the_site_time_zone(site: SiteFactory) -> None:
    root = site({"content/launch.md": webinar(), "content/zoned.md": webinar(
        extra="time_zone: Europe/Paris\nslug: zoned\n")})
    assert lines(run_check(root)) == [
        "warning: content/launch.md:7: no time_zone: start 2027-03-15 16:00 is read in the "
        "site's default, America/Toronto; say time_zone: to be sure",
    ]


def test_past_webinar_never_scheduled(site: SiteFactory) -> None:
    root = site({"content/old.md": webinar("2026-06-01 10:00", "time_zone: UTC\n")})
    assert lines(run_check(root)) == [
        "warning: content/old.md:7: webinar 'old' started in the past and was never "
        "scheduled: not scheduling it; its page shows it as ended",
    ]
    assert not run_check(root).failed
    assert run_check(root, strict=True).failed


def test_past_webinar_that_was_scheduled_is_fine(site: SiteFactory) -> None:
    root = site({"content/old.md": webinar("2026-06-01 10:00", "time_zone: UTC\n")})
    pin_webinars(root)
    assert run_check(root).problems == []


ON_LEAVE = """\
---
title: "Room"
description: "d"
image: /assets/favicon.svg
host: marketing
tags: [Product News]
on_leave:
  left: {left}
  kicked: "You were removed."
---
"""


@pytest.mark.parametrize(
    "link",
    [
        "/", "/office-hours/", "/office-hours", "/office-hours/index.html", "../../office-hours/",
        "./", "/assets/site-gen.css", "/events.ics", "/tags/product-news/", "/tags/",
        "https://example.com/thanks", "/office-hours/#top", "/?from=room",
    ],
)
def test_on_leave_links_that_lead_somewhere(site: SiteFactory, link: str) -> None:
    root = site({"content/rooms/a.md": ON_LEAVE.format(left=link)})
    assert run_check(root).problems == []


def test_on_leave_paths_that_lead_nowhere(site: SiteFactory) -> None:
    root = site({
        "content/a.md": ON_LEAVE.format(left="/thanks/"),
        "content/b.md": ON_LEAVE.format(left="../secret/").replace("Room", "B"),
        "content/secret.md": "---\ntitle: S\nhost: marketing\ndraft: true\n---\n",
    })
    assert lines(run_check(root)) == [
        "warning: content/a.md:8: on_leave.left: '/thanks/' points at no page or file of "
        "this site",
        "warning: content/b.md:8: on_leave.left: '../secret/' points at a draft page",
    ]
    # Built with drafts, the draft page is there (and its own warnings appear).
    assert [p for p in run_check(root, drafts=True).problems if p.path == "content/b.md"] == []


#: A bilingual site with tags in each language; German is configured but has no page.
BILINGUAL = BASE_CONFIG + """
[languages.fr]
title = "Test en direct"

[languages.de]
title = "Test live"
"""


def _bilingual(site: SiteFactory, link: str) -> Path:
    room_fr = ON_LEAVE.format(left=link).replace("Product News", "Produit").replace("Room", "Salle")
    return site(
        {"content/rooms/a.md": ON_LEAVE.format(left=link), "content/fr/rooms/a.md": room_fr},
        config=BILINGUAL,
    )


@pytest.mark.parametrize(
    "link",
    [
        "/fr/", "/fr/index.html", "/fr/events.ics", "/fr/tags/", "/fr/tags/index.html",
        "/fr/tags/produit/", "/fr/tags/produit/index.html", "/fr/rooms/a/", "/tags/product-news/",
    ],
)
def test_links_to_each_languages_listings_lead_somewhere(site: SiteFactory, link: str) -> None:
    """Each language's index, tags index, tag pages and events.ics are pages of the site."""
    assert run_check(_bilingual(site, link)).problems == []


@pytest.mark.parametrize(
    "link",
    # German has no page: the build writes no /de/ at all. A French tag has
    # no English page, nor an English tag a French one.
    ["/de/", "/de/events.ics", "/de/tags/", "/fr/tags/product-news/", "/tags/produit/"],
)
def test_links_to_listings_a_build_does_not_write(site: SiteFactory, link: str) -> None:
    found = lines(run_check(_bilingual(site, link)))
    assert found and all("points at no page or file of this site" in p for p in found), found


def test_check_accepts_a_link_to_every_page_a_multilingual_build_writes(
    site: SiteFactory,
) -> None:
    """The same list, from the other side: each HTML and .ics file of a real build."""
    root = _bilingual(site, "/")
    build(root, BuildOptions(now=NOW, environ={}, offline=True))
    public = root / "public"
    written = sorted(
        "/" + p.relative_to(public).as_posix()
        for p in public.rglob("*")
        if p.suffix in (".html", ".ics") and "immutable" not in p.parts
    )
    assert "/fr/tags/produit/index.html" in written and "/fr/events.ics" in written
    nav = "".join(
        f'\n[[theme.nav]]\nlabel = "L{i}"\nurl = "{path}"\n' for i, path in enumerate(written)
    )
    (root / "site.toml").write_text(BILINGUAL + nav, encoding="utf-8")
    assert run_check(root).problems == []


def test_errors_are_builds_errors(site: SiteFactory) -> None:
    root = site({"content/bad.md": "---\ntitle: Bad\nkind: webniar\nhost: marketing\n---\n"})
    report = run_check(root)
    assert lines(report) == [
        "error: content/bad.md:3: kind: 'webniar' is not one of 'room', 'webinar', "
        "'livestream', 'watch_party' (did you mean 'webinar'?)",
    ]
    assert report.failed


def test_a_webinar_changed_under_its_lock_entry_is_an_error(site: SiteFactory) -> None:
    root = site({"content/launch.md": webinar(extra="time_zone: UTC\n")})
    pin_webinars(root)
    (root / "content/launch.md").write_text(webinar("2027-03-16 16:00", "time_zone: UTC\n"))
    report = run_check(root)
    assert [p.severity for p in report.problems] == ["error"]
    assert "run 'site-gen build --reschedule'" in report.problems[0].message


def test_check_calls_no_api_and_writes_nothing(site: SiteFactory) -> None:
    # A webinar the lock lacks, an API nobody can reach and no credentials: a
    # build would have to call; check must not, and passes.
    config = BASE_CONFIG.replace('api = "sandbox"', 'api = "https://callbridge.invalid"')
    root = site({"content/launch.md": webinar(extra="time_zone: UTC\n")}, config=config)
    before = snapshot(root)
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before


# The command line ------------------------------------------------------------


def test_cli_text_output_and_exit_codes(site: SiteFactory) -> None:
    root = site({"content/bare.md": "---\ntitle: Bare\nhost: marketing\n---\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "content/bare.md:2: warning: no description: search results and link previews "
        "will show none",
        "content/bare.md:2: warning: no image: link previews in social posts and chats "
        "will show none",
    ]
    assert result.stderr == "OK: 0 errors, 2 warnings in 2 pages.\n"

    strict = CliRunner().invoke(main, ["check", "--strict", str(root)])
    assert strict.exit_code == 1
    assert strict.stderr == "Error: 0 errors, 2 warnings in 2 pages.\n"

    quiet = CliRunner().invoke(main, ["check", "-q", str(root)])
    assert quiet.exit_code == 0
    assert quiet.output == ""


def test_cli_errors_exit_1(site: SiteFactory) -> None:
    root = site({"content/bad.md": "---\ntitle: Bad\nskipjoin: true\nhost: marketing\n---\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert result.stdout == "content/bad.md:3: unknown key 'skipjoin'\n"
    assert result.stderr == "Error: 1 error, 0 warnings in 2 pages.\n"


def test_cli_json(site: SiteFactory) -> None:
    root = site({
        "content/bad.md": "---\ntitle: Bad\nhost: nobody\n---\n",
        "content/bare.md": "---\ntitle: Bare\ndescription: d\nhost: marketing\n---\n",
    })
    result = CliRunner().invoke(main, ["check", "--format", "json", str(root)])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {
            "file": "content/bad.md", "line": 3, "severity": "error",
            "message": "unknown host 'nobody' (defined: marketing)",
        },
    ]
    fixed = root / "content/bad.md"
    fixed.unlink()
    result = CliRunner().invoke(main, ["check", "--format", "json", str(root)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "file": "content/bare.md", "line": 2, "severity": "warning",
            "message": "no image: link previews in social posts and chats will show none",
        },
    ]


def test_cli_github_annotations(site: SiteFactory) -> None:
    root = site({
        "content/bad.md": "---\ntitle: Bad\nhost: nobody\n---\n",
        "content/bare.md": "---\ntitle: Bare\ndescription: d\nhost: marketing\n---\n",
    })
    result = CliRunner().invoke(main, ["check", "--format", "github", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=content/bad.md,line=3::unknown host 'nobody' (defined: marketing)",
    ]
    (root / "content/bad.md").unlink()
    result = CliRunner().invoke(main, ["check", "--format", "github", str(root)])
    assert result.stdout.splitlines() == [
        "::warning file=content/bare.md,line=2::no image: link previews in social posts and "
        "chats will show none",
    ]


def test_github_escaping() -> None:
    from site_gen.console import format_github
    from site_gen.errors import Problem

    problem = Problem("content/a,b:c.md", None, "100% wrong\nsecond line")
    assert format_github(problem) == "::error file=content/a%2Cb%3Ac.md::100%25 wrong%0Asecond line"
