"""A rebuild after body edits renders those pages and nothing else (output/edits.py).

Each test builds a site with translations (en, fr, ar), a livestream of a
webinar and a registration form, edits files, builds again and compares
the output with a clean build of the same inputs, byte for byte but the
calendar entries' DTSTAMP. Whether the short path ran is observed by
making the whole build impossible (``write_site`` raises): a body edit
must not need it, anything else must reach it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import site_gen.output.cache as cache_module
import site_gen.output.write_site as write_site_module
from site_gen.commands.build import BuildOptions, build
from site_gen.errors import ValidationFailed
from site_gen.paths import LOCK_FILE
from tests.helpers import BASE_CONFIG, NOW, pin_webinars, snapshot, write_tree
from tests.test_incremental import _masked
from tests.webinars import webinar

CONFIG = (
    BASE_CONFIG
    + """
[languages.fr]
title = "Test en direct"

[languages.ar]
title = "بث مباشر"
"""
)

ROOM = """\
---
title: "Office hours {n}"
host: marketing
tags: [help]
---
Come by, {n}.
"""

STREAM = """\
---
title: "Launch, streamed"
kind: livestream
stream_of: q1-launch
---
Watch it here.
"""

FORM = """\
---
title: "Workshop"
host: marketing
registration:
  provider: url
  url: https://forms.example.test/workshop
