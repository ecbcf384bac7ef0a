"""Pages: the site's meeting definitions, read from ``content/`` and validated.

:func:`load_pages` reads a whole content folder and reports every problem
of every file at once, including those between pages (duplicate slugs,
unknown hosts, streams of nothing).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from site_gen.config.front_matter import FrontMatter
from site_gen.config.integrations import RegistrationDefaults, effective_registration
from site_gen.config.parsing import KeyLines, SourceError, split_front_matter
from site_gen.config.problems import did_you_mean, validate
from site_gen.config.site_toml import SiteConfig
from site_gen.errors import Problem
from site_gen.paths import CONTENT_DIR
from site_gen.utils.fs import walk_files

# Imported last: languages.py uses Page only for types.
from .languages import group_problems, place_pages
from .timeslot import StartError, zone_start

if TYPE_CHECKING:
    from .page_memo import PageMemo

__all__ = ["Page", "check_pages", "content_files", "head_digest", "load_page", "load_pages"]


@dataclass(frozen=True)
class Page:
    """One meeting definition, validated and placed."""

    source: str  # path relative to the site root, POSIX: "content/q1-launch.md"
    meta: FrontMatter
    body: str
    body_line: int
    key_lines: KeyLines = field(compare=False, repr=False)
    #: SHA-256 of the file's bytes ("" when unknown): the page's identity in
    #: cache keys, which then need not hash its whole text again.
    digest: str = field(default="", compare=False, repr=False)
    #: SHA-256 of the file's bytes before the body (fences and front matter):
    #: what every output but the page's own HTML depends on, so a body edit
    #: changes the page's key but no listing's (output/keys.py).
    head_digest: str = field(default="", compare=False, repr=False)
    #: The page's language (BCP 47), set by :func:`place_pages`: its folder, key or the site's.
    language: str = ""
    #: What links the translations of one event (structure/languages.py).
    translation_key: str = ""
    #: Its language's URL prefix without slashes ("fr"; "" for the default language).
    prefix: str = ""
    #: True when the file is in its language's folder (``content/fr/...``).
    in_language_folder: bool = False

    @property
    def cache_identity(self) -> tuple[str, str] | None:
        """What decides this page's fields but its body, for cache keys: its file and head.

        Listings, alternates and calendars read a page's front matter, never
        its body; the page's own key adds :attr:`digest`. None when the
        digest is unknown (a page made in memory): keys then hash the
        fields themselves.
        """
        return (self.source, self.head_digest) if self.head_digest else None

    @cached_property
    def slug(self) -> str:
        """The page's folder under the output: from front matter or the file's path.

        A page in a language folder is published under its language's path
        (``content/fr/q1.md`` at ``/fr/q1/``, or ``/francais/q1/`` with
        ``path = "/francais/"``). Cached: every listing, link and lookup asks
        for it, and a Page never changes.
        """
        if self.meta.slug:
            return self.meta.slug
        rel = self.rel_path
        if self.in_language_folder:
            rel = rel.split("/", 1)[1]
        return f"{self.prefix}/{rel}" if self.prefix else rel

    @property
    def rel_path(self) -> str:
        """The file's path under content/, without ``.md``."""
        # String operations, as PurePosixPath(...).relative_to(...).with_suffix("")
        # would give: pathlib made this a quarter of loading an unchanged site.
        rel = self.source.removeprefix(f"{CONTENT_DIR}/")
        name_at = rel.rfind("/") + 1
        dot = rel.rfind(".")
        if dot > name_at and rel[name_at:] not in (".", ".."):
            rel = rel[:dot]
        return rel

    @property
    def path(self) -> str:
        """Site-relative URL path, with the trailing slash static hosts serve."""
        return f"/{self.slug}/"

    def line_of(self, *key: str | int) -> int:
        """The line of a front matter key, for problems found after validation."""
        return self.key_lines.line_of(key)

    def time_zone(self, config: SiteConfig) -> ZoneInfo:
        """The page's own zone, else the site's."""
        return ZoneInfo(self.meta.time_zone or config.site.time_zone)

    def problem(self, message: str, *key: str | int) -> Problem:
        """A problem located at a key of this page."""
        return Problem(self.source, self.line_of(*key), message)


