"""Shared fixtures: declarative temp sites (MkDocs' @tempdir, as a fixture)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BASE_CONFIG, ROOM_PAGE, SiteFactory, StaticServer, write_tree


@pytest.fixture
def make_site(tmp_path: Path) -> SiteFactory:
    """A site in tmp_path from a dict of files; site.toml defaults to BASE_CONFIG.

    Pass ``config=None`` for no site.toml, ``with_default_page=False`` for no default page.
    """

    def factory(
        files: dict[str, str | bytes] | None = None,
        *,
        config: str | None = BASE_CONFIG,
        with_default_page: bool = True,
    ) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        tree: dict[str, str | bytes] = {}
        if config is not None:
            tree["site.toml"] = config
        if with_default_page:
            tree["content/office-hours.md"] = ROOM_PAGE
        tree.update(files or {})
        write_tree(root, tree)
        return root

    return factory


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium with the flags this network needs (never `playwright install`).

    Without Chromium the browser tests skip locally; in CI (CI=true) they fail,
    so a broken install can never pass as green.
    """
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over real loopback HTTP; returns its base URL."""
    servers: list[StaticServer] = []

    def start(folder: Path) -> str:
        server = StaticServer(folder)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
