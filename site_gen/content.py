"""Meeting definitions: ``content/**/*.md`` front matter and body, validated.

:class:`FrontMatter` is the single definition of every key an author may
write (PRODUCT.md); :func:`load_pages` reads a whole content folder and
reports every problem of every file at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    Field,
    PositiveInt,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .config import SiteConfig
from .errors import Problem
from .sources import KeyLines, SourceError, split_front_matter
from .validation import StrictModel, check_time_zone, did_you_mean, safe_link, validate

__all__ = [
    "KINDS",
    "Embed",
    "FrontMatter",
    "LeaveAction",
    "OnLeave",
    "Page",
    "ParticipantEmail",
    "load_pages",
]

Kind = Literal["room", "webinar", "livestream", "watch_party"]
KINDS: tuple[str, ...] = ("room", "webinar", "livestream", "watch_party")
SafeLink = Annotated[str, AfterValidator(safe_link)]
#: Keys that only mean something for a webinar (they go to conference/create).
WEBINAR_KEYS = (
    "start",
    "duration",
    "auto_record",
    "auto_transcribe",
    "one_time_access_code",
    "security_pin",
    "show_security_pin",
    "mute_mode",
    "participants",
    "participant_emails",
)
_SLUG_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# A value is a link (to follow) rather than a message (to show) when it is a
# single token that looks like a path or carries a URL scheme.
_LINKISH = re.compile(r"^(?:/|\./|\.\./|[A-Za-z][A-Za-z0-9+.-]*:)\S*$")


def _rule(key: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("rule", message, {"key": key})


class Embed(StrictModel):
    """``embed``: the room iframe's documented URL parameters."""

    name: str | None = Field(None, description="Display name: the visitor is not asked for one.")
    skip_join: bool | None = Field(None, description="Skip the device selection dialog.")
    observer: bool | None = Field(None, description="Join with no camera and no video tile.")
    mute: list[Literal["camera", "mic"]] = Field(
        default_factory=list, description="Muted on joining: camera, mic or both."
    )
    view: Literal["gallery", "bottom_speaker", "left_side_speaker"] | None = Field(
        None, description="Initial layout of the room."
    )
    strip_layout: bool | None = Field(
        None, description="The room as a thin strip (always on for watch_party)."
    )
    res: Literal[180, 360, 720, 1080] | None = Field(None, description="Video resolution.")
    tiles: PositiveInt | None = Field(None, description="Maximum tiles per gallery page.")
    audio_level: bool | None = Field(None, description="Show audio level indicators.")

    @field_validator("mute")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class LeaveAction:
    """What the page does for one leave reason: follow a link or show a message."""

    navigate: str | None = None
    message: str | None = None


