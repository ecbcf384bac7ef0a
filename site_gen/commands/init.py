"""``init(target) -> InitReport``: the library call behind ``site-gen init``.

A new site is a copy of the example site that ships with site-gen: the
commented ``site.toml``, one page of each kind under ``content/``, and the
default theme (``templates/``, ``static/``) so that authors can see and
change every template. It comes from :func:`site_gen.theme.bundled_root`,
which is the repository in a checkout and ``site_gen/_bundled`` in a wheel,
so ``pip install site-gen && site-gen init`` works with no checkout.

It never copies the example's lock, output or caches, and it never
overwrites anything unless asked: a folder with files in it is refused
without ``force``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from site_gen.errors import SiteGenError
from site_gen.render.theme import bundled_root

__all__ = ["GITIGNORE", "SITE_PARTS", "InitError", "InitReport", "init"]

#: What a new site is made of, relative to the bundled example.
SITE_PARTS = ("site.toml", "content", "templates", "static")

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
    """Create a new site at ``target`` from the bundled example site and theme."""
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
        if child.name in ignored or child.is_symlink():
            continue
        _copy(child, dst / child.name, f"{rel}/{child.name}", report)
