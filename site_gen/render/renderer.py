"""Pages from templates: the one place the Jinja environment is made.

Templates come from the site's ``templates/`` first, then the default
theme, so a site overrides any template by writing one of the same name
(or extends the theme's own as ``"!name"``). Templates get plain data
(``site``, ``theme``, ``page``, ``room``; a webinar's time slot is
``page.schedule``, the name templates have always used) and a few filters;
all escaping is Jinja's autoescape. Every word a page shows is in the
templates, never here, so that a site (or gettext) can change it.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from types import CodeType, SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlsplit

import jinja2
import jinja2.meta
from markupsafe import Markup

from site_gen.config.integrations import HIDDEN_FIELDS, effective_registration
from site_gen.config.site_toml import SiteConfig
from site_gen.errors import BuildFailed, Problem, ValidationFailed
from site_gen.i18n import (
    CatalogProblem,
    babel_locale,
    load_catalogs,
    plural_samples,
    text_direction,
)
from site_gen.images import ImageVariants, ResponsiveImage
from site_gen.paths import IMAGE_CACHE_DIR
from site_gen.structure.files import PAGE_TEMPLATES, THEME_STYLESHEET, OutputFile
from site_gen.structure.tags import TagGroup, group_by_tag, tag_path, tag_slug
from site_gen.structure.timeslot import platform_start

from .analytics import ANALYTICS_FILE, Analytics, analytics
from .assets import Fingerprints, fingerprint_theme
from .dates import DateFormats
from .headers import SiteHeaders, headers_file, site_headers
from .ical import (
    CalendarEvent,
    calendar_event,
    event_ical,
    google_calendar_url,
    outlook_calendar_url,
    to_ics,
)
from .markdown import MarkdownRenderer
from .seo import event_json_ld, json_ld
from .stylesheet import theme_stylesheet
from .template_cache import load_code, store_code
from .theme import (
    THEME_ASSETS,
    THEME_PREFIX,
    locale_dirs,
    site_hooks,
    static_dirs,
    template_dirs,
    theme_templates_dir,
)
from .translated import TranslatedEnvironment

if TYPE_CHECKING:
    from site_gen.structure.resolve import Resolved

__all__ = ["Renderer", "ThemeData", "ThemeLoader"]

#: The theme's favicon, for sites whose [theme] names none.
DEFAULT_FAVICON = f"/{THEME_ASSETS}/favicon.svg"
_ICON_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}


# What templates read of [theme]: objects, not dicts, because every page reads
# them and Jinja tries an attribute before an item (a dict's miss is an exception).
class _Link(NamedTuple):
    label: str
    url: str


class _Social(NamedTuple):
    network: str  # lower case: the key of its icon
    name: str  # as written in site.toml
    url: str


class _Icon(NamedTuple):
    href: str
    type: str


@dataclass(frozen=True, slots=True)
class ThemeData:
    """``theme`` in templates: [theme]'s settings as the default templates use them.

    Paths stay site paths (templates pass them through ``url``); the share
    image is absolute, as og:image needs. ``nav`` None: the theme's own
    navigation; an empty tuple: none at all.
    """

    logo: str | None
    logo_dark: str | None
    favicon: _Icon
    stylesheet: str | None
    extra_css: tuple[str, ...]
    extra_js: tuple[str, ...]
    nav: tuple[_Link, ...] | None
    footer: tuple[_Link, ...]
    social: tuple[_Social, ...]
    share_image: str | None
    font: str


class ThemeLoader(jinja2.BaseLoader):
    """The site's templates, then the theme's; ``!name`` is always the theme's ``name``.

    With ``templates/webinar.html`` holding ``{% extends "!webinar.html" %}``
    and one ``{% block aside %}``, a site changes one block and keeps every
    other part of the page as the installed site-gen draws it.
    """

    def __init__(self, site_root: Path) -> None:
        self.search = jinja2.FileSystemLoader([str(d) for d in template_dirs(site_root)])
        self.theme = jinja2.FileSystemLoader(str(theme_templates_dir()))

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The source of ``template``: ``!name`` from the theme only."""
        if template.startswith(THEME_PREFIX):
            try:
                return self.theme.get_source(environment, template.removeprefix(THEME_PREFIX))
            except jinja2.TemplateNotFound:
                raise jinja2.TemplateNotFound(template) from None
        return self.search.get_source(environment, template)

    def list_templates(self) -> list[str]:
        """Every template name the site can use (its own and the theme's)."""
        return self.search.list_templates()

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        """Load ``name``, compiling its source only once per process.

        Every build makes a new environment (a new Renderer), so Jinja's own
        cache starts empty each time; a process that builds again (the
        preview server, a test suite, a benchmark) would parse and compile
        every template again, about 0.2 s. Compiled code is kept by source
        text and name, for environments made as :class:`Renderer` makes them.
        """
        source, filename, uptodate = self.get_source(environment, name)
        escape = environment.autoescape
        settings = (
            escape(name) if callable(escape) else escape,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            tuple(sorted(environment.extensions)),
            # Constant messages are compiled in (translated.py): one language, one catalog.
            getattr(environment, "translations_key", None),
        )
        key = (name, filename, source, settings)
        code = _COMPILED.get(key)
        if code is None:
            # Then the user's cache, across processes (template_cache.py).
            newstyle = getattr(environment, "newstyle_gettext", False)
            disk_key = (*key, tuple(sorted(environment.filters)), newstyle)
            code = load_code(disk_key)
            if code is None:
                code = environment.compile(source, name, filename)
                store_code(disk_key, code)
            if len(_COMPILED) > _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = code
        # A plain dict, not Jinja's ChainMap over the environment's globals: every
        # render copies a template's globals into its context, and every
        # ``{% from ... import %}`` (five a page) subtracts the importing context's
        # global names from the imported template's; on a ChainMap both run in
        # Python, key by key, on a dict in C (0.2 ms a page with the theme's
        # 20-odd globals). The Renderer sets every global before it loads a
        # template and never after, so a copy sees what the ChainMap would.
        flat = dict(environment.make_globals(globals))
        return environment.template_class.from_code(environment, code, flat, uptodate)


