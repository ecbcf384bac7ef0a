"""The site's HTTP headers as one policy object, printed in every host's syntax.

A room needs camera, microphone, fullscreen, autoplay and display-capture
delegated to its frame; the iframe's ``allow`` asks, the page's
Permissions-Policy grants, and only to the meeting origin. The
Content-Security-Policy is strict by default (no inline script, frames
from the meeting origin only) and is *composed* from what the site
declares: ``[security.csp]``, the analytics preset, registration forms.

:class:`SiteHeaders` is that policy as data: rules of path pattern ->
headers, in order, every matching rule applying (as Netlify does). Each
host format (``_headers``, nginx, Caddy, vercel.json, firebase.json, the
``<meta>`` fallback) is a printer of the same object, so they cannot
disagree; adding a header for some paths is one rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from site_gen.config.integrations import CSP_KEYS, effective_registration
from site_gen.paths import IMMUTABLE_DIR

from .analytics import analytics

if TYPE_CHECKING:
    from site_gen.config.site_toml import SiteConfig
    from site_gen.structure.pages import Page

__all__ = [
    "DELEGATED_FEATURES",
    "FORMATS",
    "IMMUTABLE_CACHE_CONTROL",
    "Csp",
    "HeaderRule",
    "SiteHeaders",
    "content_security_policy",
    "form_origins",
    "headers_file",
    "permissions_policy",
    "render_format",
    "site_headers",
]

#: Files whose name carries a hash of their bytes never change: cached for a year, unrevalidated.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"

DELEGATED_FEATURES = ("camera", "microphone", "fullscreen", "autoplay", "display-capture")

#: ``site-gen headers --format`` choices.
FORMATS = ("netlify", "nginx", "caddy", "vercel", "firebase")

#: Directives a ``<meta>`` policy cannot carry (the CSP spec ignores them there).
META_IGNORED = ("frame-ancestors", "report-uri", "sandbox")


@dataclass(frozen=True)
class Csp:
    """A Content-Security-Policy: directive -> sources, in a fixed order."""

    directives: tuple[tuple[str, tuple[str, ...]], ...]

    def text(self, *, meta: bool = False) -> str:
        """The header value; ``meta`` leaves out what a ``<meta>`` cannot say."""
        return "; ".join(
            " ".join((name, *sources))
            for name, sources in self.directives
            if not (meta and name in META_IGNORED)
        )

    def sources(self, directive: str) -> tuple[str, ...]:
        """The sources of one directive (``default-src``'s when it is not given)."""
        found = dict(self.directives)
        return found.get(directive, found.get("default-src", ()))

    @classmethod
    def parse(cls, text: str) -> Csp:
        """A policy read back from its text (tests compare every format with the source)."""
        out = []
        for part in text.split(";"):
            words = part.split()
            if words:
                out.append((words[0].lower(), tuple(words[1:])))
        return cls(tuple(out))


@dataclass(frozen=True)
class HeaderRule:
    """Headers for the paths a pattern matches: ``/*`` (every path) or ``/assets/*`` (a folder)."""

    pattern: str
    headers: tuple[tuple[str, str], ...]

    @property
    def prefix(self) -> str:
        """The path prefix the pattern stands for: ``/`` or ``/assets/``."""
        return self.pattern.removesuffix("*")

    def matches(self, path: str) -> bool:
        """Does the rule apply to a request path."""
        return path.startswith(self.prefix)


@dataclass(frozen=True)
class SiteHeaders:
    """Every header of the site: the CSP (kept whole for the meta tag) and the rules."""

    csp: Csp
    rules: tuple[HeaderRule, ...]

    def for_path(self, path: str) -> dict[str, str]:
        """What a host sends for ``path``: every matching rule's headers, later ones winning."""
        out: dict[str, str] = {}
        for rule in self.rules:
            if rule.matches(path):
                out.update(rule.headers)
        return out


def permissions_policy(meeting_origin: str) -> str:
    """Delegate the room's features to the page itself and the meeting origin only."""
    allow = f'(self "{meeting_origin}")'
    return ", ".join(f"{feature}={allow}" for feature in DELEGATED_FEATURES)


def _default_csp(meeting_origin: str) -> dict[str, list[str]]:
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": [meeting_origin],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }


def compose_csp(
    meeting_origin: str,
    additions: Iterable[tuple[str, Iterable[str]]] = (),
) -> Csp:
    """The strict default plus ``additions`` (directive, sources), each source once."""
    directives = _default_csp(meeting_origin)
    for name, sources in additions:
        have = directives[name]
        for source in sources:
            if source not in have and not _covered(source, have):
                have.append(source)
    return Csp(tuple((name, tuple(s)) for name, s in directives.items()))


def _covered(source: str, have: Sequence[str]) -> bool:
    """``https:`` already allows any https source (img-src), so it is not repeated."""
    return source.startswith("https://") and "https:" in have


def content_security_policy(meeting_origin: str) -> str:
    """The default policy's text: no inline script, frames only from the meeting origin."""
    return compose_csp(meeting_origin).text()


def site_headers(
    config: SiteConfig, pages: Iterable[Page] = (), *, forms: Iterable[str] = ()
) -> SiteHeaders:
    """The policy of a site: composed from site.toml and the pages' registration forms.

    ``forms``: more form origins, as :func:`form_origins` gave them for pages
    not at hand (a rebuild after body edits loads only the edited pages).
    """
    origin = config.callbridge.meeting_origin
    additions: list[tuple[str, Iterable[str]]] = []
    preset = analytics(config.integrations.analytics, config.integrations.consent)
    if preset is not None:
        additions.extend(preset.csp.items())
    csp_section = config.security.csp
    for key in CSP_KEYS:
        additions.append((key.replace("_", "-"), getattr(csp_section, key)))
    for url in sorted(form_origins(config, pages) | set(forms)):
        # A form posts (form-action), or site-gen.js sends it (connect-src).
        additions += [("form-action", [url]), ("connect-src", [url])]
    csp = compose_csp(origin, additions)
    rules = (
        HeaderRule(
            "/*",
            (
                ("Permissions-Policy", permissions_policy(origin)),
                ("Content-Security-Policy", csp.text()),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("X-Content-Type-Options", "nosniff"),
            ),
        ),
        HeaderRule("/assets/*", (("Cache-Control", "public, max-age=3600"),)),
        # Named by their content (render/assets.py, images/): a change is a new name.
        HeaderRule(f"/{IMMUTABLE_DIR}/*", (("Cache-Control", IMMUTABLE_CACHE_CONTROL),)),
    )
    return SiteHeaders(csp, rules)


def form_origins(config: SiteConfig, pages: Iterable[Page]) -> set[str]:
    """The origins registration forms post to (an invalid form is reported elsewhere)."""
    out = set()
    for page in pages:
        try:
            form = effective_registration(page.meta.registration, config.registration)
        except ValueError:
            continue
        if form is not None and form.url is not None:
            out.add(_origin_of(form.url))
    return out


def _origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}"


