"""The preview's site in memory, rebuilt by what each change touches.

A disk build renders everything; an author saving one page wants that page
back in milliseconds. :class:`PreviewSite` keeps the last good result of
every step (config, each page, each rendered file) and on :meth:`update`
redoes only the steps a change invalidates:

- one content file: parse it, resolve every page (cheap, no rendering) and
  re-render exactly the pages whose resolved inputs differ, plus the
  site-wide files (index, tags, feeds, sitemap) only when something they
  list changed (not for a body edit);
- a template: a fresh Jinja environment and every page;
- ``site.toml`` or ``site-gen.lock``: everything, content included;
- a static file: that file.

Errors never leave the preview empty: a page that fails keeps its last good
output and the problem is listed (``file:line: message``) until fixed.
The preview never schedules: webinars the lock lacks get the "scheduled
when published" placeholder (``resolve_pages(..., preview=True)``).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from site_gen.config.site_toml import SiteConfig, load_config
from site_gen.errors import Problem, SiteGenError, ValidationFailed
from site_gen.paths import CONFIG_FILE, LOCALES_DIR, LOCK_FILE, SITE_DIRS
from site_gen.render.headers import SiteHeaders, site_headers
from site_gen.render.outputs import page_files, site_wide_files
from site_gen.render.renderer import Renderer
from site_gen.render.theme import static_dirs
from site_gen.structure.files import OutputFile, static_files
from site_gen.structure.languages import place_page
from site_gen.structure.lock import ApiSection, Lock
from site_gen.structure.pages import Page, check_pages, content_files, load_page
from site_gen.structure.resolve import Resolved, resolve_pages
from site_gen.structure.site import Site

from .events import Rebuild

__all__ = ["RECENT_REBUILDS", "PreviewSite"]

#: How many rebuilds the status endpoint can report on (``?since=N``).
RECENT_REBUILDS = 64

Clock = Callable[[], datetime]


def _listing_key(item: Resolved) -> tuple[Any, ...]:
    """What site-wide files know of a page: all but its Markdown body."""
    return (item.page.source, item.page.slug, item.page.meta, item.frame, item.timeslot,
            item.placeholder)


@dataclass
class _State:
    """Everything kept between rebuilds; :meth:`copy` is taken before each one."""

    config: SiteConfig | None = None
    section: ApiSection = field(default_factory=ApiSection)
    renderer: Renderer | None = None
    #: Latest successful parse of each content file that exists.
    loaded: dict[str, Page] = field(default_factory=dict)
    #: The pages actually rendered last time (passed the cross-page checks).
    used: dict[str, Page] = field(default_factory=dict)
    resolved: dict[str, Resolved] = field(default_factory=dict)
    listing: list[tuple[Any, ...]] = field(default_factory=list)
    page_out: dict[str, dict[str, OutputFile]] = field(default_factory=dict)
    site_out: dict[str, OutputFile] = field(default_factory=dict)
    static_out: dict[str, OutputFile] = field(default_factory=dict)
    setup_problems: list[str] = field(default_factory=list)
    load_problems: dict[str, list[Problem]] = field(default_factory=dict)
    check_problems: list[Problem] = field(default_factory=list)
    render_problems: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> _State:
        """A copy whose tables a rebuild may change without touching this one's."""
        copied = dataclasses.replace(self)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict | list):
                setattr(copied, f.name, value.copy())
        return copied


