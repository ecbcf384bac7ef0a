"""``site-gen theme list | eject NAME | diff NAME``: a site's own copies of theme files.

Sites use the default theme by reference (render/theme.py). When a
setting or a hook is not enough, a site overrides one file, and ``eject``
copies it into the site (Docusaurus calls this "swizzling") with a first
line recording where it came from::

    {# site-gen theme 0.1.0: partials/footer.html sha256=3f2a... #}

in the file type's comment syntax: Jinja's in templates (so nothing
reaches the page), ``/* */`` in CSS and JavaScript, ``<!-- -->`` in SVG.
``check`` warns when the installed theme's file no longer has that
sha256: upstream changed, and the site's copy lacks the change.

What ``diff`` can honestly show: site-gen keeps no old versions of its
theme, so the only texts at hand are the site's copy and the theme's
current file. The recorded hash still tells three cases apart, and the
summary says which one a difference is: the copy is unedited (the
difference is exactly the theme's change), the theme is unchanged (the
difference is exactly the site's edit), or both changed (the difference
mixes them, and merging is the author's call).

Files that cannot hold a comment (images, fonts, anything not UTF-8 text)
are copied as they are: they replace the theme's file and nothing tracks
them, since there is nothing of the original in a replacement image to keep
up to date.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from site_gen import __version__
from site_gen.config.problems import did_you_mean
from site_gen.errors import ExitCode, Problem, SiteGenError
from site_gen.paths import CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR
from site_gen.render.theme import HOOKS as THEME_HOOKS
from site_gen.render.theme import THEME_ASSETS, bundled_root, site_path, theme_files
from site_gen.utils.fs import walk_files

__all__ = [
    "HOOKS",
    "EjectRecord",
    "ThemeDiff",
    "ThemeError",
    "ThemeFile",
    "eject",
    "outdated_overrides",
    "theme_diff",
    "theme_list",
]

#: The theme's empty partials (render/theme.py's HOOKS), and where each is included.
HOOKS = {
    f"partials/{name}.html": f"hook: {where}"
    for name, where in zip(
        THEME_HOOKS,
        ("inside <head>, after the theme's tags", "in the header, after the navigation",
         "at the end of the footer", "just before </body>"),
        strict=True,
    )
}

_RECORD = re.compile(
    r"site-gen theme (?P<version>\S+): (?P<name>\S+) sha256=(?P<digest>[0-9a-f]{64})"
)


class ThemeError(SiteGenError):
    """A theme command cannot do what was asked: no site, an unknown file, a copy in the way."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class EjectRecord:
    """What the first line of an ejected file says: the theme version and the original's hash."""

    version: str
    name: str
    digest: str


@dataclass(frozen=True)
class ThemeFile:
    """One file a site can override, and the site's copy of it if it has one."""

    name: str
    original: Path
    #: Where the site's copy is, relative to the site: ``templates/partials/footer.html``.
    site_path: str
    #: The site's copy, when it has one.
    copy: Path | None
    record: EjectRecord | None

    @property
    def overridden(self) -> bool:
        """The site has its own file of this name (the theme's is not used)."""
        return self.copy is not None

    @property
    def hook(self) -> str | None:
        """What the file is for, when it is one of the theme's empty hooks."""
        return HOOKS.get(self.name)

    @property
    def upstream_changed(self) -> bool:
        """The theme's file is no longer the one the site's copy was ejected from."""
        return self.record is not None and self.record.digest != _digest(self.original.read_bytes())

    @property
    def edited(self) -> bool | None:
        """The copy differs from what was ejected (None: no record to tell)."""
        if self.copy is None or self.record is None:
            return None
        return _digest(_body(self.copy.read_bytes())) != self.record.digest

    def status(self) -> str:
        """One line for ``theme list``."""
        if self.copy is None:
            return self.hook or ""
        if self.record is None:
            same = self.copy.read_bytes() == self.original.read_bytes()
            return (
                "overridden: the same as the theme's (delete it to follow upgrades)"
                if same
                else "overridden: your own file (no eject record)"
            )
        if self.upstream_changed:
            return (
                f"overridden: ejected from {self.record.version}; the theme's has changed "
                f"since (site-gen theme diff {self.name})"
            )
        return f"overridden: ejected from {self.record.version}, the theme's is unchanged"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _comment(name: str) -> tuple[str, str] | None:
    """The opening and closing of a comment for ``name``'s type, or None (no syntax)."""
    if not name.startswith(f"{THEME_ASSETS}/"):
        return ("{# ", " #}")  # every template is Jinja: the comment never reaches the page
    suffix = name[name.rfind(".") :].lower()
    if suffix in (".css", ".js"):
        return ("/* ", " */")
    if suffix in (".svg", ".xml", ".html"):
        return ("<!-- ", " -->")
    return None


