"""Languages: which a tag names, its writing direction, and the theme's words in it.

Knows nothing of sites: callers pass the folders catalogs live in (the
theme's ``locales/``, then a site's own), so the same code serves the
build, ``check`` and the tests that keep every shipped catalog complete.
"""

from __future__ import annotations

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
from .languages import RTL_LANGUAGES, babel_locale, language_problem, plural_samples, text_direction

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
