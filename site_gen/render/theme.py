"""The default theme: where it lives (checkout or wheel), its files, how sites override them.

In a checkout (and an editable install) the repository root *is* the
example site and the default theme; a wheel carries a copy of them under
``site_gen/_bundled`` (see pyproject.toml). The theme is ``templates/``
and ``static/assets/``; everything else there (``site.toml``, ``content/``,
the rest of ``static/``) is the example site's own, which ``init`` copies.

Sites use the theme by reference: their ``templates/X`` and ``static/X``
win over the theme's file of the same name, and a template of theirs can
extend the theme's own with ``{% extends "!X" %}`` (Sphinx's convention),
changing one block and following upgrades for the rest.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path, PurePosixPath

from site_gen.paths import LOCALES_DIR, STATIC_DIR, TEMPLATES_DIR
from site_gen.structure.files import StaticFolder
from site_gen.utils.fs import walk_files

__all__ = [
    "HOOKS",
    "THEME_ASSETS",
    "THEME_PREFIX",
    "bundled_root",
    "locale_dirs",
    "site_hooks",
    "site_path",
    "static_dirs",
    "template_dirs",
    "theme_assets_dir",
    "theme_files",
    "theme_locales_dir",
    "theme_templates_dir",
]

#: The theme's folder under static/, published as /assets/ (the rest of static/ is the site's).
THEME_ASSETS = "assets"
#: ``{% extends "!page.html" %}``: the theme's own template, even where the site has one.
THEME_PREFIX = "!"
#: The theme's empty partials, ``partials/NAME.html``, for a site's own markup on every page.
HOOKS = ("head-extra", "header-extra", "footer-extra", "page-end")

#: The site_gen package folder (this module lives in site_gen/render/).
_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def bundled_root() -> Path:
    """The folder holding the default ``templates/``, ``static/`` and example content."""
    installed = _PACKAGE / "_bundled"
    if (installed / TEMPLATES_DIR).is_dir():
        return installed
    return _PACKAGE.parent


def theme_templates_dir() -> Path:
    """The default theme's templates."""
    return bundled_root() / TEMPLATES_DIR


def theme_assets_dir() -> Path:
    """The default theme's static files (css, script, icon), published under ``/assets/``."""
    return bundled_root() / STATIC_DIR / THEME_ASSETS


def theme_locales_dir() -> Path:
    """The default theme's gettext catalogs, ``locales/LANG.po``."""
    return bundled_root() / LOCALES_DIR


def locale_dirs(site_root: Path) -> list[Path]:
    """Catalog search path: a site's ``locales/LANG.po`` overrides the theme's, string by string."""
    out: list[Path] = []
    for d in (site_root / LOCALES_DIR, theme_locales_dir()):
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out


def _is_theme(site_root: Path) -> bool:
    """The site is the repository's own example, whose folders hold the theme itself."""
    return site_root.resolve() == bundled_root().resolve()


def template_dirs(site_root: Path) -> list[Path]:
    """Template search path: the site's own templates win over the default theme."""
    dirs = [site_root / TEMPLATES_DIR, theme_templates_dir()]
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out


def static_dirs(site_root: Path) -> list[StaticFolder]:
    """Static folders in copy order: the theme's assets first, so the site's files win.

    Only ``static/assets/`` of the bundle is the theme's: the example site's
    own images are never published into another site.
    """
    out = []
    assets = theme_assets_dir()
    if assets.is_dir() and not _is_theme(site_root):
        out.append(StaticFolder(assets, under=f"{THEME_ASSETS}/", theme=True))
    site = site_root / STATIC_DIR
    if site.is_dir():
        out.append(StaticFolder(site))
    return out


def theme_files() -> dict[str, Path]:
    """Every file a site can override, by name: ``partials/footer.html``, ``assets/site-gen.css``.

    A template's name is its path under ``templates/``; an asset's is its
    path under ``static/`` (which is also where it is published).
    """
    found: dict[str, Path] = {}
    for file in walk_files(theme_templates_dir(), boundary=None):
        found[file.rel] = file.path
    for file in walk_files(theme_assets_dir(), boundary=None):
        found[f"{THEME_ASSETS}/{file.rel}"] = file.path
    return dict(sorted(found.items()))


def site_hooks(site_root: Path) -> dict[str, bool]:
    """``hooks`` in templates: which hook partials the site has (``head_extra``: True...).

    The theme's own are empty; templates include a hook only when the site
    has it, so sites without hooks pay nothing for them.
    """
    folder = site_root / TEMPLATES_DIR / "partials"
    return {name.replace("-", "_"): (folder / f"{name}.html").is_file() for name in HOOKS}


def site_path(name: str) -> PurePosixPath:
    """Where a site's own copy of the theme file ``name`` goes, relative to the site."""
    if name.startswith(f"{THEME_ASSETS}/"):
        return PurePosixPath(STATIC_DIR, name)
    return PurePosixPath(TEMPLATES_DIR, name)