class PreviewSite:
    """A site rendered into memory for the preview server; thread-safe updates.

    ``files`` and ``problems`` are replaced wholesale after each rebuild, so
    the server (on the event loop) always reads a consistent snapshot while
    the next rebuild runs on a worker thread. A rebuild never raises: what
    goes wrong, a bug included, is listed in ``problems`` while the last
    good version of every page stays in ``files``.
    """

    #: Folders (recursively) and root files whose changes the preview follows.
    watched_dirs: tuple[str, ...] = (*SITE_DIRS, LOCALES_DIR)
    watched_files: tuple[str, ...] = (CONFIG_FILE, LOCK_FILE)

    def __init__(
        self,
        root: Path,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.root = root.absolute()
        self.environ = os.environ if environ is None else environ
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        #: Output path → file, as the server serves it.
        self.files: Mapping[str, OutputFile] = {}
        #: Output path → number of the rebuild that last changed it.
        self.versions: Mapping[str, int] = {}
        self.problems: tuple[str, ...] = ()
        self.last: Rebuild | None = None
        #: The last rebuilds, oldest first: what each one did, even when another
        #: followed before anyone asked (the status endpoint's ``since``).
        self.recent: deque[Rebuild] = deque(maxlen=RECENT_REBUILDS)
        self.meeting_origin: str | None = None
        self._state = _State()
        self._number = 0
        self._lock = threading.Lock()
        self._defer = False
        #: Resolved pages and their listing keys whose site-wide files are not rendered yet.
        self._pending: tuple[list[Resolved], list[tuple[Any, ...]]] | None = None

    # -- entry points ---------------------------------------------------------------

    def build(self) -> Rebuild:
        """Load and render everything (the first build, or after a config change)."""
        rebuild = self._guarded("built", self._build)
        assert rebuild is not None
        return rebuild

    def _build(self) -> Rebuild:
        with self._lock:
            self._defer = False
            started = time.perf_counter()
            self._load_setup()
            self._load_all_content()
            self._state.static_out = self._static()
            rendered, site_wide = self._render(full=True)
            return self._finish("built", started, rendered, site_wide, static=True)

    def update(self, paths: Iterable[Path], *, defer: bool = False) -> Rebuild:
        """Rebuild what changes to ``paths`` (absolute, under the root) touch.

        With ``defer``, site-wide files (index, tags, feeds: slow on a large
        site) are left for :meth:`finish`, so the edited page reloads first.
        """
        rels = sorted({rel for rel in (self._rel(p) for p in paths) if rel is not None})
        if not rels:
            return self.last or self.build()
        reason = rels[0] if len(rels) == 1 else f"{len(rels)} files"
        rebuild = self._guarded(reason, lambda: self._update(rels, reason, defer))
        assert rebuild is not None
        return rebuild

    def _update(self, rels: list[str], reason: str, defer: bool) -> Rebuild:
        top = {PurePosixPath(rel).parts[0] for rel in rels}
        with self._lock:
            self._defer = defer
            started = time.perf_counter()
            if top & set(self.watched_files) or self._theme_files_touched(rels):
                self._load_setup()
                self._load_all_content()
                self._state.static_out = self._static()
                rendered, site_wide = self._render(full=True)
                return self._finish(reason, started, rendered, site_wide, static=True)
            # A catalog's words are on every page, as a template's are.
            if top & {"templates", LOCALES_DIR}:
                self._state.renderer = self._new_renderer()
            if "content" in top:
                self._load_content([r for r in rels if r.startswith("content/")])
            static = "static" in top
            if static:
                self._state.static_out = self._static()
            if top & {"content", "templates", LOCALES_DIR}:
                rendered, site_wide = self._render(full=bool(top & {"templates", LOCALES_DIR}))
            else:
                rendered, site_wide = 0, False
            return self._finish(reason, started, rendered, site_wide, static=static,
                                touched={r.removeprefix("static/") for r in rels if static})

    def _theme_files_touched(self, rels: list[str]) -> bool:
        """A file [theme] names (a logo, a font) came, went or changed: site.toml's checks again.

        Also after a setup problem, which a new static file may be the fix of.
        """
        static = [r for r in rels if r.startswith("static/")]
        if not static:
            return False
        if self._state.setup_problems:
            return True
        config = self._state.config
        named = {f"static{path}" for _loc, path in config.theme.files()} if config else set()
        return any(r in named for r in static)

    def _guarded(self, reason: str, rebuild: Callable[[], Rebuild | None]) -> Rebuild | None:
        """Run one rebuild; an unexpected error is a problem on screen, not a dead preview.

        What the rebuild left half-done is dropped: the files and state of the
        last good rebuild stay, and the next change starts again from them.
        """
        started = time.perf_counter()
        files, versions, state = self.files, self.versions, self._state.copy()
        pending = self._pending
        try:
            return rebuild()
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(exc)).strip()
            with self._lock:
                self.files, self.versions, self._state = files, versions, state
                self._pending = pending
                self._number += 1
                self.problems = (
                    *self.problems,
                    f"{reason}: unexpected error: {detail} (a bug in site-gen: please report "
                    "it; the preview keeps the last good pages)",
                )
                return self._record(
                    Rebuild(
                        number=self._number, reason=reason, pages_rendered=0,
                        site_files_rendered=False, changed=frozenset(), static_changed=False,
                        problems=self.problems, seconds=time.perf_counter() - started,
                    )
                )

    # -- loading ------------------------------------------------------------------

    def _rel(self, path: Path) -> str | None:
        try:
            rel = Path(path).absolute().relative_to(self.root).as_posix()
        except ValueError:
            return None
        parts = PurePosixPath(rel).parts
        if not parts:
            return None
        if len(parts) == 1 and parts[0] in self.watched_files:
            return rel
        if parts[0] in self.watched_dirs:
            return rel
        return None

    def _load_setup(self) -> None:
        """site.toml and the lock; a broken one keeps the last good in use."""
        state = self._state
        state.setup_problems = []
        try:
            state.config = load_config(self.root, self.environ)
        except ValidationFailed as exc:
            state.setup_problems.extend(str(p) for p in exc.problems)
        if state.config is not None:
            try:
                state.section = Lock.load(self.root / LOCK_FILE).peek(state.config.callbridge.api)
            except ValidationFailed as exc:
                state.setup_problems.extend(str(p) for p in exc.problems)
            self.meeting_origin = state.config.callbridge.meeting_origin
        state.renderer = self._new_renderer()

    def _new_renderer(self, headers: SiteHeaders | None = None) -> Renderer | None:
        config = self._state.config
        if config is None:
            return None
        return Renderer(self.root, config, now=self.clock(), preview=True, headers=headers)

    def _load_all_content(self) -> None:
        state = self._state
        state.loaded, state.load_problems = {}, {}
        for rel, _ in content_files(self.root):
            self._load_one(rel)

    def _load_content(self, rels: list[str]) -> None:
        """Reload changed content files; rescan the folder only when files came or went."""
        state = self._state
        known = state.loaded.keys() | state.load_problems.keys()
        # The common case, an edit of a page that exists: no folder scan.
        simple = all(
            rel in known and rel.endswith(".md") and (self.root / rel).is_file() for rel in rels
        )
        if simple:
            for rel in rels:
                self._load_one(rel)
            return
        present = {rel for rel, _ in content_files(self.root)}
        for gone in (set(state.loaded) | set(state.load_problems)) - present:
            state.loaded.pop(gone, None)
            state.load_problems.pop(gone, None)
        known = state.loaded.keys() | state.load_problems.keys()
        for rel in sorted(present):
            if rel not in known or rel in rels:
                self._load_one(rel)

    def _load_one(self, rel: str) -> None:
        state = self._state
        if not (self.root / rel).is_file():
            state.loaded.pop(rel, None)
            state.load_problems.pop(rel, None)
            return
        page, problems = load_page(self.root, rel)
        if page is not None and state.config is not None:
            # Its language and URL prefix (multilingual sites): as a build places it.
            page, placing = place_page(page, state.config)
            if placing:
                page, problems = None, placing
        if page is not None:
            state.loaded[rel] = page
            state.load_problems.pop(rel, None)
        else:
            # Keep the last good version on screen, under the overlay.
            state.load_problems[rel] = problems

    def _static(self) -> dict[str, OutputFile]:
        return {f.rel: f for f in static_files(static_dirs(self.root))}

    # -- rendering ----------------------------------------------------------------

    def _select_pages(self) -> list[Page]:
        """The pages to render: the latest parse, or the last good one if it breaks a rule."""
        state = self._state
        candidates = dict(state.loaded)
        # A file that no longer parses keeps its last rendered version.
        for rel in state.load_problems:
            if rel in state.used:
                candidates[rel] = state.used[rel]
        pages = [candidates[s] for s in sorted(candidates)]
        state.check_problems = check_pages(pages, state.config)
        bad = {p.path for p in state.check_problems}
        if not bad:
            return pages
        for rel in bad:
            previous = state.used.get(rel)
            if previous is not None and previous is not candidates.get(rel):
                candidates[rel] = previous
            else:
                candidates.pop(rel, None)
        pages = [candidates[s] for s in sorted(candidates)]
        still = {p.path for p in check_pages(pages, state.config)}
        return [p for p in pages if p.source not in still]

    def _render(self, *, full: bool) -> tuple[int, bool]:
        """Render what changed; returns (pages rendered, site-wide files rendered)."""
        state = self._state
        config, renderer = state.config, state.renderer
        if config is None or renderer is None:
            return 0, False
        now = self.clock()
        renderer.now = now
        resolved = None if full else self._body_edits()
        if resolved is None:
            pages = self._select_pages()
            # A new Site each time: what resolving derives from it (slugs) never goes stale.
            site = Site(root=self.root, config=config, pages=tuple(pages))
            resolved, problems = resolve_pages(site, pages, state.section, now=now, preview=True)
            state.check_problems.extend(problems)
            # A form's origin is in every page's policy (the <meta> CSP): a new
            # one means a renderer with the new policy, and every page again.
            headers = site_headers(config, pages)
            if headers != renderer.headers:
                renderer = state.renderer = self._new_renderer(headers)
                assert renderer is not None
                renderer.now = now
                full = True
        current = {item.page.source: item for item in resolved}
        for gone in set(state.page_out) - set(current):
            state.page_out.pop(gone, None)
            state.render_problems.pop(gone, None)
            state.resolved.pop(gone, None)
        rendered = 0
        for source, item in current.items():
            if not full and state.resolved.get(source) == item:
                continue
            rendered += 1
            try:
                outputs = {f.rel: f for f in page_files(renderer, item)}
            except SiteGenError as exc:
                state.render_problems[source] = [str(exc)]
                state.resolved.pop(source, None)
                continue
            state.render_problems.pop(source, None)
            state.page_out[source] = outputs
            state.resolved[source] = item
        state.used = {s: item.page for s, item in state.resolved.items() if s in current}
        listing = [_listing_key(item) for item in resolved]
        site_wide = full or listing != state.listing
        self._pending = (resolved, listing) if site_wide else None
        if site_wide and not self._defer:
            self._render_site_wide()
        return rendered, site_wide and not self._defer

    def _body_edits(self) -> list[Resolved] | None:
        """The fast path: if only Markdown bodies changed, the resolved pages, else None.

        A body is seen by its own page alone: not by the cross-page rules,
        not by other pages' rooms, not by the listings. So checking and
        resolving all the other pages again (the bulk of a one-page rebuild
        on a large site) can be skipped.
        """
        state = self._state
        if state.load_problems or state.check_problems or self._pending is not None:
            return None
        if state.loaded.keys() != state.resolved.keys():
            return None
        out = []
        for source, item in state.resolved.items():
            page = state.loaded[source]
            if page is not item.page:
                if page.meta != item.page.meta:
                    return None
                item = dataclasses.replace(item, page=page)
            out.append(item)
        return out

    def _render_site_wide(self) -> None:
        state = self._state
        if self._pending is None or state.renderer is None:
            return
        resolved, listing = self._pending
        try:
            state.site_out = {f.rel: f for f in site_wide_files(state.renderer, resolved)}
        except SiteGenError as exc:
            state.render_problems["site"] = [str(exc)]
        else:
            state.render_problems.pop("site", None)
            state.listing = listing
        finally:
            self._pending = None  # only now: the status endpoint reports it while rendering

    @property
    def site_files_pending(self) -> bool:
        """Index, tags and feeds wait for :meth:`finish` (``update(..., defer=True)``)."""
        return self._pending is not None

    def finish(self) -> Rebuild | None:
        """Render the site-wide files an ``update(..., defer=True)`` left pending."""
        if self._pending is None:
            return None
        return self._guarded("index, tags, feeds", self._finish_pending)

    def _finish_pending(self) -> Rebuild | None:
        with self._lock:
            if self._pending is None:
                return None
            started = time.perf_counter()
            self._render_site_wide()
            return self._finish("index, tags, feeds", started, 0, True, static=False)

    def _finish(
        self,
        reason: str,
        started: float,
        rendered: int,
        site_wide: bool,
        *,
        static: bool,
        touched: Iterable[str] = (),
    ) -> Rebuild:
        state = self._state
        self._number += 1
        files: dict[str, OutputFile] = dict(state.static_out)
        files.update(state.site_out)
        if state.renderer is not None:  # image variants, as the disk build writes them
            files.update((f.rel, f) for f in state.renderer.asset_files())
        collisions: list[str] = []
        for source, outputs in state.page_out.items():
            for rel, file in outputs.items():
                if rel in files:
                    collisions.append(
                        f"{source}: would overwrite {rel}, already written for {files[rel].source}"
                    )
                files[rel] = file
        old, versions = self.files, dict(self.versions)
        changed = {rel for rel in files.keys() ^ old.keys()}
        changed.update(rel for rel in files.keys() & old.keys() if files[rel] != old[rel])
        changed.update(rel for rel in touched if rel in files)
        for rel in changed:
            versions[rel] = self._number
        for rel in old.keys() - files.keys():
            versions.pop(rel, None)
        problems = [*state.setup_problems]
        for rel in sorted(state.load_problems):
            found = sorted(state.load_problems[rel], key=lambda p: (p.line or 0, p.message))
            problems.extend(str(p) for p in found)
        problems.extend(str(p) for p in sorted(state.check_problems))
        for key in sorted(state.render_problems):
            problems.extend(state.render_problems[key])
        problems.extend(collisions)
        self.files, self.versions = files, versions
        self.problems = tuple(dict.fromkeys(problems))
        return self._record(
            Rebuild(
                number=self._number,
                reason=reason,
                pages_rendered=rendered,
                site_files_rendered=site_wide,
                changed=frozenset(changed),
                static_changed=static and bool(changed & state.static_out.keys()),
                problems=self.problems,
                seconds=time.perf_counter() - started,
            )
        )

    def _record(self, rebuild: Rebuild) -> Rebuild:
        """Make ``rebuild`` the last one, and keep it among the recent ones."""
        self.last = rebuild
        self.recent.append(rebuild)
        return rebuild
