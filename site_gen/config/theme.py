"""``[theme]``: a site's brand on the default theme, validated.

Marketing teams configure the theme instead of forking it (PRODUCT.md's
"Theme" section names the keys). What this module guarantees before
anything is written:

- every file a key names is a file of the site's own ``static/`` folder, of
  a type browsers show for that use (pages never load from another site);
- every link is a site path or https;
- every colour is a CSS colour, and every colour pair the theme draws with
  the brand colours reaches WCAG AA (colours.py), or the build stops at the
  key's line with the pair, both colours, the ratio and a shade that passes.

The model checks what one value can show; :func:`theme_problems` what needs
the site's folder or several values at once, so that a site.toml with other
mistakes still gets these reported in the same run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from site_gen.paths import STATIC_DIR

from .problems import StrictModel, did_you_mean, rule
from .values import safe_link

if TYPE_CHECKING:  # colours.py is imported where a colour is given: most sites pay nothing
    from .colours import Palette

__all__ = [
    "SOCIAL_NETWORKS",
    "SYSTEM_FONTS",
    "FontFile",
    "Link",
    "SocialLink",
    "ThemeSection",
    "palettes",
    "static_file",
    "theme_problems",
]

#: ``font`` values that name a system font stack (render/stylesheet.py writes them).
SYSTEM_FONTS = ("system", "serif", "mono")

#: Networks the theme has an icon for (templates/partials/social.html; a test keeps them equal).
SOCIAL_NETWORKS = (
    "bluesky", "discord", "facebook", "github", "instagram", "linkedin", "mastodon", "reddit",
    "rss", "telegram", "threads", "tiktok", "twitch", "twitter", "vimeo", "whatsapp", "x",
    "youtube",
)

IMAGES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif")
#: What social networks and chat apps show as a link preview: no SVG.
SHARE_IMAGES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
ICONS = (".svg", ".png", ".ico")
FONTS = (".woff2", ".woff", ".ttf", ".otf")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def static_file(value: str, suffixes: tuple[str, ...], example: str) -> str:
    """A file of the site's static/ folder, as the site path it is published at (``/img/x.svg``).

    ``img/x.svg`` and ``/img/x.svg`` are the same file; URLs of other sites,
    ``..`` and characters that mean something else in a URL are refused.
    """
    text = value.strip()
    if not text:
        raise ValueError(f"must not be empty: name a file under {STATIC_DIR}/, such as {example!r}")
    if _SCHEME.match(text) or text.startswith("//"):
        raise ValueError(
            f"{value!r} is not a file of this site: name a file under {STATIC_DIR}/, such as "
            f"{example!r} (pages load nothing from other sites)"
        )
    if any(ch in text for ch in "\x00\r\n\t\\?#"):
        raise ValueError(f"{value!r} contains characters that cannot be in a file's path here")
    path = PurePosixPath("/" + text.lstrip("/"))
    if ".." in path.parts or path == PurePosixPath("/"):
        raise ValueError(
            f"{value!r} must be a file inside {STATIC_DIR}/, such as {example!r}"
        )
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"{value!r} must be a {' '.join(suffixes)} file")
    return str(path)


def _site_wide_link(value: str) -> str:
    """A link shown on every page: an https URL, or a path from the site's root."""
    text = safe_link(value)
    if not _SCHEME.match(text) and not text.startswith("/"):
        raise ValueError(
            f"{value!r} is relative: this link is on every page, so write the path from the "
            f"site's root, such as '/{text}'"
        )
    return text


class Link(StrictModel):
    """A ``nav`` or ``footer`` link: what it says, and where it goes."""

    label: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="The link's text."
    )
    url: str = Field(description="A path of this site ('/privacy/') or an https URL.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _site_wide_link(value)


class SocialLink(StrictModel):
    """A ``social`` link: a network's name (known ones get an icon) and the profile's URL."""

    network: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 .+_-]{0,39}$", strip_whitespace=True),
    ] = Field(description="linkedin, youtube, x, mastodon, ... (other names show as text).")
    url: str = Field(description="The profile: an https URL (or a path of this site, for rss).")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _site_wide_link(value)

    @property
    def known(self) -> bool:
        """The theme has an icon for this network."""
        return self.network.lower() in SOCIAL_NETWORKS


class FontFile(StrictModel):
    """``[[theme.font_files]]``: one self-hosted font file, made an ``@font-face``."""

    family: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$", strip_whitespace=True)
    ] = Field(description="The family name that `font` (or your extra_css) uses.")
    path: str = Field(description="The file under static/: woff2, woff, ttf or otf.")
    weight: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,3}( [1-9][0-9]{0,3})?$")] = (
        Field("400", description='"400", or a range "100 900" for a variable font.')
    )
    style: Literal["normal", "italic"] = Field("normal", description="normal or italic.")

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return static_file(value, FONTS, "/fonts/brand.woff2")


#: ``extra_css`` and ``extra_js`` entries, each checked on its own (errors name the index).
Stylesheet = Annotated[str, AfterValidator(lambda v: static_file(v, (".css",), "/css/brand.css"))]
Script = Annotated[str, AfterValidator(lambda v: static_file(v, (".js",), "/js/brand.js"))]


