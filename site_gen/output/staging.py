"""Writing the output folder so that a failed or killed build never leaves a page missing.

New and changed files are written into a staging folder beside the target
(same filesystem, so renames are atomic). What happens on :meth:`commit`
depends on whether the previous output is trusted (the build cache
describes it, file by file):

**Journalled, in place** (an incremental build: ``previous`` given). Only
new and changed files were written; unchanged ones stay where they are,
untouched. Commit writes a journal beside the target,
``.<name>.tmp-journal``, listing the files to delete and the files to move
from the staging folder into the output, and fsyncs it; then it deletes,
moves each file with one atomic ``rename`` over the old one, and removes
the staging folder and the journal. A build killed at any point of this
is finished by the next one (:func:`recover`, which every build runs
first): an existing journal is applied again (every step is idempotent),
a staging folder without a journal is removed. Every page that is in
both the previous and the next output is, at every moment, one whole
file, old or new; never missing, never half-written.

**Whole folder** (a first build, or an output the cache cannot vouch
for). Everything is written to the staging folder, which is swapped with
the target at once (``renameat2(RENAME_EXCHANGE)`` on Linux, two renames
elsewhere); the previous output is then removed.

Either way, a build that fails before :meth:`commit` (a template error, a
collision, a full disk) removes its staging folder and leaves the output
exactly as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import secrets
import shutil
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING

from site_gen.errors import BuildFailed
from site_gen.paths import SITE_DIRS, STATE_DIR
from site_gen.utils.fs import atomic_write

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from site_gen.structure.files import OutputFile

__all__ = ["StagedOutput", "check_output_target", "journal_path", "recover", "write_files"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_target(target: Path, site_root: Path) -> None:
    """Refuse targets whose replacement would destroy something that is not output."""
    target = target.resolve()
    root = site_root.resolve()
    if target == root or root.is_relative_to(target):
        raise BuildFailed(f"output folder {target} contains the site itself: choose another")
    for own in (*SITE_DIRS, str(STATE_DIR)):
        if target.is_relative_to(root / own):
            raise BuildFailed(f"output folder {target} is inside the site's {own}/ folder")
    if target.is_dir() and any(target.iterdir()):
        looks_built = (target / "index.html").is_file() or (target / "sitemap.xml").is_file()
        if not looks_built:
            raise BuildFailed(
                f"{target} exists and does not look like a site-gen output "
                "(no index.html): remove it or choose another output folder"
            )


def journal_path(target: Path) -> Path:
    """Where a commit into ``target`` keeps its journal until it is complete.

    Named like the staging folders (``.NAME.tmp-*``), which a site's
    .gitignore already leaves out.
    """
    return target.parent / f".{target.name}.tmp-journal"


def recover(target: Path) -> bool:
    """Finish a commit a killed build left unfinished; remove staging leftovers.

    Returns whether a journal was applied. The journal was written
    atomically and durably before its first step, so it is whole or absent.
    """
    journal = journal_path(target)
    applied = False
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except (OSError, ValueError):
        data = None  # cannot happen short of disk damage: the next build re-checks every file
        journal.unlink(missing_ok=True)
    if isinstance(data, dict):
        staging = target.parent / str(data.get("staging", ""))
        _apply(target, staging, list(data.get("renames", [])), list(data.get("deletions", [])))
        journal.unlink(missing_ok=True)
        applied = True
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.tmp-*"):
            if leftover != journal:
                shutil.rmtree(leftover, ignore_errors=True)
        for leftover in target.parent.glob(f".{target.name}.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    return applied


def _apply(target: Path, staging: Path, renames: list[str], deletions: list[str]) -> None:
    """Delete, then move staged files over the old ones; safe to run again after a kill."""
    for rel in deletions:
        path = target / rel
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        _prune(path.parent, target)
    made: set[Path] = set()
    for rel in renames:
        src = staging / rel
        dest = target / rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        try:
            src.replace(dest)
        except FileNotFoundError:
            if not dest.exists():
                raise  # neither staged nor in place: something else removed it
            # moved already, before a kill
    shutil.rmtree(staging, ignore_errors=True)


def _prune(folder: Path, target: Path) -> None:
    """Remove ``folder`` and its parents up to ``target`` while they are empty."""
    while folder != target and folder.is_relative_to(target):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class StagedOutput:
    """New files for the output folder, written aside and committed at once.

    ``previous`` is the list of files the output holds, as the build cache
    recorded them: given, the commit is journalled and in place (only what
    was written moves; those not claimed again are deleted); None, the
    staging folder replaces the whole output.
    """

    def __init__(self, target: Path, *, previous: Collection[str] | None = None) -> None:
        self.target = target
        self.staging = target.parent / f".{target.name}.tmp-{secrets.token_hex(4)}"
        self.previous = previous
        self._claimed: dict[str, str] = {}  # lower-cased path -> source
        self._written: dict[str, str] = {}  # lower-cased path -> path as written
        self._kept: dict[str, str] = {}  # lower-cased path -> path left as it is
        self._dirs: set[Path] = set()

    @property
    def in_place(self) -> bool:
        """Whether the commit moves only new files into the existing output."""
        return self.previous is not None

    def __enter__(self) -> StagedOutput:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

    def _claim(self, rel: str, source: str) -> str:
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts:
            raise BuildFailed(f"{source}: output path {rel!r} leaves the output folder")
        key = posix.as_posix().lower()
        other = self._claimed.get(key)
        if other is not None:
            raise BuildFailed(f"{source}: would overwrite {rel}, already written for {other}")
        self._claimed[key] = source
        return key

    def path_for(self, rel: str, source: str, *, make_parent: bool = True) -> Path:
        """Claim ``rel`` for ``source`` and return where to write it; two claims are an error.

        ``make_parent=False`` leaves making the folder to the caller (a worker
        process that writes the file).
        """
        key = self._claim(rel, source)
        posix = PurePosixPath(rel).as_posix()
        self._written[key] = posix
        path = self.staging / posix
        parent = path.parent
        if make_parent and parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return path

    def keep(self, rel: str, source: str) -> None:
        """Claim ``rel`` as it already is in the output (in-place commits only)."""
        assert self.in_place, "only an in-place commit keeps files"
        key = self._claim(rel, source)
        self._kept[key] = PurePosixPath(rel).as_posix()

    def write_text(self, rel: str, text: str, *, source: str) -> None:
        """Write one generated file; in place, an unchanged one is kept instead of rewritten."""
        data = text.encode("utf-8")
        if self.in_place and _same_bytes(self.target / rel, data):
            self.keep(rel, source)
            return
        self.path_for(rel, source).write_bytes(data)

    def _release_theme(self, rel: str) -> None:
        """A site file replaces a theme file of the same name: forget the theme's claim."""
        key = PurePosixPath(rel).as_posix().lower()
        if not self._claimed.get(key, "").startswith("theme:"):
            return
        del self._claimed[key]
        self._kept.pop(key, None)
        written = self._written.pop(key, None)
        if written is not None:
            (self.staging / written).unlink(missing_ok=True)

    def copy(self, src: Path, rel: str, *, source: str) -> None:
        """Copy a static file (a site file may replace a theme file of the same name)."""
        self._release_theme(rel)
        shutil.copyfile(src, self.path_for(rel, source))

    def keep_static(self, rel: str, *, source: str) -> None:
        """A static file whose copy in the output is already current."""
        self._release_theme(rel)
        self.keep(rel, source)

    @property
    def paths(self) -> list[str]:
        """Every output path claimed so far, as written (not lower-cased)."""
        return sorted({*self._written.values(), *self._kept.values()})

    @property
    def files(self) -> list[str]:
        """Every output path claimed so far (lower-cased)."""
        return sorted(self._claimed)

    def commit(self) -> None:
        """Make the claimed files the output: journalled in place, or the whole folder."""
        if self.previous is not None and self.target.is_dir():
            self._commit_in_place(self.previous)
        elif self.target.exists():
            if _exchange(self.staging, self.target):
                shutil.rmtree(self.staging)  # now holds the previous output
                return
            old = self.target.parent / f".{self.target.name}.old-{secrets.token_hex(4)}"
            self.target.rename(old)
            self.staging.rename(self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            self.staging.rename(self.target)

    def _commit_in_place(self, previous: Collection[str]) -> None:
        renames = sorted(self._written.values())
        keep = set(self._written.values()) | set(self._kept.values())
        deletions = sorted(rel for rel in previous if rel not in keep)
        if not renames and not deletions:
            return
        journal = journal_path(self.target)
        record = {"staging": self.staging.name, "renames": renames, "deletions": deletions}
        atomic_write(journal, json.dumps(record), durable=True)
        _apply(self.target, self.staging, renames, deletions)
        journal.unlink()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def write_files(stage: StagedOutput, files: Iterable[OutputFile]) -> None:
    """Write generated and copied files into a staging folder (collisions are errors there)."""
    for file in files:
        if file.copy_from is not None:
            stage.copy(file.copy_from, file.rel, source=file.source)
        else:
            assert file.text is not None
            stage.write_text(file.rel, file.text, source=file.source)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2; False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