# -- printers: one per host ------------------------------------------------------------


def headers_file(headers: SiteHeaders) -> str:
    """``_headers`` for Netlify and Cloudflare Pages."""
    lines = []
    for rule in headers.rules:
        lines.append(rule.pattern)
        lines.extend(f"  {name}: {value}" for name, value in rule.headers)
    return "\n".join([*lines, ""])


def _nginx(headers: SiteHeaders) -> str:
    """nginx ``location`` blocks for a ``server {}``.

    nginx drops a parent's ``add_header`` in any location that has its own,
    so each location repeats every rule that matches its prefix.
    """
    out = [
        "# site-gen headers: include inside your server { } block.",
        "# 'always' sends them with error pages too.",
    ]
    for rule in headers.rules:
        out.append(f"location {rule.prefix} {{")
        for name, value in headers.for_path(rule.prefix).items():
            out.append(f'    add_header {name} "{_quoted(value)}" always;')
        out.append("}")
    return "\n".join([*out, ""])


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _caddy(headers: SiteHeaders) -> str:
    """Caddyfile ``header`` directives for a site block."""
    out = ["# site-gen headers: paste inside your site block."]
    for rule in headers.rules:
        matcher = "" if rule.pattern == "/*" else f" {rule.pattern}"
        out.append(f"header{matcher} {{")
        out.extend(f'\t{name} "{_quoted(value)}"' for name, value in rule.headers)
        out.append("}")
    return "\n".join([*out, ""])


def _vercel(headers: SiteHeaders) -> str:
    """``vercel.json``'s ``headers`` (path-to-regexp sources)."""
    entries = [
        {
            "source": rule.prefix + "(.*)",
            "headers": [{"key": k, "value": v} for k, v in rule.headers],
        }
        for rule in headers.rules
    ]
    return json.dumps({"headers": entries}, indent=2) + "\n"


def _firebase(headers: SiteHeaders) -> str:
    """``firebase.json``'s ``hosting.headers`` (glob sources)."""
    entries = [
        {
            "source": "**" if rule.prefix == "/" else rule.prefix + "**",
            "headers": [{"key": k, "value": v} for k, v in rule.headers],
        }
        for rule in headers.rules
    ]
    return json.dumps({"hosting": {"headers": entries}}, indent=2) + "\n"


def render_format(headers: SiteHeaders, format: str) -> str:
    """The headers in one host's syntax (``FORMATS``)."""
    printers = {
        "netlify": headers_file,
        "nginx": _nginx,
        "caddy": _caddy,
        "vercel": _vercel,
        "firebase": _firebase,
    }
    return printers[format](headers)
