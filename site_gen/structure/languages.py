"""Multilingual sites: each page's language, and the translations of one event.

A page's language is its folder under ``content/`` (``content/fr/q1.md``),
else its ``language`` key, else the site's. Translations of one event share
a ``translation_key`` (default: the path under the language folder, so
``content/q1.md`` and ``content/fr/q1.md`` are one event without a word of
front matter). A translated webinar is *one* conference: the group's
scheduling fields must agree, and the group is scheduled under one key, the
slug of its default-language page (the slug an English-only site's lock
already uses, so adding a translation never reschedules).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from site_gen.errors import Problem
from site_gen.i18n import language_problem

if TYPE_CHECKING:
    from site_gen.config.site_toml import SiteConfig

    from .pages import Page

__all__ = [
    "GROUP_FIELDS",
    "Translations",
    "group_problems",
    "place_page",
    "place_pages",
]

#: Front matter a webinar's translations must share: together, one conference.
#: Titles and descriptions are each translation's own (editing one never reschedules).
GROUP_FIELDS = (
    "start",
    "time_zone",
    "duration",
    "host",
    "auto_record",
    "auto_transcribe",
    "one_time_access_code",
    "security_pin",
    "mute_mode",
    "participants",
    "participant_emails",
)

#: A first folder that looks like a language tag (``fr``, ``pt-BR``, ``zh-Hans``).
_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _site_languages(config: SiteConfig) -> set[str]:
    return {config.site.language, *config.languages}


def place_page(page: Page, config: SiteConfig) -> tuple[Page, list[Problem]]:
    """``page`` with its language, translation key and URL prefix, or why it has none.

    A first folder named like a language CLDR knows but missing from
    ``[languages]`` is an error: it is almost always a forgotten section
    (or a typo), and publishing French pages as English would be silent.
    """
    languages = _site_languages(config)
    rel = page.rel_path
    folder = rel.split("/", 1)[0] if "/" in rel else None
    problems: list[Problem] = []
    in_folder = folder is not None and folder in languages
    if (
        folder is not None
        and not in_folder
        and _TAG.match(folder)
        and language_problem(folder) is None
    ):
        problems.append(
            Problem(
                page.source,
                1,
                f"folder content/{folder}/ is a language with no [languages.{folder}] "
                f"in site.toml: add one (title, description), or rename the folder",
            )
        )
    own = page.meta.language
    if own is not None and in_folder and own != folder:
        problems.append(
            page.problem(
                f"language '{own}' disagrees with the folder content/{folder}/: remove the key "
                "or move the file",
                "language",
            )
        )
    elif own is not None and own not in languages:
        known = ", ".join(sorted(languages))
        problems.append(
            page.problem(
                f"language '{own}' is not one of the site's ({known}): add [languages.{own}] "
                "to site.toml",
                "language",
            )
        )
    language = folder if in_folder and folder is not None else own or config.site.language
    key_rel = rel.split("/", 1)[1] if in_folder else rel
    placed = dataclasses.replace(
        page,
        language=language,
        translation_key=page.meta.translation_key or key_rel,
        prefix=config.language_path(language).strip("/"),
        in_language_folder=in_folder,
    )
    return placed, problems


def place_pages(pages: Iterable[Page], config: SiteConfig) -> tuple[list[Page], list[Problem]]:
    """Every page placed (:func:`place_page`), and every problem of every page."""
    placed, problems = [], []
    for page in pages:
        new, found = place_page(page, config)
        placed.append(new)
        problems.extend(found)
    return placed, problems


def group_problems(pages: Sequence[Page], config: SiteConfig) -> list[Problem]:
    """Two pages of one language with one key; a webinar's translations that disagree.

    Both files and both lines are named: the author must see which
    translation to fix, and the fix may be in either.
    """
    problems: list[Problem] = []
    for group in Translations(pages, config).groups.values():
        seen: dict[str, Page] = {}
        for page in group:
            first = seen.get(page.language)
            if first is not None:
                problems.append(
                    page.problem(
                        f"translation_key '{page.translation_key}' is also that of "
                        f"{first.source}:{first.line_of('translation_key')}, in the same "
                        f"language ({page.language}): give one of them another key",
                        "translation_key",
                    )
                )
            else:
                seen[page.language] = page
        webinars = [p for p in group if p.meta.kind == "webinar"]
        for other in webinars[1:]:
            lead = webinars[0]
            for name in GROUP_FIELDS:
                mine, theirs = _field(other, name, config), _field(lead, name, config)
                if mine != theirs:
                    problems.append(
                        other.problem(
                            f"{name} {_show(mine)} differs from {_show(theirs)} in "
                            f"{lead.source}:{lead.line_of(name)}: translations of one webinar "
                            "are one conference, and must agree on it",
                            name,
                        )
                    )
    return problems


def _field(page: Page, name: str, config: SiteConfig) -> Any:
    if name == "time_zone":
        return page.meta.time_zone or config.site.time_zone
    return getattr(page.meta, name)


def _show(value: Any) -> str:
    return f"'{value}'" if value is not None else "(none)"


class Translations:
    """The site's pages grouped by translation key, with each group's conference key."""

    def __init__(self, pages: Iterable[Page], config: SiteConfig) -> None:
        order = {tag: i for i, tag in enumerate(config.languages_used())}
        groups: dict[str, list[Page]] = {}
        for page in pages:
            groups.setdefault(page.translation_key or page.slug, []).append(page)
        for group in groups.values():
            # The default language first, then [languages] order: the lead page.
            group.sort(key=lambda p: (p.meta.draft, order.get(p.language, len(order)), p.source))
        self.groups = groups
        self._index: tuple[Mapping[str, Any], int, dict[str, str]] | None = None

    def of(self, page: Page) -> list[Page]:
        """``page`` and its translations, the lead first (one language each)."""
        group = self.groups.get(page.translation_key or page.slug, [page])
        out: list[Page] = []
        languages: set[str] = set()
        for member in group:
            if member.language not in languages:
                languages.add(member.language)
                out.append(member)
        return out

    def group(self, page: Page) -> list[Page]:
        """Every page sharing ``page``'s translation key, drafts and duplicates included."""
        return list(self.groups.get(page.translation_key or page.slug, [page]))

    def conference_key(self, page: Page, locked: Container[str] = ()) -> str:
        """The lock key of ``page``'s conference: its group's lead webinar's slug.

        A member already in the lock (``locked``: its conference entries by
        key) wins, so a French page written first and an English one added
        later stay one conference instead of the new lead asking for a
        second. Failing that, an entry whose ``translations`` record lists a
        member: the page whose slug was the key is gone, and its
        translations keep its conference.
        """
        webinars = [m for m in self.of(page) if m.meta.kind == "webinar"] or [page]
        for member in webinars:
            if member.slug in locked:
                return member.slug
        if isinstance(locked, Mapping) and locked:
            recorded = self._recorded(locked)
            for member in webinars:
                if member.slug in recorded:
                    return recorded[member.slug]
        return webinars[0].slug

    def _recorded(self, locked: Mapping[str, Any]) -> dict[str, str]:
        """Translation slug → conference key, from the lock entries' ``translations``.

        Built once per lock section, not per page: a site of thousands of
        webinars asks for every page. The section is held, so its identity
        and size tell whether it is the one indexed (entries are only ever
        added or replaced by the same group's).
        """
        cached = self._index
        if cached is not None and cached[0] is locked and cached[1] == len(locked):
            return cached[2]
        index: dict[str, str] = {}
        for key, entry in locked.items():
            for slug in getattr(entry, "translations", ()):
                index.setdefault(slug, key)
        self._index = (locked, len(locked), index)
        return index
