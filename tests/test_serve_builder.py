"""PreviewSite: the preview's in-memory site and what each change re-renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_gen.commands.build import BuildOptions, build
from site_gen.preview import PreviewSite
from tests.helpers import NOW, ROOM_PAGE, SiteFactory, snapshot
from tests.webinars import webinar

OTHER_PAGE = """\
---
title: "Town Hall"
host: marketing
tags: [company]
---
All hands.
"""


def preview(root: Path) -> PreviewSite:
    site = PreviewSite(root, environ={}, clock=lambda: NOW)
    site.build()
    return site


def html(site: PreviewSite, rel: str) -> BeautifulSoup:
    return BeautifulSoup(site.files[rel].data().decode(), "html.parser")


def edit(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_first_build_renders_every_page_into_memory(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    assert site.last is not None
    assert site.last.pages_rendered == 2
    assert site.last.site_files_rendered
    assert site.problems == ()
    for rel in ("index.html", "office-hours/index.html", "town-hall/index.html", "404.html",
                "sitemap.xml", "tags/company/index.html", "assets/site-gen.css"):
        assert rel in site.files
    assert not (root / "public").exists()


def test_body_edit_renders_one_page_and_no_listing(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    index_before = site.files["index.html"]
    path = edit(root, "content/office-hours.md", ROOM_PAGE.replace("Hello", "Goodbye"))
    rebuild = site.update([path])
    assert rebuild.pages_rendered == 1
    assert not rebuild.site_files_rendered
    assert rebuild.changed == {"office-hours/index.html"}
    assert "Goodbye" in html(site, "office-hours/index.html").text
    assert site.files["index.html"] is index_before


def test_each_rebuild_is_remembered_with_its_own_counts(make_site: SiteFactory) -> None:
    """A client timing one edit finds that edit's rebuild even after later ones (reload_bench)."""
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    first = edit(root, "content/office-hours.md", ROOM_PAGE.replace("Hello", "Goodbye"))
    one = site.update([first])
    site.update([edit(root, "content/town-hall.md", OTHER_PAGE.replace("All hands", "Later"))])
    assert site.last is not None and site.last.number == one.number + 1
    assert [r.number for r in site.recent] == [1, one.number, one.number + 1]
    mine = next(r for r in site.recent if r.number > 1 and "office-hours/index.html" in r.changed)
    assert mine is one and mine.pages_rendered == 1