def _leave_value(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be empty: give a path, an https URL, or a message")
    if _LINKISH.match(text):
        safe_link(text)
    return text


LeaveValue = Annotated[str, AfterValidator(_leave_value)]


class OnLeave(StrictModel):
    """``on_leave``: the page's answer to the room's ``iotumLeaveCallEvent``, per reason."""

    left: LeaveValue | None = Field(None, description="The visitor hung up.")
    kicked: LeaveValue | None = Field(None, description="Removed by the moderator or host.")
    blocked: LeaveValue | None = Field(None, description="Removed and blocked from rejoining.")

    def actions(self) -> dict[str, LeaveAction]:
        """Reason → action, for the reasons the author gave."""
        out = {}
        for reason in ("left", "kicked", "blocked"):
            value: str | None = getattr(self, reason)
            if value is not None:
                linkish = bool(_LINKISH.match(value))
                out[reason] = LeaveAction(
                    navigate=value if linkish else None, message=None if linkish else value
                )
        return out


class ParticipantEmail(StrictModel):
    """One entry of ``participant_emails``."""

    email: str = Field(description="The participant's email; added to the host's contacts.")
    moderator: bool = Field(False, description="Joins as a moderator.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value.count("@") != 1 or value.startswith("@") or value.endswith("@"):
            raise ValueError(f"{value!r} is not an email address")
        return value


class FrontMatter(StrictModel):
    """Every key a meeting definition may have; see PRODUCT.md."""

    title: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="The page's title and the conference subject."
    )
    description: str = Field(
        "", description="Meta description, og:description and the conference agenda."
    )
    slug: str | None = Field(None, description="URL path; default: the file's path without .md.")
    kind: Kind = Field("room", description="room | webinar | livestream | watch_party.")
    host: str | None = Field(None, description="Key of a host in site.toml's [hosts].")
    draft: bool = Field(False, description="Built only with --drafts.")
    image: SafeLink | None = Field(None, description="og:image: a path or an https URL.")
    tags: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list, description="Index grouping and tag pages."
    )
    recording_url: SafeLink | None = Field(None, description="Shown once the event has ended.")
    start: datetime | None = Field(
        None, description="Webinar start, local time in time_zone: 2027-01-15 16:00."
    )
    time_zone: str | None = Field(None, description="IANA zone; default: the site's.")
    duration: PositiveInt | None = Field(None, description="Webinar length in minutes.")
    auto_record: Literal["none", "audio", "video"] = Field("none", description="Recording.")
    auto_transcribe: bool = Field(False, description="Transcribe the recording.")
    one_time_access_code: bool = Field(
        True, description="Embed the conference's own access code, not the host's room."
    )
    security_pin: Annotated[str, StringConstraints(pattern=r"^[0-9]{4,12}$")] | None = Field(
        None, description="PIN required to join; sent to the API."
    )
    show_security_pin: bool = Field(False, description="Print the security PIN on the page.")
    mute_mode: Literal["conversation", "q&a", "presentation"] = Field(
        "conversation", description="Initial mute settings of participants."
    )
    participants: list[PositiveInt] = Field(default_factory=list, description="Contact ids.")
    participant_emails: list[ParticipantEmail] = Field(
        default_factory=list, description="Participants by email, with moderator flags."
    )
    stream_of: str | None = Field(
        None, description="livestream: slug of a webinar page, or a host key."
    )
    embed: Embed = Field(default_factory=Embed, description="Iframe URL parameters.")
    on_leave: OnLeave = Field(
        default_factory=OnLeave, description="What the page does when the visitor leaves."
    )

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_time_zone(value)

    @field_validator("start", mode="before")
    @classmethod
    def _start_text(cls, value: Any) -> Any:
        # "2027-01-15 16:00" (what YAML leaves as text) is the documented form.
        if isinstance(value, date) and not isinstance(value, datetime):
            raise ValueError(f"{value} has no time of day: write it as '{value} 16:00'")
        if isinstance(value, str) and ":" not in value:
            raise ValueError(f"{value!r} has no time of day: write it as '2027-01-15 16:00'")
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a date and time such as '2027-01-15 16:00'"
                ) from None
        return value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        return None if value is None else check_slug(value)

    @model_validator(mode="after")
    def _kind_rules(self) -> FrontMatter:
        fields = self.model_fields_set
        if self.kind == "webinar":
            if self.host is None:
                raise _rule("kind", "a webinar needs a host: the key of a host in site.toml")
            for key in ("start", "duration"):
                if getattr(self, key) is None:
                    raise _rule("kind", f"a webinar needs '{key}'")
            if self.participants and self.participant_emails:
                raise _rule(
                    "participant_emails", "give participants or participant_emails, not both"
                )
        else:
            for key in WEBINAR_KEYS:
                if key in fields:
                    raise _rule(
                        key, f"'{key}' applies only to kind: webinar (this is a {self.kind})"
                    )
        if self.kind == "livestream":
            if self.stream_of is None:
                raise _rule(
                    "kind", "a livestream needs 'stream_of': a webinar's slug or a host key"
                )
            if "embed" in fields:
                raise _rule("embed", "a livestream player takes no embed parameters")
        else:
            if self.stream_of is not None:
                raise _rule("stream_of", "'stream_of' applies only to kind: livestream")
            if self.host is None:
                raise _rule("kind", f"a {self.kind} needs a host: the key of a host in site.toml")
        if self.show_security_pin and self.security_pin is None:
            raise _rule("show_security_pin", "there is no security_pin to show")
        return self


def check_slug(value: str) -> str:
    """A slug is a relative path of plain segments: it cannot leave the output folder."""
    text = value.strip().strip("/")
    parts = text.split("/")
    if not text or any(p in ("", ".", "..") or not _SLUG_PART.match(p) for p in parts):
        raise ValueError(
            f"{value!r} is not a valid slug: use letters, digits, '-', '_' and '.' in "
            "segments separated by '/', such as 'webinars/q1-launch'"
        )
    return text


@dataclass(frozen=True)
class Page:
    """One meeting definition, validated and placed."""

    source: str  # path relative to the site root, POSIX: "content/q1-launch.md"
    meta: FrontMatter
    body: str
    body_line: int
    key_lines: KeyLines = field(compare=False, repr=False)

    @cached_property
    def slug(self) -> str:
        """The page's folder under the output: from front matter or the file's path.

        Cached: every listing, link and lookup asks for it, and a Page never changes.
        """
        if self.meta.slug:
            return self.meta.slug
        rel = PurePosixPath(self.source).relative_to("content").with_suffix("")
        return str(rel)

    @property
    def path(self) -> str:
        """Site-relative URL path, with the trailing slash static hosts serve."""
        return f"/{self.slug}/"

    def line_of(self, *key: str | int) -> int:
        """The line of a front matter key, for problems found after validation."""
        return self.key_lines.line_of(key)

    def time_zone(self, config: SiteConfig) -> ZoneInfo:
        """The page's own zone, else the site's."""
        return ZoneInfo(self.meta.time_zone or config.site.time_zone)

    def problem(self, message: str, *key: str | int) -> Problem:
        """A problem located at a key of this page."""
        return Problem(self.source, self.line_of(*key), message)


