"""Incremental builds are never stale and never half-written.

Two properties, each against a clean build of the same inputs (a copy of
the site without ``public/`` or ``.site-gen/``), byte for byte except the
``DTSTAMP`` of calendar entries (a reused entry keeps the time it was
last revised, as RFC 5545 asks):

- after every step of a random sequence of edits (page bodies and front
  matter, templates, static files, site.toml, lock entries, pages added,
  deleted and renamed, the clock passing a webinar's start and end), the
  incremental build's output is the clean build's;
- a build killed with SIGKILL at a random file operation of its write
  phase leaves every page that both outputs share in place, whole, old or
  new; and the next build repairs the output to exactly the clean build's.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_gen.commands.build import BuildOptions, build
from site_gen.output.staging import journal_path
from site_gen.paths import LOCK_FILE
from tests.helpers import BASE_CONFIG, NOW, pin_webinars, snapshot, write_tree

REPO = Path(__file__).resolve().parents[1]

#: The webinar starts at 15:00 UTC (10:00 in Toronto) on NOW's day, for an hour.
WEBINAR = """\
---
title: "Launch {n}"
kind: webinar
host: marketing
tags: [launch]
start: 2027-01-01 10:00
time_zone: America/Toronto
duration: 60
---
The launch, {n}.
"""

ROOM = """\
---
title: "Room {n}"
host: marketing
tags: [{tag}]
---
Body of room {n}.
"""

#: NOW (upcoming), the room open before the start, live, ended.
TIMES = [
    NOW,
    datetime(2027, 1, 1, 14, 55, tzinfo=UTC),
    datetime(2027, 1, 1, 15, 30, tzinfo=UTC),
    datetime(2027, 1, 1, 16, 30, tzinfo=UTC),
]

_DTSTAMP = re.compile(rb"\r\nDTSTAMP:[0-9TZ]+\r\n")


def _masked(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: _DTSTAMP.sub(b"\r\nDTSTAMP:X\r\n", data) for rel, data in files.items()}


def _base_site(root: Path, rooms: int = 3) -> None:
    files: dict[str, str | bytes] = {"site.toml": BASE_CONFIG}
    for n in range(rooms):
        files[f"content/room-{n}.md"] = ROOM.format(n=n, tag=f"t{n % 2}")
    files["content/launch.md"] = WEBINAR.format(n=0)
    files["static/files/note.txt"] = "a note\n"
    write_tree(root, files)
    pin_webinars(root)


def _build(root: Path, now: datetime) -> None:
    build(root, BuildOptions(now=now, environ={}))


def _clean_output(root: Path, now: datetime, scratch: Path) -> dict[str, bytes]:
    """What a clean build of ``root``'s inputs writes (in a copy, without output or cache)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for name in ("site.toml", LOCK_FILE):
        if (root / name).exists():
            shutil.copy2(root / name, scratch / name)
    for folder in ("content", "templates", "static"):
        if (root / folder).exists():
            shutil.copytree(root / folder, scratch / folder)
    _build(scratch, now)
    return snapshot(scratch / "public")


def _pages(root: Path) -> list[Path]:
    return sorted((root / "content").glob("*.md"))


def _rooms(root: Path) -> list[Path]:
    return [p for p in _pages(root) if "kind: webinar" not in p.read_text()]


# -- edits: each takes the site and a number, and changes one input -------------------


def _edit_body(root: Path, n: int) -> None:
    pages = _pages(root)
    if pages:
        page = pages[n % len(pages)]
        page.write_text(page.read_text() + f"\nEdited {n}.\n")


def _edit_title(root: Path, n: int) -> None:
    pages = _pages(root)
    if pages:
        page = pages[n % len(pages)]
        text = re.sub(r'title: "([^"]*)"', f'title: "Title {n}"', page.read_text(), count=1)
        page.write_text(text)


def _edit_tags(root: Path, n: int) -> None:
    rooms = _rooms(root)
    if rooms:
        page = rooms[n % len(rooms)]
        page.write_text(re.sub(r"tags: \[[^\]]*\]", f"tags: [t{n % 3}]", page.read_text(), count=1))


def _add_room(root: Path, n: int) -> None:
    (root / f"content/new-{n}.md").write_text(ROOM.format(n=f"new {n}", tag=f"t{n % 3}"))


def _add_webinar(root: Path, n: int) -> None:
    (root / f"content/webinar-{n}.md").write_text(WEBINAR.format(n=n))
    pin_webinars(root)


def _delete(root: Path, n: int) -> None:
    pages = _pages(root)
    if len(pages) > 1:
        pages[n % len(pages)].unlink()


def _rename(root: Path, n: int) -> None:
    rooms = _rooms(root)
    if rooms:
        rooms[n % len(rooms)].rename(root / f"content/renamed-{n}.md")


