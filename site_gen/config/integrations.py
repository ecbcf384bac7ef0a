"""``[integrations.*]``, ``[security.csp]``, ``[deploy]`` and ``[registration]``, validated.

What a marketing team adds on day one (analytics, a consent banner, a
registration form, an embed from another site) needs sources in the
Content-Security-Policy. These models are where the site declares them;
render/headers.py composes the policy from them, so a declaration reaches
every host's headers at once and nothing undeclared is ever allowed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from site_gen.utils.net import plain_http_off_loopback

from .problems import StrictModel, rule

__all__ = [
    "BUILTIN_FIELDS",
    "CSP_KEYS",
    "HIDDEN_FIELDS",
    "AnalyticsSection",
    "ConsentSection",
    "CspSection",
    "DeploySection",
    "FormField",
    "IntegrationsSection",
    "Registration",
    "RegistrationDefaults",
    "SecuritySection",
    "check_origin",
    "check_source",
    "effective_registration",
]

#: The directives ``[security.csp]`` may add sources to, as written in site.toml.
CSP_KEYS = (
    "script_src",
    "style_src",
    "img_src",
    "font_src",
    "connect_src",
    "frame_src",
    "form_action",
    "media_src",
)

#: Fields every form sends, filled by the build and site-gen.js: no custom field may take them.
HIDDEN_FIELDS = (
    "event",
    "event_title",
    "event_start",
    "page_url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)

#: Fields a form may name without a label (the theme labels them), and whether
#: each is required unless the site says otherwise.
BUILTIN_FIELDS = {"name": True, "email": True, "company": False, "job_title": False}

_RESERVED = {*HIDDEN_FIELDS, "consent", "form-name", "bot-field"}
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def check_origin(value: str) -> str:
    """An https origin (scheme, host, port; http only to loopback), normalised.

    Self-hosted analytics and the like: where a script comes from and where
    it reports to. A path, a wildcard or plain http elsewhere is refused.
    """
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin such as 'https://plausible.example.com'")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(
            f"{value!r} must be an origin alone, without a path: {parts.scheme}://{parts.netloc}"
        )
    if plain_http_off_loopback(text):
        raise ValueError(f"{value!r} uses plain http: use https:// (http only for loopback)")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError(f"{value!r} has a malformed port") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_source(value: str) -> str:
    """A CSP source the site may add: an https origin, ``*.`` wildcards and a path allowed.

    Keywords such as ``'unsafe-inline'`` and bare schemes such as ``https:``
    are refused: they would end the policy's strictness for every page.
    """
    text = value.strip()
    if text.startswith("'") or text.endswith(":") or text in ("*", "https", "http"):
        raise ValueError(
            f"{text!r} is not allowed: add the origins you need, such as "
            "'https://js.hsforms.net' (inline code and whole schemes stay blocked)"
        )
    parts = urlsplit(text)
    host = (parts.netloc.rsplit(":", 1)[0] if ":" in parts.netloc else parts.netloc).lower()
    if parts.scheme not in ("http", "https") or not _HOST.match(host) or parts.query:
        raise ValueError(f"{text!r} is not a source such as 'https://js.hsforms.net'")
    if parts.scheme == "http" and plain_http_off_loopback(text.replace("*.", "")):
        raise ValueError(f"{text!r} uses plain http: use https:// (http only for loopback)")
    port = parts.netloc.rsplit(":", 1)[1] if ":" in parts.netloc else ""
    if port and not port.isdigit():
        raise ValueError(f"{text!r} has a malformed port")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"


Origin = Annotated[str, AfterValidator(check_origin)]
Source = Annotated[str, AfterValidator(check_source)]


class AnalyticsSection(StrictModel):
    """``[integrations.analytics]``: one analytics preset, its script and exactly its sources."""

    provider: Literal["plausible", "fathom", "umami", "matomo", "google"] = Field(
        description="plausible | fathom | umami | matomo | google (GA4 or a Tag Manager container)."
    )
    site_id: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="The provider's site, website, measurement (G-…) or container (GTM-…) id."
    )
    origin: Origin | None = Field(
        None,
        description="Self-hosted Plausible, Umami or Matomo: the instance's https origin "
        "(required for matomo).",
    )
    cookies: bool | None = Field(
        None,
        description="matomo: false turns its cookies off, so it loads without consent "
        "(default true, as Matomo does).",
    )

    @field_validator("site_id")
    @classmethod
    def _site_id(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9._:-]+", value):
            raise ValueError(f"{value!r} is not a site id: letters, digits, '.', '-', '_' only")
        return value

    @model_validator(mode="after")
    def _per_provider(self) -> AnalyticsSection:
        provider = self.provider
        if provider in ("fathom", "google") and self.origin is not None:
            raise rule("origin", f"{provider} has no self-hosted instance: remove origin")
        if provider == "matomo" and self.origin is None:
            raise rule(
                "origin", "matomo needs origin: your instance, such as 'https://acme.matomo.cloud'"
            )
        if provider != "matomo" and self.cookies is not None:
            raise rule("cookies", f"cookies applies to matomo only ({provider} decides itself)")
        if provider == "google" and not re.fullmatch(r"(G|GTM)-[A-Z0-9]+", self.site_id):
            raise rule(
                "site_id",
                f"{self.site_id!r} is neither a GA4 measurement id "
                "('G-XXXXXXX') nor a Tag Manager container ('GTM-XXXXXX')",
            )
        return self

    @property
    def sets_cookies(self) -> bool:
        """Google (GA4, GTM) and Matomo with cookies need the visitor's consent first."""
        if self.provider == "matomo":
            return self.cookies is not False
        return self.provider == "google"


