"""Typed requests and responses of the Enterprise API, in the guide's own field names.

Requests are what a caller builds (``HostCreate(...)``); :meth:`payload`
turns one into the JSON body, leaving out the optional fields that are None
so that the API applies its own defaults. Responses accept unknown extra
fields (the platform adds some over time) and keep every documented one.

Secrets (password, moderator PIN, security PIN, login key, password link)
are ``SecretStr``: a repr, a log line or ``model_dump_json`` shows
``'**********'``; ``.get_secret_value()`` is the only way to read one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, field_validator

__all__ = [
    "AccessCode",
    "AuthToken",
    "Company",
    "CompanyCreate",
    "Conference",
    "ConferenceCreate",
    "Credentials",
    "Host",
    "HostCreate",
    "ModeratorPin",
    "ParticipantEmail",
    "Role",
]

Role = Literal["RESELLER_ADMIN", "COMPANY_ADMIN", "HOST"]
AutoRecord = Literal["none", "audio", "video"]
MuteMode = Literal["conversation", "q&a", "presentation"]

EMAIL_VARIABLE = "CALLBRIDGE_EMAIL"
PASSWORD_VARIABLE = "CALLBRIDGE_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Credentials(BaseModel):
    """The API user's email and password; the repr never shows the password."""

    model_config = ConfigDict(frozen=True)

    email: str
    password: SecretStr

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Credentials | None:
        """CALLBRIDGE_EMAIL and CALLBRIDGE_PASSWORD, or None when either is unset or empty."""
        email = environ.get(EMAIL_VARIABLE, "").strip()
        password = environ.get(PASSWORD_VARIABLE, "")
        if not email or not password:
            return None
        return cls(email=email, password=SecretStr(password))


class _Request(BaseModel):
    """A request body: python names are the guide's names; None means 'omit'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def payload(self) -> dict[str, Any]:
        """The JSON body, secrets revealed (only ever sent, never logged)."""
        body: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            body[name] = _plain(value)
        return body


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _number(value: str | int | None) -> int | str | None:
    """A code as the guide sends it: a JSON number, unless a leading zero would be lost."""
    if value is None:
        return None
    text = str(value)
    if text.isdigit() and not (len(text) > 1 and text.startswith("0")):
        return int(text)
    return text


class CompanyCreate(_Request):
    """company/create (reseller admins only)."""

    subdomain: str
    name: str
    openid_provider: bool | None = None


class HostCreate(_Request):
    """host/create; company_id is required for reseller admins, ignored for company admins."""

    company_id: int | None = None
    name: str
    email: str
    password: SecretStr | None = None
    no_welcome_email: bool | None = None
    role: Role | None = None
    openid_sub: str | None = None
    moderator_pin: SecretStr | None = None
    access_code: str | None = None
    subscription_ids: list[int] | None = None
    plan_slug: str | None = None
    add_on_slugs: list[str] | None = None

    @field_validator("access_code", mode="before")
    @classmethod
    def _code_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("moderator_pin", mode="before")
    @classmethod
    def _pin_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    def payload(self) -> dict[str, Any]:
        """As the guide shows it: access_code and moderator_pin as numbers."""
        body = super().payload()
        for key in ("access_code", "moderator_pin"):
            if key in body:
                body[key] = _number(body[key])
        return body


class ParticipantEmail(BaseModel):
    """One ``participant_emails`` entry: the guide's ``{email, moderator}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str
    moderator: bool = False


class ConferenceCreate(_Request):
    """conference/create: ``start`` is local wall time 'YYYY-MM-DD HH:MM:SS' in time_zone."""

    host_id: int
    subject: str
    agenda: str = ""
    start: str
    time_zone: str
    duration: int
    auto_record: AutoRecord | None = None
    auto_transcribe: bool | None = None
    one_time_access_code: bool = False
    security_pin: SecretStr | None = None
    mute_mode: MuteMode | None = None
    participants: list[int] | None = None
    participant_emails: list[ParticipantEmail] | None = None

    @field_validator("security_pin", mode="before")
    @classmethod
    def _pin_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AuthToken(_Response):
    """authenticate's answer; the token is a secret like the password."""

    auth_token: SecretStr


class Company(_Response):
    """company/create's answer."""

    id: int


def _number_text(value: object) -> object:
    """The API sends codes and PINs as JSON numbers; they are digit strings here."""
    return str(value) if isinstance(value, int) else value


class AccessCode(_Response):
    """``{"number": "1234567"}``: what participants dial or put in the room URL."""

    number: Annotated[str, BeforeValidator(_number_text)]


class ModeratorPin(_Response):
    """``{"number": "9876543"}``: the moderator's secret PIN."""

    number: Annotated[SecretStr, BeforeValidator(_number_text)]


class Host(_Response):
    """host/create's answer: every field the guide documents."""

    host_id: int
    name: str
    email: str
    primary_dialin_number: str | None = None
    meeting_url: str
    role: Role
    openid_sub: str | None = None
    access_code: AccessCode
    moderator_pin: ModeratorPin
    password_creation_link: SecretStr | None = None
    login_token_public_key: SecretStr | None = None
    subscription_ids: list[int] = Field(default_factory=list)


class Conference(_Response):
    """conference/create's answer; ``one_time_access_code`` is None unless requested."""

    conference_id: int
    subject: str
    agenda: str = ""
    start: str
    end_time: str
    active: bool
    time_zone: str
    duration: int
    auto_record: AutoRecord = "none"
    auto_transcribe: bool = False
    one_time_access_code: int | None = None
    security_pin: SecretStr | None = None
    mute_mode: MuteMode = "conversation"
    participants: list[int] = Field(default_factory=list)
    moderators: list[int] = Field(default_factory=list)

    @field_validator("one_time_access_code", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        # The guide only says the field holds the code "when requested";
        # false, "" and null all mean "no code of its own".
        if value is False or value == "":
            return None
        return value

    @field_validator("security_pin", mode="before")
    @classmethod
    def _pin_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value
