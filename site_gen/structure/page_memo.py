"""Validated content files remembered between builds, so an edit re-parses one file.

Parsing YAML and validating front matter is most of what loading a site
costs (about 1 ms a file); a rebuild after one edit should pay it once,
not once per page. :class:`PageMemo` keeps, per content file, what
:func:`~site_gen.structure.pages.load_page` made of it: the validated
front matter (as its JSON dump), the line of every key and the body's
first line, with the file's ``(size, mtime_ns, ctime_ns, inode)``, the
SHA-256 of its bytes and that of its head (the bytes before the body,
what a page's listing key hashes: output/keys.py).

A file whose stat is the one recorded is taken from the memo; one whose
stat changed but whose bytes hash the same (a ``git checkout`` or a CI
cache restore touches every mtime) is taken from the memo too, after
hashing; anything else is parsed again. The body is always read from the
file itself (cheap, and never stale). The record is plain JSON under
``.site-gen/cache/`` (never pickle: a cache folder committed by a pull
request must not run code), tied to site-gen's version and to the stats
of the modules that parse and validate, so a change to either discards it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path
from typing import Any

import orjson

import site_gen
from site_gen import __version__
from site_gen.config.front_matter import FrontMatter
from site_gen.config.parsing import KeyLines, SourceError, front_matter_body
from site_gen.paths import CACHE_DIR
from site_gen.utils.fs import atomic_write

__all__ = ["PageMemo", "parsers_fingerprint"]

#: Bumped when the record's shape changes.
FORMAT = 2
_NAME = "pages.json"
#: The modules whose code decides what a content file loads as.
_PARSERS = (
    "config/front_matter.py",
    "config/parsing.py",
    "config/problems.py",
    "config/values.py",
    "structure/pages.py",
    "structure/page_memo.py",
)

#: Front matter keys whose values never go into the record (secrets).
NEVER_STORED = ("security_pin",)
#: Files modified this close to when the record was written may have changed
#: again within the filesystem's timestamp granularity: hashed even when
#: their stat matches (git's "racily clean" rule).
RACY_NS = 2_000_000_000


def _stat_key(stat: os.stat_result) -> list[int]:
    """What a file's stat says about its bytes; ctime catches an mtime set back by hand."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def parsers_fingerprint() -> list[list[int]]:
    """Size and mtime of the modules that load pages: an edit in a checkout is a change."""
    package = Path(site_gen.__file__).parent
    out = []
    for name in _PARSERS:
        try:
            st = (package / name).stat()
            out.append([st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([-1, -1])
    return out


class PageMemo:
    """What each content file loaded as last time, keyed by its stat and its bytes' hash."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / _NAME
        self._saved_ns = 0
        self._fingerprint = parsers_fingerprint()
        self._old: dict[str, Any] = self._read()
        self._new: dict[str, Any] = {}
        self.changed = False

    def _read(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != __version__
            or data.get("parsers") != self._fingerprint
            or not isinstance(data.get("files"), dict)
        ):
            return {}
        files: dict[str, Any] = data["files"]
        self._saved_ns = int(data.get("saved_ns", 0))
        return files

    def knows(self, rel: str, path: Path) -> bool:
        """Whether ``path``'s stat is the one recorded (its bytes were seen, most likely)."""
        entry = self._old.get(rel)
        try:
            return isinstance(entry, dict) and entry["stat"] == _stat_key(path.stat())
        except (OSError, KeyError):
            return False

    def recall(
        self, rel: str, stat: os.stat_result, data: bytes
    ) -> tuple[FrontMatter, KeyLines, str, int, str, str] | None:
        """``(meta, key lines, body, body line, digest, head digest)`` remembered, or None.

        ``data`` is the file's bytes as read now; it is hashed only when the
        stat differs from the recorded one.
        """
        entry = self._old.get(rel)
        if not isinstance(entry, dict):
            return None
        try:
            same_stat = (
                entry["stat"] == _stat_key(stat)
                and stat.st_mtime_ns < self._saved_ns - RACY_NS
                and stat.st_ctime_ns < self._saved_ns - RACY_NS
            )
            digest = entry["sha"] if same_stat else hashlib.sha256(data).hexdigest()
            if digest != entry["sha"]:
                return None
            meta = FrontMatter.model_validate(entry["meta"])
            lines = KeyLines(
                {tuple(loc): int(line) for loc, line in entry["lines"]}, int(entry["first"])
            )
            body = front_matter_body(data.decode("utf-8"))
            body_line = int(entry["body_line"])
            head = str(entry["head"])
        except (KeyError, TypeError, ValueError, SourceError):
            return None  # odd or stale entry: parse the file again
        self._keep(rel, entry, stat, changed=not same_stat)
        return meta, lines, body, body_line, str(digest), head

    def _keep(
        self, rel: str, entry: dict[str, Any], stat: os.stat_result, *, changed: bool
    ) -> None:
        if changed:
            entry = {**entry, "stat": _stat_key(stat)}
            self.changed = True
        self._new[rel] = entry

    def remember(
        self,
        rel: str,
        stat: os.stat_result,
        digest: str,
        head: str,
        meta: FrontMatter,
        lines: KeyLines,
        body_line: int,
    ) -> None:
        """Record what a freshly parsed, valid file loaded as.

        Never a page with a secret in its front matter (a webinar's
        ``security_pin``): nothing under ``.site-gen/`` may hold one, so such
        a file is parsed again on every build.
        """
        if any(getattr(meta, name, None) is not None for name in NEVER_STORED):
            return
        entry = {
            "stat": _stat_key(stat),
            "sha": digest,
            "head": head,
            # exclude_unset: validating the dump again gives an equal model
            # with the same fields set (defaults stay defaults).
            "meta": meta.model_dump(mode="json", exclude_unset=True),
            "lines": [[list(loc), line] for loc, line in lines.lines.items()],
            "first": lines.first_line,
            "body_line": body_line,
        }
        self._keep(rel, entry, stat, changed=True)

    def save(self) -> None:
        """Write the record if anything changed (files added, edited, touched or removed).

        Never durable (no fsync): a record lost to a power cut costs one
        full load. A read-only ``.site-gen/`` costs the next build time only.
        """
        if not self.changed and set(self._new) == set(self._old):
            return
        record = {
            "format": FORMAT,
            "version": __version__,
            "parsers": self._fingerprint,
            "saved_ns": time.time_ns(),
            "files": self._new,
        }
        with contextlib.suppress(OSError):
            atomic_write(self.path, orjson.dumps(record), durable=False)
