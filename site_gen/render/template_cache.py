"""Compiled templates and their references, kept between processes in the user's cache.

A build that renders one page (output/edits.py) would spend most of its
time parsing and compiling the theme's templates, which change only with
site-gen or the site's overrides. Their compiled code (``marshal``) and
the templates each one names are kept under the user's cache folder
(``$XDG_CACHE_HOME/site-gen``, else ``~/.cache/site-gen``), keyed by a
hash of everything that decides them: the source, the name, the
environment's settings, Jinja's and Python's versions.

Never under the site's ``.site-gen/``: compiled code is code, and a cache
folder restored or committed with a site must not be able to run any.
The user's own cache is as trusted as the installed site-gen. Anything
unreadable is compiled again; a folder that cannot be written costs time
only. ``SITE_GEN_TEMPLATE_CACHE=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

from site_gen.utils.fs import atomic_write

__all__ = ["load_code", "load_references", "store_code", "store_references"]

_CODE_STAMP: list[object] = []


def _code_stamp() -> object:
    """The renderer's own modules, by size and mtime: their filters shape compiled code.

    Jinja compiles a filter call by how the filter takes its context, and
    folds constants through filters: an edit to site-gen's rendering code
    (in a checkout) must not meet code compiled before it.
    """
    if not _CODE_STAMP:
        here = Path(__file__).parent
        stamp = []
        for path in sorted(here.glob("*.py")):
            with contextlib.suppress(OSError):
                st = path.stat()
                stamp.append((path.name, st.st_size, st.st_mtime_ns))
        _CODE_STAMP.append(tuple(stamp))
    return _CODE_STAMP[0]


def _folder() -> Path | None:
    if os.environ.get("SITE_GEN_TEMPLATE_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    import jinja2  # loaded already whenever a template is

    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        base = Path(xdg) if xdg else Path("~/.cache").expanduser()
    except RuntimeError:
        return None  # no home folder: nowhere of the user's own
    if not base.is_absolute():
        return None
    tag = f"{sys.implementation.cache_tag}-jinja{jinja2.__version__}"
    return base / "site-gen" / "templates" / tag


def _name(key: object) -> str:
    return hashlib.sha256(repr((key, _code_stamp())).encode("utf-8")).hexdigest()


def load_code(key: object) -> CodeType | None:
    """The compiled code stored for ``key`` (a tuple of str/bool/None), or None."""
    folder = _folder()
    if folder is None:
        return None
    try:
        data = (folder / f"{_name(key)}.code").read_bytes()
        code = marshal.loads(data)  # noqa: S302 - the user's own cache, see above
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def store_code(key: object, code: CodeType) -> None:
    """Keep ``code`` for the next process (best effort)."""
    folder = _folder()
    if folder is None:
        return
    with contextlib.suppress(OSError):
        atomic_write(folder / f"{_name(key)}.code", marshal.dumps(code), durable=False)


def load_references(source: str) -> list[str | None] | None:
    """The templates a source names (None in the list: a name made at render time)."""
    folder = _folder()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{_name(source)}.refs").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or not all(r is None or isinstance(r, str) for r in data):
        return None
    return data


def store_references(source: str, references: list[str | None]) -> None:
    """Keep what :func:`load_references` returns for ``source`` (best effort)."""
    folder = _folder()
    if folder is None:
        return
    with contextlib.suppress(OSError):
        atomic_write(folder / f"{_name(source)}.refs", json.dumps(references), durable=False)
