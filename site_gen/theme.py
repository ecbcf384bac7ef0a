"""Where the default theme and the example site live, installed or not.

In a checkout (and an editable install) the repository root *is* the
example site and the default theme; a wheel carries a copy of them under
``site_gen/_bundled`` (see pyproject.toml). Everything else asks here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["bundled_root", "static_dirs", "template_dirs"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def bundled_root() -> Path:
    """The folder holding the default ``templates/``, ``static/`` and example content."""
    installed = _PACKAGE / "_bundled"
    if (installed / "templates").is_dir():
        return installed
    return _PACKAGE.parent


def template_dirs(site_root: Path) -> list[Path]:
    """Template search path: the site's own templates win over the default theme."""
    dirs = [site_root / "templates", bundled_root() / "templates"]
    return _existing_unique(dirs)


def static_dirs(site_root: Path) -> list[Path]:
    """Static folders in copy order: the theme's first, so the site's files win."""
    dirs = [bundled_root() / "static", site_root / "static"]
    return _existing_unique(dirs)


def _existing_unique(dirs: list[Path]) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out
