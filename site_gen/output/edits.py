"""A rebuild after body edits: the edited pages rendered again, nothing else loaded.

The common edit, fixing a paragraph of one page, changes that page's HTML
and nothing else: listings, tag pages, feeds, calendars, the sitemap and
the other pages read a page's front matter, never its body (keys.py keeps
the two apart). So when the build record shows that only content files'
bytes changed (cache.py, :meth:`BuildRecord.difference`), and each edited
file's head (the bytes before its body) is the one the last build loaded,
this renders just those pages, from the file and the few pages resolving
it reads (its translations, a stream's webinar), instead of loading,
keying and listing the whole site.

It proves its own premise before writing anything: the listing key it
computes for each edited page must be the one the last whole build
recorded (same config, lock entries, templates, catalogs, state, policy).
Any doubt (a front matter edit, a page not recorded, an invalid file,
``unsafe_html`` bodies the policy must scan, a different key) returns
None and the caller runs a whole build, which reports problems and
handles every other case. The commit is the journalled in-place one
(staging.py): the edited pages' files are replaced atomically and nothing
else in the output is touched.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_gen.config.site_toml import load_config
from site_gen.errors import SiteGenError
from site_gen.paths import LOCK_FILE
from site_gen.render.headers import site_headers
from site_gen.render.outputs import page_files
from site_gen.render.renderer import Renderer
from site_gen.structure.files import PAGE_TEMPLATES
from site_gen.structure.languages import place_pages
from site_gen.structure.lock import Lock
from site_gen.structure.pages import Page, load_page
from site_gen.structure.resolve import resolve_pages
from site_gen.structure.site import Site

from .cache import PageEntry, RenderCache
from .keys import key_basis, page_keys
from .staging import StagedOutput, write_files

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .cache import Difference

__all__ = ["rebuild_edited"]


def rebuild_edited(
    root: Path,
    difference: Difference,
    *,
    environ: Mapping[str, str],
    now: datetime,
    drafts: bool,
) -> dict[str, Any] | None:
    """Render only the pages whose bodies changed; None when a whole build is needed.

    Returns the report to record (the last build's: same pages, files and
    warnings, as only bodies changed and no body is scanned for warnings).
    """
    try:
        return _rebuild(root, difference, environ=environ, now=now, drafts=drafts)
    except (SiteGenError, OSError, KeyError, ValueError):
        return None  # the whole build says what is wrong, with every problem


def _rebuild(
    root: Path,
    difference: Difference,
    *,
    environ: Mapping[str, str],
    now: datetime,
    drafts: bool,
) -> dict[str, Any] | None:
    out_dir = difference.out_dir
    cache = RenderCache(root, out_dir, record=difference.render)
    forms = cache.forms
    if cache.empty or forms is None:
        return None
    config = load_config(root, environ)
    if config.markdown.unsafe_html:
        return None  # bodies may load what the policy blocks: the whole build warns
    slugs = cache.slugs_by_source()
    entries: dict[str, PageEntry] = {}
    needs: set[str] = set()
    for rel in difference.edited:
        slug = slugs.get(rel)
        entry = cache.page_entry(slug) if slug is not None else None
        if entry is None:
            return None  # a draft, or not written last time
        entries[rel] = entry
        needs.update(entry.needs)
    # Parsed, not taken from the page memo: reading that record would cost more
    # than parsing these few files. Whether a head changed shows in the listing key.
    loaded: list[Page] = []
    for rel in sorted(needs | set(entries)):
        page, problems = load_page(root, rel)
        if page is None or problems:
            return None
        loaded.append(page)
    pages, problems = place_pages(loaded, config)
    if problems:
        return None
    site = Site(root=root, config=config, pages=tuple(pages))
    section = Lock.peek_file(root / LOCK_FILE, config.callbridge.api, {p.slug for p in pages})
    resolved, problems = resolve_pages(site, site.published(drafts=drafts), section, now=now)
    if problems:
        return None
    todo = [item for item in resolved if item.page.source in entries]
    if len(todo) != len(entries):
        return None
    renderer = Renderer(root, config, now=now, headers=site_headers(config, forms=forms))
    basis = key_basis(renderer, sorted({PAGE_TEMPLATES[i.page.meta.kind] for i in todo}))
    patch: dict[str, PageEntry] = {}
    for item in todo:
        entry = entries[item.page.source]
        key, listing = page_keys(renderer, item, basis)
        if listing != entry.listing or slugs.get(item.page.source) != item.page.slug:
            return None  # something besides the body reaches this page: build it all
        patch[item.page.slug] = PageEntry(
            key=key,
            listing=listing,
            files=entry.files,
            source=entry.source,
            needs=entry.needs,
        )
    renderer.prepare_images(todo)
    rels = [rel for entry in patch.values() for rel in entry.files]
    with StagedOutput(out_dir, previous=rels) as stage:
        for item in todo:
            files = list(page_files(renderer, item))
            if [f.rel for f in files] != entries[item.page.source].files:
                return None
            write_files(stage, files)
        stage.commit()
    # After the commit, as a whole build does: a record that lags the output
    # costs the next build time (it renders those pages again), never correctness.
    with contextlib.suppress(OSError):
        cache.patch(patch)
    return difference.report