def _record_line(name: str, digest: str, opening: str, closing: str) -> str:
    return f"{opening}site-gen theme {__version__}: {name} sha256={digest}{closing}"


def _split_lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _record_index(lines: list[bytes]) -> int:
    """Where the record line goes or is: first, or after an XML declaration."""
    return 1 if lines and lines[0].lstrip().startswith(b"<?xml") else 0


def _body(data: bytes) -> bytes:
    """A copy's text without its record line: what the original was, if unedited."""
    lines = _split_lines(data)
    index = _record_index(lines)
    if index < len(lines) and _RECORD.search(lines[index].decode("utf-8", "replace")):
        del lines[index]
    return b"".join(lines)


def _read_record(path: Path) -> EjectRecord | None:
    try:
        lines = _split_lines(path.read_bytes()[:4096])
    except OSError:
        return None
    index = _record_index(lines)
    if index >= len(lines):
        return None
    found = _RECORD.search(lines[index].decode("utf-8", "replace"))
    if found is None:
        return None
    return EjectRecord(found["version"], found["name"], found["digest"])


def _site(root: Path) -> Path:
    if not (root / CONFIG_FILE).is_file():
        raise ThemeError(
            f"{root} is not a site (no {CONFIG_FILE}): run this in a site's folder, or pass --site"
        )
    return root


def theme_list(root: Path) -> list[ThemeFile]:
    """Every file of the default theme a site can override, with the site's copy if any."""
    _site(root)
    own = root.resolve() == bundled_root().resolve()
    out = []
    for name, original in theme_files().items():
        rel = site_path(name).as_posix()
        copy = root / rel
        has = copy.is_file() and not own
        out.append(
            ThemeFile(
                name=name, original=original, site_path=rel,
                copy=copy if has else None, record=_read_record(copy) if has else None,
            )
        )
    return out


def _find(root: Path, name: str) -> ThemeFile:
    wanted = name.strip().lstrip("/").removeprefix("templates/").removeprefix("static/")
    files = {f.name: f for f in theme_list(root)}
    found = files.get(wanted)
    if found is None:
        raise ThemeError(
            f"the theme has no file {name!r}{did_you_mean(wanted, files)}: "
            "'site-gen theme list' shows them all"
        )
    return found


def eject(root: Path, name: str, *, force: bool = False) -> ThemeFile:
    """Copy the theme's file ``name`` into the site, with its record line; return it.

    Refuses to replace a copy the site already has unless ``force``.
    """
    file = _find(_site(root), name)
    if root.resolve() == bundled_root().resolve():
        raise ThemeError(f"{root} is site-gen's own theme: there is nothing to eject into")
    target = root / file.site_path
    if target.exists() and not force:
        raise ThemeError(
            f"{file.site_path} exists: the site already overrides {file.name} "
            "('site-gen theme diff' shows how it differs; --force replaces it with the "
            "theme's current file)"
        )
    data = file.original.read_bytes()
    lines = _split_lines(data)
    try:
        data.decode("utf-8")
        syntax = _comment(file.name)
    except UnicodeDecodeError:  # an image or a font: copied as it is
        syntax = None
    if syntax is not None:
        ending = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
        record = _record_line(file.name, _digest(data), *syntax).encode("utf-8") + ending
        index = _record_index(lines)
        lines.insert(index, record)
        if index and not lines[0].endswith((b"\n", b"\r")):  # a declaration without a newline
            lines[0] += ending
        data = b"".join(lines)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return _find(root, file.name)


