"""Shared fixtures: declarative temp sites (MkDocs' @tempdir, as a fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASE_CONFIG, ROOM_PAGE, SiteFactory, write_tree


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
