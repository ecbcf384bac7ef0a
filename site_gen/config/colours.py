"""Brand colours: parsed, every colour the theme draws with them derived, each pair checked.

A site gives one brand colour per scheme (``[theme] accent`` and
``accent_dark``). The theme draws links, buttons, hover states, the header
band, the mark and the page-kind badge with it; every one of those colours
is computed here from the brand colour, and every foreground/background pair
the theme draws with one of them is checked against WCAG 2.1 AA (4.5:1, the
ratio for body text). A brand colour that would make text unreadable stops
the build at its line in site.toml, with the pair, both colours, the ratio
and the nearest shade that passes, instead of shipping.

Parsing is tinycss2's (CSS Color Level 4 syntax, named colours included);
the contrast ratio is WCAG 2.1's formula in sRGB, which is where the
guideline defines it, so colours are taken in sRGB: hex, names, ``rgb()``,
``hsl()``, ``hwb()`` and ``color(srgb ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

__all__ = [
    "AA",
    "DARK",
    "GRAPHICS",
    "LIGHT",
    "Pair",
    "Palette",
    "Scheme",
    "contrast",
    "counterpart",
    "derive",
    "failing_pairs",
    "nearest_passing",
    "parse_colour",
]

#: WCAG 2.1 AA, success criterion 1.4.3: contrast for text up to 18pt.
AA = 4.5

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Scheme:
    """The theme's fixed colours in one colour scheme (site-gen.css's ``:root``).

    ``toward`` is where a brand colour moves to gain contrast on this
    scheme's background: black on the light page, white on the dark one.
    """

    name: Literal["light", "dark"]
    key: Literal["accent", "accent_dark"]
    bg: str
    surface: str
    fg: str
    muted: str
    toward: str
    #: How much of the accent tints the header band and the badge, over the background.
    band: float
    badge: float


#: The default theme's colours, as static/assets/site-gen.css sets them (a test keeps them equal).
LIGHT = Scheme(
    "light", "accent", bg="#ffffff", surface="#f5f7fb", fg="#111827", muted="#4b5563",
    toward="#000000", band=0.10, badge=0.16,
)
DARK = Scheme(
    "dark", "accent_dark", bg="#0b1020", surface="#141b2e", fg="#e8ebf2", muted="#a8b2c4",
    toward="#ffffff", band=0.16, badge=0.32,
)


#: WCAG 2.1 AA, success criterion 1.4.11: contrast for icons and other graphics.
GRAPHICS = 3.0


@dataclass(frozen=True)
class Pair:
    """Colour ``fg`` drawn on ``bg``, needing ``minimum``: what it is, in words for messages."""

    what: str
    fg: str
    bg: str
    minimum: float = AA

    @property
    def ratio(self) -> float:
        """The WCAG 2.1 contrast ratio of the two colours."""
        return contrast(self.fg, self.bg)


@dataclass(frozen=True)
class Palette:
    """Every colour the theme draws with a brand colour, in one scheme (hex, sRGB)."""

    scheme: Scheme
    accent: str
    accent_hover: str
    accent_fg: str
    band_from: str
    band_to: str
    badge_bg: str
    badge_fg: str

    def pairs(self) -> list[Pair]:
        """Every foreground/background pair site-gen.css draws with these colours."""
        s = self
        bg, surface = s.scheme.bg, s.scheme.surface
        return [
            Pair("link text on the page background", s.accent, bg),
            Pair("link text on panels", s.accent, surface),
            Pair("link text when hovered", s.accent_hover, bg),
            Pair("button text on the accent", s.accent_fg, s.accent),
            Pair("button text when hovered", s.accent_fg, s.accent_hover),
            Pair("heading text on the header band", s.scheme.fg, s.band_from),
            Pair("secondary text on the header band", s.scheme.muted, s.band_from),
            Pair("icons on the header band", s.accent, s.band_from, GRAPHICS),
            Pair("page-kind badge text", s.badge_fg, s.badge_bg),
        ]

    def css_properties(self) -> dict[str, str]:
        """The custom properties of site-gen.css these colours replace."""
        return {
            "--accent": self.accent,
            "--accent-hover": self.accent_hover,
            "--accent-fg": self.accent_fg,
            "--band": f"linear-gradient(135deg, {self.band_from} 0%, {self.band_to} 100%)",
            "--mark": f"linear-gradient(135deg, {self.accent}, {self.accent_hover})",
            "--badge-kind-bg": self.badge_bg,
            "--badge-kind-fg": self.badge_fg,
        }


# -- parsing --------------------------------------------------------------------


def parse_colour(text: str) -> str:
    """``text`` as an opaque sRGB hex colour; ValueError saying what would be right.

    Accepts what CSS accepts in sRGB: ``#0b5fff``, ``teal``, ``rgb(11 95 255)``,
    ``hsl(220 100% 52%)``, ``hwb(...)``, ``color(srgb ...)``. Out-of-gamut
    values are clamped, as browsers do.
    """
    import tinycss2.color4  # only sites with brand colours pay for the import

    parsed = tinycss2.color4.parse_color(text.strip()) if text.strip() else None
    if parsed is None:
        from .problems import did_you_mean

        raise ValueError(
            f"{text!r} is not a CSS colour{did_you_mean(text.strip().lower(), _names())}: "
            "write one such as '#0b5fff', 'rgb(11 95 255)', 'hsl(220 100% 52%)' or 'teal'"
        )
    if isinstance(parsed, str):  # currentcolor
        raise ValueError(f"{text!r} depends on where it is used: give the brand colour itself")
    if parsed.alpha < 1:
        raise ValueError(
            f"{text!r} is see-through: a brand colour must be opaque, so that its contrast "
            "with the text on it can be checked"
        )
    try:
        srgb = parsed.to("srgb")
    except NotImplementedError:
        raise ValueError(
            f"{text!r} is a CSS colour, but site-gen checks contrast in sRGB, where WCAG "
            "defines it: write it as hex, rgb() or hsl() (design tools show the sRGB value)"
        ) from None
    return _hex(tuple(min(1.0, max(0.0, c or 0.0)) for c in srgb.coordinates))


@cache
def _names() -> list[str]:
    """CSS's colour names, for did-you-mean (tinycss2 keeps them unexported: none if it moves)."""
    import tinycss2.color4

    return sorted(getattr(tinycss2.color4, "_COLOR_KEYWORDS", {}))


