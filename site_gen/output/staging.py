"""Writing the output folder so that a failed build changes nothing.

Every file goes into a staging folder beside the target; only a complete
build is swapped into place (one atomic ``renameat2(RENAME_EXCHANGE)`` on
Linux, two renames elsewhere). Deploy tools and preview servers therefore
never see a half-written site, and a failure leaves the previous one intact.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import shutil
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING

from site_gen.errors import BuildFailed
from site_gen.paths import SITE_DIRS, STATE_DIR

if TYPE_CHECKING:
    from collections.abc import Iterable

    from site_gen.structure.files import OutputFile

__all__ = ["StagedOutput", "check_output_target", "write_files"]

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


class StagedOutput:
    """A staging folder that becomes the output folder on :meth:`commit`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.staging = target.parent / f".{target.name}.tmp-{secrets.token_hex(4)}"
        self._written: dict[str, str] = {}
        self._dirs: set[Path] = set()

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

    def path_for(self, rel: str, source: str, *, make_parent: bool = True) -> Path:
        """Claim ``rel`` for ``source``; two sources claiming one file is an error.

        ``make_parent=False`` leaves making the folder to the caller (a worker
        process that writes the file).
        """
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts:
            raise BuildFailed(f"{source}: output path {rel!r} leaves the output folder")
        key = posix.as_posix().lower()
        other = self._written.get(key)
        if other is not None:
            raise BuildFailed(f"{source}: would overwrite {rel}, already written for {other}")
        self._written[key] = source
        path = self.staging / posix
        parent = path.parent
        if make_parent and parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return path

    def write_text(self, rel: str, text: str, *, source: str) -> None:
        """Write one generated file."""
        self.path_for(rel, source).write_text(text, encoding="utf-8")

    def copy(self, src: Path, rel: str, *, source: str) -> None:
        """Copy a static file (a site file may replace a theme file of the same name)."""
        key = PurePosixPath(rel).as_posix().lower()
        if self._written.get(key, "").startswith("theme:"):
            del self._written[key]
        shutil.copyfile(src, self.path_for(rel, source))

    @property
    def files(self) -> list[str]:
        """Every output path written so far."""
        return sorted(self._written)

    def commit(self) -> None:
        """Swap the staging folder into place and remove the previous output."""
        if self.target.exists():
            if _exchange(self.staging, self.target):
                shutil.rmtree(self.staging)  # now holds the previous output
                return
            old = self.target.parent / f".{self.target.name}.old-{secrets.token_hex(4)}"
            self.target.rename(old)
            self.staging.rename(self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            self.staging.rename(self.target)


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