class ConsentSection(StrictModel):
    """``[integrations.consent]``: when the built-in banner asks before analytics load."""

    banner: Literal["auto", "always", "never"] = Field(
        "auto",
        description="auto: only for cookie-setting providers; always: for any provider; "
        "never: no banner (cookie-setting providers then load without asking).",
    )


class IntegrationsSection(StrictModel):
    """``[integrations]``: third-party tools the pages load."""

    analytics: AnalyticsSection | None = Field(None, description="An analytics preset.")
    consent: ConsentSection = Field(default_factory=ConsentSection, description="The banner.")


class CspSection(StrictModel):
    """``[security.csp]``: sources added to the policy, per directive."""

    script_src: list[Source] = Field(default_factory=list, description="Scripts (script-src).")
    style_src: list[Source] = Field(default_factory=list, description="Stylesheets (style-src).")
    img_src: list[Source] = Field(
        default_factory=list, description="Images (img-src; any https image is allowed already)."
    )
    font_src: list[Source] = Field(default_factory=list, description="Fonts (font-src).")
    connect_src: list[Source] = Field(
        default_factory=list, description="fetch, XHR, beacons (connect-src)."
    )
    frame_src: list[Source] = Field(
        default_factory=list, description="Embeds besides the meeting origin (frame-src)."
    )
    form_action: list[Source] = Field(
        default_factory=list, description="Where forms may post (form-action)."
    )
    media_src: list[Source] = Field(default_factory=list, description="Audio, video (media-src).")


class SecuritySection(StrictModel):
    """``[security]``: the policy's additions."""

    csp: CspSection = Field(default_factory=CspSection, description="Extra CSP sources.")


class DeploySection(StrictModel):
    """``[deploy]``: how the policy reaches the browser."""

    headers: Literal["file", "meta", "both"] = Field(
        "file",
        description="file: _headers; meta: a <meta http-equiv> CSP in every page (no "
        "frame-ancestors); both.",
    )


FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]


