"""The files a site's output consists of, as data: names, sources, and what is copied.

One list for everyone who needs to know which files a build writes: the
renderer (render/outputs.py) produces them, the disk build and the preview
write or serve them, the build cache keys them, and ``check`` accepts links
to them. How their bytes are made is render/'s business; how they reach
the disk is output/'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from site_gen.paths import STATIC_DIR
from site_gen.utils.fs import walk_files

if TYPE_CHECKING:
    from .resolve import Resolved

__all__ = [
    "PAGE_TEMPLATES",
    "REGISTERED_PAGE",
    "SITE_FILES",
    "TAG_TEMPLATES",
    "THEME_STYLESHEET",
    "OutputFile",
    "StaticFolder",
    "page_rels",
    "site_templates",
    "static_files",
]

#: The template each kind of page renders with; all extend ``page.html`` by default.
PAGE_TEMPLATES = {
    "room": "room.html",
    "webinar": "webinar.html",
    "livestream": "livestream.html",
    "watch_party": "watch_party.html",
}

#: Files every build writes besides the pages, with the template behind each
#: (None: generated without one). ``events.ics`` is written even with no
#: webinar: a subscribed calendar's URL must not 404.
SITE_FILES: dict[str, str | None] = {
    "index.html": "index.html",
    "events.ics": None,
    "404.html": "404.html",
    "sitemap.xml": "sitemap.xml",
    "robots.txt": "robots.txt",
    "_headers": None,
}

#: A page with a registration form: the thank-you page visitors land on after posting it.
REGISTERED_PAGE = "registered/index.html"

#: The stylesheet made from site.toml's [theme] colours and fonts, written when it sets any.
THEME_STYLESHEET = "assets/site-gen-theme.css"

#: Templates of the tag pages, written when any page has a tag:
#: ``tags/index.html`` (every tag) and ``tags/SLUG/index.html`` (one tag).
TAG_TEMPLATES = ("tags.html", "tag.html")

_SKIP_STATIC = {"Thumbs.db"}


def site_templates() -> tuple[str, ...]:
    """Every template behind a site-wide file (the build cache hashes their sources)."""
    return (*(t for t in SITE_FILES.values() if t is not None), *TAG_TEMPLATES)


@dataclass(frozen=True)
class OutputFile:
    """One output file: generated ``text``, or a copy of ``copy_from``."""

    rel: str
    source: str  # what it came from, for error messages: "content/x.md", "theme:static/..."
    text: str | None = None
    copy_from: Path | None = None

    def data(self) -> bytes:
        """The file's bytes (reads a copied file)."""
        if self.text is not None:
            return self.text.encode("utf-8")
        assert self.copy_from is not None
        return self.copy_from.read_bytes()


def page_rels(item: Resolved) -> list[str]:
    """The output paths of one page, known without rendering: a webinar adds its calendar file.

    The build cache and the process pool claim paths before any worker renders.
    """
    slug = item.page.slug
    rels = [f"{slug}/index.html"]
    if item.timeslot is not None:
        rels.append(f"{slug}/event.ics")
    if item.page.meta.registration:
        rels.append(f"{slug}/{REGISTERED_PAGE}")
    return rels


def _static_name(name: str) -> bool:
    return name not in _SKIP_STATIC and not name.endswith(("~", ".swp"))


@dataclass(frozen=True)
class StaticFolder:
    """A folder of files copied as they are, published under ``under`` (``""`` or ``"assets/"``)."""

    path: Path
    under: str = ""
    #: The default theme's: a site file of the same name replaces its files.
    theme: bool = False


def static_files(folders: list[StaticFolder]) -> list[OutputFile]:
    """Files copied as they are, theme's first: a site's file of the same name replaces it.

    ``folders`` come from the theme (render/theme.py): the theme's assets
    first, then the site's ``static/``. A link out of a static folder (to
    /etc/passwd, say) is never published.
    """
    out = []
    for folder in folders:
        # Only theme files may be replaced; two site files clashing is an error.
        label = "theme" if folder.theme else STATIC_DIR
        for found in walk_files(folder.path, boundary=folder.path, keep=_static_name):
            rel = folder.under + found.rel
            out.append(OutputFile(rel, f"{label}:{STATIC_DIR}/{rel}", copy_from=found.path))
    return out
