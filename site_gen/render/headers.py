"""``_headers``: the HTTP headers static hosts (Netlify, Cloudflare Pages) apply.

A room needs camera, microphone, fullscreen, autoplay and display-capture
delegated to its frame; the iframe's ``allow`` asks, the page's
Permissions-Policy grants, and only to the meeting origin. The CSP lets
frames come from that origin alone and scripts only from the site itself.
"""

from __future__ import annotations

from site_gen.paths import IMMUTABLE_DIR

__all__ = [
    "DELEGATED_FEATURES",
    "IMMUTABLE_CACHE_CONTROL",
    "content_security_policy",
    "headers_file",
    "permissions_policy",
]

#: Files whose name carries a hash of their bytes never change: cached for a year, unrevalidated.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"

DELEGATED_FEATURES = ("camera", "microphone", "fullscreen", "autoplay", "display-capture")


def permissions_policy(meeting_origin: str) -> str:
    """Delegate the room's features to the page itself and the meeting origin only."""
    allow = f'(self "{meeting_origin}")'
    return ", ".join(f"{feature}={allow}" for feature in DELEGATED_FEATURES)


def content_security_policy(meeting_origin: str) -> str:
    """No inline script, frames only from the meeting origin."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data:",
            "font-src 'self'",
            "connect-src 'self'",
            f"frame-src {meeting_origin}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def headers_file(meeting_origin: str) -> str:
    """The whole ``_headers`` file, in Netlify/Cloudflare Pages syntax."""
    lines = [
        "/*",
        f"  Permissions-Policy: {permissions_policy(meeting_origin)}",
        f"  Content-Security-Policy: {content_security_policy(meeting_origin)}",
        "  Referrer-Policy: strict-origin-when-cross-origin",
        "  X-Content-Type-Options: nosniff",
        "/assets/*",
        "  Cache-Control: public, max-age=3600",
        # Named by their content (render/assets.py, images/): a change is a new name.
        f"/{IMMUTABLE_DIR}/*",
        f"  Cache-Control: {IMMUTABLE_CACHE_CONTROL}",
        "",
    ]
    return "\n".join(lines)