def _template(root: Path, n: int) -> None:
    hook = root / "templates/partials/footer-extra.html"
    if n % 3 == 0:
        hook.unlink(missing_ok=True)
    else:
        write_tree(root, {"templates/partials/footer-extra.html": f"<p>Footer {n}</p>\n"})


def _static(root: Path, n: int) -> None:
    file = root / f"static/files/s{n % 3}.txt"
    if n % 4 == 0:
        file.unlink(missing_ok=True)
    else:
        write_tree(root, {f"static/files/s{n % 3}.txt": f"static {n}\n"})


def _config(root: Path, n: int) -> None:
    config = root / "site.toml"
    text = re.sub(r'title = "[^"]*"', f'title = "Site {n % 4}"', config.read_text(), count=1)
    config.write_text(text)


def _lock(root: Path, n: int) -> None:
    lock = root / LOCK_FILE
    data = json.loads(lock.read_text())
    for section in data.get("apis", data).values():
        if not isinstance(section, dict):
            continue
        for conf in section.get("conferences", {}).values():
            conf["access_code"] = f"{700000000 + n % 5}"
    lock.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


EDITS = {
    "body": _edit_body,
    "title": _edit_title,
    "tags": _edit_tags,
    "add room": _add_room,
    "add webinar": _add_webinar,
    "delete": _delete,
    "rename": _rename,
    "template": _template,
    "static": _static,
    "config": _config,
    "lock": _lock,
    "time": lambda root, n: None,  # the clock moves: see the test
}

STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 10_000)), min_size=1, max_size=4
)


def test_lock_edit_reaches_the_lock() -> None:
    """The lock edit of the property test changes what pages show (it must not be a no-op)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        _base_site(root)
        before = (root / LOCK_FILE).read_text()
        _lock(root, 3)
        assert (root / LOCK_FILE).read_text() != before
        assert "700000003" in (root / LOCK_FILE).read_text()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=STEPS)
def test_incremental_build_equals_a_clean_build_after_every_edit(
    steps: list[tuple[str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        _base_site(root)
        now = NOW
        _build(root, now)
        for name, n in steps:
            EDITS[name](root, n)
            if name == "time":
                now = TIMES[n % len(TIMES)]
            _build(root, now)
            expected = _clean_output(root, now, Path(tmp) / "clean")
            assert _masked(snapshot(root / "public")) == _masked(expected), (name, n)


# -- killed builds ----------------------------------------------------------------------

#: Run in a child process: build, counting the write phase's file operations,
#: and SIGKILL itself at operation number KILL_AT (0: never; print the count).
_KILLER = r"""
import os, pathlib, shutil, signal, sys
from datetime import datetime
sys.path.insert(0, sys.argv[1])
from site_gen.commands.build import BuildOptions, build
import site_gen.output.pool as pool
import site_gen.output.staging as staging
import site_gen.output.write_site as write_site_module

root, kill_at, now = pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
state = {"writing": False, "ops": 0}

def counted(fn):
    def wrapper(*args, **kwargs):
        if state["writing"]:
            state["ops"] += 1
            if state["ops"] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapper

pathlib.Path.replace = counted(pathlib.Path.replace)
pathlib.Path.unlink = counted(pathlib.Path.unlink)
pathlib.Path.write_bytes = counted(pathlib.Path.write_bytes)
pathlib.Path.rename = counted(pathlib.Path.rename)
shutil.copyfile = counted(shutil.copyfile)
pool._write_new = counted(pool._write_new)
staging.atomic_write = counted(staging.atomic_write)
original = write_site_module.write_site

def write_site(*args, **kwargs):
    state["writing"] = True
    try:
        return original(*args, **kwargs)
    finally:
        state["writing"] = False