def test_title_edit_renders_one_page_and_the_listings(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    path = edit(root, "content/town-hall.md", OTHER_PAGE.replace("Town Hall", "All Hands"))
    rebuild = site.update([path])
    assert rebuild.pages_rendered == 1
    assert rebuild.site_files_rendered
    assert {"town-hall/index.html", "index.html", "tags/company/index.html"} <= rebuild.changed
    assert "All Hands" in html(site, "index.html").text


def test_template_edit_renders_every_page(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    base = (Path(__file__).parents[1] / "templates/base.html").read_text()
    path = edit(root, "templates/base.html", base.replace("Skip to content", "Skip ahead"))
    rebuild = site.update([path])
    assert rebuild.pages_rendered == 2
    assert rebuild.site_files_rendered
    for rel in ("office-hours/index.html", "town-hall/index.html", "index.html"):
        assert rel in rebuild.changed
        assert "Skip ahead" in html(site, rel).text


def test_static_edit_touches_only_that_file(make_site: SiteFactory) -> None:
    root = make_site({"static/img/logo.svg": "<svg/>"})
    site = preview(root)
    path = edit(root, "static/img/logo.svg", "<svg id='new'/>")
    rebuild = site.update([path])
    assert rebuild.pages_rendered == 0
    assert not rebuild.site_files_rendered
    assert rebuild.changed == {"img/logo.svg"}
    assert rebuild.static_changed
    assert site.files["img/logo.svg"].data() == b"<svg id='new'/>"


def test_config_edit_reloads_everything(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    config = (root / "site.toml").read_text()
    path = edit(root, "site.toml", config.replace('"Test Live"', '"Renamed Live"'))
    rebuild = site.update([path])
    assert rebuild.pages_rendered == 2
    assert "Renamed Live" in html(site, "town-hall/index.html").text


def test_broken_front_matter_keeps_the_page_and_names_file_and_line(
    make_site: SiteFactory,
) -> None:
    root = make_site()
    site = preview(root)
    path = edit(root, "content/office-hours.md", "---\ntitle: Office Hours\nhost: [unclosed\n---\n")
    rebuild = site.update([path])
    assert len(rebuild.problems) == 1
    assert rebuild.problems[0].startswith("content/office-hours.md:")
    assert rebuild.pages_rendered == 0
    # The last good version stays on screen under the overlay.
    assert "Hello" in html(site, "office-hours/index.html").text
    path = edit(root, "content/office-hours.md", ROOM_PAGE.replace("Hello", "Fixed"))
    fixed = site.update([path])
    assert fixed.problems == ()
    assert "Fixed" in html(site, "office-hours/index.html").text


def test_invalid_key_is_reported_at_its_line(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    path = edit(root, "content/office-hours.md", ROOM_PAGE.replace("host:", "kind: rom\nhost:"))
    rebuild = site.update([path])
    assert rebuild.problems == (
        "content/office-hours.md:3: kind: 'rom' is not one of 'room', 'webinar', 'livestream', "
        "'watch_party' (did you mean 'room'?)",
    )


def test_template_error_names_template_and_line_and_keeps_pages(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    broken = '{% extends "page.html" %}\n{% block main %}\n{{ oops(\n'
    path = edit(root, "templates/room.html", broken)
    rebuild = site.update([path])
    assert rebuild.problems
    assert all(p.startswith("templates/room.html:") for p in rebuild.problems)
    assert "Hello" in html(site, "office-hours/index.html").text
    path.unlink()
    back = site.update([path])
    assert back.problems == ()
    assert back.pages_rendered == 1


def test_cross_page_problem_keeps_the_last_good_page(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    path = edit(root, "content/office-hours.md", ROOM_PAGE.replace("marketing", "sales"))
    rebuild = site.update([path])
    assert rebuild.problems == (
        "content/office-hours.md:3: unknown host 'sales' (defined: marketing)",
    )
    assert "office-hours/index.html" in site.files


def test_new_duplicate_slug_is_a_problem_not_a_crash(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    path = edit(root, "content/zz.md", ROOM_PAGE.replace("host:", "slug: office-hours\nhost:"))
    rebuild = site.update([path])
    assert len(rebuild.problems) == 1
    assert "duplicate slug 'office-hours'" in rebuild.problems[0]
    assert rebuild.problems[0].startswith("content/zz.md:3:")


def test_added_and_deleted_pages(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    path = edit(root, "content/talks/town-hall.md", OTHER_PAGE)
    added = site.update([path.parent])
    assert added.pages_rendered == 1
    assert "talks/town-hall/index.html" in site.files
    path.unlink()
    removed = site.update([path])
    assert "talks/town-hall/index.html" not in site.files
    assert "talks/town-hall/index.html" in removed.changed
    assert "Town Hall" not in html(site, "index.html").text


def test_drafts_are_shown_with_a_badge(make_site: SiteFactory) -> None:
    root = make_site({"content/secret.md": OTHER_PAGE.replace("tags:", "draft: true\ntags:")})
    site = preview(root)
    badge = html(site, "secret/index.html").select_one(".badge-draft")
    assert badge is not None and badge.text == "Draft"


def test_unscheduled_webinar_shows_the_placeholder_and_schedules_nothing(
    make_site: SiteFactory,
) -> None:
    root = make_site({"content/q1.md": webinar()})
    site = preview(root)
    assert site.problems == ()
    page = html(site, "q1/index.html")
    placeholder = page.select_one(".cb-placeholder")
    assert placeholder is not None
    assert "scheduled when published" in placeholder.text.lower()
    assert page.find("iframe") is None
    assert not (root / "site-gen.lock").exists()


def test_files_outside_the_watched_folders_are_ignored(make_site: SiteFactory) -> None:
    root = make_site()
    site = preview(root)
    first = site.last
    assert site.update([root / "public/index.html", root / "notes.txt"]) is first


def test_a_build_never_contains_the_reload_script(make_site: SiteFactory) -> None:
    root = make_site()
    build(root, BuildOptions(now=NOW, environ={}))
    for rel, data in snapshot(root / "public").items():
        assert b"_site-gen" not in data, rel
    # ...and the preview's memory holds the same pages: injection happens when serving.
    site = preview(root)
    assert b"_site-gen" not in site.files["office-hours/index.html"].data()


def test_deferred_listings_follow_the_edited_page(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    path = edit(root, "content/town-hall.md", OTHER_PAGE.replace("Town Hall", "All Hands"))
    first = site.update([path], defer=True)
    assert (first.pages_rendered, first.site_files_rendered) == (1, False)
    assert first.changed == {"town-hall/index.html"}
    assert site.site_files_pending
    assert "All Hands" not in html(site, "index.html").text
    then = site.finish()
    assert then is not None
    assert (then.pages_rendered, then.site_files_rendered) == (0, True)
    assert "index.html" in then.changed
    assert "All Hands" in html(site, "index.html").text
    assert not site.site_files_pending
    assert site.finish() is None


def test_body_edits_after_a_fixed_problem_take_the_full_path(make_site: SiteFactory) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    path = edit(root, "content/town-hall.md", OTHER_PAGE.replace("marketing", "nobody"))
    assert site.update([path]).problems
    fixed = site.update([edit(root, "content/town-hall.md", OTHER_PAGE.replace("All", "Some"))])
    assert fixed.problems == ()
    assert fixed.pages_rendered == 1
    assert "Some hands" in html(site, "town-hall/index.html").text
    again = site.update([edit(root, "content/town-hall.md", OTHER_PAGE.replace("All", "Few"))])
    assert (again.pages_rendered, again.site_files_rendered) == (1, False)
    assert "Few hands" in html(site, "town-hall/index.html").text


def test_a_new_webinar_and_a_stream_of_it_added_while_serving(make_site: SiteFactory) -> None:
    """Regression: a slug lookup cached on the site went stale when pages were added.

    The livestream's stream_of named the new webinar, the stale lookup missed it
    and read it as a host key: a KeyError escaped and live reload stopped.
    """
    stream = "---\ntitle: Stream\nkind: livestream\nstream_of: {}\n---\nWatch.\n"
    # A livestream from the start: resolving it looks a slug up (and used to cache).
    root = make_site({"content/keynote.md": stream.format("marketing")})
    site = preview(root)
    assert site.problems == ()
    paths = [
        edit(root, "content/q1.md", webinar()),
        edit(root, "content/stream.md", stream.format("q1")),
    ]
    rebuild = site.update(paths)
    assert rebuild.problems == ()
    assert rebuild.pages_rendered == 2  # the two new pages; the others are unchanged
    placeholder = html(site, "stream/index.html").find(class_="cb-placeholder")
    assert placeholder is not None
    assert "Available when published." in placeholder.get_text()


def test_an_unexpected_error_is_shown_and_the_last_good_pages_stay(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"content/town-hall.md": OTHER_PAGE})
    site = preview(root)
    before = dict(site.files)
    path = edit(root, "content/office-hours.md", ROOM_PAGE.replace("Hello", "Goodbye"))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr("site_gen.preview.incremental.load_page", broken)
        failed = site.update([path])
    assert failed.problems == (
        "content/office-hours.md: unexpected error: RuntimeError: boom (a bug in site-gen: "
        "please report it; the preview keeps the last good pages)",
    )
    assert site.files == before
    assert "Hello" in html(site, "office-hours/index.html").get_text()
    # The next save starts again from the last good state, and succeeds.
    again = site.update([path])
    assert again.problems == ()
    assert "Goodbye" in html(site, "office-hours/index.html").get_text()
