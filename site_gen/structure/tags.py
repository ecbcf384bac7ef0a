"""Tag pages: which pages share a tag, and the URL each tag gets.

Tags are free text in front matter (``tags: [Product, "Q&A"]``); their
pages live at ``tags/SLUG/``. Tags that differ only in case or punctuation
("Product", "product") share one page, named as first written, so a typo
in capitals does not split a topic in two.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .resolve import Resolved

__all__ = ["TagGroup", "group_by_tag", "tag_path", "tag_slug"]

#: Unicode categories a slug keeps: of a mark the author wrote, of anything else.
_WRITTEN = frozenset("LMN")
_FOLDED = frozenset("LN")


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """A folder name for a tag: lower-case words joined by '-', letters of any script kept.

    Kept: letters, digits and the combining marks the author wrote (Unicode
    categories L, N and M); anything else separates words. Marks matter:
    Indic scripts write vowels as combining signs, so without them 'हिन्दी'
    would become 'ह-न-द'. A mark that only case folding makes ('İ' folds to
    'i' and a combining dot) separates, as it always has, so a tag without
    combining marks keeps the slug it had before marks were kept.
    Cached: a site has few tags and asks for each of them on every page.
    """
    words: list[str] = []
    for char in unicodedata.normalize("NFKC", name):
        kept = _WRITTEN if unicodedata.category(char)[0] == "M" else _FOLDED
        words.extend(c if unicodedata.category(c)[0] in kept else " " for c in char.casefold())
    slug = "-".join("".join(words).split())
    if slug:
        return slug
    # Only punctuation ("???"): still a distinct, stable folder.
    return "tag-" + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def tag_path(slug: str, home: str = "/") -> str:
    """Site-relative URL path of a tag's page (non-ASCII letters percent-encoded).

    ``home``: its language's path on a multilingual site (``/fr/``): each
    language has its own tag pages, listing its own pages.
    """
    return f"{home}tags/{quote(slug)}/"


@dataclass
class TagGroup:
    """One tag and the pages that carry it, in the order pages were given."""

    name: str
    slug: str
    items: list[Resolved] = field(default_factory=list)
    #: Its language's path ("/", "/fr/").
    home: str = "/"

    @property
    def path(self) -> str:
        """Its page's URL path."""
        return tag_path(self.slug, self.home)

    @property
    def rel(self) -> str:
        """Its page's output file."""
        return f"{self.home.lstrip('/')}tags/{self.slug}/index.html"


def group_by_tag(items: list[Resolved], home: str = "/") -> list[TagGroup]:
    """Every tag used by ``items``, sorted by name, each with its pages (under ``home``)."""
    groups: dict[str, TagGroup] = {}
    for item in items:
        seen: set[str] = set()
        for name in item.page.meta.tags:
            slug = tag_slug(name)
            if slug in seen:
                continue
            seen.add(slug)
            group = groups.setdefault(slug, TagGroup(name=name.strip(), slug=slug, home=home))
            group.items.append(item)
    return sorted(groups.values(), key=lambda g: (g.name.casefold(), g.slug))
