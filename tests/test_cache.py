"""The build cache: no-op rebuilds, incremental rebuilds, and never a stale file.

"Re-rendered" is read from inodes: a file the cache reuses stays where it
is (same inode); a rendered one is a new file moved into place. Site-wide
files are rendered on every change but replaced only when their bytes differ.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from site_gen.commands.build import BuildOptions, Report, build
from site_gen.errors import BuildFailed
from site_gen.output import pool as render_pool
from site_gen.paths import CACHE_DIR
from site_gen.render.theme import bundled_root
from site_gen.structure.files import SITE_FILES
from tests.helpers import NOW, SiteFactory, pin_webinars, snapshot

ROOM = """\
---
title: "{title}"
host: marketing
tags: [{tag}]
---
Body of {title}.
"""

WEBINAR = """\
---
title: "Launch"
kind: webinar
host: marketing
start: 2027-01-15 16:00
time_zone: America/Toronto
duration: 60
---
The launch.
"""


def rooms(n: int, tag: str = "talks") -> dict[str, str | bytes]:
    return {f"content/room-{i}.md": ROOM.format(title=f"Room {i}", tag=tag) for i in range(n)}


def run(root: Path, **options: object) -> Report:
    opts: dict[str, object] = {"now": NOW, "environ": {}}
    opts.update(options)
    return build(root, BuildOptions(**opts))  # type: ignore[arg-type]


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {rel for rel, ino in after.items() if before.get(rel) != ino}


SITE_WIDE = set(SITE_FILES)


def test_noop_rebuild_loads_nothing_and_keeps_the_output(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(rooms(5))
    first = run(root)
    out = root / "public"
    files = snapshot(out)
    before = inodes(out)

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op rebuild loaded the site")

    # build() imports plan_site when it runs: the patched one, if the no-op check fails.
    monkeypatch.setattr("site_gen.scheduling.plan.plan_site", no_loading)
    again = run(root)
    assert (again.pages, again.files, again.out_dir) == (first.pages, first.files, first.out_dir)
    assert snapshot(out) == files
    assert inodes(out) == before


def test_one_changed_page_rerenders_only_it_and_the_site_wide_files(
    make_site: SiteFactory,
) -> None:
    root = make_site(rooms(6))
    run(root)
    out = root / "public"
    before = inodes(out)
    page = root / "content/room-3.md"
    page.write_text(page.read_text().replace("Room 3", "Room Three"))
    run(root)
    rerendered = changed(before, inodes(out))
    pages = {r for r in rerendered if r.endswith("/index.html") and not r.startswith("tags/")}
    assert pages == {"room-3/index.html"}
    # The new title shows on the home page; the sitemap's bytes are the same: kept.
    assert "index.html" in rerendered and "sitemap.xml" not in rerendered
    assert "Room Three" in (out / "room-3/index.html").read_text()
    assert "Room Three" in (out / "index.html").read_text()
    assert "Room Three" in (out / "tags/talks/index.html").read_text()


def test_one_changed_webinar_keeps_the_others_calendar_entries(
    make_site: SiteFactory, tmp_path: Path
) -> None:
    # events.ics is re-made from the reused pages' event.ics files (their
    # VEVENT, DTSTAMP included) plus the changed page's new entry.
    webinars = {
        f"content/launch-{i}.md": WEBINAR.replace('"Launch"', f'"Launch {i}"') for i in range(3)
    }
    root = make_site(webinars)
    pin_webinars(root)
    run(root)
    out = root / "public"
    page = root / "content/launch-1.md"
    page.write_text(page.read_text().replace('"Launch 1"', '"Launch One"'))
    later = NOW + timedelta(minutes=1)
    run(root, now=later)
    events = (out / "events.ics").read_text()

    def vevent(text: str) -> str:
        return text[text.index("BEGIN:VEVENT") : text.index("END:VEVENT")]

    for i in (0, 1, 2):
        entry = vevent((out / f"launch-{i}/event.ics").read_text())
        assert entry in events
        stamp = (later if i == 1 else NOW).strftime("DTSTAMP:%Y%m%dT%H%M%SZ")
        assert stamp in entry
    assert "SUMMARY:Launch One" in events and "Launch 1\r" not in events
    assert events.count("BEGIN:VEVENT") == 3
    # The same calendar as a clean build's, but for when the others were stamped.
    run(root, now=later, out=tmp_path / "clean")
    clean = (tmp_path / "clean/events.ics").read_text()
    assert events.replace(NOW.strftime("%Y%m%dT%H%M%SZ"), later.strftime("%Y%m%dT%H%M%SZ")) == clean


def test_template_change_rerenders_exactly_the_pages_using_it(make_site: SiteFactory) -> None:
    root = make_site({**rooms(2), "content/launch.md": WEBINAR})
    pin_webinars(root)
    run(root)
    out = root / "public"
    before = inodes(out)
    theme = (bundled_root() / "templates/webinar.html").read_text()
    assert "Add to calendar" in theme
    (root / "templates").mkdir()
    (root / "templates/webinar.html").write_text(theme.replace("Add to calendar", "Save the date"))
    run(root)
    rerendered = changed(before, inodes(out))
    assert "launch/index.html" in rerendered
    assert "room-0/index.html" not in rerendered and "room-1/index.html" not in rerendered
    assert "Save the date" in (out / "launch/index.html").read_text()
    # A template every page extends: every page again.
    before = inodes(out)
    base = (bundled_root() / "templates/base.html").read_text()
    (root / "templates/base.html").write_text(base.replace("</body>", "<!-- v2 --></body>"))
    run(root)
    for rel in ("launch/index.html", "room-0/index.html", "room-1/index.html", "index.html"):
        assert "<!-- v2 -->" in (out / rel).read_text(), rel


def test_deleted_page_leaves_output_index_sitemap_and_tags(make_site: SiteFactory) -> None:
    root = make_site({**rooms(3), "content/only.md": ROOM.format(title="Lonely", tag="rare")})
    run(root)
    out = root / "public"
    assert (out / "only/index.html").exists() and (out / "tags/rare/index.html").exists()
    (root / "content/only.md").unlink()
    run(root)
    assert not (out / "only").exists()
    assert not (out / "tags/rare").exists()
    assert "Lonely" not in (out / "index.html").read_text()
    assert "/only/" not in (out / "sitemap.xml").read_text()
    assert "/tags/rare/" not in (out / "sitemap.xml").read_text()


def test_static_file_change_is_copied_even_with_the_same_size_and_mtime(
    make_site: SiteFactory,
) -> None:
    root = make_site({**rooms(2), "static/css/extra.css": "a { color: red; }\n"})
    run(root)
    out = root / "public"
    css = root / "static/css/extra.css"
    stat = css.stat()
    css.write_text("a { color: tan; }\n")  # same size
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    run(root)
    assert (out / "css/extra.css").read_text() == "a { color: tan; }\n"
    (root / "static/new.txt").write_text("new")
    run(root)
    assert (out / "new.txt").read_text() == "new"
    css.unlink()
    run(root)
    assert not (out / "css/extra.css").exists()


def test_content_change_with_the_same_size_and_mtime_is_seen(make_site: SiteFactory) -> None:
    root = make_site(rooms(2))
    run(root)
    page = root / "content/room-1.md"
    stat = page.stat()
    page.write_text(page.read_text().replace("Room 1", "Room X"))  # same size
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    run(root)
    assert "Room X" in (root / "public/room-1/index.html").read_text()


def test_config_change_rerenders_every_page(make_site: SiteFactory) -> None:
    from tests.helpers import BASE_CONFIG

    root = make_site(rooms(3))
    run(root)
    (root / "site.toml").write_text(BASE_CONFIG.replace('"Test Live"', '"Renamed Live"'))
    run(root)
    for i in range(3):
        assert "Renamed Live" in (root / f"public/room-{i}/index.html").read_text()


def test_environment_that_changes_the_config_is_part_of_the_key(
    make_site: SiteFactory,
) -> None:
    root = make_site(rooms(1))
    run(root)
    assert run(root).pages == 2  # with the default page
    with pytest.raises(Exception, match="CALLBRIDGE_API"):
        run(root, environ={"CALLBRIDGE_API": "http://example.com"})


def test_webinar_state_changes_match_a_clean_build(make_site: SiteFactory) -> None:
    """Across its states (the page's HTML depends on now), cached == from scratch."""
    root = make_site({"content/launch.md": WEBINAR})
    pin_webinars(root)
    out = root / "public"
    # The start is 2027-01-15 16:00 Toronto (21:00 UTC); NOW is 2027-01-01.
    clocks = [
        NOW,
        NOW + timedelta(days=14, hours=20, minutes=55),  # the room is open
        NOW + timedelta(days=14, hours=21, minutes=5),  # live
        NOW + timedelta(days=30),  # ended
        NOW,  # a clock going back is never served from a later build's record
    ]
    pages = set()
    for now in clocks:
        run(root, now=now)
        cached = snapshot(out)
        shutil.rmtree(root / ".site-gen")
        shutil.rmtree(out)
        run(root, now=now)
        clean = snapshot(out)
        for rel in ("launch/index.html", "index.html"):
            assert cached[rel] == clean[rel], (now, rel)
        pages.add(clean["launch/index.html"])
    assert len(pages) >= 2  # the states really show in the HTML


def test_edited_or_deleted_output_is_restored(make_site: SiteFactory) -> None:
    root = make_site(rooms(3))
    run(root)
    out = root / "public"
    good = snapshot(out)
    (out / "room-0/index.html").write_text("tampered")
    (out / "room-1/index.html").unlink()
    run(root)
    assert snapshot(out) == good
    shutil.rmtree(out)
    run(root)
    assert snapshot(out) == good


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\x00\xff not json", b"[]", b'{"format": 1}', b'{"format": 1, "version": "x"}'],
)
def test_corrupted_cache_is_discarded(make_site: SiteFactory, garbage: bytes) -> None:
    root = make_site(rooms(3))
    run(root)
    out = root / "public"
    good = snapshot(out)
    page = root / "content/room-2.md"
    page.write_text(page.read_text().replace("Room 2", "Room Two"))
    for record in (root / CACHE_DIR).iterdir():
        record.write_bytes(garbage)
    before = inodes(out)
    run(root)
    # Nothing trusted: every page rendered again, and the edit is there.
    assert all(before.get(rel) != ino for rel, ino in inodes(out).items())
    assert "Room Two" in (out / "room-2/index.html").read_text()
    assert set(snapshot(out)) == set(good)