def content_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(relative POSIX path, file)`` for each .md under content/, sorted.

    Symlinks are followed only when they stay inside the site: a link to
    /etc/passwd in content/ must not end up published. Only links are
    resolved: what is not a link inside a folder already inside the site is
    inside it too (and resolving every file is a tenth of loading a site).
    """
    content = root / "content"
    if not content.is_dir():
        return
    real_root = root.resolve()

    def inside(entry: os.DirEntry[str]) -> bool:
        return not entry.is_symlink() or Path(entry.path).resolve().is_relative_to(real_root)

    def walk(folder: str, rel: str, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Path]]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            return  # unreadable: skipped, as os.walk does
        dirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if inside(entry):
                    dirs.append(entry)
            elif entry.name.endswith(".md") and entry.is_file() and inside(entry):
                yield f"{rel}{entry.name}", Path(entry.path)
        for entry in dirs:
            st = entry.stat()
            if (st.st_dev, st.st_ino) not in seen:  # a link back up would loop forever
                yield from walk(entry.path, f"{rel}{entry.name}/", {*seen, (st.st_dev, st.st_ino)})

    if content.is_symlink() and not content.resolve().is_relative_to(real_root):
        return
    st = content.stat()
    yield from walk(str(content), "content/", {(st.st_dev, st.st_ino)})


def load_page(root: Path, rel: str) -> tuple[Page | None, list[Problem]]:
    """Read and validate one content file."""
    file = root / rel
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, line, f"is not UTF-8 text: save it as UTF-8 ({exc.reason})")]
    except OSError as exc:
        return None, [Problem(rel, None, f"cannot be read: {exc.strerror}")]
    try:
        doc = split_front_matter(text)
    except SourceError as exc:
        return None, [Problem(rel, exc.line, exc.message)]
    meta, problems = validate(FrontMatter, doc.meta, path=rel, key_lines=doc.key_lines)
    if meta is None:
        return None, problems
    return Page(rel, meta, doc.body, doc.body_line, doc.key_lines), []


def load_pages(root: Path, config: SiteConfig | None) -> tuple[list[Page], list[Problem]]:
    """Every page of the site and every problem, including those between pages.

    ``config`` None (site.toml itself was invalid) skips the checks that need it.
    """
    pages: list[Page] = []
    problems: list[Problem] = []
    for rel, _ in content_files(root):
        page, found = load_page(root, rel)
        problems.extend(found)
        if page is not None:
            pages.append(page)
    problems.extend(check_pages(pages, config))
    return pages, problems


def check_pages(pages: list[Page], config: SiteConfig | None) -> list[Problem]:
    """Rules that span pages and config: unique slugs, known hosts, streams."""
    problems: list[Problem] = []
    by_slug: dict[str, Page] = {}
    for page in pages:
        key = page.slug.lower()
        first = by_slug.get(key)
        if first is not None:
            problems.append(
                page.problem(f"duplicate slug '{page.slug}': {first.source} has it already", "slug")
            )
        else:
            by_slug[key] = page
    if config is None:
        return problems
    hosts = config.hosts
    for page in pages:
        meta = page.meta
        if meta.host is not None and meta.host not in hosts:
            problems.append(
                page.problem(f"unknown host '{meta.host}'{_known(meta.host, hosts)}", "host")
            )
        elif meta.host is not None:
            host = hosts[meta.host]
            if meta.kind == "webinar" and host.host_id is None and not host.create:
                problems.append(
                    page.problem(
                        f"host '{meta.host}' has no host_id in site.toml: webinars are scheduled "
                        "for a host id (or set create = true)",
                        "host",
                    )
                )
            if (
                meta.kind in ("room", "watch_party")
                and host.access_code is None
                and not host.create
            ):
                problems.append(
                    page.problem(
                        f"host '{meta.host}' has no access_code in site.toml: a {meta.kind} embeds "
                        "the host's room",
                        "host",
                    )
                )
        if meta.stream_of is not None:
            target = by_slug.get(meta.stream_of.lower())
            if target is not None and target.meta.kind == "webinar":
                continue
            if target is None and meta.stream_of in hosts:
                continue
            what = (
                f"'{meta.stream_of}' is a {target.meta.kind} page, not a webinar"
                if target is not None
                else f"'{meta.stream_of}' is neither a webinar's slug nor a host key"
            )
            candidates = [*hosts, *(p.slug for p in pages if p.meta.kind == "webinar")]
            problems.append(
                page.problem(f"stream_of: {what}{_known(meta.stream_of, candidates)}", "stream_of")
            )
    return problems


def _known(word: str, names: Any) -> str:
    hint = did_you_mean(word, list(names))
    return hint or (f" (defined: {', '.join(sorted(names))})" if names else " (none defined)")