class FormField(StrictModel):
    """One form field: a built-in name, or a custom text or select field with its label."""

    name: FieldName = Field(description="The field's name as posted.")
    label: str | None = Field(None, description="Its label (required for custom fields).")
    type: Literal["text", "select"] = Field("text", description="text | select.")
    options: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list, description="select: its choices."
    )
    required: bool | None = Field(None, description="Must be filled (default: name, email).")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        return _field(value)

    @model_validator(mode="after")
    def _rules(self) -> FormField:
        if self.name in _RESERVED:
            raise rule("name", f"'{self.name}' is sent by site-gen itself: choose another name")
        if self.name not in BUILTIN_FIELDS and not (self.label or "").strip():
            raise rule(
                "label",
                f"field '{self.name}' needs a label: visitors must know what "
                'to type (label: "…")',
            )
        if self.type == "select" and not self.options:
            raise rule("options", f'select field \'{self.name}\' needs options: ["…", "…"]')
        if self.type != "select" and self.options:
            raise rule("options", "options apply to type: select only")
        return self

    @property
    def is_required(self) -> bool:
        """Required as written, else as the built-in field is by default."""
        if self.required is not None:
            return self.required
        return BUILTIN_FIELDS.get(self.name, False)


def _field(value: Any) -> Any:
    """``email`` is short for ``{name: email}``."""
    if isinstance(value, str):
        if value not in BUILTIN_FIELDS:
            from .problems import did_you_mean

            hint = did_you_mean(value, BUILTIN_FIELDS) or (
                f" (built-in: {', '.join(BUILTIN_FIELDS)}; others need "
                "{name, label, type, required})"
            )
            raise ValueError(f"unknown field '{value}'{hint}")
        return {"name": value}
    return value


class RegistrationDefaults(StrictModel):
    """``[registration]`` in site.toml: what every page's ``registration:`` starts from."""

    provider: Literal["url", "netlify"] | None = Field(
        None, description="url: POST to your endpoint; netlify: Netlify Forms."
    )
    url: str | None = Field(None, description="provider url: the https POST endpoint.")
    fields: list[FormField] | None = Field(
        None,
        description="name, email, company, job_title, or {name, label, type, options, "
        "required}; default [name, email].",
    )
    consent: bool | None = Field(
        None, description="A required consent checkbox, linking the footer's privacy page."
    )
    required: bool | None = Field(
        None, description="true: the room shows on SLUG/registered/ only (not access control)."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" and not (
            parts.scheme == "http" and not plain_http_off_loopback(value)
        ):
            raise ValueError(f"{value!r} is not an https URL: registrations carry personal data")
        if not parts.hostname:
            raise ValueError(f"{value!r} is not a URL such as 'https://forms.example.com/f/123'")
        return value.strip()

    @model_validator(mode="after")
    def _unique(self) -> RegistrationDefaults:
        names = [f.name for f in self.fields or []]
        for name in names:
            if names.count(name) > 1:
                raise rule("fields", f"field '{name}' is listed twice")
        return self


class Registration(RegistrationDefaults):
    """A page's registration form, with the site's defaults applied: complete."""

    provider: Literal["url", "netlify"] = "url"
    fields: list[FormField] = Field(default_factory=list)
    consent: bool = False
    required: bool = False

    @model_validator(mode="after")
    def _complete(self) -> Registration:
        if self.provider == "url" and self.url is None:
            raise rule("url", "provider url needs url: the https endpoint forms post to")
        if self.provider == "netlify" and self.url is not None:
            raise rule("url", "provider netlify posts to Netlify itself: remove url")
        if not self.fields:
            raise rule("fields", "a form needs at least one field, such as [name, email]")
        return self


def effective_registration(
    page: RegistrationDefaults | bool | None, site: RegistrationDefaults
) -> Registration | None:
    """The page's form: its own keys over the site's ``[registration]``; None without one.

    ``registration: true`` takes the site's defaults as they are. Raises
    pydantic's ValidationError when the merged form is incomplete.
    """
    if page is None or page is False:
        return None
    merged: dict[str, Any] = {"fields": [{"name": "name"}, {"name": "email"}]}
    merged.update(site.model_dump(exclude_none=True))
    if isinstance(page, RegistrationDefaults):
        own = page.model_dump(exclude_none=True)
        if own.get("provider") == "netlify" and "url" not in own:
            merged.pop("url", None)  # the site's endpoint is for its url forms
        merged.update(own)
    return Registration.model_validate(merged)
