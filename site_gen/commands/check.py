"""``check(site) -> CheckReport``: the library call behind ``site-gen check``.

The same validation as a build (config, every page, the lock, webinars
changed under their conference), without calling the API or writing a
file, plus warnings about things that build but probably should not ship
as they are: a past webinar that was never scheduled, a page without a
description or image, a ``base_url`` that is not https, a webinar relying
on the site's time zone, an ``on_leave`` path or a ``[theme]`` nav or
footer path that leads to no page, a social network the theme has no icon
for (a typo, most likely), and a theme file the site ejected whose
original has changed since (commands/theme.py).

Problems are collected, never raised: the caller decides how to print them
(text, JSON, GitHub annotations) and what exit code they make.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from site_gen.config.integrations import effective_registration
from site_gen.config.parsing import KeyLines, SourceError, parse_toml
from site_gen.config.problems import did_you_mean
from site_gen.config.theme import SOCIAL_NETWORKS
from site_gen.errors import Problem, SiteGenError, ValidationFailed
from site_gen.i18n import CatalogProblem, catalog_files, extract_messages, missing_messages
from site_gen.output.staging import check_output_target
from site_gen.paths import CONFIG_FILE, LOCALES_DIR, LOCK_FILE
from site_gen.render.blocked import blocked_resources
from site_gen.render.theme import locale_dirs, static_dirs, template_dirs
from site_gen.scheduling.plan import make_plan
from site_gen.structure.files import SITE_FILES, static_files
from site_gen.structure.lock import Lock
from site_gen.structure.pages import Page, content_files
from site_gen.structure.site import Site, load_site
from site_gen.structure.tags import tag_slug

from .theme import outdated_overrides

__all__ = ["CheckOptions", "CheckReport", "check"]

@dataclass(frozen=True)
class CheckOptions:
    """What the command line may change about a check."""

    drafts: bool = False
    strict: bool = False
    now: datetime | None = None
    environ: Mapping[str, str] | None = None


@dataclass
class CheckReport:
    """Every problem found, errors and warnings, in file and line order."""

    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    strict: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop a build."""
        return [p for p in self.problems if p.severity != "warning"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems a build reports and carries on after."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def failed(self) -> bool:
        """Errors, or with ``strict`` any warning: what makes ``check`` exit 1."""
        return bool(self.errors or (self.strict and self.warnings))


def check(root: Path, options: CheckOptions | None = None) -> CheckReport:
    """Validate the site at ``root`` as a build would, and collect warnings; no API call."""
    options = options or CheckOptions()
    environ = os.environ if options.environ is None else options.environ
    now = options.now or datetime.now(UTC)
    report = CheckReport(strict=options.strict)
    try:
        site = load_site(root, environ)
    except ValidationFailed as exc:
        report.problems = sorted(exc.problems, key=_order)
        report.pages = sum(1 for _ in content_files(root))
        return report
    pages = site.published(drafts=options.drafts)
    report.pages = len(pages)
    problems: list[Problem] = []
    try:
        lock = Lock.load(root / LOCK_FILE)
        plan = make_plan(site, pages, lock.peek(site.config.callbridge.api), now=now)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    else:
        problems.extend(_warn(p) for p in plan.warnings)
    try:
        check_output_target(site.output_dir.absolute(), root)
    except SiteGenError as exc:
        problems.append(Problem(CONFIG_FILE, _config_lines(root).line_of(("site", "output_dir")),
                                str(exc)))
    problems.extend(_warn(p) for p in authoring_warnings(site, pages, root))
    problems.extend(_warn(p) for p in blocked_resources(site, pages))
    problems.extend(catalog_problems(site, root))
    problems.extend(outdated_overrides(root))
    report.problems = sorted(set(problems), key=_order)
    return report


def authoring_warnings(site: Site, pages: list[Page], root: Path) -> list[Problem]:
    """Warnings about pages and config that build fine but read badly or link nowhere."""
    out: list[Problem] = []
    config = site.config
    if not config.site.base_url.startswith("https://"):
        out.append(Problem(
            CONFIG_FILE, _config_lines(root).line_of(("site", "base_url")),
            f"base_url {config.site.base_url!r} is not https: browsers refuse camera and "
            "microphone to embedded rooms on plain http pages (except localhost)",
        ))
    targets = _link_targets(site, pages)
    drafts = {p.path for p in site.pages if p.meta.draft and p not in pages}
    out.extend(_theme_warnings(site, root, targets))
    privacy = any("privacy" in link.label.lower() for link in config.theme.footer)
    for page in pages:
        meta = page.meta
        if not meta.description.strip():
            out.append(page.problem(
                "no description: search results and link previews will show none", "title"))
        if meta.image is None and config.theme.share_image is None:
            out.append(page.problem(
                "no image: link previews in social posts and chats will show none", "title"))
        if meta.kind == "webinar" and meta.time_zone is None:
            out.append(page.problem(
                f"no time_zone: start {meta.start:%Y-%m-%d %H:%M} is read in the site's "
                f"default, {config.site.time_zone}; say time_zone: to be sure", "start"))
        form = effective_registration(meta.registration, config.registration)
        if form is not None and form.consent and not privacy:
            out.append(page.problem(
                "registration consent: the footer has no link labelled 'Privacy', so the "
                "checkbox links no privacy policy; add one to [theme] footer", "registration"))
        for reason, action in meta.on_leave.actions().items():
            if action.navigate is None:
                continue
            path = _site_path(page, action.navigate)
            if path is None or path in targets:
                continue
            what = "a draft page" if path in drafts else "no page or file of this site"
            out.append(page.problem(
                f"on_leave.{reason}: {action.navigate!r} points at {what}", "on_leave", reason))
    return out


def catalog_problems(site: Site, root: Path) -> list[Problem]:
    """Words the page language has no translation for: a warning naming the catalog to fill.

    The theme's catalogs are complete (a test keeps them so); a site that
    adds a language, or templates with words of their own, may not be. A
    malformed catalog is an error at its line, as a build would report it.
    """
    language = site.config.site.language
    lines = _config_lines(root)
    try:
        files = catalog_files(language, locale_dirs(root))
    except CatalogProblem as exc:
        return [Problem(_rel(exc.path, root), exc.line, exc.message)]
    own = f"{LOCALES_DIR}/{language}.po"
    if not files:
        if language.split("-")[0] == "en":
            return []
        return [Problem(
            CONFIG_FILE, lines.line_of(("site", "language")),
            f"no catalog for language {language!r}: pages show the theme's English words; "
            f"add {own} (docs/languages.md)", "warning",
        )]
    wanted = extract_messages(template_dirs(root))
    missing = [m for m in wanted if all(missing_messages(c, [m]) for c in files.values())]
    if not missing:
        return []
    site_files = [p for p in files if p.is_relative_to(root)]
    where = _rel(site_files[0], root) if site_files else own
    shown = ", ".join(repr(m if isinstance(m, str) else m[0]) for m in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return [Problem(
        where, None,
        f"{len(missing)} string(s) of the templates have no {language!r} translation and show "
        f"in English: {shown}{more} (pybabel update, docs/languages.md)", "warning",
    )]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _theme_warnings(site: Site, root: Path, targets: set[str]) -> list[Problem]:
    """[theme] links to no page of the site, and social networks the theme has no icon for."""
    theme = site.config.theme
    lines = _config_lines(root)
    out = []
    for key in ("nav", "footer"):
        for index, link in enumerate(getattr(theme, key) or []):
            parts = urlsplit(link.url)
            if parts.scheme or parts.netloc:
                continue
            path = posixpath.normpath(unquote(parts.path) or "/")
            path = path + "/" if parts.path.endswith("/") and path != "/" else path
            if path not in targets:
                out.append(Problem(
                    CONFIG_FILE, lines.line_of(("theme", key, index)),
                    f"theme.{key}[{index}]: {link.url!r} ({link.label}) points at no page or "
                    "file of this site",
                ))
    for index, social in enumerate(theme.social):
        if not social.known:
            hint = did_you_mean(social.network.lower(), SOCIAL_NETWORKS)
            out.append(Problem(
                CONFIG_FILE, lines.line_of(("theme", "social", index)),
                f"theme.social[{index}]: the theme has no icon for {social.network!r}{hint}: "
                "the link shows its name instead",
            ))
    return out


def _site_path(page: Page, link: str) -> str | None:
    """The site path a link leads to, or None for links that leave the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = urljoin(page.path, unquote(parts.path)) if parts.path else page.path
    normal = posixpath.normpath(path)
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def _link_targets(site: Site, pages: list[Page]) -> set[str]:
    """Every path a build of these pages serves, both as ``/x/`` and ``/x/index.html``.

    Listings follow render/outputs.py: the default language always has its
    index, feed and (with tags) tag pages; another language has its own
    (``/fr/``, ``/fr/events.ics``, ``/fr/tags/``, ``/fr/tags/SLUG/``) only
    when it has pages, each listing that language's tags only.
    """
    config = site.config
    default = config.site.language
    targets = {"/", *(f"/{rel}" for rel in SITE_FILES)}
    tags_of: dict[str, set[str]] = {default: set()}
    for page in pages:
        targets.update({page.path, f"{page.path}index.html", f"/{page.slug}"})
        if page.meta.kind == "webinar":
            targets.add(f"{page.path}event.ics")
        own = tags_of.setdefault(page.language or default, set())
        own.update(tag_slug(t) for t in page.meta.tags)
    for language, tags in tags_of.items():
        home = config.language_path(language)
        targets.update({home, f"{home}index.html", f"{home}events.ics"})
        if tags:
            targets.update({f"{home}tags/", f"{home}tags/index.html", f"{home}tags"})
        for slug in tags:
            targets.update(
                {f"{home}tags/{slug}/", f"{home}tags/{slug}/index.html", f"{home}tags/{slug}"}
            )
    for file in static_files(static_dirs(site.root)):
        targets.add("/" + file.rel)
        if file.rel.rpartition("/")[2] == "index.html":
            parent = posixpath.dirname("/" + file.rel)
            targets.update({parent, parent.rstrip("/") + "/"})
    return targets


def _config_lines(root: Path) -> KeyLines:
    """Lines of site.toml's keys (load_config has validated it; re-reading is cheap)."""
    try:
        return parse_toml((root / CONFIG_FILE).read_text(encoding="utf-8"))[1]
    except (OSError, SourceError):
        return KeyLines()


def _warn(problem: Problem) -> Problem:
    return dataclasses.replace(problem, severity="warning")


def _order(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line or 0, p.severity == "warning", p.message)
