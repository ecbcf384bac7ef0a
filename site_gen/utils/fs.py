"""Files: one way to write atomically, one way to walk a folder.

Atomic writes go through a temporary file in the same folder and a rename,
so readers (a build, a deploy tool, an editor) see the old file or the new
one, never half of it. The walker is the single place that decides which
symbolic links are followed: only those whose target stays inside a given
boundary (a link from content/ to /etc/passwd must never be published), and
never one back up to a folder the walk is inside (which would never end).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["WalkedFile", "atomic_write", "walk_files"]


def atomic_write(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``durable`` also fsyncs the file and its folder, so the new content
    survives a power cut once this returns (the lock file needs that; a
    cache record, which may always be lost, does not pay for it).
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        # mkstemp makes the file 0600; give it the mode open() would have.
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class WalkedFile:
    """A file found by :func:`walk_files`."""

    rel: str  # POSIX path relative to the walked folder
    entry: os.DirEntry[str] = field(repr=False, compare=False)

    @property
    def path(self) -> Path:
        """The file as reached through the folder (links not resolved)."""
        return Path(self.entry.path)

    def stat(self) -> tuple[int, int, int]:
        """``(size, mtime_ns, ctime_ns)`` of the file (a link's target), asked once per walk.

        The ctime is there because an edit's mtime can be restored, its ctime cannot.
        """
        st = self.entry.stat()
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def walk_files(
    folder: Path,
    *,
    boundary: Path | None,
    keep: Callable[[str], bool] = lambda name: True,
) -> Iterator[WalkedFile]:
    """Every file under ``folder`` whose name ``keep`` accepts, in sorted path order.

    Names starting with "." (VCS and editor folders, dotfiles) and
    ``__pycache__`` are skipped. A symbolic link is followed only when its
    target is inside ``boundary`` (None: anywhere), and a folder is never
    entered twice on one path down, so a link back up cannot loop. Only
    links are resolved: what is not a link, inside a folder that is inside
    the boundary, is inside it too (resolving every file would cost a tenth
    of loading a site). Unreadable folders are skipped, as ``os.walk`` does.
    """
    real_boundary = boundary.resolve() if boundary is not None else None

    def allowed(path: str) -> bool:
        return real_boundary is None or Path(path).resolve().is_relative_to(real_boundary)

    def walk(path: str, rel: str, above: frozenset[tuple[int, int]]) -> Iterator[WalkedFile]:
        try:
            with os.scandir(path) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            try:
                if entry.is_symlink() and not allowed(entry.path):
                    continue
                if entry.is_dir():
                    folders.append(entry)
                elif keep(name) and entry.is_file():
                    yield WalkedFile(f"{rel}{name}", entry)
            except OSError:
                continue
        for entry in folders:
            try:
                st = entry.stat()
            except OSError:
                continue
            here = (st.st_dev, st.st_ino)
            if here not in above:
                yield from walk(entry.path, f"{rel}{entry.name}/", above | {here})

    try:
        if folder.is_symlink() and not allowed(str(folder)):
            return
        st = folder.stat()
    except OSError:
        return
    if not folder.is_dir():
        return
    yield from walk(str(folder), "", frozenset({(st.st_dev, st.st_ino)}))