def _rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _hex(rgb: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb[:3])


# -- contrast (WCAG 2.1, "relative luminance" and "contrast ratio") -------------------


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _luminance(hex_colour: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two hex colours, from 1 to 21."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _mix(a: str, b: str, amount: float) -> str:
    """``amount`` of ``b`` in ``a``, as CSS ``color-mix(in srgb, ...)`` mixes."""
    return _hex(tuple(x + (y - x) * amount for x, y in zip(_rgb(a), _rgb(b), strict=True)))


def _push(colour: str, toward: str, against: str, target: float) -> str:
    """``colour`` moved toward ``toward`` in steps until it reaches ``target`` on ``against``."""
    for step in range(21):
        moved = _mix(colour, toward, step / 20)
        if contrast(moved, against) >= target:
            return moved
    return toward


# -- the palette ----------------------------------------------------------------------


def derive(accent: str, scheme: Scheme) -> Palette:
    """Every colour the theme draws with ``accent`` (hex) in ``scheme``.

    Text on the accent is white or the scheme's darkest colour, whichever
    reads better; hover moves away from that text colour (darker under white
    text, lighter under dark text) so it only gains contrast; the band and
    the badge are tints of the accent over the background, and the badge's
    text is pushed until it reaches 7:1 on its tint.
    """
    dark_text = LIGHT.fg if scheme is LIGHT else scheme.bg
    accent_fg = max(("#ffffff", dark_text), key=lambda c: contrast(c, accent))
    away = "#000000" if accent_fg == "#ffffff" else "#ffffff"
    badge_bg = _mix(scheme.bg, accent, scheme.badge)
    return Palette(
        scheme=scheme,
        accent=accent,
        accent_hover=_mix(accent, away, 0.18),
        accent_fg=accent_fg,
        band_from=_mix(scheme.bg, accent, scheme.band),
        band_to=_mix(scheme.bg, accent, scheme.band / 4),
        badge_bg=badge_bg,
        badge_fg=_push(accent, scheme.toward, badge_bg, 7.0),
    )


def failing_pairs(palette: Palette) -> list[Pair]:
    """The pairs of ``palette`` below their WCAG AA minimum."""
    return [pair for pair in palette.pairs() if pair.ratio < pair.minimum]


def nearest_passing(accent: str, scheme: Scheme) -> str:
    """The shade of ``accent`` closest to it whose whole palette passes AA in ``scheme``.

    Moving toward black on the light page (white on the dark one) raises
    the contrast of the accent as text on the background, the pairs that
    fail in practice; the first 1% step at which nothing fails is taken.
    """
    for step in range(101):
        candidate = _mix(accent, scheme.toward, step / 100)
        if not failing_pairs(derive(candidate, scheme)):
            return candidate
    return scheme.toward


def counterpart(accent: str, scheme: Scheme) -> str:
    """An accent for ``scheme`` made from the other scheme's: the same hue, reading at 7:1.

    A site that gives only ``accent`` (or only ``accent_dark``) gets the other
    derived, so that its dark (or light) pages carry the brand too.
    """
    for step in range(101):
        candidate = _mix(accent, scheme.toward, step / 100)
        if contrast(candidate, scheme.surface) >= 7.0 and not failing_pairs(
            derive(candidate, scheme)
        ):
            return candidate
    return scheme.toward
