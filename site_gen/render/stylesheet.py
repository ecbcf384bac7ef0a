"""``assets/site-gen-theme.css``: site.toml's brand colours and fonts as a stylesheet.

The pages' Content-Security-Policy is ``style-src 'self'``: no inline
style, so the brand reaches the page as a file linked after the theme's
site-gen.css. It only sets the custom properties site-gen.css draws with
(colours computed and contrast-checked by config/colours.py), the
``@font-face`` rules of self-hosted fonts and the font stack: a site's
``extra_css``, linked after it, can still override any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from site_gen.config.theme import ThemeSection, palettes

__all__ = ["FONT_STACKS", "theme_stylesheet"]

#: System font stacks: no font is downloaded from anywhere.
FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    "mono": 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, '
    '"DejaVu Sans Mono", monospace',
}

_FORMATS = {".woff2": "woff2", ".woff": "woff", ".ttf": "truetype", ".otf": "opentype"}


def theme_stylesheet(theme: ThemeSection, url: Callable[[str], str]) -> str | None:
    """The stylesheet's text, or None when ``theme`` keeps the default colours and font.

    ``url`` turns a site path into the path pages use (the base URL's path
    in front), as the templates' ``url`` filter does.
    """
    found = palettes(theme)
    if found is None and theme.font == "system" and not theme.font_files:
        return None
    lines = [
        "/* Made by site-gen from site.toml's [theme] at every build: change the settings,",
        "   or override these properties in a stylesheet of theme.extra_css. */",
    ]
    for face in theme.font_files:
        suffix = face.path[face.path.rfind(".") :].lower()
        lines += [
            "@font-face {",
            f'  font-family: "{face.family}";',
            f'  src: url("{quote(url(face.path))}") format("{_FORMATS[suffix]}");',
            f"  font-weight: {face.weight};",
            f"  font-style: {face.style};",
            "  font-display: swap;",
            "}",
        ]
    if found is not None:
        lines += _rules(":root", found.light.css_properties())
        lines.append("@media (prefers-color-scheme: dark) {")
        lines += ["  " + line for line in _rules(":root", found.dark.css_properties())]
        lines.append("}")
    if theme.font != "system":
        stack = FONT_STACKS.get(theme.font) or f'"{theme.font}", {FONT_STACKS["system"]}'
        lines += _rules(":root", {"font-family": stack})
    return "\n".join(lines) + "\n"


def _rules(selector: str, properties: dict[str, str]) -> list[str]:
    return [f"{selector} {{", *(f"  {k}: {v};" for k, v in properties.items()), "}"]
