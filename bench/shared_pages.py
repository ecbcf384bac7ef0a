"""The shared benchmark pages (``../shared/bench/gen_pages.py``) written as site-gen webinars.

Used by build_bench.py and reload_bench.py, so both time the very pages the
peers build.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GEN_PAGES = ROOT.parent / "shared" / "bench" / "gen_pages.py"


def load_generator() -> Any:
    """The shared page generator, imported from its file."""
    spec = importlib.util.spec_from_file_location("gen_pages", GEN_PAGES)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {GEN_PAGES}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_source(p: dict[str, Any], body: str) -> str:
    """One generated page as a site-gen webinar (the generator's fields, mapped)."""
    tags = ", ".join(p["tags"])
    return (
        "---\n"
        f'title: "{p["title"]}"\n'
        f'description: "{p["description"]}"\n'
        f"tags: [{tags}]\n"
        "kind: webinar\n"
        "host: marketing\n"
        f'start: "{p["start"]}"\n'
        f'time_zone: "{p["time_zone"]}"\n'
        f"duration: {p['duration']}\n"
        "---\n\n" + body
    )


def site_config(*, domain: str | None = None) -> str:
    """The benchmark sites' ``site.toml``; ``domain`` sets ``[callbridge] domain``."""
    callbridge = f'api = "sandbox"\ndomain = "{domain}"' if domain else 'api = "sandbox"'
    return f"""\
[site]
title = "Bench Live"
base_url = "https://bench.example"
time_zone = "America/Toronto"

[callbridge]
{callbridge}

[hosts.marketing]
name = "Bench Marketing"
email = "marketing@bench.test"
host_id = 3
access_code = "1234567"
"""


def write_site(folder: Path, pages: list[dict[str, Any]], config: str) -> None:
    """``site.toml`` and one content file per generated page."""
    (folder / "content").mkdir(parents=True)
    (folder / "site.toml").write_text(config)
    for p in pages:
        (folder / "content" / f"{p['slug']}.md").write_text(page_source(p, p["body"]))
