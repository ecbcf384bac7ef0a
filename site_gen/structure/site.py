"""A site on disk, loaded: its config and its pages, or every problem with them."""

from __future__ import annotations

import os
from collections.abc import Container, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from site_gen.config.site_toml import SiteConfig, read_config
from site_gen.errors import Problem, ValidationFailed
from site_gen.i18n import language_problem
from site_gen.paths import LOCALES_DIR

from .languages import Translations
from .page_memo import PageMemo
from .pages import Page, load_pages

__all__ = ["Site", "load_site"]


@dataclass(frozen=True)
class Site:
    """The validated input of a build: immutable, so what is derived from it never goes stale.

    The preview makes a new one for each rebuild (cheap: it holds references).
    """

    root: Path
    config: SiteConfig
    pages: tuple[Page, ...]
    warnings: tuple[Problem, ...] = ()

    def published(self, *, drafts: bool = False) -> list[Page]:
        """The pages a build writes: drafts only when asked for."""
        return [p for p in self.pages if drafts or not p.meta.draft]

    @cached_property
    def _by_slug(self) -> dict[str, Page]:
        return {p.slug.lower(): p for p in self.pages}

    def page_by_slug(self, slug: str) -> Page | None:
        """The page at ``slug`` (slugs are unique, case-insensitively)."""
        return self._by_slug.get(slug.lower())

    @cached_property
    def translations(self) -> Translations:
        """The pages grouped by translation key: alternates and one conference per group."""
        return Translations(self.pages, self.config)

    def neighbours(self, page: Page) -> list[Page]:
        """The pages whose front matter resolving ``page`` reads, itself included.

        Its translations (alternates, one conference per group) and, for a
        livestream, the webinar it streams with that webinar's translations.
        A rebuild after body edits loads just these (output/edits.py).
        """
        out = self.translations.group(page)
        target = self.page_by_slug(page.meta.stream_of) if page.meta.stream_of else None
        if target is not None:
            out += self.translations.group(target)
        return out

    def conference_key(self, page: Page, locked: Container[str] = ()) -> str:
        """The lock key of a webinar's conference, shared by all its translations.

        ``locked``: the lock's conference keys (a member already there keeps its key).
        """
        return self.translations.conference_key(page, locked)

    @property
    def output_dir(self) -> Path:
        """The configured output folder."""
        return self.root / self.config.site.output_dir


def _catalog_problems(root: Path) -> list[Problem]:
    """A site's ``locales/*.po`` that cannot be used, reported with the rest before any API call."""
    folder = root / LOCALES_DIR
    if not folder.is_dir():
        return []
    from site_gen.i18n import CatalogProblem, read_catalog  # Babel's message tools: only if used

    problems = []
    for path in sorted(folder.glob("*.po")):
        rel = f"{LOCALES_DIR}/{path.name}"
        if (why := language_problem(path.stem)) is not None:
            problems.append(Problem(rel, None, f"the file name is not a language: {why}"))
            continue
        try:
            read_catalog(path, path.stem)
        except CatalogProblem as exc:
            problems.append(Problem(rel, exc.line, exc.message))
    return problems


def load_site(root: Path, environ: Mapping[str, str] | None = None, *, memo: bool = False) -> Site:
    """Load config and content; raise ValidationFailed with *every* problem.

    Content is checked even when site.toml is broken, so one run shows all
    that needs fixing. ``memo`` (the disk build) takes unchanged content
    files from ``.site-gen/cache/pages.json`` instead of parsing them
    again, and records the others (page_memo.py).
    """
    environ = os.environ if environ is None else environ
    # With mistakes in [languages] only, config is the site without them:
    # the pages are still checked (site_toml.read_config).
    config, problems = read_config(root, environ)
    page_memo = PageMemo(root) if memo else None
    pages, page_problems = load_pages(root, config, page_memo)
    problems.extend(page_problems)
    problems.extend(_catalog_problems(root))
    if page_memo is not None:
        page_memo.save()  # the valid files' entries, even when others fail
    if problems or config is None:
        raise ValidationFailed(problems)
    return Site(root=root, config=config, pages=tuple(pages))
