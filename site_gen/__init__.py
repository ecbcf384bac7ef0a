"""site-gen: static webinar and meeting pages that embed Callbridge rooms.

The library API (the CLI is a thin shell over it)::

    from site_gen import build, BuildOptions
    report = build(Path("mysite"), BuildOptions(drafts=True))

Names are imported lazily so that ``site-gen --version`` and the preview
server's reloads do not pay for modules they do not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "BuildFailed",
    "BuildOptions",
    "Problem",
    "Report",
    "Site",
    "SiteGenError",
    "ValidationFailed",
    "__version__",
    "build",
    "load_site",
]

_LAZY = {
    "build": "site_gen.commands.build",
    "BuildOptions": "site_gen.commands.build",
    "Report": "site_gen.commands.build",
    "Site": "site_gen.site",
    "load_site": "site_gen.site",
    "BuildFailed": "site_gen.errors",
    "Problem": "site_gen.errors",
    "SiteGenError": "site_gen.errors",
    "ValidationFailed": "site_gen.errors",
}

if TYPE_CHECKING:
    from .commands.build import BuildOptions, Report, build
    from .errors import BuildFailed, Problem, SiteGenError, ValidationFailed
    from .site import Site, load_site


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'site_gen' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
