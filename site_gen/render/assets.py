"""Fingerprinted assets: the theme's and the site's CSS, JS and theme images, named by content.

``assets/site-gen.css`` served with ``max-age=3600`` means a deploy either
serves stale CSS for an hour or makes every visit revalidate. Files whose
name carries a hash of their bytes can instead be cached for a year
(``immutable``): a changed file is a new name, and the HTML, always
revalidated, points at it. So every page links a copy under
``immutable/`` (``immutable/assets/site-gen.3f2a9c1d5e.css``), and
``_headers`` serves that folder immutable. The originals are still
published at their own paths, for anything that links them directly (a
site's hook partial, another site).

Which files: the theme's stylesheet, script and favicon, the stylesheet
made from ``[theme]``, the analytics preset's configuration script, and
every file ``[theme]`` names for pages to load (logo, dark logo, favicon,
``extra_css``, ``extra_js``, font files). The
share image is not: link previews want its plain, stable URL. ``url(...)``
references inside a copied stylesheet are rewritten to the fingerprinted
name of their target, or else to an absolute path, so that they still
resolve from ``immutable/``.

The preview keeps the plain names: it reloads on every change anyway, and
a renamed stylesheet would mean re-rendering every page for a CSS edit.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_gen.config.theme import ThemeSection
from site_gen.paths import IMMUTABLE_DIR
from site_gen.structure.files import THEME_STYLESHEET, OutputFile

from .theme import THEME_ASSETS

__all__ = [
    "THEME_SCRIPT",
    "THEME_STYLES",
    "Fingerprints",
    "fingerprint_theme",
    "fingerprinted_name",
]

#: The theme's own files every page links.
THEME_STYLES = f"/{THEME_ASSETS}/site-gen.css"
THEME_SCRIPT = f"/{THEME_ASSETS}/site-gen.js"
THEME_FAVICON = f"/{THEME_ASSETS}/favicon.svg"

#: ``url(x)``, ``url('x')``, ``url("x")`` in CSS.
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")
_EXTERNAL = ("data:", "http:", "https:", "//", "#", "about:", "blob:")


def fingerprinted_name(site_path: str, data: bytes) -> str:
    """``/css/brand.css`` + bytes → ``/immutable/css/brand.HASH.css`` (10 hex digits of sha256)."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = PurePosixPath(site_path)
    return f"/{IMMUTABLE_DIR}{path.parent.as_posix().rstrip('/')}/{path.stem}.{digest}{path.suffix}"


@dataclass(frozen=True)
class _Asset:
    name: str  # its fingerprinted site path
    text: str | None = None  # a stylesheet, rewritten or generated
    copy_from: Path | None = None  # any other file, copied as it is


class Fingerprints:
    """The fingerprinted names of a site's assets, and the files behind them.

    ``locate`` maps a site path to its static file (the renderer's lookup:
    the site's own first, then the theme's).
    """

    def __init__(self, locate: Callable[[str], Path | None]) -> None:
        self.locate = locate
        self._assets: dict[str, _Asset] = {}

    def add_static(self, site_path: str) -> str:
        """Fingerprint the static file at ``site_path``; returns the name pages should use."""
        known = self._assets.get(site_path)
        if known is not None:
            return known.name
        source = self.locate(site_path)
        if source is None:
            return site_path  # not a file of this site: linked as written
        if site_path.endswith(".css"):
            text = source.read_text(encoding="utf-8", errors="replace")
            return self.add_text(site_path, self._rewrite_css(site_path, text))
        asset = _Asset(fingerprinted_name(site_path, source.read_bytes()), copy_from=source)
        self._assets[site_path] = asset
        return asset.name

    def add_text(self, site_path: str, text: str) -> str:
        """Fingerprint a generated text file (a rewritten stylesheet, [theme]'s, analytics')."""
        asset = _Asset(fingerprinted_name(site_path, text.encode("utf-8")), text=text)
        self._assets[site_path] = asset
        return asset.name

    def name(self, site_path: str) -> str:
        """The name pages use for ``site_path``: its fingerprinted one, if it has one."""
        asset = self._assets.get(site_path)
        return asset.name if asset is not None else site_path

    def mapping(self) -> dict[str, str]:
        """Every original site path and its fingerprinted name (what page keys depend on)."""
        return {path: asset.name for path, asset in sorted(self._assets.items())}

    def files(self) -> list[OutputFile]:
        """The fingerprinted copies, for the output."""
        return [
            OutputFile(
                asset.name.lstrip("/"),
                f"fingerprinted copy of {path}",
                text=asset.text,
                copy_from=asset.copy_from,
            )
            for path, asset in self._assets.items()
        ]

    def _rewrite_css(self, site_path: str, text: str) -> str:
        """``url()`` targets made to resolve from ``immutable/``: fingerprinted or absolute."""
        folder = posixpath.dirname(site_path)

        def rewrite(match: re.Match[str]) -> str:
            target = match.group(2)
            if target.startswith(_EXTERNAL):
                return match.group(0)
            path, sep, rest = target.partition("?")
            path, hash_sep, fragment = path.partition("#")
            absolute = path if path.startswith("/") else posixpath.normpath(f"{folder}/{path}")
            suffix = (sep + rest) if sep else (hash_sep + fragment)
            return f'url("{self.name(absolute)}{suffix}")'

        return _CSS_URL.sub(rewrite, text)


def fingerprint_theme(
    fingerprints: Fingerprints,
    theme: ThemeSection,
    theme_css: Callable[[Callable[[str], str]], str | None],
) -> str | None:
    """Fingerprint every asset pages load; returns the ``[theme]`` stylesheet's text, if any.

    Fonts and images first: the stylesheets refer to them by their new names.
    """
    for face in theme.font_files:
        fingerprints.add_static(face.path)
    for path in (theme.logo, theme.logo_dark, theme.favicon or THEME_FAVICON):
        if path:
            fingerprints.add_static(path)
    fingerprints.add_static(THEME_STYLES)
    fingerprints.add_static(THEME_SCRIPT)
    for path in [*theme.extra_css, *theme.extra_js]:
        fingerprints.add_static(path)
    text = theme_css(fingerprints.name)
    if text is not None:
        fingerprints.add_text(f"/{THEME_STYLESHEET}", text)
    return text
