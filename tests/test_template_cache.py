"""Compiled templates kept between processes (render/template_cache.py).

Only in the user's cache folder, never in the site; keyed by the source,
so an edited template is compiled again; anything unreadable is compiled
again; it can be turned off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import site_gen.render.renderer as renderer_module
from site_gen.commands.build import BuildOptions, build
from tests.helpers import BASE_CONFIG, NOW, ROOM_PAGE, write_tree


def _build(root: Path) -> str:
    # A new process each time, as far as compiled code goes.
    renderer_module._COMPILED.clear()
    build(root, BuildOptions(now=NOW, environ={}))
    return (root / "public/office-hours/index.html").read_text(encoding="utf-8")


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("SITE_GEN_TEMPLATE_CACHE", raising=False)
    return folder


def _site(root: Path, aside: str) -> None:
    write_tree(
        root,
        {
            "site.toml": BASE_CONFIG,
            "content/office-hours.md": ROOM_PAGE,
            "templates/partials/page-end.html": f"<p class=aside>{aside}</p>\n",
        },
    )


def test_compiled_code_is_reused_and_follows_the_source(tmp_path: Path, user_cache: Path) -> None:
    root = tmp_path / "site"
    _site(root, "first")
    assert "<p class=aside>first</p>" in _build(root)
    stored = sorted((user_cache / "site-gen" / "templates").rglob("*.code"))
    assert stored, "nothing kept in the user's cache"
    assert not list(root.rglob("*.code")), "compiled code inside the site"
    # Loaded from the cache by the next "process": same bytes out.
    marks = {p: p.stat().st_mtime_ns for p in stored}
    (root / "content/office-hours.md").write_text(ROOM_PAGE + "\nMore.\n")
    assert "<p class=aside>first</p>" in _build(root)
    assert {p: p.stat().st_mtime_ns for p in stored} == marks
    # An edited template is a new source: compiled again, never the old code.
    _site(root, "second")
    page = _build(root)
    assert "<p class=aside>second</p>" in page and "first" not in page


def test_a_damaged_entry_is_compiled_again(tmp_path: Path, user_cache: Path) -> None:
    root = tmp_path / "site"
    _site(root, "kept")
    _build(root)
    for path in (user_cache / "site-gen" / "templates").rglob("*.code"):
        path.write_bytes(b"\x00not marshal")
    for path in (user_cache / "site-gen" / "templates").rglob("*.refs"):
        path.write_text("{broken")
    (root / "content/office-hours.md").write_text(ROOM_PAGE + "\nAgain.\n")
    assert "<p class=aside>kept</p>" in _build(root)


def test_it_can_be_turned_off(
    tmp_path: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITE_GEN_TEMPLATE_CACHE", "off")
    root = tmp_path / "site"
    _site(root, "off")
    assert "<p class=aside>off</p>" in _build(root)
    assert not user_cache.exists()
