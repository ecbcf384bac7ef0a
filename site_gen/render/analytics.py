"""Analytics presets: each provider's script tags and exactly the CSP sources it needs.

No preset writes inline code: what a provider asks to be pasted inline
(GA4's ``gtag('config', …)``, Matomo's ``_paq``) is generated into a
self-hosted file, ``assets/site-gen-analytics.js``, so the policy keeps
``script-src`` free of ``'unsafe-inline'``. Cookie-setting tools are
"gated": their tags are inert (``type="text/plain"``) until site-gen.js
sees the visitor's consent and loads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from site_gen.config.integrations import AnalyticsSection, ConsentSection

__all__ = ["ANALYTICS_FILE", "Analytics", "ScriptTag", "analytics"]

#: The generated configuration script of presets that need one.
ANALYTICS_FILE = "assets/site-gen-analytics.js"

_DEFAULT_ORIGIN = {"plausible": "https://plausible.io", "umami": "https://cloud.umami.is"}
_GOOGLE = "https://www.googletagmanager.com"
#: Google's own list for GA4 and Tag Manager under a CSP (its "Use a CSP" guide).
_GOOGLE_CONNECT = (
    "https://*.google-analytics.com",
    "https://*.analytics.google.com",
    "https://*.googletagmanager.com",
)
_GOOGLE_IMG = ("https://*.google-analytics.com", "https://*.googletagmanager.com")
_FATHOM = "https://cdn.usefathom.com"
_UMAMI_CLOUD_COLLECTOR = "https://gateway.umami.is"


@dataclass(frozen=True)
class ScriptTag:
    """One ``<script>``: its src and data attributes, in page order."""

    src: str
    attrs: tuple[tuple[str, str], ...] = ()
    #: Site path (the generated file): passed through the url filter.
    local: bool = False


@dataclass(frozen=True)
class Analytics:
    """What a preset adds to pages, to the output and to the policy."""

    provider: str
    scripts: tuple[ScriptTag, ...]
    #: Loaded only after the visitor accepts in the consent banner.
    gated: bool
    #: The text of assets/site-gen-analytics.js, or None when the preset needs none.
    config_js: str | None
    #: CSP directive (as the header writes it) -> sources.
    csp: dict[str, tuple[str, ...]] = field(default_factory=dict)


def analytics(section: AnalyticsSection | None, consent: ConsentSection) -> Analytics | None:
    """The preset ``[integrations.analytics]`` chose, with its consent gating; None without one."""
    if section is None:
        return None
    make = {
        "plausible": _plausible,
        "fathom": _fathom,
        "umami": _umami,
        "matomo": _matomo,
        "google": _google,
    }[section.provider]
    scripts, config_js, csp = make(section)
    gated = consent.banner == "always" or (consent.banner == "auto" and section.sets_cookies)
    if config_js is not None:
        scripts = (ScriptTag(f"/{ANALYTICS_FILE}", local=True), *scripts)
    return Analytics(section.provider, scripts, gated, config_js, csp)


_Preset = tuple[tuple[ScriptTag, ...], str | None, dict[str, tuple[str, ...]]]


def _plausible(section: AnalyticsSection) -> _Preset:
    origin = section.origin or _DEFAULT_ORIGIN["plausible"]
    tag = ScriptTag(f"{origin}/js/script.js", (("data-domain", section.site_id),))
    return (tag,), None, {"script-src": (origin,), "connect-src": (origin,)}


def _fathom(section: AnalyticsSection) -> _Preset:
    tag = ScriptTag(f"{_FATHOM}/script.js", (("data-site", section.site_id),))
    return (tag,), None, {"script-src": (_FATHOM,), "connect-src": (_FATHOM,)}


def _umami(section: AnalyticsSection) -> _Preset:
    origin = section.origin or _DEFAULT_ORIGIN["umami"]
    # data-host-url pins where the script reports: a self-hosted instance to
    # itself; Umami Cloud's script to its collector, named here rather than
    # left to the script's built-in default (which has moved before).
    collector = section.origin or _UMAMI_CLOUD_COLLECTOR
    attrs = (("data-website-id", section.site_id), ("data-host-url", collector))
    tags = (ScriptTag(f"{origin}/script.js", attrs),)
    return tags, None, {"script-src": (origin,), "connect-src": (collector,)}


def _matomo(section: AnalyticsSection) -> _Preset:
    origin = section.origin or ""
    lines = ["var _paq = (window._paq = window._paq || []);"]
    if section.cookies is False:
        lines.append("_paq.push(['disableCookies']);")
    lines += [
        "_paq.push(['trackPageView']);",
        "_paq.push(['enableLinkTracking']);",
        f"_paq.push(['setTrackerUrl', {json.dumps(origin + '/matomo.php')}]);",
        f"_paq.push(['setSiteId', {json.dumps(section.site_id)}]);",
    ]
    csp: dict[str, tuple[str, ...]] = {
        "script-src": (origin,),
        "connect-src": (origin,),
        "img-src": (origin,),
    }
    return (ScriptTag(f"{origin}/matomo.js"),), _js(lines), csp


def _google(section: AnalyticsSection) -> _Preset:
    ident = section.site_id
    if ident.startswith("GTM-"):
        lines = [
            "window.dataLayer = window.dataLayer || [];",
            "window.dataLayer.push({'gtm.start': new Date().getTime(), event: 'gtm.js'});",
        ]
        tag = ScriptTag(f"{_GOOGLE}/gtm.js?id={ident}")
    else:
        lines = [
            "window.dataLayer = window.dataLayer || [];",
            "window.gtag = function () { window.dataLayer.push(arguments); };",
            "window.gtag('js', new Date());",
            f"window.gtag('config', {json.dumps(ident)});",
        ]
        tag = ScriptTag(f"{_GOOGLE}/gtag/js?id={ident}")
    csp: dict[str, tuple[str, ...]] = {
        "script-src": (_GOOGLE,),
        "connect-src": _GOOGLE_CONNECT,
        "img-src": _GOOGLE_IMG,
    }
    tags: tuple[ScriptTag, ...] = (tag,)
    return tags, _js(lines), csp


def _js(lines: list[str]) -> str:
    head = "/* Generated by site-gen from site.toml [integrations.analytics]: do not edit. */"
    return "\n".join([head, "(function () {", *(f"  {line}" for line in lines), "})();", ""])
