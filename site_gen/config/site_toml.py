"""``site.toml``: the site's settings, hosts and companies, validated.

The file format is PRODUCT.md's contract; these models are its single
definition (docs/site-toml.md is checked against them). Credentials never
live here: they come from the environment only
(:meth:`site_gen.callbridge.Credentials.from_env`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from site_gen.errors import Problem, ValidationFailed
from site_gen.i18n import language_problem
from site_gen.paths import CONFIG_FILE, SITE_DIRS
from site_gen.utils.net import plain_http_off_loopback

from .integrations import (
    DeploySection,
    IntegrationsSection,
    RegistrationDefaults,
    SecuritySection,
)
from .parsing import KeyLines, SourceError, parse_toml
from .problems import StrictModel, rule, validate
from .theme import ThemeSection, theme_problems
from .values import check_time_zone

__all__ = [
    "SANDBOX",
    "SANDBOX_ORIGIN",
    "CallbridgeSection",
    "CompanyConfig",
    "EventsSection",
    "HostConfig",
    "LanguageConfig",
    "MarkdownSection",
    "SiteConfig",
    "SiteSection",
    "ThemeSection",
    "load_config",
    "read_config",
]

P = TypeVar("P", bound=BaseModel)

SANDBOX = "sandbox"
#: Where ``site-gen sandbox`` serves its simulated rooms by default, and so
#: where the iframes of a site built with ``api = "sandbox"`` point.
SANDBOX_ORIGIN = "http://127.0.0.1:8001"

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")]
Digits = Annotated[str, StringConstraints(pattern=r"^[0-9]{3,15}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


def _origin(value: str, what: str) -> str:
    """Normalise ``host``, ``https://host`` or ``http://loopback:port`` to an origin."""
    text = value.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not a host name or https:// address")
    if parts.path or parts.query or parts.fragment:
        raise ValueError(f"{what} is a host, without a path: {parts.scheme}://{parts.netloc}")
    if plain_http_off_loopback(text):
        raise ValueError(
            f"{value!r} uses plain http: only https is allowed, except for loopback addresses"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


class SiteSection(StrictModel):
    """``[site]``: what every page shares."""

    title: NonEmpty = Field(description="The site's name, shown in every page title.")
    base_url: str = Field(
        description="Where the site is published: canonical URLs, sitemap, og:url, .ics URLs."
    )
    description: str = Field("", description="Shown on the index page and in its meta tags.")
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = (
        Field(
            "en",
            description="The pages' language (BCP 47): lang, dir, the theme's words and dates.",
        )
    )
    time_zone: str = Field("UTC", description="Default time zone of pages that give none.")
    output_dir: str = Field("public", description="Output folder, relative to the site.")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an absolute URL such as 'https://live.acme.com'")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        return value.strip().rstrip("/")

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        # Dates, plural rules and direction come from CLDR: a tag it does not
        # know would give English dates under a foreign lang attribute.
        problem = language_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("output_dir")
    @classmethod
    def _output_dir(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or str(path) in (".", ""):
            raise ValueError(
                f"{value!r} must be a folder inside the site, such as 'public' "
                "(use --out for anywhere else)"
            )
        if path.parts[0] in SITE_DIRS:
            raise ValueError(f"{value!r} would overwrite the site's own {path.parts[0]}/ folder")
        return str(path)


#: The shape of a ``[languages.XX]`` tag; whether CLDR knows it is checked after.
_LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
LanguageTag = Annotated[str, StringConstraints(pattern=_LANGUAGE_TAG)]


class LanguageConfig(StrictModel):
    """``[languages.XX]``: one language of a multilingual site.

    A site lists each language its pages are written in, so that a folder
    such as ``content/fr/`` is known to hold French pages (and a typo such
    as ``content/fe/`` is an error rather than a silent English section).
    """

    title: str | None = Field(
        None, description="The site's title in this language; default: [site] title."
    )
    description: str | None = Field(
        None, description="The site's description in this language; default: [site] description."
    )
    path: str | None = Field(
        None,
        description="URL prefix of this language's pages; default /XX/, '/' for the default "
        "language.",
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = [p for p in value.strip().split("/") if p]
        if any(p in (".", "..") or not re.fullmatch(r"[A-Za-z0-9._-]+", p) for p in parts):
            raise ValueError(f"{value!r} is not a URL path such as '/fr/'")
        return "/" + "".join(f"{p}/" for p in parts)


class CallbridgeSection(StrictModel):
    """``[callbridge]``: which API schedules and which domain serves the rooms."""

    api: str = Field(
        SANDBOX,
        description='The admin company\'s FQDN (https), or "sandbox" for the built-in simulation.',
    )
    domain: str | None = Field(
        None, description="Host of the meeting and livestream iframes; default: the API's host."
    )
    company_id: PositiveInt | None = Field(
        None, description="Resellers creating hosts: the company they go into."
    )

    @field_validator("api")
    @classmethod
    def _api(cls, value: str) -> str:
        return SANDBOX if value.strip() == SANDBOX else _origin(value, "api")

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        return None if value is None else _origin(value, "domain")

    @property
    def is_sandbox(self) -> bool:
        """Builds run against the in-process simulation, with its seeded accounts."""
        return self.api == SANDBOX

    @property
    def meeting_origin(self) -> str:
        """The origin of every room iframe: CSP frame-src and the event script's check."""
        if self.domain:
            return self.domain
        return SANDBOX_ORIGIN if self.is_sandbox else self.api


class HostConfig(StrictModel):
    """``[hosts.KEY]``: an existing host (pinned) or one created at build."""

    name: NonEmpty | None = Field(None, description="Display name when joining meetings.")
    email: str | None = Field(None, description="The host's email (required with create).")
    access_code: Digits | None = Field(
        None, description="An existing host's room; with create, the access code to request."
    )
    host_id: PositiveInt | None = Field(
        None, description="An existing host's id: needed to schedule its webinars."
    )
    create: bool = Field(False, description="Create the host at build (host/create), once.")
    role: Literal["HOST", "COMPANY_ADMIN", "RESELLER_ADMIN"] | None = Field(
        None, description="With create: the new host's role (default HOST)."
    )
    moderator_pin: Digits | None = Field(None, description="With create: moderator PIN to request.")
    subscription_ids: list[int] | None = Field(None, description="With create: subscriptions.")
    plan_slug: str | None = Field(None, description="With create: plan instead of subscriptions.")
    add_on_slugs: list[str] | None = Field(None, description="With create: add-on products.")
    company: Key | None = Field(None, description="With create: a key in [companies].")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and (value.count("@") != 1 or value.startswith("@")):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @model_validator(mode="after")
    def _create_or_pinned(self) -> HostConfig:
        if self.create:
            if self.host_id is not None:
                raise rule("host_id", "host_id comes from the API when create = true: remove it")
            for key in ("name", "email"):
                if getattr(self, key) is None:
                    raise rule(key, f"{key} is required with create = true")
            if self.subscription_ids is not None and self.plan_slug is not None:
                raise rule("plan_slug", "give subscription_ids or plan_slug, not both")
        else:
            for key in (
                "role",
                "moderator_pin",
                "subscription_ids",
                "plan_slug",
                "add_on_slugs",
                "company",
            ):
                if getattr(self, key) is not None:
                    raise rule(key, f"{key} applies only with create = true")
            if self.access_code is None and self.host_id is None:
                raise rule(
                    "access_code",
                    "give the existing host's access_code (and host_id to schedule webinars), "
                    "or create = true",
                )
        return self


class CompanyConfig(StrictModel):
    """``[companies.KEY]``: a company a reseller creates at build, once."""

    subdomain: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")] = (
        Field(description="Unique within the reseller's domain; used in meeting URLs.")
    )
    name: NonEmpty = Field(description="The company's name, as billed.")
    openid_provider: bool = Field(False, description="Send users through your OpenID login.")


class MarkdownSection(StrictModel):
    """``[markdown]``: how page bodies are rendered."""

    unsafe_html: bool = Field(
        False, description="Keep raw HTML in Markdown (escaped by default, as Hugo does)."
    )


class EventsSection(StrictModel):
    """``[events]``: how webinar pages behave around their start."""

    room_opens_minutes: NonNegativeInt = Field(
        10,
        description="Minutes before a webinar's start when its page shows the room "
        "(0: at the start).",
    )


class SiteConfig(StrictModel):
    """The whole of ``site.toml``."""

    site: SiteSection
    callbridge: CallbridgeSection = CallbridgeSection()
    hosts: dict[Key, HostConfig] = Field(default_factory=dict)
    companies: dict[Key, CompanyConfig] = Field(default_factory=dict)
    markdown: MarkdownSection = MarkdownSection()
    events: EventsSection = EventsSection()
    theme: ThemeSection = ThemeSection()
    integrations: IntegrationsSection = IntegrationsSection()
    security: SecuritySection = SecuritySection()
    deploy: DeploySection = DeploySection()
    registration: RegistrationDefaults = RegistrationDefaults()
    languages: dict[LanguageTag, LanguageConfig] = Field(default_factory=dict)

    def language_path(self, tag: str) -> str:
        """The URL prefix of ``tag``'s pages: ``/`` for the default language, else ``/tag/``."""
        own = self.languages.get(tag)
        if own is not None and own.path is not None:
            return own.path
        return "/" if tag == self.site.language else f"/{tag}/"

    def languages_used(self) -> list[str]:
        """The site's languages, the default first: one index, feed and tag pages each."""
        return [self.site.language, *(t for t in self.languages if t != self.site.language)]

    @model_validator(mode="after")
    def _company_refs(self) -> SiteConfig:
        for key, host in self.hosts.items():
            if host.company is not None and host.company not in self.companies:
                raise rule(
                    f"hosts.{key}.company",
                    f"unknown company '{host.company}': define it as [companies.{host.company}]",
                )
        return self


def _language_problems(data: dict[str, object], key_lines: KeyLines) -> list[Problem]:
    """Every ``[languages.XX]`` CLDR does not know, all at once.

    Tags are read from the file itself, so an unknown one is reported even
    when another part of site.toml is wrong too.
    """
    return [
        Problem(
            CONFIG_FILE,
            key_lines.line_of(("languages", tag)),
            f"languages.{tag}: {language_problem(tag) or ''}",
        )
        for tag in _unknown_tags(data)
    ]


def _path_problems(config: SiteConfig | None, key_lines: KeyLines) -> list[Problem]:
    """Two languages published on one path."""
    if config is None:
        return []
    problems = []
    paths: dict[str, str] = {}
    for tag in config.languages:
        path = config.language_path(tag)
        if path in paths:
            problems.append(
                Problem(
                    CONFIG_FILE,
                    key_lines.line_of(("languages", tag)),
                    f"languages.{tag}: path '{path}' is [languages.{paths[path]}]'s already",
                )
            )
        paths.setdefault(path, tag)
    return problems


def _unknown_tags(data: dict[str, object]) -> list[str]:
    """``[languages]`` tags of the right shape that CLDR does not know (the shape is pydantic's)."""
    table = data.get("languages")
    if not isinstance(table, dict):
        return []
    return [
        tag
        for tag in table
        if isinstance(tag, str)
        and re.match(_LANGUAGE_TAG, tag)
        and language_problem(tag) is not None
    ]


def _usable_languages(data: dict[str, object]) -> dict[str, object] | None:
    """site.toml's data with ``[languages]`` reduced to what validates, or None if it all does.

    A mistake in ``[languages]`` must not hide the problems of every page
    (issue 17, item 6: all errors at once). The pages are checked against
    the site without the sections that are wrong: a tag CLDR does not know
    or of no tag's shape is treated as absent, a mistyped key inside a
    section as unwritten (so ``content/fr/`` stays French when only
    ``[languages.fr]``'s ``descripton`` is wrong). The problems themselves
    are reported from the file as written.
    """
    table = data.get("languages")
    if not isinstance(table, dict):
        return None if table is None else {**data, "languages": {}}
    unknown = set(_unknown_tags(data))
    usable: dict[str, object] = {}
    for tag, section in table.items():
        if not isinstance(tag, str) or not re.match(_LANGUAGE_TAG, tag) or tag in unknown:
            continue
        valid = _valid_part(section, LanguageConfig)
        if valid is not None:
            usable[tag] = valid.model_dump(exclude_unset=True)
    return None if usable == table else {**data, "languages": usable}


def read_config(
    root: Path, environ: Mapping[str, str] | None = None
) -> tuple[SiteConfig | None, list[Problem]]:
    """``ROOT/site.toml`` validated: every problem, and the config the pages can be checked with.

    The config is None when site.toml is unreadable or does not validate
    outside ``[languages]``; with mistakes in ``[languages]`` only, it is
    the site without them (:func:`_usable_languages`), so that
    ``load_site`` still checks every page and reports it all in one run.
    Problems found after validation (a missing logo, two languages on one
    path) leave the config as it is. ``load_config`` is the strict form.
    """
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [
            Problem(CONFIG_FILE, None, f"not found in {root} (create one with 'site-gen init')")
        ]
    except UnicodeDecodeError as exc:
        return None, [
            Problem(CONFIG_FILE, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
        ]
    try:
        data, key_lines = parse_toml(text)
    except SourceError as exc:
        return None, [Problem(CONFIG_FILE, exc.line, exc.message)]
    override = (environ or {}).get("CALLBRIDGE_API", "").strip()
    if override:
        section = data.setdefault("callbridge", {})
        if isinstance(section, dict):
            section["api"] = override
            # The value came from the environment: point at no line of the file.
            key_lines.lines[("callbridge", "api")] = 0
    config, problems = validate(SiteConfig, data, path=CONFIG_FILE, key_lines=key_lines)
    problems = [_environment_source(p) for p in problems]
    problems += _theme_problems(config, data, root, key_lines)
    problems += _language_problems(data, key_lines)
    if problems and (usable := _usable_languages(data)) is not None:
        config, _ = validate(SiteConfig, usable, path=CONFIG_FILE, key_lines=key_lines)
    problems += _path_problems(config, key_lines)
    return config, problems


def load_config(root: Path, environ: Mapping[str, str] | None = None) -> SiteConfig:
    """Read and validate ``ROOT/site.toml``; ``CALLBRIDGE_API`` overrides ``api``.

    Raises ValidationFailed with every problem found.
    """
    config, problems = read_config(root, environ)
    if config is None or problems:
        raise ValidationFailed(problems)
    return config


def _theme_problems(
    config: SiteConfig | None, data: dict[str, object], root: Path, key_lines: KeyLines
) -> list[Problem]:
    """Missing files and unreadable colour pairs of ``[theme]``, located.

    When another part of site.toml is wrong (``config`` is None), ``[theme]``
    is validated on its own, so that its problems are reported in the same run.
    """
    theme = config.theme if config is not None else _valid_part(data.get("theme", {}), ThemeSection)
    if theme is None:
        return []
    return [
        Problem(CONFIG_FILE, key_lines.line_of(("theme", *loc)), message)
        for loc, message in theme_problems(theme, root)
    ]


def _valid_part(table: object, model: type[P]) -> P | None:
    """``table`` as ``model`` without the keys that have errors (already reported), or None.

    So that a missing logo is reported in the same run as a mistyped colour,
    and a page in ``content/fr/`` stays French when ``[languages.fr]`` has
    a typo.
    """
    if not isinstance(table, dict):
        return None
    table = dict(table)
    for _ in range(len(table) + 1):
        try:
            return model.model_validate(table)
        except ValidationError as exc:
            bad = set()
            for error in exc.errors():
                key = error.get("ctx", {}).get("key") if not error["loc"] else error["loc"][0]
                bad.add(str(key).split(".")[0])
            if not bad & table.keys():
                return None
            for key in bad:
                table.pop(key, None)
    return None


def _environment_source(problem: Problem) -> Problem:
    if problem.line == 0:
        return Problem("CALLBRIDGE_API (environment)", None, problem.message)
    return problem
