"""Test helpers: declarative temp sites, parsed output, fixed clocks."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup

#: A fixed "now" for builds in tests: pages' states must not depend on the day CI runs.
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

BASE_CONFIG = """\
[site]
title = "Test Live"
base_url = "https://live.test.example"
time_zone = "America/Toronto"

[callbridge]
api = "sandbox"
domain = "meet.test.example"

[hosts.marketing]
name = "Marketing"
email = "marketing@acme.test"
host_id = 3
access_code = "1234567"
"""

ROOM_PAGE = """\
---
title: "Office Hours"
host: marketing
---
Hello **there**.
"""

SiteFactory = Callable[..., Path]


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``{"relative/path": content}`` under ``root`` (content dedented)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def soup(path: Path) -> BeautifulSoup:
    """An output file parsed as HTML."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: for "nothing changed" checks."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