sys.modules["site_gen.output.write_site"].write_site = write_site
build(root, BuildOptions(now=datetime.fromisoformat(now), environ={}))
print(state["ops"])
"""


def _killed_build(root: Path, kill_at: int, now: datetime) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _KILLER, str(REPO), str(root), str(kill_at), now.isoformat()],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _scenario(root: Path, variant: int) -> datetime:
    """A set of edits touching pages, listings, statics and deletions; returns the new clock."""
    _edit_body(root, 1)
    _edit_title(root, 2)
    _delete(root, 0)
    _add_room(root, variant)
    _static(root, 1 + variant)
    if variant % 2:
        _config(root, variant)  # every page changes
    if variant % 3 == 0:
        _rename(root, variant)
    return TIMES[variant % len(TIMES)]


_COUNTS: dict[int, int] = {}


@pytest.mark.parametrize("seed", range(50))
def test_a_build_killed_while_writing_is_repaired_by_the_next(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    variant = seed % 5
    root = tmp_path / "site"
    _base_site(root, rooms=8)
    _build(root, NOW)
    old = snapshot(root / "public")
    now = _scenario(root, variant)
    expected = _clean_output(root, now, tmp_path / "clean")
    if variant not in _COUNTS:  # how many file operations the write phase makes
        probe = tmp_path / "probe"
        shutil.copytree(root, probe)
        done = _killed_build(probe, 0, now)
        assert done.returncode == 0, done.stderr
        _COUNTS[variant] = int(done.stdout.split()[-1])
    kill_at = rng.randint(1, _COUNTS[variant])
    killed = _killed_build(root, kill_at, now)
    assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)

    # In between: every page both outputs have is there, whole, old or new.
    now_there = snapshot(root / "public")
    for rel in set(old) & set(expected):
        if rel.endswith("index.html") or rel.endswith(".ics"):
            assert rel in now_there, (kill_at, rel)
            masked = _masked({rel: now_there[rel]})[rel]
            assert masked in (_masked(old)[rel], _masked(expected)[rel]), (kill_at, rel)

    _build(root, now)
    assert _masked(snapshot(root / "public")) == _masked(expected), kill_at
    assert not journal_path(root / "public").exists()
    assert not list(root.glob(".public.tmp-*"))


def test_a_failed_build_leaves_the_output_and_its_record(tmp_path: Path) -> None:
    """A template error after some pages are written: nothing moves, and the next build is right."""
    root = tmp_path / "site"
    _base_site(root)
    _build(root, NOW)
    before = snapshot(root / "public")
    _edit_body(root, 1)
    write_tree(root, {"templates/partials/footer-extra.html": "{% if %}\n"})
    with pytest.raises(Exception, match="footer-extra"):
        _build(root, NOW)
    assert snapshot(root / "public") == before
    assert not list(root.glob(".public.tmp-*"))
    (root / "templates/partials/footer-extra.html").unlink()
    _build(root, NOW)
    expected = _clean_output(root, NOW, tmp_path / "clean")
    assert _masked(snapshot(root / "public")) == _masked(expected)


def test_touching_every_file_reuses_every_page(tmp_path: Path) -> None:
    """New mtimes with the same bytes (a git checkout): pages are kept, not rendered again."""
    root = tmp_path / "site"
    _base_site(root)
    _build(root, NOW)
    out = root / "public"
    inodes = {p: p.stat().st_ino for p in out.rglob("*.html")}
    later = (datetime.now(UTC) + timedelta(seconds=5)).timestamp()
    for page in _pages(root):
        data = page.read_bytes()
        page.unlink()
        page.write_bytes(data)  # a new inode and ctime, as git writes files
        os.utime(page, (later, later))
    _build(root, NOW)
    assert {p: p.stat().st_ino for p in out.rglob("*.html")} == inodes


def test_other_files_a_build_wrote_are_deleted_once_no_longer_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever else goes through the stage (fingerprinted assets, say) is recorded too."""
    from site_gen.output import write_site as module
    from site_gen.structure.files import OutputFile

    original = module.write_files
    extra = {"name": "immutable/old.css"}

    def write_files(stage: Any, files: Any) -> None:
        original(stage, files)
        name = extra.get("name")
        if name and name.lower() not in stage.files:
            original(stage, [OutputFile(name, "test", text="old\n")])

    monkeypatch.setattr(module, "write_files", write_files)
    root = tmp_path / "site"
    _base_site(root)
    _build(root, NOW)
    assert (root / "public/immutable/old.css").is_file()
    extra["name"] = "immutable/new.css"
    _edit_title(root, 1)  # a body edit alone renders only its page (output/edits.py)
    _build(root, NOW)
    assert not (root / "public/immutable/old.css").exists()
    assert (root / "public/immutable/new.css").is_file()
    extra.clear()
    _edit_title(root, 2)
    _build(root, NOW)
    expected = _clean_output(root, NOW, tmp_path / "clean")
    assert _masked(snapshot(root / "public")) == _masked(expected)
    assert not (root / "public/immutable/new.css").exists()


def test_touching_every_input_is_a_no_op(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same bytes, new stats everywhere (a checkout): the last build is replayed, nothing loaded."""
    root = tmp_path / "site"
    _base_site(root)
    write_tree(root, {"templates/partials/footer-extra.html": "<p>Footer</p>\n"})
    _build(root, NOW)
    files = snapshot(root / "public")
    # An hour ago: not "racily clean", so only the contents can tell.
    earlier = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    for path in [
        *root.joinpath("content").rglob("*.md"),
        root / "site.toml",
        root / "templates/partials/footer-extra.html",
        root / "static/files/note.txt",
    ]:
        os.utime(path, (earlier, earlier))

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build of touched files loaded the site")

    monkeypatch.setattr("site_gen.scheduling.plan.plan_site", no_loading)
    _build(root, NOW)
    assert snapshot(root / "public") == files
    _build(root, NOW)  # and again: the record now has the new stats
    # A changed byte is seen, whatever the stat says.
    page = root / "content/room-1.md"
    stat = page.stat()
    page.write_text(page.read_text().replace("Room 1", "Room X"))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    monkeypatch.undo()
    _build(root, NOW)
    assert b"Room X" in (root / "public/room-1/index.html").read_bytes()