def test_record_of_the_wrong_shape_is_discarded(make_site: SiteFactory) -> None:
    import json

    root = make_site(rooms(2))
    run(root)
    for record in (root / CACHE_DIR).iterdir():
        data = json.loads(record.read_text())
        for key in ("pages", "outputs", "inputs", "report"):
            if key in data:
                data[key] = ["not", "a", "mapping"]
        record.write_text(json.dumps(data))
    (root / "content/room-0.md").write_text(ROOM.format(title="Fresh", tag="t"))
    run(root)
    assert "Fresh" in (root / "public/room-0/index.html").read_text()


def test_cache_is_safe_to_delete(make_site: SiteFactory) -> None:
    root = make_site(rooms(3))
    run(root)
    good = snapshot(root / "public")
    shutil.rmtree(root / ".site-gen")
    run(root)
    assert snapshot(root / "public") == good
    assert (root / CACHE_DIR).is_dir()


def test_failed_build_keeps_output_and_cache(make_site: SiteFactory) -> None:
    root = make_site(rooms(3))
    run(root)
    out = root / "public"
    good = snapshot(out)
    (root / "templates").mkdir()
    (root / "templates/room.html").write_text('{% extends "page.html" %}{% block nope %}')
    with pytest.raises(BuildFailed, match=r"templates/room.html:1"):
        run(root)
    assert snapshot(out) == good
    (root / "templates/room.html").unlink()
    run(root)
    assert snapshot(out) == good


