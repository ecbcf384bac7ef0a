"""External resources the site's policy would block, found where the author wrote them.

A script tag pasted into a hook partial, a YouTube iframe in a page body
(with ``unsafe_html``), a form posting to a CRM, a web font from another
site: each works nowhere in production unless the policy allows its
origin, and the browser says so only in its console. ``check`` and
``build`` report each one at its file and line, with the directive and the
``[security.csp]`` key that would allow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from site_gen.errors import Problem
from site_gen.paths import STATIC_DIR, TEMPLATES_DIR
from site_gen.utils.fs import walk_files

from .headers import Csp, site_headers

if TYPE_CHECKING:
    from site_gen.structure.pages import Page
    from site_gen.structure.site import Site

__all__ = ["allows", "blocked_resources"]

_TAG = re.compile(r"<(script|iframe|frame|form|link|video|audio|source|embed)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?(https?://[^"')\s;]+)""", re.I)
_CSS_FONT = re.compile(
    r"""url\(\s*["']?(https?://[^"')\s]+\.(?:woff2?|ttf|otf|eot)\b[^"')\s]*)""", re.I
)

#: tag -> (attribute holding the URL, directive).
_WHAT = {
    "script": ("src", "script-src"),
    "iframe": ("src", "frame-src"),
    "frame": ("src", "frame-src"),
    "form": ("action", "form-action"),
    "video": ("src", "media-src"),
    "audio": ("src", "media-src"),
    "source": ("src", "media-src"),
    "embed": ("src", "object-src"),
}


def allows(csp: Csp, directive: str, url: str) -> bool:
    """Would ``csp`` let ``url`` be loaded under ``directive`` (CSP source matching)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    for source in csp.sources(directive):
        if source == "*" or source == f"{parts.scheme}:":
            return True
        if source.startswith("'"):
            continue  # 'self' never matches another origin; keywords name no URL
        want = urlsplit(source)
        if want.scheme != parts.scheme and not (want.scheme == "http" and parts.scheme == "https"):
            continue
        pattern = want.netloc.rsplit(":", 1)[0] if want.port else want.netloc
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if not host.endswith(pattern[1:]):
                continue
        elif host != pattern:
            continue
        if (want.port or {"https": 443, "http": 80}.get(want.scheme)) != port:
            continue
        if want.path and want.path != "/":
            if want.path.endswith("/") and not parts.path.startswith(want.path):
                continue
            if not want.path.endswith("/") and parts.path != want.path:
                continue
        return True
    return False


def blocked_resources(site: Site, pages: Iterable[Page]) -> list[Problem]:
    """Every external script, frame, form action, stylesheet, font or media the policy blocks.

    Looks at the site's own templates, its static stylesheets and (with
    ``unsafe_html``, the only way a page body can load anything) page bodies.
    """
    pages = list(pages)
    csp = site_headers(site.config, pages).csp
    out: list[Problem] = []
    templates = site.root / TEMPLATES_DIR
    if templates.is_dir():
        for found in walk_files(templates, boundary=templates):
            text = _read(found.path)
            if text is not None:
                out += _problems(csp, f"{TEMPLATES_DIR}/{found.rel}", text, 1)
    static = site.root / STATIC_DIR
    if static.is_dir():
        for found in walk_files(static, boundary=static):
            if found.rel.endswith(".css"):
                text = _read(found.path)
                if text is not None:
                    out += _problems(csp, f"{STATIC_DIR}/{found.rel}", text, 1, css=True)
    if site.config.markdown.unsafe_html:
        for page in pages:
            out += _problems(csp, page.source, page.body, page.body_line)
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _problems(
    csp: Csp, where: str, text: str, first_line: int, *, css: bool = False
) -> list[Problem]:
    out = []
    for offset, what, url, directive in _resources(text, css=css):
        if not url.startswith(("http://", "https://")) or allows(csp, directive, url):
            continue
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        line = first_line + text.count("\n", 0, offset)
        key = directive.replace("-", "_")
        fix = (
            f"add {origin!r} to [security.csp] {key} in site.toml"
            if directive != "object-src"
            else "use an <iframe> instead (plugins are always blocked)"
        )
        out.append(
            Problem(
                where,
                line,
                f"{what} from {origin} is blocked by the Content-Security-Policy ({directive}): "
                f"browsers will not load it; {fix}",
            )
        )
    return out


def _resources(text: str, *, css: bool) -> Iterator[tuple[int, str, str, str]]:
    """(offset, what, url, directive) of every resource a file loads."""
    if css:
        for match in _CSS_IMPORT.finditer(text):
            yield match.start(), "a stylesheet @import", match.group(1), "style-src"
        for match in _CSS_FONT.finditer(text):
            yield match.start(), "a font", match.group(1), "font-src"
        return
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        attrs = {
            m.group(1).lower(): m.group(3) if m.group(3) is not None else m.group(4) or m.group(5)
            for m in _ATTR.finditer(match.group(2))
        }
        if tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            href = attrs.get("href") or ""
            if "stylesheet" in rel:
                yield match.start(), "a <link rel=stylesheet>", href, "style-src"
            elif "preload" in rel and (attrs.get("as") or "").lower() == "font":
                yield match.start(), "a font", href, "font-src"
            continue
        attr, directive = _WHAT[tag]
        url = attrs.get(attr)
        if url:
            yield match.start(), f"a <{tag}>", url.strip(), directive
