"""Checks of single values that site.toml and front matter share: time zones and links.

Each raises ValueError with a message that says what would be right; the
models turn it into a located problem (problems.py).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from urllib.parse import urlsplit

from site_gen.utils.net import is_loopback_host

from .problems import did_you_mean

__all__ = ["check_time_zone", "safe_link"]


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(name: str) -> str:
    """Return ``name`` if it is an IANA zone, else raise ValueError with a suggestion."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(name, _zone_names())
        raise ValueError(
            f"unknown time zone {name!r}{hint}; use an IANA name such as 'America/Toronto'"
        ) from None
    return name


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def safe_link(value: str) -> str:
    """Accept a site-relative path or an https URL (http only to loopback).

    Refuses ``javascript:``, ``data:``, protocol-relative ``//host`` and any
    other scheme: these would run script or leave the site unencrypted.
    """
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if any(ch in text for ch in "\x00\r\n\t") or "\\" in text:
        raise ValueError(f"{value!r} contains control characters or backslashes")
    if text.startswith("//"):
        raise ValueError(
            f"{value!r} is a protocol-relative URL; write 'https://...' or a path starting with '/'"
        )
    if _SCHEME.match(text):
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme == "https" and parts.hostname:
            return text
        if scheme == "http" and is_loopback_host(parts.hostname):
            return text
        raise ValueError(
            f"{value!r} is not allowed: use a path such as '/thanks/' or an https:// URL"
        )
    return text