def test_process_pool_output_equals_serial_output(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Several webinars in two zones: events.ics is assembled from the VEVENTs
    # the workers made, and must come out as a serial build writes it.
    webinars = {
        f"content/launch-{i}.md": WEBINAR.replace('"Launch"', f'"Launch {i}"')
        .replace("2027-01-15", f"2027-0{i + 1}-15")
        .replace("America/Toronto", "Europe/Paris" if i % 2 else "America/Toronto")
        for i in range(5)
    }
    root = make_site({**rooms(12), **webinars})
    pin_webinars(root)
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 10**9)
    run(root, out=tmp_path / "serial")
    events = (tmp_path / "serial/events.ics").read_text()
    assert events.count("BEGIN:VEVENT") == 5
    assert events.count("BEGIN:VTIMEZONE") == 2
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(render_pool, "available_cores", lambda: 2)
    run(root, out=tmp_path / "pool")
    assert snapshot(tmp_path / "pool") == snapshot(tmp_path / "serial")


def test_process_pool_reports_a_page_error_and_keeps_the_output(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(rooms(6))
    run(root)
    good = snapshot(root / "public")
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(render_pool, "available_cores", lambda: 2)
    (root / "templates").mkdir()
    (root / "templates/room.html").write_text(
        '{% extends "page.html" %}{% block main %}{{ page.nope.deeper }}{% endblock %}'
    )
    with pytest.raises(BuildFailed, match=r"templates/room.html:1: UndefinedError"):
        run(root)
    assert snapshot(root / "public") == good