class ThemeSection(StrictModel):
    """``[theme]``: logo, colours, font, links and extra files on the default theme."""

    logo: str | None = Field(None, description="Header logo under static/; alt text: the title.")
    logo_dark: str | None = Field(None, description="The logo on dark pages (needs logo).")
    favicon: str | None = Field(None, description="Browser tab icon under static/: svg, png, ico.")
    accent: str | None = Field(None, description="Brand colour on light pages (a CSS colour).")
    accent_dark: str | None = Field(None, description="Brand colour on dark pages.")
    font: str = Field("system", description="system, serif, mono, or a family of font_files.")
    font_files: list[FontFile] = Field(
        default_factory=list, description="Self-hosted font files under static/."
    )
    share_image: str | None = Field(
        None, description="Default og:image for pages without image, and for listing pages."
    )
    extra_css: list[Stylesheet] = Field(
        default_factory=list, description="Stylesheets under static/, after the theme's."
    )
    extra_js: list[Script] = Field(
        default_factory=list, description="Scripts under static/, deferred, after the theme's."
    )
    nav: list[Link] | None = Field(None, description="Header links; default: All events.")
    footer: list[Link] = Field(default_factory=list, description="Footer links.")
    social: list[SocialLink] = Field(default_factory=list, description="Social profile links.")

    @field_validator("logo", "logo_dark")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        return None if value is None else static_file(value, IMAGES, "/img/logo.svg")

    @field_validator("favicon")
    @classmethod
    def _favicon(cls, value: str | None) -> str | None:
        return None if value is None else static_file(value, ICONS, "/img/favicon.svg")

    @field_validator("share_image")
    @classmethod
    def _share_image(cls, value: str | None) -> str | None:
        return None if value is None else static_file(value, SHARE_IMAGES, "/img/share.jpg")

    @field_validator("accent", "accent_dark")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None:
            from .colours import parse_colour

            parse_colour(value)
        return value

    @model_validator(mode="after")
    def _font_and_logo(self) -> ThemeSection:
        families = [f.family for f in self.font_files]
        if self.font not in SYSTEM_FONTS and self.font not in families:
            choices = ", ".join(repr(c) for c in (*SYSTEM_FONTS, *dict.fromkeys(families)))
            hint = did_you_mean(self.font, [*SYSTEM_FONTS, *families])
            raise rule(
                "font",
                f"theme.font: {self.font!r} is not one of {choices}{hint} (a family of your "
                "own needs a [[theme.font_files]] entry with that family)",
            )
        if self.logo_dark is not None and self.logo is None:
            raise rule("logo_dark", "theme.logo_dark needs theme.logo: the logo on light pages")
        return self

    def files(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every file the settings name, with its key below ``theme``."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        for key in ("logo", "logo_dark", "favicon", "share_image"):
            value = getattr(self, key)
            if value is not None:
                found.append(((key,), value))
        found += [(("extra_css", i), v) for i, v in enumerate(self.extra_css)]
        found += [(("extra_js", i), v) for i, v in enumerate(self.extra_js)]
        found += [(("font_files", i, "path"), f.path) for i, f in enumerate(self.font_files)]
        return found


@dataclass(frozen=True)
class Palettes:
    """The light and dark palettes of a site with brand colours."""

    light: Palette
    dark: Palette


def palettes(theme: ThemeSection) -> Palettes | None:
    """The brand palettes, or None when the site keeps the theme's own colours.

    A site giving one of ``accent`` and ``accent_dark`` gets the other made
    from it (:func:`colours.counterpart`), so both schemes carry the brand.
    """
    if theme.accent is None and theme.accent_dark is None:
        return None
    from .colours import DARK, LIGHT, counterpart, derive, parse_colour

    light = parse_colour(theme.accent) if theme.accent is not None else None
    dark = parse_colour(theme.accent_dark) if theme.accent_dark is not None else None
    if light is None:
        assert dark is not None
        light = counterpart(dark, LIGHT)
    if dark is None:
        dark = counterpart(light, DARK)
    return Palettes(light=derive(light, LIGHT), dark=derive(dark, DARK))


def theme_problems(theme: ThemeSection, root: Path) -> list[tuple[tuple[str | int, ...], str]]:
    """What the model alone cannot see: missing files, and colour pairs below WCAG AA.

    Returns (key below ``theme``, message) pairs for load_config to locate.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    static = (root / STATIC_DIR).resolve()
    for loc, rel in theme.files():
        path = (static / rel.lstrip("/")).resolve()
        if not (path.is_relative_to(static) and path.is_file()):
            where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc)
            where = where.replace(".[", "[")
            problems.append(
                (loc, f"theme.{where}: {rel!r} is not a file of the site: "
                      f"{STATIC_DIR}{rel} does not exist")
            )
    found = palettes(theme)
    if found is not None:
        for palette in (found.light, found.dark):
            problems += _contrast_problems(theme, palette)
    return problems


def _contrast_problems(
    theme: ThemeSection, palette: Palette
) -> list[tuple[tuple[str | int, ...], str]]:
    from .colours import failing_pairs, nearest_passing

    scheme = palette.scheme
    given = getattr(theme, scheme.key)
    if given is None:  # derived from the other scheme's, to pass
        return []
    out: list[tuple[tuple[str | int, ...], str]] = []
    failing = failing_pairs(palette)
    better = nearest_passing(palette.accent, scheme) if failing else None
    for pair in failing:
        ratio = int(pair.ratio * 100) / 100  # never round a failure up to the minimum
        out.append(
            (
                (scheme.key,),
                f"theme.{scheme.key}: on {scheme.name} pages, {pair.what} ({pair.fg} on "
                f"{pair.bg}): contrast ratio {ratio:.2f}:1, below WCAG AA's "
                f"{pair.minimum:g}:1; the nearest shade of {given!r} that passes is {better}",
            )
        )
    return out
