"""``site-gen.lock``: what the API created, pinned so rebuilds never repeat it.

One section per API base (a site can move from the sandbox to production
without mixing ids). Written atomically after every single create so that a
build killed at any moment loses at most the answer in flight. Never holds a
secret: the models below have no field for one, so none can be written.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from site_gen.errors import Problem, ValidationFailed
from site_gen.utils.fs import atomic_write

__all__ = [
    "ApiSection",
    "Lock",
    "LockedCompany",
    "LockedConference",
    "LockedHost",
    "SupersededConference",
]

LOCK_VERSION = 1


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="The request fields that created the object (never a secret), to name "
        "what changed since.",
    )
    fingerprint: str = Field(description="Hash of ``fields``.")


class LockedCompany(_Entry):
    """A company created by company/create."""

    id: int
    subdomain: str


class LockedHost(_Entry):
    """A host created by host/create: what pages need to embed its room."""

    host_id: int
    access_code: str
    meeting_url: str | None = None


class SupersededConference(BaseModel):
    """A conference replaced by ``--reschedule``: kept so nobody loses track of it."""

    model_config = ConfigDict(extra="forbid")

    conference_id: int
    fingerprint: str
    start: str
    time_zone: str


class LockedConference(_Entry):
    """A conference created by conference/create for one webinar page."""

    conference_id: int
    host_id: int
    access_code: str | None = Field(None, description="The one-time access code, if requested.")
    start: str = Field(description="Local start as sent to the API: 'YYYY-MM-DD HH:MM:SS'.")
    end_time: str | None = None
    time_zone: str
    duration: int
    sequence: int = Field(0, description="Rises with each reschedule (iCalendar SEQUENCE).")
    superseded: list[SupersededConference] = Field(default_factory=list)
    translations: list[str] = Field(
        default_factory=list,
        description="The slugs of the webinar's translations that embed this conference, "
        "kept current by each build with API access (a translation added or removed is "
        "recorded without an API call); empty: one page; locks older than multilingual sites "
        "have none and keep working.",
    )


class ApiSection(BaseModel):
    """Everything created through one API base."""

    model_config = ConfigDict(extra="forbid")

    companies: dict[str, LockedCompany] = Field(default_factory=dict)
    hosts: dict[str, LockedHost] = Field(default_factory=dict)
    conferences: dict[str, LockedConference] = Field(default_factory=dict)


class _LockFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = LOCK_VERSION
    apis: dict[str, ApiSection] = Field(default_factory=dict)


class Lock:
    """The lock file in memory; :meth:`save` writes it atomically."""

    def __init__(self, path: Path, data: _LockFile | None = None) -> None:
        self.path = path
        self._data = data or _LockFile()
        # id(entry) -> (entry, its JSON): entries are replaced, never mutated, once made.
        self._texts: dict[int, tuple[BaseModel, str]] = {}

    @classmethod
    def load(cls, path: Path) -> Lock:
        """Read the lock; a missing file is an empty lock, a broken one an error."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        name = path.name
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                [Problem(name, exc.lineno, f"is not valid JSON: {exc.msg}")]
            ) from None
        try:
            data = _LockFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValidationFailed(
                [
                    Problem(
                        name,
                        None,
                        f"is not a site-gen lock file ({where}: {first['msg']}); "
                        "restore it from version control",
                    )
                ]
            ) from None
        if data.version > LOCK_VERSION:
            raise ValidationFailed(
                [
                    Problem(
                        name,
                        None,
                        f"was written by a newer site-gen (lock version "
                        f"{data.version}); upgrade site-gen",
                    )
                ]
            )
        return cls(path, data)

    @staticmethod
    def peek_file(path: Path, api: str, conferences: Collection[str]) -> ApiSection:
        """``api``'s hosts and companies and only the named conferences, straight from the file.

        For a rebuild that renders a few pages (output/edits.py): validating
        every conference of a large site's lock would cost more than the
        rendering. Raises ValidationFailed on anything :meth:`load` would refuse
        in what it reads (the caller then runs a whole build, which says why).
        """
        try:
            raw = orjson.loads(path.read_bytes())
            if not isinstance(raw, dict) or int(raw.get("version", LOCK_VERSION)) > LOCK_VERSION:
                raise ValueError("not a lock this site-gen reads")
            section = (raw.get("apis") or {}).get(api) or {}
            locked = section.get("conferences") or {}
            wanted = {k: v for k, v in locked.items() if k in conferences}
            return ApiSection.model_validate({**section, "conferences": wanted})
        except FileNotFoundError:
            return ApiSection()
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise ValidationFailed([Problem(path.name, None, f"cannot be read: {exc}")]) from None

    def section(self, api: str) -> ApiSection:
        """The entries made through ``api`` (created empty on first use)."""
        return self._data.apis.setdefault(api, ApiSection())

    def peek(self, api: str) -> ApiSection:
        """Like :meth:`section`, without adding an empty section."""
        return self._data.apis.get(api) or ApiSection()

    def record_translations(self, api: str, relinks: dict[str, list[str]]) -> bool:
        """Set the ``translations`` of existing conference entries; True if any changed.

        The group of a translated webinar changes without a new conference
        (a translation added or removed), so its entry is replaced with the
        new list and nothing else: id, start and fingerprint stay.
        """
        section = self.peek(api)
        changed = False
        for key, slugs in relinks.items():
            entry = section.conferences.get(key)
            if entry is not None and entry.translations != slugs:
                section.conferences[key] = entry.model_copy(update={"translations": list(slugs)})
                changed = True
        return changed

    def to_json(self) -> str:
        """Sorted-key JSON, stable across runs so that diffs show real changes.

        The text is what ``json.dumps(data, indent=2, sort_keys=True)`` gives,
        assembled from each entry's cached text: a build saves the lock after
        every create, and re-serialising hundreds of unchanged entries each
        time (Python's indenting encoder is slow) cost more than the API calls.
        """
        apis: list[tuple[str, str]] = []
        for api in sorted(self._data.apis):
            section = self._data.apis[api]
            tables = [
                (name, entries)
                for name, entries in (
                    ("companies", section.companies),
                    ("conferences", section.conferences),
                    ("hosts", section.hosts),
                )
            ]
            if not any(entries for _, entries in tables):
                continue
            parts = []
            for name, entries in tables:
                items = [
                    (key, self._entry_json(entries[key], depth=4)) for key in sorted(entries)
                ]
                parts.append((name, _object(items, depth=3)))
            apis.append((api, _object(parts, depth=2)))
        top = [("apis", _object(apis, depth=1)), ("version", json.dumps(self._data.version))]
        return _object(top, depth=0) + "\n"

    def _entry_json(self, entry: BaseModel, *, depth: int) -> str:
        cached = self._texts.get(id(entry))
        if cached is not None and cached[0] is entry:
            return cached[1]
        text = json.dumps(
            entry.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False
        ).replace("\n", "\n" + "  " * depth)
        self._texts[id(entry)] = (entry, text)
        return text

    def save(self) -> None:
        """Replace the file atomically: readers see the old lock or the new one."""
        atomic_write(self.path, self.to_json())


def _object(items: list[tuple[str, str]], *, depth: int) -> str:
    """A JSON object of already-encoded values, indented as ``json.dumps(indent=2)`` does."""
    if not items:
        return "{}"
    inner = "  " * (depth + 1)
    body = ",\n".join(
        f"{inner}{json.dumps(key, ensure_ascii=False)}: {value}" for key, value in items
    )
    return "{\n" + body + "\n" + "  " * depth + "}"