def content_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(relative POSIX path, file)`` for each .md under content/, in path order.

    Symbolic links are followed only when they stay inside the site: a link
    to /etc/passwd in content/ must never end up published.
    """
    for found in walk_files(root / CONTENT_DIR, boundary=root, keep=_is_markdown):
        yield f"{CONTENT_DIR}/{found.rel}", found.path


def _is_markdown(name: str) -> bool:
    return name.endswith(".md")


def load_page(
    root: Path, rel: str, memo: PageMemo | None = None
) -> tuple[Page | None, list[Problem]]:
    """Read and validate one content file (from ``memo`` when its bytes are known)."""
    file = root / rel
    try:
        with file.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as exc:
        return None, [Problem(rel, None, f"cannot be read: {exc.strerror}")]
    if memo is not None:
        known = memo.recall(rel, stat, data)
        if known is not None:
            known_meta, lines, body, body_line, digest, head = known
            return Page(rel, known_meta, body, body_line, lines, digest, head), []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, line, f"is not UTF-8 text: save it as UTF-8 ({exc.reason})")]
    try:
        doc = split_front_matter(text)
    except SourceError as exc:
        return None, [Problem(rel, exc.line, exc.message)]
    meta, problems = validate(FrontMatter, doc.meta, path=rel, key_lines=doc.key_lines)
    if meta is None:
        return None, problems
    digest = hashlib.sha256(data).hexdigest()
    head = head_digest(data, doc.body)
    if memo is not None:
        memo.remember(rel, stat, digest, head, meta, doc.key_lines, doc.body_line)
    return Page(rel, meta, doc.body, doc.body_line, doc.key_lines, digest, head), []


def head_digest(data: bytes, body: str) -> str:
    """The SHA-256 of a content file's bytes before its body (the body is their suffix)."""
    return hashlib.sha256(data[: len(data) - len(body.encode("utf-8"))]).hexdigest()


def load_pages(
    root: Path, config: SiteConfig | None, memo: PageMemo | None = None
) -> tuple[list[Page], list[Problem]]:
    """Every page of the site and every problem, including those between pages.

    ``config`` None (site.toml itself was invalid) skips the checks that need it.
    With ``memo``, unchanged files are not parsed again (page_memo.py).
    """
    pages: list[Page] = []
    problems: list[Problem] = []
    for rel, _ in content_files(root):
        page, found = load_page(root, rel, memo)
        problems.extend(found)
        if page is not None:
            pages.append(page)
    if config is not None:
        pages, found = place_pages(pages, config)
        problems.extend(found)
    problems.extend(check_pages(pages, config))
    return pages, problems


def check_pages(pages: list[Page], config: SiteConfig | None) -> list[Problem]:
    """Rules that span pages and config: unique slugs, known hosts, streams, starts in zones."""
    problems: list[Problem] = []
    by_slug: dict[str, Page] = {}
    for page in pages:
        key = page.slug.lower()
        first = by_slug.get(key)
        if first is not None:
            problems.append(
                page.problem(f"duplicate slug '{page.slug}': {first.source} has it already", "slug")
            )
        else:
            by_slug[key] = page
    if config is None:
        return problems
    problems.extend(group_problems(pages, config))
    hosts = config.hosts
    for page in pages:
        meta = page.meta
        if meta.start is not None:
            # A start is a wall time in the page's zone, or the site's: only
            # now can a time the zone skips or repeats be told.
            try:
                zone_start(meta.start, page.time_zone(config))
            except StartError as exc:
                problems.append(page.problem(str(exc), "start"))
        if meta.host is not None and meta.host not in hosts:
            problems.append(
                page.problem(f"unknown host '{meta.host}'{_known(meta.host, hosts)}", "host")
            )
        elif meta.host is not None:
            host = hosts[meta.host]
            if meta.kind == "webinar" and host.host_id is None and not host.create:
                problems.append(
                    page.problem(
                        f"host '{meta.host}' has no host_id in site.toml: webinars are scheduled "
                        "for a host id (or set create = true)",
                        "host",
                    )
                )
            if (
                meta.kind in ("room", "watch_party")
                and host.access_code is None
                and not host.create
            ):
                problems.append(
                    page.problem(
                        f"host '{meta.host}' has no access_code in site.toml: a {meta.kind} embeds "
                        "the host's room",
                        "host",
                    )
                )
        problems.extend(_registration_problems(page, config))
        if meta.stream_of is not None:
            target = by_slug.get(meta.stream_of.lower())
            if target is not None and target.meta.kind == "webinar":
                continue
            if target is None and meta.stream_of in hosts:
                continue
            what = (
                f"'{meta.stream_of}' is a {target.meta.kind} page, not a webinar"
                if target is not None
                else f"'{meta.stream_of}' is neither a webinar's slug nor a host key"
            )
            candidates = [*hosts, *(p.slug for p in pages if p.meta.kind == "webinar")]
            problems.append(
                page.problem(f"stream_of: {what}{_known(meta.stream_of, candidates)}", "stream_of")
            )
    return problems


def _registration_problems(page: Page, config: SiteConfig) -> list[Problem]:
    """A page's form, completed from [registration], must be whole: located at its key."""
    try:
        effective_registration(page.meta.registration, config.registration)
    except ValidationError as exc:
        out = []
        for error in exc.errors(include_url=False):
            ctx = error.get("ctx") or {}
            key = str(ctx.get("key") or (error["loc"][0] if error["loc"] else ""))
            own = page.meta.registration
            written = isinstance(own, RegistrationDefaults) and key in own.model_fields_set
            where = ("registration", key) if written else ("registration",)
            message = str(error["msg"]).removeprefix("Value error, ")
            out.append(page.problem(f"registration: {message}", *where))
        return out
    return []


def _known(word: str, names: Any) -> str:
    hint = did_you_mean(word, list(names))
    return hint or (f" (defined: {', '.join(sorted(names))})" if names else " (none defined)")
