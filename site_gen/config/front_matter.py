"""Front matter: every key an author may write at the top of ``content/**/*.md``.

:class:`FrontMatter` is the single definition of those keys (PRODUCT.md):
the build validates with it, the JSON Schema for editors is generated from
it (json_schema.py) and docs/content.md is checked against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PositiveInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from site_gen.i18n import language_problem

from .integrations import RegistrationDefaults
from .problems import StrictModel, rule
from .values import check_time_zone, safe_link

__all__ = [
    "KINDS",
    "WEBINAR_KEYS",
    "Embed",
    "FrontMatter",
    "LeaveAction",
    "OnLeave",
    "ParticipantEmail",
    "check_slug",
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


LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


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
    language: LanguageTag | None = Field(
        None, description="The page's language; default: its folder (content/fr/...) or the site's."
    )
    translation_key: Annotated[str, StringConstraints(min_length=1)] | None = Field(
        None,
        description="Links the translations of one event; default: the path under the "
        "language folder.",
    )
    host: str | None = Field(None, description="Key of a host in site.toml's [hosts].")
    draft: bool = Field(False, description="Built only with --drafts.")
    image: SafeLink | None = Field(None, description="og:image: a path or an https URL.")
    tags: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list, description="Index grouping and tag pages."
    )
    recording_url: SafeLink | None = Field(None, description="Shown once the event has ended.")
    start: datetime | None = Field(
        None,
        description=(
            "Webinar start, local time in time_zone: 2027-01-15 16:00; a UTC offset says "
            "which of a repeated time: 2027-10-31 02:30+01:00."
        ),
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
    registration: RegistrationDefaults | bool | None = Field(
        None,
        description="A registration form: true for site.toml's [registration], or its keys "
        "(provider, url, fields, consent, required) over those.",
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

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        # Dates and words come from CLDR: an unknown tag would lie in lang="".
        problem = None if value is None else language_problem(value)
        if problem is not None:
            raise ValueError(problem)
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
                raise rule("kind", "a webinar needs a host: the key of a host in site.toml")
            for key in ("start", "duration"):
                if getattr(self, key) is None:
                    raise rule("kind", f"a webinar needs '{key}'")
            if self.participants and self.participant_emails:
                raise rule(
                    "participant_emails", "give participants or participant_emails, not both"
                )
        else:
            for key in WEBINAR_KEYS:
                if key in fields:
                    raise rule(
                        key, f"'{key}' applies only to kind: webinar (this is a {self.kind})"
                    )
        if self.kind == "livestream":
            if self.stream_of is None:
                raise rule(
                    "kind", "a livestream needs 'stream_of': a webinar's slug or a host key"
                )
            if "embed" in fields:
                raise rule("embed", "a livestream player takes no embed parameters")
        else:
            if self.stream_of is not None:
                raise rule("stream_of", "'stream_of' applies only to kind: livestream")
            if self.host is None:
                raise rule("kind", f"a {self.kind} needs a host: the key of a host in site.toml")
        if self.show_security_pin and self.security_pin is None:
            raise rule("show_security_pin", "there is no security_pin to show")
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
