"""Every fixed name a site has on disk, in one place.

A site is a folder with ``site.toml``, ``content/``, optional
``templates/`` and ``static/`` that override the theme, ``site-gen.lock``
(committed: what the API created) and ``.site-gen/`` (never committed:
caches and local state, safe to delete). Modules ask here instead of
spelling a name again.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CACHE_DIR",
    "CONFIG_FILE",
    "CONTENT_DIR",
    "DEFAULT_OUTPUT_DIR",
    "IMAGE_CACHE_DIR",
    "IMMUTABLE_DIR",
    "LOCALES_DIR",
    "LOCK_FILE",
    "SANDBOX_DB",
    "SCHEDULER_MUTEX",
    "SITE_DIRS",
    "STATE_DIR",
    "STATIC_DIR",
    "TEMPLATES_DIR",
]

#: The site's settings.
CONFIG_FILE = "site.toml"
#: What the API created for the site: committed next to site.toml.
LOCK_FILE = "site-gen.lock"
#: Meeting definitions, ``content/**/*.md``.
CONTENT_DIR = "content"
#: Templates that replace the theme's, file by file.
TEMPLATES_DIR = "templates"
#: gettext catalogs, ``locales/LANG.po``: a site's own strings, or its translation of the theme's.
LOCALES_DIR = "locales"
#: Files copied as they are, replacing the theme's of the same name.
STATIC_DIR = "static"
#: The folders a site is made of (never inside the output folder, and never it).
SITE_DIRS = (CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR)
#: Where a build writes unless told otherwise.
DEFAULT_OUTPUT_DIR = "public"

#: Local state of builds, never committed, safe to delete.
STATE_DIR = Path(".site-gen")
#: The build cache (records of the last builds; see output/cache.py).
CACHE_DIR = STATE_DIR / "cache"
#: Resized image variants, one folder per source content and variant spec (site_gen/images/).
IMAGE_CACHE_DIR = STATE_DIR / "images"
#: The output folder of files named by their content (image variants, fingerprinted
#: assets): served ``immutable``, as their name changes whenever their bytes do.
IMMUTABLE_DIR = "immutable"
#: The in-process sandbox's database: ids in the lock stay valid between builds.
SANDBOX_DB = STATE_DIR / "sandbox.db"
#: Held (flock) by the process making a site's creates, for as long as it runs.
SCHEDULER_MUTEX = STATE_DIR / "scheduler.mutex"
