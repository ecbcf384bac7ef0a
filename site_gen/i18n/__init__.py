"""Languages: which a tag names, its writing direction, and the theme's words in it.

Knows nothing of sites: callers pass the folders catalogs live in (the
theme's ``locales/``, then a site's own), so the same code serves the
build, ``check`` and the tests that keep every shipped catalog complete.

    languages.py  BCP 47 tags CLDR knows, text direction, plural samples
    catalogs.py   gettext catalogs (.po) read, layered, extracted, compared

The catalog names load on first use: validating ``[site] language`` needs
only Babel's locale data, not its message tools (a tenth of a second).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .languages import RTL_LANGUAGES, babel_locale, language_problem, plural_samples, text_direction

if TYPE_CHECKING:
    from .catalogs import (
        CatalogProblem,
        Catalogs,
        catalog_files,
        catalog_path,
        extract_messages,
        load_catalogs,
        missing_messages,
        read_catalog,
    )

__all__ = [
    "RTL_LANGUAGES",
    "CatalogProblem",
    "Catalogs",
    "babel_locale",
    "catalog_files",
    "catalog_path",
    "extract_messages",
    "language_problem",
    "load_catalogs",
    "missing_messages",
    "plural_samples",
    "read_catalog",
    "text_direction",
]

_CATALOG_NAMES = frozenset(
    {
        "CatalogProblem",
        "Catalogs",
        "catalog_files",
        "catalog_path",
        "extract_messages",
        "load_catalogs",
        "missing_messages",
        "read_catalog",
    }
)


def __getattr__(name: str) -> Any:
    if name in _CATALOG_NAMES:
        return getattr(import_module(".catalogs", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
