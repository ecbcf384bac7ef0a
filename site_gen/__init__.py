"""site-gen: static webinar and meeting pages that embed Callbridge rooms.

The library API (the CLI is a thin shell over it): one call per command,
each taking the site's folder and an options object::

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
    "CheckOptions",
    "CheckReport",
    "ExitCode",
    "InitReport",
    "Plan",
    "PlanOptions",
    "Problem",
    "Report",
    "ServeOptions",
    "Site",
    "SiteGenError",
    "ValidationFailed",
    "__version__",
    "build",
    "check",
    "eject",
    "headers",
    "host_link",
    "init",
    "load_site",
    "plan",
    "schema",
    "serve",
    "theme_diff",
    "theme_list",
]

_LAZY = {
    "build": "site_gen.commands.build",
    "BuildOptions": "site_gen.commands.build",
    "Report": "site_gen.commands.build",
    "check": "site_gen.commands.check",
    "CheckOptions": "site_gen.commands.check",
    "CheckReport": "site_gen.commands.check",
    "plan": "site_gen.commands.plan",
    "PlanOptions": "site_gen.commands.plan",
    "Plan": "site_gen.scheduling.plan",
    "serve": "site_gen.commands.serve",
    "ServeOptions": "site_gen.commands.serve",
    "init": "site_gen.commands.init",
    "InitReport": "site_gen.commands.init",
    "host_link": "site_gen.commands.host_link",
    "headers": "site_gen.commands.headers",
    "schema": "site_gen.commands.schema",
    "eject": "site_gen.commands.theme",
    "theme_list": "site_gen.commands.theme",
    "theme_diff": "site_gen.commands.theme",
    "Site": "site_gen.structure.site",
    "load_site": "site_gen.structure.site",
    "BuildFailed": "site_gen.errors",
    "ExitCode": "site_gen.errors",
    "Problem": "site_gen.errors",
    "SiteGenError": "site_gen.errors",
    "ValidationFailed": "site_gen.errors",
}

if TYPE_CHECKING:
    from .commands.build import BuildOptions, Report, build
    from .commands.check import CheckOptions, CheckReport, check
    from .commands.headers import headers
    from .commands.host_link import host_link
    from .commands.init import InitReport, init
    from .commands.plan import PlanOptions, plan
    from .commands.schema import schema
    from .commands.serve import ServeOptions, serve
    from .commands.theme import eject, theme_diff, theme_list
    from .errors import BuildFailed, ExitCode, Problem, SiteGenError, ValidationFailed
    from .scheduling.plan import Plan
    from .structure.site import Site, load_site


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'site_gen' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
