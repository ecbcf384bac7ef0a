"""``init(target) -> InitReport``: the library call behind ``site-gen init``.

A new site is a copy of the example site that ships with site-gen: the
commented ``site.toml`` (with its ``[theme]`` settings), one page of each
kind under ``content/``, and the example's own files under ``static/``
(share image, logos, a brand stylesheet). It holds nothing of the theme:
no template, no theme stylesheet or script. The site uses the installed
theme by reference, so upgrading site-gen upgrades every site that did not
override a file (``site-gen theme eject NAME`` copies one when needed).
It comes from :func:`site_gen.render.theme.bundled_root`, which is the
repository in a checkout and ``site_gen/_bundled`` in a wheel, so
``pip install site-gen && site-gen init`` works with no checkout.

It never copies the example's lock, output or caches, and it never
overwrites anything unless asked: a folder with files in it is refused
without ``force``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from site_gen.errors import SiteGenError
from site_gen.paths import CONFIG_FILE, CONTENT_DIR, STATIC_DIR
from site_gen.render.theme import THEME_ASSETS, bundled_root

__all__ = ["GITIGNORE", "SITE_PARTS", "InitError", "InitReport", "init"]

#: What a new site is made of, relative to the bundled example (the theme's
#: templates/ and static/assets/ are not: they stay in site-gen).
SITE_PARTS = (CONFIG_FILE, CONTENT_DIR, STATIC_DIR)
#: The theme's part of the bundle's static/, never copied.
THEME_STATIC = f"{STATIC_DIR}/{THEME_ASSETS}"

#: A new site's .gitignore: output and caches out, the lock in (it must be committed).
GITIGNORE = """\
# site-gen output and caches (site-gen.lock is NOT ignored: commit it)
/public/
.site-gen/
*.tmp-*
"""

_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "*~", "*.swp")


class InitError(SiteGenError):
    """The target cannot become a new site (not empty without --force, or not a folder)."""

    exit_code = 1


@dataclass
class InitReport:
    """What ``init`` wrote, relative to the new site's folder."""

    root: Path
    written: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


def init(target: Path, *, force: bool = False) -> InitReport:
    """Create a new site at ``target`` from the bundled example; the theme stays by reference."""
    source = bundled_root()
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InitError(
            f"{target} is not empty: choose a new folder, or pass --force to write the "
            "example site into it (files of the same name are replaced, others are kept)"
        )
    if target.resolve() == source.resolve():
        raise InitError(f"{target} is where site-gen's own example site lives")
    missing = [part for part in SITE_PARTS if not (source / part).exists()]
    if missing:  # a broken install, not something the user did
        raise RuntimeError(f"site-gen's bundled example site lacks {', '.join(missing)}: {source}")
    report = InitReport(root=target)
    target.mkdir(parents=True, exist_ok=True)
    for part in SITE_PARTS:
        _copy(source / part, target / part, part, report)
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        report.written.append(".gitignore")
    report.written.sort()
    return report


def _copy(src: Path, dst: Path, rel: str, report: InitReport) -> None:
    if src.is_file():
        if dst.exists():
            report.replaced.append(rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        report.written.append(rel)
        return
    ignored = _SKIP(str(src), [p.name for p in src.iterdir()])
    for child in sorted(src.iterdir()):
        child_rel = f"{rel}/{child.name}"
        if child.name in ignored or child.is_symlink() or child_rel == THEME_STATIC:
            continue
        _copy(child, dst / child.name, child_rel, report)
