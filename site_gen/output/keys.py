"""Cache keys of one build: what each output file's bytes depend on, as a digest.

Two keys per page, because a page is read in two ways:

* its **listing key** hashes what other outputs read of it (front matter
  through the file's *head* digest, what the lock gave it, its state,
  its image, its language's catalog): its card on the home and tag
  pages, its calendar entry, its hreflang links from its translations,
  its sitemap entry;
* its **page key** adds the page's own template and the whole file's
  bytes: its HTML shows the body, nothing else does.

The site-wide files' key hashes the listing keys, never the page keys, so
that editing a page's body re-renders that page and nothing else, and a
rebuild after body edits (edits.py) can prove it: the listing key it
computes for the edited page must be the recorded one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from site_gen.structure.files import PAGE_TEMPLATES, site_templates
from site_gen.structure.page_memo import parsers_fingerprint

from .cache import canonical_hash, renderer_versions, template_closures

if TYPE_CHECKING:
    from site_gen.render.renderer import Renderer
    from site_gen.structure.resolve import Resolved

__all__ = ["KeyBasis", "Keys", "key_basis", "page_keys", "render_keys"]


@dataclass(frozen=True)
class Keys:
    """Every key of one build, and when a page next changes state."""

    #: slug -> the key of the page's own files.
    pages: dict[str, str]
    #: slug -> the key of what other files read of the page (cards are stored by it).
    listing: dict[str, str]
    site: str
    #: What listing fragments depend on besides their page: config, versions, templates.
    listings: str
    valid_until: datetime | None


@dataclass(frozen=True)
class KeyBasis:
    """What every key of a build starts from: computed once, shared by every page."""

    common: str
    #: Template name -> hash of its source and of everything it pulls in.
    closures: dict[str, str]


def key_basis(renderer: Renderer, page_templates: list[str]) -> KeyBasis:
    """The part of every key that no page decides.

    The CSP and the fingerprinted asset names reach every page; each
    language's catalog is added per page (its own) and to the listings'
    key (all of them), so a key computed for a few pages (edits.py)
    equals the one a whole build computes.
    """
    closures = template_closures(renderer.env, [*page_templates, *site_templates()])
    common = canonical_hash(
        renderer_versions(),
        parsers_fingerprint(),
        renderer.config,
        renderer.preview,
        renderer.headers.csp.text(),
        renderer.fingerprints.mapping(),
    )
    return KeyBasis(common=common, closures=closures)


def page_keys(renderer: Renderer, item: Resolved, basis: KeyBasis) -> tuple[str, str]:
    """``(page key, listing key)`` of one page."""
    page = item.page
    own = renderer.for_language(page.language)
    # The page's image variants are named by their content: a new image, new HTML.
    image = renderer.image_key(page.meta.image)
    listing = canonical_hash(
        basis.common, item, renderer.state(item), image, own.catalogs.fingerprint
    )
    template = basis.closures[PAGE_TEMPLATES[page.meta.kind]]
    # The whole file's bytes (the body) only here; a page made in memory
    # (no digest) is keyed by its fields, body included.
    body = page.digest or canonical_hash(page.body, page.body_line)
    key = hashlib.sha256(f"{listing}\0{template}\0{body}".encode()).hexdigest()
    return key, listing


def render_keys(renderer: Renderer, resolved: list[Resolved]) -> Keys:
    """Each page's keys, the site-wide files' key, and when a state next changes."""
    basis = key_basis(renderer, sorted({PAGE_TEMPLATES[i.page.meta.kind] for i in resolved}))
    pages: dict[str, str] = {}
    listing: dict[str, str] = {}
    changes: list[datetime] = []
    for item in resolved:
        slug = item.page.slug
        pages[slug], listing[slug] = page_keys(renderer, item, basis)
        if item.timeslot is not None:
            changes += item.timeslot.changes(renderer.opens_before)
    # Every language's catalog: a multilingual site lists each language's pages in it.
    catalogs = [r.catalogs.fingerprint for r, _ in renderer.by_language(resolved)]
    listings = canonical_hash(basis.common, [basis.closures[n] for n in site_templates()], catalogs)
    site_key = canonical_hash(listings, [listing[i.page.slug] for i in resolved])
    future = [b for b in changes if b > renderer.now]
    return Keys(
        pages=pages,
        listing=listing,
        site=site_key,
        listings=listings,
        valid_until=min(future) if future else None,
    )
