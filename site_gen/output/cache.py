"""The build cache under ``.site-gen/cache/``: never stale, safe to delete.

Two records, both plain JSON (never pickle: a cache folder committed by a
pull request must not be able to run code in CI):

``render-<out>.json``  (per output folder; :class:`RenderCache`)
    For every page the *key* it was rendered with and the files it wrote,
    the key of the site-wide files (index, feeds, tag pages, sitemap), and
    the size and mtime of every output file as the build left it. A key
    hashes everything that decides the bytes: site-gen's and the renderers'
    versions, the config, the source of each template the page uses (its
    ``extends``/``include``/``import`` closure), the page with what the
    lock gave it, and the page's *state* (upcoming / open / live / ended:
    the part of "now" the HTML shows, not the clock itself). An unchanged
    key whose files are still there untouched is linked into the new
    output instead of rendered again.

``build-<options>.json``  (per set of build options; :class:`BuildRecord`)
    The size and mtime of every input (site.toml, the lock, content/,
    templates/, locales/, static/, the theme, site-gen's own modules), the options
    and environment that change a build, and the report. When nothing of
    that changed, the output is still exactly what that build wrote and no
    page changes state before ``valid_until``, a build returns the
    recorded report without loading a single page: the no-op rebuild.

Anything unreadable, from another version or of the wrong shape is
discarded and the build renders everything, as on a first run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

import orjson

import site_gen
from site_gen import __version__
from site_gen.paths import CACHE_DIR, CONFIG_FILE, CONTENT_DIR, LOCK_FILE
from site_gen.render.theme import bundled_root, locale_dirs, static_dirs, template_dirs
from site_gen.utils.fs import atomic_write, walk_files

from .staging import journal_path

__all__ = [
    "BuildRecord",
    "Difference",
    "FragmentStore",
    "PageEntry",
    "RenderCache",
    "canonical_hash",
    "input_stats",
]

#: Bumped whenever the records' shape or the meaning of a key changes.
#: 2: webinar times in elapsed time and new VTIMEZONEs (issue 19): the same
#: page key now renders other bytes, so pages of older records are not reused.
#: 3: file stats carry the ctime.
#: 4: listing keys apart from page keys; pages record their source and
#: neighbours, the site its form origins (a rebuild after body edits).
FORMAT = 4
#: Files whose mtime is this close to the build's start may change again
#: within the filesystem's timestamp granularity: their content is hashed too
#: (git's "racily clean" rule).
RACY_NS = 2_000_000_000

#: (size, mtime_ns, ctime_ns). The ctime is there because a tool can restore
#: an edited file's mtime (``cp -p``, ``rsync -t``, ``os.utime``) but not its ctime.
Stat = tuple[int, int, int]


# -- keys ---------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """``value`` as JSON-able data whose dump is the same in every process.

    Dataclasses by their compared fields (or their ``cache_identity``, when
    they have one), pydantic models by their JSON dump, sets sorted: no repr
    (which may hide fields) and no pickle (whose set order follows the
    per-process string hash seed).
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return [value.isoformat(), str(value.tzinfo)]
    if isinstance(value, date | timedelta | PurePath):
        return str(value)
    if isinstance(value, Enum):
        return _canonical(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # An object whose fields follow from a file (a Page: its path and
        # the SHA-256 of its bytes) is keyed by that, not by its whole text.
        identity = getattr(value, "cache_identity", None)
        if identity is not None:
            return ["identity", *identity]
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare
        }
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(json.dumps(_canonical(v), sort_keys=True) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return repr(value)


def canonical_hash(*parts: Any) -> str:
    """A stable hex digest of any mix of data, dataclasses and pydantic models."""
    text = json.dumps([_canonical(p) for p in parts], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- records on disk ------------------------------------------------------------


def _name_hash(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def _read_record(path: Path, kind: str) -> dict[str, Any] | None:
    """A record written by this version of site-gen, or None (missing or corrupt)."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("version") != __version__
        or data.get("kind") != kind
    ):
        return None
    return data


def _write_record(path: Path, kind: str, data: dict[str, Any]) -> None:
    """Write atomically: a build killed while saving leaves the old record or none.

    Not durable (no fsync): a record lost to a power cut costs one full build.
    """
    record = {"format": FORMAT, "version": __version__, "kind": kind, **data}
    atomic_write(path, orjson.dumps(record), durable=False)


def _stat(path: Path) -> Stat | None:
    return _stat_of(str(path))


def _output_unchanged(now: Stat | None, recorded: Any) -> bool:
    """An output file as the build that wrote it left it: same size and mtime.

    Not the ctime, unlike inputs: restoring the output from a CI cache (tar
    keeps mtimes, never ctimes) must not make every page look touched, and
    nobody edits generated files while restoring their mtimes.
    """
    return now is not None and now[0] == recorded[0] and now[1] == recorded[1]


def _stat_of(path: str) -> Stat | None:
    """A file's stat by its path as a string (thousands per build: no Path made)."""
    try:
        st = os.stat(path)  # noqa: PTH116 - a str, thousands of times
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


# -- render cache ---------------------------------------------------------------


class RenderCache:
    """What the last build into one output folder rendered, and with which keys."""

    def __init__(self, root: Path, out_dir: Path, *, record: dict[str, Any] | None = None) -> None:
        """``record``: the record as already read (by :meth:`BuildRecord.difference`)."""
        self.out_dir = out_dir
        self.path = root / CACHE_DIR / f"render-{_name_hash(str(out_dir))}.json"
        data = record if record is not None else _read_record(self.path, "render")
        self._pages: dict[str, Any] = {}
        self._site: dict[str, Any] = {}
        self._outputs: dict[str, Any] = {}
        self._static: dict[str, Any] = {}
        self._saved_ns = 0
        self._data: dict[str, Any] = {}
        if data is not None and self._valid(data):
            self._data = data
            self._saved_ns = int(data.get("saved_ns", 0))
            self._pages = data["pages"]
            self._site = data["site"]
            self._outputs = data["outputs"]
            self._static = data["static"]

    def _valid(self, data: dict[str, Any]) -> bool:
        """The record's shape, for this folder.

        Not the folder's inode: an in-place commit keeps it, and a CI cache
        restore changes it while restoring every file. Each file is checked
        against its recorded size and mtime before it is reused instead.
        """
        try:
            return (
                data["out_dir"] == str(self.out_dir)
                and isinstance(data["pages"], dict)
                and isinstance(data["site"], dict)
                and isinstance(data["outputs"], dict)
                and isinstance(data["static"], dict)
            )
        except (KeyError, TypeError):
            return False

    @property
    def empty(self) -> bool:
        """No usable record: everything will be rendered."""
        return not self._outputs

    def untouched(self, rels: Iterable[str]) -> bool:
        """Every file is in the output exactly as the last build left it."""
        return self._untouched(rels)

    def _untouched(self, rels: Iterable[str]) -> bool:
        """Every file is in the output exactly as the last build left it."""
        prefix = f"{self.out_dir}/"
        for rel in rels:
            recorded = self._outputs.get(rel)
            if recorded is None or not _output_unchanged(_stat_of(prefix + rel), recorded):
                return False
        return True

    def page_entry(self, slug: str) -> PageEntry | None:
        """What the last build recorded of one page (None: nothing, or not of this shape)."""
        entry: Any = self._pages.get(slug)
        try:
            return PageEntry(
                key=str(entry["key"]),
                listing=str(entry["listing"]),
                files=[str(f) for f in entry["files"]],
                source=str(entry["source"]),
                needs=[str(n) for n in entry["needs"]],
            )
        except (KeyError, TypeError):
            return None

    def slugs_by_source(self) -> dict[str, str]:
        """Content file -> the slug of the page it made, for every page recorded."""
        out = {}
        for slug, entry in self._pages.items():
            source = entry.get("source") if isinstance(entry, dict) else None
            if isinstance(source, str):
                out[source] = slug
        return out

    @property
    def forms(self) -> list[str] | None:
        """The form origins every page's policy allowed (None: not recorded)."""
        forms = self._site.get("forms")
        return [str(f) for f in forms] if isinstance(forms, list) else None

    def page_reusable(self, slug: str, key: str, rels: list[str]) -> bool:
        """The page's files in the output were rendered with ``key`` and not touched since."""
        entry = self._pages.get(slug)
        return (
            isinstance(entry, dict)
            and entry.get("key") == key
            and entry.get("files") == rels
            and self._untouched(rels)
        )

    def site_files(self, key: str) -> list[str] | None:
        """The site-wide files rendered with ``key`` and untouched since, or None."""
        if self._site.get("key") != key:
            return None
        files = self._site.get("files")
        if not isinstance(files, list) or not self._untouched(files):
            return None
        return files

    def recorded_outputs(self) -> list[str]:
        """Every file the last build left in the output (what an in-place commit may delete)."""
        return list(self._outputs)

    def static_file_unchanged(self, rel: str, source: Stat) -> bool:
        """One static file: the same source as last time, and its copy untouched."""
        recorded = self._static.get(rel)
        return (
            recorded is not None
            and tuple(recorded) == tuple(source)
            and max(source[1], source[2]) < self._saved_ns - RACY_NS
            and self._untouched([rel])
        )

    def static_unchanged(self, sources: Mapping[str, Stat]) -> bool:
        """The same static files, unchanged, and their copies untouched."""
        recorded = {rel: tuple(v) for rel, v in self._static.items()}
        # A file written in the same timestamp tick as the last build may
        # have changed without a new mtime: copy it again (cheap) to be sure.
        racy = any(max(m, c) >= self._saved_ns - RACY_NS for _s, m, c in sources.values())
        return not racy and recorded == dict(sources) and self._untouched(sources)

    def save(
        self,
        *,
        pages: Mapping[str, PageEntry],
        site: tuple[str, list[str]],
        forms: Iterable[str],
        static: Mapping[str, Stat],
        valid_until: datetime | None,
        now: datetime,
        others: Iterable[str] = (),
    ) -> None:
        """Record the output as it is now (call after the commit).

        ``others``: every other file the output holds (whatever else a build
        wrote: fingerprinted assets, image variants...), so that the next
        in-place commit checks them and deletes those no longer written.
        """
        rels = [r for entry in pages.values() for r in entry.files] + site[1] + list(static)
        rels = list(dict.fromkeys([*rels, *others]))
        outputs = {}
        for rel in rels:
            st = _stat(self.out_dir / rel)
            if st is not None:
                outputs[rel] = st
        _write_record(
            self.path,
            "render",
            {
                "out_dir": str(self.out_dir),
                "saved_ns": time.time_ns(),
                "pages": {slug: dataclasses.asdict(e) for slug, e in pages.items()},
                "site": {"key": site[0], "files": site[1], "forms": sorted(forms)},
                "static": static,
                "outputs": outputs,
                "now": now.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )


    def patch(self, pages: Mapping[str, PageEntry]) -> None:
        """Record some pages as rendered again, the rest of the record as it was.

        For a rebuild that rendered only these pages (edits.py): their
        entries and their files' stats change, nothing else does (not the
        time the record was saved, which static files' racy check uses).
        """
        data = dict(self._data)
        data["pages"] = {**self._pages, **{s: dataclasses.asdict(e) for s, e in pages.items()}}
        outputs = dict(self._outputs)
        for entry in pages.values():
            for rel in entry.files:
                st = _stat(self.out_dir / rel)
                if st is not None:
                    outputs[rel] = st
        data["outputs"] = outputs
        for name in ("format", "version", "kind"):
            data.pop(name, None)
        _write_record(self.path, "render", data)


@dataclasses.dataclass(frozen=True)
class PageEntry:
    """One page in the render record."""

    #: The key its own files were rendered with (keys.py).
    key: str
    #: The key of what other files read of it.
    listing: str
    #: Its output files, the page first.
    files: list[str]
    #: Its content file.
    source: str
    #: The content files resolving it reads (Site.neighbours), itself included.
    needs: list[str]


class FragmentStore:
    """Listing fragments (each page's card) of the last build, for the next one.

    ``fragments-<out>.json`` maps ``"MACRO:PAGE_KEY"`` to HTML, valid only for
    the ``scope`` it was made in (a hash of the config, site-gen's version
    and the listing templates' sources): the home page and tag pages of a
    4000-page site then render only the cards of pages that changed.
    """

    def __init__(self, root: Path, out_dir: Path, scope: str) -> None:
        self.path = root / CACHE_DIR / f"fragments-{_name_hash(str(out_dir))}.json"
        self.scope = scope
        data = _read_record(self.path, "fragments")
        stored = data.get("fragments") if data is not None else None
        valid = data is not None and data.get("scope") == scope and isinstance(stored, dict)
        self.stored: dict[str, str] = stored if valid and isinstance(stored, dict) else {}

    def save(self, made: Mapping[str, str]) -> None:
        """Keep what this build used (so the record never outgrows the site)."""
        if made == self.stored:
            return
        with contextlib.suppress(OSError):
            _write_record(self.path, "fragments", {"scope": self.scope, "fragments": dict(made)})


def read_render_record(root: Path, out_dir: Path) -> dict[str, Any] | None:
    """The raw render record for ``out_dir`` (for the no-op check)."""
    return _read_record(root / CACHE_DIR / f"render-{_name_hash(str(out_dir))}.json", "render")


# -- inputs and the no-op build ---------------------------------------------------


def input_stats(root: Path) -> dict[str, Stat]:
    """Size and mtime of every file a build reads, by absolute path.

    Includes site-gen's own modules and theme, so an upgrade (or an edit in
    a checkout) is a change like any other. Each folder is walked with the
    link policy of the code that reads it: content/ stays inside the site,
    static folders inside themselves; templates (Jinja follows any link)
    and site-gen's own files anywhere.
    """
    stats: dict[str, Stat] = {}
    for name in (CONFIG_FILE, LOCK_FILE):
        st = _stat(root / name)
        stats[str(root / name)] = st if st is not None else (-1, -1, -1)
    package = Path(site_gen.__file__).resolve().parent
    folders: list[tuple[Path, Path | None]] = [(root / CONTENT_DIR, root)]
    folders += [(d, None) for d in template_dirs(root)]
    folders += [(d, None) for d in locale_dirs(root)]
    folders += [(d.path, d.path) for d in static_dirs(root)]
    folders += [(package, None), (bundled_root() / "templates", None)]
    seen: set[str] = set()
    for folder, boundary in folders:
        key = str(folder.resolve()) if folder.exists() else str(folder)
        if key in seen:
            continue
        seen.add(key)
        for found in walk_files(folder, boundary=boundary):
            stats[found.entry.path] = found.stat()
    return stats


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - a str, thousands of times
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


@dataclasses.dataclass(frozen=True)
class Difference:
    """What changed since the last build, when only content files' bytes did."""

    #: The last build's report.
    report: dict[str, Any]
    #: Where it wrote.
    out_dir: Path
    #: Content files (relative to the site, POSIX) whose bytes changed.
    edited: list[str]
    #: The render record of ``out_dir``, as read.
    render: dict[str, Any]


class BuildRecord:
    """The inputs of one build, to skip the next build when nothing changed."""

    #: Environment variables that change what a build does.
    ENVIRONMENT = ("CALLBRIDGE_API",)

    def __init__(
        self,
        root: Path,
        *,
        out: Path | None,
        flags: Mapping[str, object],
        environ: Mapping[str, str],
        now: datetime,
    ) -> None:
        self.root = root.absolute()
        self.now = now
        self.started_ns = time.time_ns()
        self.settings = {
            "root": str(self.root),
            "out": str(out.absolute()) if out is not None else None,
            "flags": {k: flags[k] for k in sorted(flags)},
            "env": {k: environ.get(k) for k in self.ENVIRONMENT},
        }
        self.path = self.root / CACHE_DIR / f"build-{_name_hash(self.settings)}.json"
        self.inputs = input_stats(self.root)
        # Hash, now, the files that may still change within the timestamp granularity.
        self.racy = {
            p: _digest(p)
            for p, (_s, m, c) in self.inputs.items()
            if max(m, c) >= self.started_ns - RACY_NS
        }
        self.refreshed = False
        #: The last build's record, as :meth:`difference` read it (its digests are reused).
        self._last: dict[str, Any] | None = None
        #: Why :meth:`difference` returned None (for ``--verbose``).
        self.why = ""
        #: Content files :meth:`difference` hashed (their stat changed, or they
        #: were racy) and those a whole build loaded (:meth:`loaded`).
        self._content_digests: dict[str, str] = {}

    def difference(self) -> Difference | None:
        """How this build differs from the last, when only content files' bytes do.

        None when anything else differs (options, environment, any other
        input, files added or removed, the clock past a change of state, an
        output file touched, an unfinished commit): then only a whole build
        can tell what changed. Otherwise the recorded report and the
        content files whose bytes changed (none: a no-op build).
        """
        data = _read_record(self.path, "build")
        if data is None or data.get("settings") != self.settings:
            self.why = "no record of a build with these options"
            return None
        self._last = data
        try:
            recorded = {p: tuple(v) for p, v in data["inputs"].items()}
            if recorded.keys() != self.inputs.keys():
                self.why = "files were added or removed"
                return None
            touched = [p for p, st in self.inputs.items() if recorded[p] != st]
            racy: dict[str, str] = data["racy"]
            edited = self._edited(touched, data.get("digests", {}), racy)
            if edited is None:
                self.why = "an input other than a content file changed"
                return None
            # The clock: only forward, and not past the next change of state.
            if datetime.fromisoformat(data["now"]) > self.now:
                self.why = "the clock went back"
                return None
            out_dir = Path(data["report"]["out_dir"])
            render = read_render_record(self.root, out_dir)
            if render is None or journal_path(out_dir).exists():
                # An unfinished commit: the next build finishes it.
                self.why = "no record of the output, or an unfinished commit"
                return None
            valid_until = render.get("valid_until")
            if valid_until is not None and self.now >= datetime.fromisoformat(valid_until):
                self.why = "a webinar's state changed (upcoming, open, live, ended)"
                return None
            prefix = f"{out_dir}/"
            for rel, st in render["outputs"].items():
                if not _output_unchanged(_stat_of(prefix + rel), st):
                    self.why = f"{rel} in the output is not as the last build left it"
                    return None
            report: dict[str, Any] = data["report"]
            #: The inputs were touched, not changed: save() records their new stats.
            self.refreshed = bool(touched)
            return Difference(report=report, out_dir=out_dir, edited=edited, render=render)
        except (OSError, KeyError, TypeError, ValueError, AttributeError):
            self.why = "the build record is unreadable"
            return None

    def _edited(
        self, touched: list[str], digests: Mapping[str, str], racy: Mapping[str, str]
    ) -> list[str] | None:
        """Content files whose bytes changed; None if any other input's did.

        A file whose stat changed but whose bytes did not (a checkout, a CI
        clone) is not a change. Each is compared with the digest the last
        build recorded: for content files, of the bytes it loaded (or, for a
        rebuild after body edits, hashed); files that were racy then, with
        the digest taken as it started, whatever their stat says now.
        """
        content = str(self.root / CONTENT_DIR) + "/"
        edited: set[str] = set()
        for path in dict.fromkeys([*touched, *racy]):
            # Hashed already if this build found it racy (a file just touched).
            digest = self.racy[path] if path in self.racy else _digest(path)
            if digest is None:
                return None
            if path.startswith(content):
                self._content_digests[path] = digest
            known = racy[path] if path in racy else digests.get(path)
            if known is None:
                return None  # not loaded last time: only a whole build can tell
            if digest == known:
                continue
            if not path.startswith(content):
                return None
            edited.add(path[len(str(self.root)) + 1 :])
        return sorted(edited)

    def loaded(self, digests: Mapping[str, str]) -> None:
        """The SHA-256 of each content file (by site-relative path) as a whole build loaded it.

        Recorded with the inputs, so that the next build tells an edited
        content file from a touched one without loading a page.
        """
        prefix = f"{self.root}/"
        self._content_digests.update((prefix + rel, d) for rel, d in digests.items())

    def _known_digests(self) -> dict[tuple[str, Stat], str]:
        """``(path, stat) -> digest`` of the last record, for files not racy then."""
        last = self._last
        if last is None:
            return {}
        try:
            racy = last["racy"]
            return {
                (p, tuple(last["inputs"][p])): d
                for p, d in last["digests"].items()
                if p not in racy and p in last["inputs"]
            }
        except (KeyError, TypeError):
            return {}

    def save(self, report: Mapping[str, Any]) -> None:
        """Record a successful build."""
        # Files that were racy at the start keep the digest taken then: if they
        # changed during the build, the next build sees a different digest.
        racy = {p: d for p, d in self.racy.items() if d is not None}
        # The bytes of every input: a checkout that only touches them then
        # replays this build. Content files: as loaded or hashed by this build,
        # else as last recorded. Other files: taken now only from files whose
        # stat is still what the build started with. A file whose stat is the
        # one the last record holds, and that was not racy then, still has the
        # digest recorded then: not hashed again.
        known = self._known_digests()
        content = str(self.root / CONTENT_DIR) + "/"
        digests = {}
        for path, stat in self.inputs.items():
            if path.startswith(content):
                digest = self._content_digests.get(path) or known.get((path, stat))
                if digest is not None:
                    digests[path] = digest
                continue
            digest = self.racy.get(path) or known.get((path, stat))
            if digest is None and stat[0] >= 0 and _stat_of(path) == stat:
                digest = _digest(path)
            if digest is not None:
                digests[path] = digest
        _write_record(
            self.path,
            "build",
            {
                "settings": self.settings,
                "inputs": self.inputs,
                "racy": racy,
                "digests": digests,
                "now": self.now.isoformat(),
                "report": dict(report),
            },
        )


# -- keys of one build --------------------------------------------------------------


#: The templates each template source names, by source text: parsing is the
#: dear part of a template's closure, and a process that builds again (the
#: preview, tests, benchmarks) sees the same sources again.
_REFERENCES: dict[str, list[str | None]] = {}


def template_closures(env: Any, names: Iterable[str]) -> dict[str, str]:
    """For each template name, a hash of its source and of every template it pulls in.

    Follows ``extends``, ``include``, ``import`` and ``from`` through the
    environment's loader, so a site's override is what gets hashed. A
    template naming another by a variable depends on every template.
    """
    import jinja2
    import jinja2.meta

    from site_gen.render.template_cache import load_references, store_references

    sources: dict[str, str] = {}
    refs: dict[str, set[str] | None] = {}

    def visit(name: str) -> None:
        if name in sources:
            return
        try:
            source = env.loader.get_source(env, name)[0]
        except jinja2.TemplateNotFound:
            sources[name], refs[name] = "", set()  # rendering will report it
            return
        sources[name] = source
        found = _REFERENCES.get(source)
        if found is None:
            found = load_references(source)  # parsed by an earlier process
        if found is None:
            try:
                found = list(jinja2.meta.find_referenced_templates(env.parse(source)))
            except jinja2.TemplateSyntaxError:
                refs[name] = set()  # rendering will report it, with its line
                return
            store_references(source, found)
            if len(_REFERENCES) > 512:
                _REFERENCES.clear()
            _REFERENCES[source] = found
        if any(ref is None for ref in found):
            refs[name] = None
            return
        refs[name] = {ref for ref in found if ref is not None}
        for ref in refs[name] or ():
            visit(ref)

    def closure(name: str, acc: set[str]) -> bool:
        if name in acc:
            return True
        acc.add(name)
        deps = refs.get(name)
        if deps is None:
            return False
        return all(closure(dep, acc) for dep in deps)

    out = {}
    for name in names:
        visit(name)
        acc: set[str] = set()
        if closure(name, acc):
            out[name] = canonical_hash(sorted((n, sources[n]) for n in acc))
        else:  # dynamic: every template there is
            every = sorted(env.loader.list_templates())
            for n in every:
                visit(n)
            out[name] = canonical_hash(sorted((n, sources.get(n, "")) for n in every))
    return out


def renderer_versions() -> dict[str, str]:
    """Versions of the libraries whose output ends up in pages."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"site-gen": __version__}
    for dist in ("jinja2", "markdown", "icalendar", "markupsafe"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "?"
    return out