---
Sign up first.
"""


def _site(root: Path) -> None:
    files: dict[str, str | bytes] = {
        "site.toml": CONFIG,
        "content/q1-launch.md": webinar("Q1 Launch", extra="description: Our launch.\n"),
        "content/fr/q1-launch.md": webinar("Lancement T1", extra="description: Le lancement.\n"),
        "content/launch-ar.md": webinar(
            "إطلاق الربع الأول", extra="language: ar\ntranslation_key: q1-launch\n"
        ),
        "content/stream.md": STREAM,
        "content/workshop.md": FORM,
    }
    for n in range(3):
        files[f"content/room-{n}.md"] = ROOM.format(n=n)
    write_tree(root, files)
    pin_webinars(root)


def _build(root: Path) -> None:
    build(root, BuildOptions(now=NOW, environ={}))


def _clean(root: Path, scratch: Path) -> dict[str, bytes]:
    scratch.mkdir()
    for name in ("site.toml", LOCK_FILE):
        shutil.copy2(root / name, scratch / name)
    shutil.copytree(root / "content", scratch / "content")
    _build(scratch)
    return _masked(snapshot(scratch / "public"))


def _refuse(*args: object, **kwargs: object) -> int:
    raise AssertionError("a whole build ran")


def _short_build(root: Path) -> None:
    """Build, failing if the whole build runs (``write_site`` is where it writes)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(write_site_module, "write_site", _refuse)
        _build(root)


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(
    ("edited", "slugs"),
    [
        (["content/room-1.md"], ["room-1"]),
        # A translation: its translations' hreflang links do not change.
        (["content/fr/q1-launch.md"], ["fr/q1-launch"]),
        # A webinar streamed by a livestream, the livestream, a page with a form.
        (
            ["content/q1-launch.md", "content/stream.md", "content/workshop.md"],
            ["q1-launch", "stream", "workshop"],
        ),
    ],
)
def test_a_body_edit_renders_only_its_page(
    edited: list[str], slugs: list[str], tmp_path: Path
) -> None:
    root = tmp_path / "site"
    _site(root)
    _build(root)
    before = _inodes(root / "public")
    for rel in edited:
        _append(root / rel, "\nA new paragraph, with **bold** words.\n")
    _short_build(root)
    changed = {rel for rel, ino in _inodes(root / "public").items() if before.get(rel) != ino}
    assert {f"{slug}/index.html" for slug in slugs} <= changed
    assert all(any(rel.startswith(f"{slug}/") for slug in slugs) for rel in changed), changed
    for slug in slugs:
        page = (root / "public" / slug / "index.html").read_text(encoding="utf-8")
        assert "<strong>bold</strong>" in page
    # The build after it has nothing to do, without a whole build either.
    _short_build(root)
    again = {rel for rel, ino in _inodes(root / "public").items() if before.get(rel) != ino}
    assert again == changed
    assert _masked(snapshot(root / "public")) == _clean(root, tmp_path / "clean")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("title", 'title: "Office hours 1"', 'title: "Open hours"'),
        ("tags", "tags: [help]", "tags: [help, new]"),
        ("description and body", "host: marketing\n", "host: marketing\ndescription: Hi.\n"),
    ],
)
def test_a_front_matter_edit_takes_the_whole_build(
    name: str, old: str, new: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    _site(root)
    _build(root)
    page = root / "content/room-1.md"
    page.write_text(page.read_text(encoding="utf-8").replace(old, new) + "\nMore.\n")
    calls: list[int] = []
    original = write_site_module.write_site

    def counting(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(write_site_module, "write_site", counting)
    _build(root)
    assert calls == [1], name
    assert _masked(snapshot(root / "public")) == _clean(root, tmp_path / "clean")


def test_a_broken_edit_is_reported_by_the_whole_build_and_nothing_changes(
    tmp_path: Path,
) -> None:
    root = tmp_path / "site"
    _site(root)
    _build(root)
    before = snapshot(root / "public")
    page = root / "content/room-2.md"
    page.write_text(page.read_text().replace("host: marketing", "host: nobody"))
    with pytest.raises(ValidationFailed) as caught:
        _build(root)
    assert any(
        p.path == "content/room-2.md" and p.line == 3 and "unknown host 'nobody'" in p.message
        for p in caught.value.problems
    ), caught.value.problems
    assert snapshot(root / "public") == before


def test_a_body_edit_after_a_ci_cache_restore(tmp_path: Path) -> None:
    """A fresh checkout (new mtimes and ctimes) with public/ and .site-gen/ restored."""
    root = tmp_path / "site"
    _site(root)
    _build(root)
    # A CI cache restore: outputs and records keep their mtimes (tar) and get
    # new ctimes; the checkout gives every source a new mtime.
    for path in root.rglob("*"):
        if path.is_file():
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    for path in [*(root / "content").rglob("*.md"), root / "site.toml", root / LOCK_FILE]:
        path.touch()
    _append(root / "content/room-0.md", "\nEdited in the commit.\n")
    _short_build(root)
    text = (root / "public/room-0/index.html").read_text(encoding="utf-8")
    assert "Edited in the commit." in text
    assert _masked(snapshot(root / "public")) == _clean(root, tmp_path / "clean")


def test_an_edit_reverted_later_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a body-edit rebuild the page memo holds older bytes than the output shows.

    Putting those older bytes back must still count as an edit: the build
    record keeps the digests the short path saw. (No racy window here, as if
    seconds passed between the steps: racy files are hashed anyway.)
    """
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = tmp_path / "site"
    _site(root)
    _build(root)
    page = root / "content/room-1.md"
    original = page.read_bytes()
    _append(page, "\nA sentence that is taken back.\n")
    _build(root)
    _append(root / "content/room-2.md", "\nAnother edit, elsewhere.\n")
    _build(root)
    page.write_bytes(original)
    hour_ago = time.time() - 3600
    for path in (root / "content").rglob("*.md"):
        os.utime(path, (hour_ago, hour_ago))
    _build(root)
    assert "taken back" not in (root / "public/room-1/index.html").read_text(encoding="utf-8")
    assert _masked(snapshot(root / "public")) == _clean(root, tmp_path / "clean")


def test_a_translation_whose_original_is_gone_takes_the_short_path(tmp_path: Path) -> None:
    """Its conference is found through the lock's record of the group's translations."""
    root = tmp_path / "site"
    write_tree(
        root,
        {
            "site.toml": CONFIG,
            "content/q1-launch.md": webinar("Q1 Launch"),
            "content/fr/q1-launch.md": webinar("Lancement T1"),
        },
    )
    pin_webinars(root)
    # One conference for the group, as a build with API access makes it.
    lock = json.loads((root / LOCK_FILE).read_text())
    conferences = lock["apis"]["sandbox"]["conferences"]
    del conferences["fr/q1-launch"]
    conferences["q1-launch"]["translations"] = ["fr/q1-launch"]
    (root / LOCK_FILE).write_text(json.dumps(lock))
    _build(root)
    (root / "content/q1-launch.md").unlink()
    _build(root)
    _build(root)  # the lock's record of the group may have changed: a whole build again
    _append(root / "content/fr/q1-launch.md", "\nUn paragraphe de plus.\n")
    _short_build(root)
    page = (root / "public/fr/q1-launch/index.html").read_text(encoding="utf-8")
    assert "Un paragraphe de plus." in page
    assert _masked(snapshot(root / "public")) == _clean(root, tmp_path / "clean")
