"""``headers(root, format) -> str``: the library call behind ``site-gen headers``.

The site's policy (render/headers.py), composed from site.toml and the
pages' forms, printed in one host's syntax: the same object ``_headers``
and the ``<meta>`` fallback print, so a snippet pasted into nginx, Caddy,
vercel.json or firebase.json says exactly what a build's ``_headers`` says.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from site_gen.render.headers import FORMATS, render_format, site_headers
from site_gen.structure.site import load_site

__all__ = ["FORMATS", "headers"]


def headers(root: Path, format: str = "netlify", environ: Mapping[str, str] | None = None) -> str:
    """The site's headers in ``format`` (one of ``FORMATS``); raises ValidationFailed."""
    site = load_site(root, os.environ if environ is None else environ)
    return render_format(site_headers(site.config, site.pages), format)
