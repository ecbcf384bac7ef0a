"""Where the default theme and the example site live, installed or not.

In a checkout (and an editable install) the repository root *is* the
example site and the default theme; a wheel carries a copy of them under
``site_gen/_bundled`` (see pyproject.toml). Everything else asks here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from site_gen.paths import STATIC_DIR, TEMPLATES_DIR

__all__ = ["bundled_root", "static_dirs", "template_dirs"]

#: The site_gen package folder (this module lives in site_gen/render/).
_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def bundled_root() -> Path:
    """The folder holding the default ``templates/``, ``static/`` and example content."""
    installed = _PACKAGE / "_bundled"
    if (installed / TEMPLATES_DIR).is_dir():
        return installed
    return _PACKAGE.parent


def template_dirs(site_root: Path) -> list[Path]:
    """Template search path: the site's own templates win over the default theme."""
    dirs = [site_root / TEMPLATES_DIR, bundled_root() / TEMPLATES_DIR]
    return _existing_unique(dirs)


def static_dirs(site_root: Path) -> list[Path]:
    """Static folders in copy order: the theme's first, so the site's files win."""
    dirs = [bundled_root() / STATIC_DIR, site_root / STATIC_DIR]
    return _existing_unique(dirs)


def _existing_unique(dirs: list[Path]) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out