@dataclass(frozen=True)
class ThemeDiff:
    """``theme diff``: what a difference means (``summary``), then the difference itself."""

    file: ThemeFile
    summary: str
    diff: str


def theme_diff(root: Path, name: str) -> ThemeDiff:
    """The site's copy of ``name`` against the theme's current file, and what that shows."""
    file = _find(_site(root), name)
    if file.copy is None:
        raise ThemeError(
            f"the site does not override {file.name}: it uses the theme's "
            f"('site-gen theme eject {file.name}' copies it)"
        )
    ours, theirs = _body(file.copy.read_bytes()), file.original.read_bytes()
    try:
        diff = "".join(
            difflib.unified_diff(
                ours.decode("utf-8").splitlines(keepends=True),
                theirs.decode("utf-8").splitlines(keepends=True),
                fromfile=f"{file.site_path} (yours)",
                tofile=f"theme {file.name} (site-gen {__version__})",
            )
        )
    except UnicodeDecodeError:
        diff = "" if ours == theirs else "Binary files differ.\n"
    return ThemeDiff(file=file, summary=_summary(file, ours == theirs), diff=diff)


def _summary(file: ThemeFile, same: bool) -> str:
    name, record, now = file.name, file.record, __version__
    if record is None:
        if same:
            return (
                f"{file.site_path} is the same as the theme's {name}: delete it to follow "
                "upgrades."
            )
        return (
            f"{file.site_path} has no eject record (copied by hand, or by an older site-gen "
            "init that copied the whole theme): below, what replacing it with the theme's "
            "current file would change. site-gen cannot tell your edits from the theme's "
            "changes in it."
        )
    fresh = _record_line(name, _digest(file.original.read_bytes()), *(_comment(name) or ("", "")))
    if not file.upstream_changed:
        if same:
            return (
                f"{file.site_path} is unedited and the theme's {name} is unchanged since "
                f"{record.version}: delete it to follow upgrades."
            )
        return (
            f"The theme's {name} is as it was when you ejected it ({record.version}): "
            "the difference below is your own edit (- yours, + the theme's)."
        )
    if not file.edited:
        return (
            f"The theme's {name} changed since you ejected it from {record.version}, and your "
            "copy is unedited: the difference below is exactly the theme's change (+). Take "
            f"it with 'site-gen theme eject {name} --force', or delete your copy to follow "
            "the theme."
        )
    return (
        f"Both changed: the theme's {name} since {record.version} (now {now}), and your copy "
        "since the eject. site-gen keeps no old versions of its theme, so the difference "
        "below mixes your edits (-) with the theme's changes (+). Merge what you want by "
        f"hand, then make this your copy's first line, recording the theme's current "
        f"file: {fresh}"
    )


def outdated_overrides(root: Path) -> list[Problem]:
    """``check``'s warnings: ejected files whose theme original changed since, or is gone."""
    out = []
    known = set()
    for file in theme_list(root):
        known.add(file.site_path)
        if file.record is not None and file.upstream_changed:
            out.append(
                Problem(
                    file.site_path, _record_index_of(file.copy) + 1,
                    f"ejected from site-gen theme {file.record.version}; the theme's {file.name} "
                    f"has changed since: 'site-gen theme diff {file.name}' shows the difference",
                    "warning",
                )
            )
    for folder in (TEMPLATES_DIR, f"{STATIC_DIR}/{THEME_ASSETS}"):
        for found in walk_files(root / folder, boundary=root):
            rel = f"{folder}/{found.rel}"
            record = _read_record(found.path)
            if record is not None and rel not in known:
                out.append(
                    Problem(
                        rel, _record_index_of(found.path) + 1,
                        f"ejected from site-gen theme {record.version}, whose {record.name} "
                        "the installed theme no longer has: this file overrides nothing",
                        "warning",
                    )
                )
    return out


def _record_index_of(path: Path | None) -> int:
    if path is None:
        return 0
    return _record_index(_split_lines(path.read_bytes()[:4096]))