def _per_build(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose answer depends on this build (base URL, fingerprints, language).

    Jinja's optimizer calls filters on constant arguments while compiling
    (``'/x' | url`` becomes a literal), and compiled code is shared between
    builds of one process (see ThemeLoader.load): a preview whose base_url
    or stylesheet changed, or a second site built in the same process, would
    get the first build's answer. A filter that takes the context is never
    folded, so it runs when the page renders.
    """

    @jinja2.pass_context
    def at_render(_context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return at_render


#: Compiled template code by (name, filename, source): see ThemeLoader.load.
_COMPILED: dict[tuple[str, str | None, str, tuple[object, ...]], CodeType] = {}
_COMPILED_MAX = 512


@dataclass(frozen=True)
class _Urls:
    """Site-relative and absolute URLs from ``base_url``."""

    base_url: str

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def url(self, path: str) -> str:
        if not path.startswith("/") or path.startswith("//"):
            return path
        return f"{self.base_path}{path}"

    def abs_url(self, path: str) -> str:
        if "://" in path:
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)


class _LazyLinks(Mapping[str, str]):
    """A webinar's "add to calendar" links, made on first use.

    They cost a few URL encodings each; listings (index, tag pages) carry
    every page's data but never show these links, so they are only built
    when a template reads one.
    """

    def __init__(self, make: Callable[[], dict[str, str]]) -> None:
        self._make: Callable[[], dict[str, str]] | None = make
        self._links: dict[str, str] = {}

    def _load(self) -> dict[str, str]:
        if self._make is not None:
            self._links, self._make = self._make(), None
        return self._links

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _own_name(tag: str) -> str:
    """A language's name in itself, capitalised as a menu item: "Français", "العربية"."""
    name = babel_locale(tag).get_display_name(babel_locale(tag)) or tag
    return name[:1].upper() + name[1:]


def _gettext_callables(translations: Any) -> dict[str, Callable[..., str]]:
    """``_``, ``gettext`` and ``ngettext`` for templates: jinja2.ext's newstyle ones, made cheap.

    The same results (escaped like autoescape wants, always %-formatted with
    the call's variables), but each message is looked up and marked safe once
    per build, and a call is one template call instead of two: a page calls
    them about a hundred times, which made the translated theme cost a fifth
    more CPU than the English one before it.
    """
    safe: dict[str, Markup] = {}
    plural: dict[tuple[str, str, int], Markup] = {}
    counted: dict[tuple[str, str, int], Markup] = {}

    @jinja2.pass_eval_context
    def gettext(eval_ctx: Any, string: str, /, **variables: Any) -> str:
        if not eval_ctx.autoescape:
            return str(translations.gettext(string)) % variables
        text = safe.get(string)
        if text is None:
            text = safe[string] = Markup(translations.gettext(string))  # noqa: S704 - ours
        return text % variables if variables or "%" in text else text

    @jinja2.pass_eval_context
    def ngettext(eval_ctx: Any, singular: str, plural_: str, num: int, /, **variables: Any) -> str:
        if not variables and type(num) is int and eval_ctx.autoescape:
            # The countdown's units, one per plural category: formatted once per build.
            done = counted.get((singular, plural_, num))
            if done is None:
                form = Markup(translations.ngettext(singular, plural_, num))  # noqa: S704 - ours
                done = counted[(singular, plural_, num)] = form % {"num": num}
            return done
        variables.setdefault("num", num)
        if not eval_ctx.autoescape:
            return str(translations.ngettext(singular, plural_, num)) % variables
        key = (singular, plural_, num)
        text = plural.get(key)
        if text is None:
            text = plural[key] = Markup(translations.ngettext(singular, plural_, num))  # noqa: S704
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


class Renderer:
    """Renders every kind of output file of one site."""

    def __init__(
        self,
        root: Path,
        config: SiteConfig,
        *,
        now: datetime,
        preview: bool = False,
        headers: SiteHeaders | None = None,
        home: str | None = None,
        family: Renderer | None = None,
    ) -> None:
        self.root = root
        self.config = config
        #: The site's policy (pages' forms included, when the caller passes it).
        self.headers = headers if headers is not None else site_headers(config)
        self.analytics: Analytics | None = analytics(
            config.integrations.analytics, config.integrations.consent
        )
        self.now = now
        self.preview = preview
        self.links = _Urls(config.site.base_url)
        #: How long before a webinar's start its page shows the room.
        self.opens_before = timedelta(minutes=config.events.room_opens_minutes)
        self.markdown = MarkdownRenderer(unsafe_html=config.markdown.unsafe_html)
        self.fingerprints: Fingerprints
        self.theme_css: str | None
        self.images: ImageVariants
        if family is not None:
            # Another language's renderer: the same asset names and image variants
            # (one set of files in the output, listed by the default's asset_files).
            self.fingerprints = family.fingerprints
            self.theme_css = family.theme_css
            self.images = family.images
        else:
            #: Content-named copies of the CSS, JS and theme images pages load (render/assets.py);
            #: none in the preview, which links the files by their own names.
            self.fingerprints = Fingerprints(self._locate_static)
            if not preview and self.analytics is not None and self.analytics.config_js is not None:
                self.fingerprints.add_text(f"/{ANALYTICS_FILE}", self.analytics.config_js)
            #: The [theme] stylesheet's text, or None when the theme's defaults stand.
            if preview:
                self.theme_css = theme_stylesheet(config.theme, self.links.url)
            else:
                self.theme_css = fingerprint_theme(
                    self.fingerprints,
                    config.theme,
                    lambda name: theme_stylesheet(config.theme, lambda p: self.links.url(name(p))),
                )
            #: Resized variants of the images pages show (hero, cards), cached by content.
            self.images = ImageVariants(root / IMAGE_CACHE_DIR, self._locate_static)
        #: The page language's words (the site's catalog, then the theme's) and date formats.
        self.language = config.site.language
        #: This language's home ("/", or "/fr/" on a multilingual site): its index, tags, feed.
        self.home = home or config.language_path(self.language)
        try:
            self.catalogs = load_catalogs(self.language, locale_dirs(root))
        except CatalogProblem as exc:
            where = self._site_relative(exc.path)
            raise ValidationFailed([Problem(where, exc.line, exc.message)]) from exc
        self.dates = DateFormats(self.language)
        self.env = self._environment(ThemeLoader(root))
        # Per-item memos: a page's data is needed by its own page, the index
        # and each of its tag pages; its calendar entry by its page, its
        # .ics and events.ics. Keyed by id() with the item kept alongside,
        # so an id reused by a new object never returns old data.
        self._page_memo: dict[int, tuple[Resolved, dict[str, Any]]] = {}
        self._event_memo: dict[int, tuple[Resolved, CalendarEvent]] = {}
        self._ical_memo: dict[int, tuple[Resolved, bytes]] = {}
        self._fragment_memo: dict[tuple[int, int], tuple[object, object, Markup]] = {}
        # Fragments from an earlier build (see reuse_fragments).
        self._stored_fragments: Mapping[str, str] = {}
        self._fragment_page_keys: Mapping[str, str] = {}
        self.made_fragments: dict[str, str] = {}
        #: One renderer per other language of a multilingual site (made on first use).
        self._languages: dict[str, Renderer] = {}

    def for_language(self, tag: str) -> Renderer:
        """The renderer of pages in ``tag``: this one, or one made with that language's settings.

        A page is drawn by the environment of its own language (its catalog,
        its CLDR dates, ``[languages.XX]``'s title and description), so one
        renderer serves each language and the output code needs not know.
        """
        if not tag or tag == self.language:
            return self
        child = self._languages.get(tag)
        if child is None:
            config = self.config
            own = config.languages.get(tag)
            site = config.site.model_copy(
                update={
                    "language": tag,
                    "title": own.title if own and own.title else config.site.title,
                    "description": (
                        own.description
                        if own and own.description is not None
                        else config.site.description
                    ),
                }
            )
            child = Renderer(
                self.root,
                config.model_copy(update={"site": site}),
                now=self.now,
                preview=self.preview,
                headers=self.headers,
                home=config.language_path(tag),
                family=self,
            )
            child._languages = self._languages  # one family: any member finds any language
            self._languages[tag] = child
        return child

    def _for(self, item: Resolved) -> Renderer:
        return self.for_language(item.page.language)

    def by_language(self, items: list[Resolved]) -> list[tuple[Renderer, list[Resolved]]]:
        """Each language's renderer with its pages: the default's first, even with none.

        Each language has its own index, tag pages and events.ics, listing
        its own pages only; a site of one language has one entry, all pages.
        """
        groups: dict[str, list[Resolved]] = {self.language: []}
        for item in items:
            groups.setdefault(item.page.language or self.language, []).append(item)
        return [(self.for_language(tag), own) for tag, own in groups.items()]

    def _environment(self, loader: jinja2.BaseLoader) -> jinja2.Environment:
        # One number per CLDR plural category, for forms site-gen.js picks from.
        samples = plural_samples(self.language)
        # Constant messages are translated as templates compile (translated.py).
        env = TranslatedEnvironment(
            self.catalogs.translations,
            self.catalogs.fingerprint,
            plural_samples=samples,
            loader=loader,
            autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            # Words in templates go through gettext ({% trans %}, _(), ngettext),
            # answered by the catalogs of the page's language (i18n/catalogs.py).
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(  # type: ignore[attr-defined]
            self.catalogs.translations, newstyle=True
        )
        env.globals.update(_gettext_callables(self.catalogs.translations))
        env.filters["url"] = _per_build(self.links.url)
        env.filters["abs_url"] = _per_build(self.links.abs_url)
        # '/assets/site-gen.css' | asset | url: the file's fingerprinted name, if it has one.
        env.filters["asset"] = _per_build(self.fingerprints.name)
        env.filters["datetime"] = _per_build(self.dates.date_time)
        env.filters["date"] = _per_build(self.dates.date)
        env.filters["time"] = _per_build(self.dates.time)
        env.filters["zone"] = _per_build(self.dates.zone)
        env.filters["duration"] = _per_build(self.dates.duration)
        env.filters["list_join"] = _per_build(self.dates.list_join)
        env.globals["plural_samples"] = samples
        env.filters["iso"] = lambda d: d.isoformat()
        env.globals["memo"] = self._memo
        env.globals["site"] = self._site_data()
        env.globals["theme"] = self._theme_data()
        env.globals["hooks"] = SimpleNamespace(**site_hooks(self.root))
        env.globals["preview"] = self.preview
        # The <meta> fallback of the CSP, for hosts that ignore _headers.
        meta = self.config.deploy.headers in ("meta", "both")
        env.globals["csp_meta"] = self.headers.csp.text(meta=True) if meta else None
        env.globals["analytics"] = self.analytics
        env.globals["consent_banner"] = bool(self.analytics and self.analytics.gated)
        return env

    def _site_data(self) -> dict[str, Any]:
        config = self.config
        return {
            "title": config.site.title,
            "description": config.site.description,
            "base_url": config.site.base_url,
            "language": config.site.language,
            "home": self.home,
            "dir": text_direction(config.site.language),
            "datetime_pattern": self.dates.datetime_pattern,
            "time_zone": config.site.time_zone,
            "meeting_origin": config.callbridge.meeting_origin,
            "room_opens_minutes": config.events.room_opens_minutes,
        }

    def _theme_data(self) -> ThemeData:
        theme = self.config.theme
        favicon = theme.favicon or DEFAULT_FAVICON
        name = self.fingerprints.name  # what pages load is named by its content
        return ThemeData(
            logo=name(theme.logo) if theme.logo else None,
            logo_dark=name(theme.logo_dark) if theme.logo_dark else None,
            favicon=_Icon(name(favicon), _ICON_TYPES[PurePosixPath(favicon).suffix.lower()]),
            stylesheet=name(f"/{THEME_STYLESHEET}") if self.theme_css is not None else None,
            extra_css=tuple(name(p) for p in theme.extra_css),
            extra_js=tuple(name(p) for p in theme.extra_js),
            nav=None if theme.nav is None else tuple(_Link(n.label, n.url) for n in theme.nav),
            footer=tuple(_Link(n.label, n.url) for n in theme.footer),
            social=tuple(_Social(s.network.lower(), s.network, s.url) for s in theme.social),
            share_image=self.links.abs_url(theme.share_image) if theme.share_image else None,
            font=theme.font,
        )

    # -- contexts -----------------------------------------------------------

    def page_data(self, item: Resolved) -> dict[str, Any]:
        """What templates know of a page, without its rendered body."""
        if (other := self._for(item)) is not self:
            return other.page_data(item)
        memo = self._page_memo.get(id(item))
        if memo is not None and memo[0] is item:
            return memo[1]
        data = self._page_data(item)
        self._page_memo[id(item)] = (item, data)
        return data

    def _page_data(self, item: Resolved) -> dict[str, Any]:
        page, meta = item.page, item.page.meta
        data: dict[str, Any] = {
            "title": meta.title,
            "description": meta.description,
            "slug": page.slug,
            "path": page.path,
            "url": self.links.abs_url(page.path),
            "kind": meta.kind,
            "tags": meta.tags,
            "tag_links": [
                {"name": t, "path": tag_path(tag_slug(t), self.home)} for t in meta.tags
            ],
            "draft": meta.draft,
            # abs_url already carries base_url's path: no url filter before it.
            "image": self.links.abs_url(meta.image) if meta.image else None,
            # For <img>: site-relative, so previews and other hosts show it too.
            "image_src": self.links.url(meta.image) if meta.image else None,
            # srcset, sizes and dimensions for <picture> (None: an image without variants).
            "picture": self._picture(meta.image) if meta.image else None,
            "recording_url": self.links.url(meta.recording_url) if meta.recording_url else None,
            "source": page.source,
            "host_name": self._host_name(meta.host),
            "schedule": None,
            "status": None,
            "opens": None,
            "state": None,
            "calendar": None,
            "language": self.language,
            "alternates": self._alternates(item),
        }
        slot = item.timeslot
        if slot is not None:
            status = slot.status(self.now, opens_before=self.opens_before)
            data["schedule"] = slot  # the templates' name for a webinar's time slot
            data["status"] = status
            # What the page shows at build time (site-gen.js keeps it current):
            # "open" is the room shown before the start.
            data["state"] = "open" if status == "live" and self.now < slot.start_utc else status
            data["opens"] = slot.opens(self.opens_before)
            data["calendar"] = _LazyLinks(lambda: self._calendar_links(item))
        return data

    def _alternates(self, item: Resolved) -> list[dict[str, Any]]:
        """The page in each language, for hreflang links and the language switcher.

        Every translation lists the whole group, itself included, so the
        links are reciprocal; the first (the default language's) is also
        ``x-default``. Names are each language's own ("Français"), as a
        visitor who does not read the current one looks for theirs.
        """
        out = []
        for page in item.alternates:
            out.append(
                {
                    "language": page.language,
                    "name": _own_name(page.language),
                    "url": self.links.abs_url(page.path),
                    "path": page.path,
                    "current": page is item.page,
                }
            )
        return out

    # -- images -----------------------------------------------------------------

    def _locate_static(self, site_path: str) -> Path | None:
        """The static file published at ``site_path`` (the site's own wins), or None."""
        if not site_path.startswith("/") or site_path.startswith("//"):
            return None
        rel = site_path.lstrip("/")
        for folder in reversed(static_dirs(self.root)):
            if not rel.startswith(folder.under):
                continue
            candidate = folder.path / rel.removeprefix(folder.under)
            try:
                inside = candidate.resolve().is_relative_to(folder.path.resolve())
            except OSError:
                continue
            if inside and candidate.is_file():  # never a link out of static/
                return candidate
        return None

    def _picture(self, site_path: str) -> dict[str, Any] | None:
        """What ``partials/picture.html`` needs of an image: srcsets per type, size, fallback."""
        image = self.images.get(site_path)
        if image is None:
            return None

        def href(rel: str) -> str:
            # Percent-encoded: a space or comma in a file name would split a srcset entry.
            return quote(self.links.url("/" + rel), safe="/%")

        def srcset(variants: tuple[Any, ...]) -> str:
            return ", ".join(f"{href(v.rel)} {v.width}w" for v in variants)

        *modern, (original_type, original) = image.sources
        return {
            "sources": [{"type": t, "srcset": srcset(v)} for t, v in modern],
            "type": original_type,
            "srcset": srcset(original),
            "src": href(image.fallback.rel),
            "width": image.width,
            "height": image.height,
        }

    def prepare_images(self, items: Iterable[Resolved]) -> None:
        """Make (or find cached) the variants of every page's image, now.

        The disk build calls this before forking its page workers, so that
        each image is encoded once, by one process, and the output knows
        every variant file to copy.
        """
        for item in items:
            if item.page.meta.image:
                self.images.get(item.page.meta.image)

    def image_key(self, site_path: str | None) -> str | None:
        """The content key of an image's variants (their names change with it), for cache keys."""
        image: ResponsiveImage | None = self.images.get(site_path) if site_path else None
        return image.key if image is not None else None

    def asset_files(self) -> list[OutputFile]:
        """Files named by their content: fingerprinted assets, and every image variant shown."""
        return [
            *self.fingerprints.files(),
            *(
                OutputFile(v.rel, f"image variant ({v.width} px)", copy_from=v.path)
                for image in self.images.used()
                for v in image.files()
            ),
        ]

    def state(self, item: Resolved) -> str | None:
        """What a page shows of its event at the renderer's ``now`` (None: no event).

        ``upcoming``, ``open`` (the room shown before the start), ``live`` or
        ``ended``: the part of "now" a page's bytes depend on.
        """
        state: str | None = self.page_data(item)["state"]
        return state

    def calendar_event(self, item: Resolved) -> CalendarEvent:
        """A webinar's calendar entry: the data behind its .ics file and "add" links."""
        if (other := self._for(item)) is not self:
            return other.calendar_event(item)  # SUMMARY and DESCRIPTION in the page's language
        memo = self._event_memo.get(id(item))
        if memo is not None and memo[0] is item:
            return memo[1]
        url = self.links.abs_url(item.page.path)
        event = calendar_event(item, url=url, config=self.config)
        self._event_memo[id(item)] = (item, event)
        return event

    def event_ical(self, item: Resolved) -> bytes:
        """A webinar's VEVENT lines, shared by its event.ics and events.ics."""
        if (other := self._for(item)) is not self:
            return other.event_ical(item)
        memo = self._ical_memo.get(id(item))
        if memo is not None and memo[0] is item:
            return memo[1]
        data = event_ical(self.calendar_event(item), now=self.now)
        self._ical_memo[id(item)] = (item, data)
        return data

    def adopt_event_ical(self, item: Resolved, data: bytes) -> None:
        """Take ``item``'s VEVENT lines as another process made them for its event.ics."""
        if (other := self._for(item)) is not self:
            other.adopt_event_ical(item, data)
            return
        self._ical_memo[id(item)] = (item, data)

    def compile_templates(self, names: Iterable[str]) -> None:
        """Compile ``names`` and every template they extend, include or import, now.

        The disk build forks its page workers after this: each would
        otherwise compile page.html, base.html and every partial again.
        A template named by a variable is left to render time; one that
        fails is too (rendering reports it, at its line).
        """
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                self.env.get_template(name)
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                found = jinja2.meta.find_referenced_templates(self.env.parse(source))
            except jinja2.TemplateError:
                continue
            todo.extend(ref for ref in found if ref is not None)

    def forget(self) -> None:
        """Drop the per-item memos (a long-lived renderer between rebuilds)."""
        self._page_memo.clear()
        self._event_memo.clear()
        self._ical_memo.clear()
        self._fragment_memo.clear()

    def reuse_fragments(self, stored: Mapping[str, str], page_keys: Mapping[str, str]) -> None:
        """Take ``memo`` fragments (cards) an earlier build made, by listing key.

        ``page_keys`` maps each page's slug to the key of everything its page
        data depends on (its listing key, output/keys.py: not its body);
        ``stored`` maps ``"MACRO:KEY"`` to the fragment.
        The caller guarantees that the templates and config are the ones
        the stored fragments were made with. What this renderer makes (or
        reuses) is in :attr:`made_fragments`, for the next build.
        """
        self._stored_fragments = stored
        self._fragment_page_keys = page_keys
        self.made_fragments = {}

    def _stored_key(self, macro: Callable[[Any], str], item: object) -> str | None:
        if not self._fragment_page_keys or not isinstance(item, dict):
            return None
        page_key = self._fragment_page_keys.get(str(item.get("slug")))
        name = getattr(macro, "name", None)
        return f"{name}:{page_key}" if page_key and name else None

    def _memo(self, macro: Callable[[Any], str], item: object) -> Markup:
        """Template global ``memo(macro, item)``: ``macro(item)``, made once per item.

        A page's card shows on the home page and on each of its tags' pages;
        rendering it once took the 20 tag pages of a 4000-page site from
        0.71 s to 0.10 s. Only for macros whose output depends on ``item`` alone.
        With :meth:`reuse_fragments`, an unchanged page's card is not
        rendered at all, but taken from the build before.
        """
        key = (id(macro), id(item))
        hit = self._fragment_memo.get(key)
        if hit is not None and hit[0] is macro and hit[1] is item:
            return hit[2]
        stored_key = self._stored_key(macro, item)
        stored = self._stored_fragments.get(stored_key) if stored_key else None
        # a macro's output, or one an earlier build's macro made: already escaped
        html = Markup(stored if stored is not None else macro(item))  # noqa: S704
        self._fragment_memo[key] = (macro, item, html)
        if stored_key:
            self.made_fragments[stored_key] = str(html)
        return html

    def _calendar_links(self, item: Resolved) -> dict[str, str]:
        event = self.calendar_event(item)
        return {
            "ics": self.links.url(f"{item.page.path}event.ics"),
            "ics_url": self.links.abs_url(f"{item.page.path}event.ics"),
            "google": google_calendar_url(event),
            "outlook": outlook_calendar_url(event),
            "office365": outlook_calendar_url(event, office365=True),
        }

    def event_data(self, item: Resolved) -> dict[str, Any] | None:
        """A webinar's schema.org Event (None for other kinds)."""
        slot = item.timeslot
        if slot is None:
            return None
        config, meta = self.config, item.page.meta
        previous = None
        conference = slot.conference
        if conference is not None and conference.superseded:
            last = conference.superseded[-1]
            previous = platform_start(last.start, last.time_zone)
        return event_json_ld(
            name=meta.title,
            description=meta.description.strip(),
            url=self.links.abs_url(item.page.path),
            start=slot.start,
            end=slot.end,
            organizer_name=self._host_name(meta.host) or config.site.title,
            organizer_url=config.site.base_url + "/",
            language=config.site.language,
            image=self._event_image(meta.image),
            sequence=conference.sequence if conference else 0,
            previous_start=previous,
        )

    def _event_image(self, image: str | None) -> str | None:
        """The page's image, else the site's share image: search engines want one per event."""
        if image:
            return self.links.abs_url(image)
        share = self.config.theme.share_image
        return self.links.abs_url(share) if share else None

    def _host_name(self, key: str | None) -> str | None:
        host = self.config.hosts.get(key or "")
        return host.name if host is not None else None

    def room_data(self, item: Resolved) -> dict[str, Any] | None:
        """The iframe and the leave actions the event script reads from data attributes."""
        if item.frame is None:
            return None
        actions = {}
        for reason, action in item.page.meta.on_leave.actions().items():
            if action.navigate is not None:
                actions[reason] = {"navigate": self.links.url(action.navigate), "message": None}
            else:
                actions[reason] = {"navigate": None, "message": action.message}
        # The page title names the frame for screen readers, in the page's
        # language: the theme's partial says it with _(), and templates from
        # before the theme was translated (tests/data/templates-before-theme)
        # read room.frame.title, so the frame carries the same words.
        title = item.page.meta.title
        name = (
            "%(title)s: live stream" if item.frame.kind == "livestream" else "%(title)s: video room"
        )
        translated = str(self.catalogs.translations.gettext(name)) % {"title": title}
        frame = dataclasses.replace(item.frame, title=translated)
        return {"frame": frame, "on_leave": actions, "title": title}

    # -- files ------------------------------------------------------------------

    def render_page(self, item: Resolved, *, registered: bool = False) -> str:
        """One page's ``index.html``, or with ``registered`` its ``registered/index.html``.

        The thank-you page is the landing page drawn by the same template
        (so a site's overrides apply to both), with the form replaced by the
        confirmation and, for ``required: true``, the room the landing page
        leaves out. It is ``noindex``: search engines must not list it.
        """
        if (other := self._for(item)) is not self:
            return other.render_page(item, registered=registered)
        page = self.page_data(item)
        meta = item.page.meta
        body = Markup(self.markdown.convert(item.page.body))  # noqa: S704 - escaped by render/markdown.py
        security_pin = meta.security_pin if meta.show_security_pin else None
        event = self.event_data(item)
        form = self.registration_data(item)
        room = self.room_data(item)
        placeholder: str | None = item.placeholder
        if form is not None and form["required"] and not registered and room is not None:
            room, placeholder = None, "registration"
        return self._render(
            PAGE_TEMPLATES[meta.kind],
            page=page,
            body=body,
            room=room,
            placeholder=placeholder,
            security_pin=security_pin,
            json_ld=json_ld(event) if event is not None and not registered else None,
            registration=form,
            registered=registered,
        )

    def registration_data(self, item: Resolved) -> dict[str, Any] | None:
        """The page's registration form as templates draw it (None: the page has none)."""
        form = effective_registration(item.page.meta.registration, self.config.registration)
        if form is None:
            return None
        page = item.page
        slot = item.timeslot
        thanks = f"{page.path}registered/"
        hidden = {
            "event": page.slug,
            "event_title": page.meta.title,
            "event_start": slot.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ") if slot else "",
            "page_url": self.links.abs_url(page.path),
        }
        privacy = next(
            (link.url for link in self.config.theme.footer if "privacy" in link.label.lower()),
            None,
        )
        return {
            "provider": form.provider,
            "action": form.url if form.provider == "url" else self.links.url(thanks),
            "name": f"registration-{page.slug.replace('/', '-')}",
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "type": f.type,
                    "options": f.options,
                    "required": f.is_required,
                }
                for f in form.fields
            ],
            "hidden": hidden,
            "utm": [n for n in HIDDEN_FIELDS if n.startswith("utm_")],
            "consent": form.consent,
            "privacy_url": self.links.url(privacy) if privacy else None,
            "required": form.required,
            "thanks": self.links.url(thanks),
        }

    def render_index(self, items: list[Resolved]) -> str:
        """The home page: upcoming events soonest first, then past ones, then the rest."""
        if len(self._page_memo) > 2 * len(items):
            self.forget()  # a preview renderer kept across many rebuilds stays bounded
        return self._render(
            "index.html",
            **self._listing(items),
            tags=self._tag_list(group_by_tag(items, self.home)),
            events_feed=self.links.abs_url(f"{self.home}events.ics")
            if self._webinars(items)
            else None,
        )

    def render_tag(self, group: TagGroup) -> str:
        """``tags/SLUG/index.html``: the pages with one tag, listed like the home page."""
        tag = {"name": group.name, "path": group.path, "url": self.links.abs_url(group.path)}
        return self._render("tag.html", tag=tag, **self._listing(group.items))

    def render_tags_index(self, groups: list[TagGroup]) -> str:
        """``tags/index.html``: every tag with its number of pages."""
        return self._render("tags.html", tags=self._tag_list(groups))

    def render_event_ics(self, item: Resolved) -> str:
        """``SLUG/event.ics``: one webinar, for "add to calendar"."""
        if (other := self._for(item)) is not self:
            return other.render_event_ics(item)
        return to_ics([(self.calendar_event(item), self.event_ical(item))])

    def render_events_ics(self, items: list[Resolved]) -> str:
        """``events.ics``: every webinar, a calendar to subscribe to."""
        config = self.config.site
        return to_ics(
            [(self.calendar_event(i), self.event_ical(i)) for i in self._webinars(items)],
            name=config.title,
            description=config.description or None,
            url=self.links.abs_url(f"{self.home}events.ics"),
        )

    @staticmethod
    def _tag_list(groups: list[TagGroup]) -> list[dict[str, Any]]:
        return [{"name": g.name, "path": g.path, "count": len(g.items)} for g in groups]

    @staticmethod
    def _webinars(items: list[Resolved]) -> list[Resolved]:
        return [i for i in items if i.timeslot is not None]

    def _listing(self, items: list[Resolved]) -> dict[str, list[dict[str, Any]]]:
        """Pages split into upcoming (soonest first), past (latest first) and the rest."""
        upcoming, past, other = [], [], []
        for item in items:
            data = self.page_data(item)
            if item.timeslot is None:
                other.append(data)
            elif data["status"] == "ended":
                past.append(data)
            else:
                upcoming.append(data)
        # By instant: two starts in one zone compare by wall time in Python.
        upcoming.sort(key=lambda d: d["schedule"].start_utc)
        past.sort(key=lambda d: d["schedule"].start_utc, reverse=True)
        other.sort(key=lambda d: d["title"].lower())
        return {"upcoming": upcoming, "past": past, "rooms": other}

    def render_theme_css(self) -> str | None:
        """``assets/site-gen-theme.css``: [theme]'s colours and fonts (None: nothing to set)."""
        return self.theme_css

    def render_404(self) -> str:
        """The page static hosts serve for unknown paths."""
        return self._render("404.html")

    def render_sitemap(self, items: list[Resolved]) -> str:
        """sitemap.xml: the home page and every published page."""
        urls = [self.links.abs_url(r.home) for r, _ in self.by_language(items)]
        urls += [self.links.abs_url(i.page.path) for i in items]
        for renderer, own in self.by_language(items):
            groups = group_by_tag(own, renderer.home)
            if groups:
                urls.append(self.links.abs_url(f"{renderer.home}tags/"))
                urls.extend(self.links.abs_url(g.path) for g in groups)
        # A translated page's entry lists every translation and x-default, as its
        # <link rel="alternate"> tags do (Google reads either).
        alternates: dict[str, list[dict[str, str]]] = {}
        for item in items:
            if item.alternates:
                links = [
                    {"language": p.language, "url": self.links.abs_url(p.path)}
                    for p in item.alternates
                ]
                links.append({"language": "x-default", "url": links[0]["url"]})
                alternates[self.links.abs_url(item.page.path)] = links
        return self._render("sitemap.xml", urls=urls, alternates=alternates)

    def render_robots(self) -> str:
        """robots.txt pointing at the sitemap."""
        return self._render("robots.txt", sitemap=self.links.abs_url("/sitemap.xml"))

    def render_headers(self) -> str | None:
        """The ``_headers`` file (None when ``[deploy] headers = "meta"``)."""
        if self.config.deploy.headers == "meta":
            return None
        return headers_file(self.headers)

    def render_analytics_js(self) -> str | None:
        """``assets/site-gen-analytics.js``: a preset's configuration, never inline."""
        return self.analytics.config_js if self.analytics is not None else None

    #: Where :meth:`render_analytics_js` is published.
    analytics_file = ANALYTICS_FILE

    def _render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = self._template_path(exc.filename or exc.name or name)
            raise BuildFailed(f"{where}:{exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateNotFound as exc:
            raise BuildFailed(f"template '{exc.name}' not found in {self._dirs()}") from exc
        except Exception as exc:
            where = self._template_frame(exc) or f"templates/{name}"
            raise BuildFailed(f"{where}: {type(exc).__name__}: {exc}") from exc

    def _site_relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _dirs(self) -> str:
        return ", ".join(str(d) for d in template_dirs(self.root))

    def _template_path(self, filename: str) -> str:
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _template_frame(self, exc: BaseException) -> str | None:
        """``templates/x.html:LINE`` of the innermost template frame of a render error."""
        found = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".xml", ".txt")):
                found = f"{self._template_path(frame.filename)}:{frame.lineno}"
        return found
