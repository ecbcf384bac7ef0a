"""The Callbridge Enterprise API: a typed async client, its errors, and the sandbox.

``CallbridgeClient`` speaks the guide's four methods (authenticate,
company/create, host/create, conference/create) over httpx; the transport
is injectable, which is how the same client runs against the in-process
sandbox (``sandbox.sandbox_client``), the sandbox over loopback, and the real API.
See docs/callbridge.md for the token life-cycle and the retry policy.
"""

from __future__ import annotations

from .client import DEFAULT_TIMEOUT, SANDBOX_ADMIN, CallbridgeClient, check_api_url
from .errors import (
    ApiError,
    ApiRequestError,
    ApiStatusError,
    ApiTransportError,
    AuthenticationFailed,
    InsecureApiUrl,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)
from .models import (
    AccessCode,
    AuthToken,
    Company,
    CompanyCreate,
    Conference,
    ConferenceCreate,
    Credentials,
    Host,
    HostCreate,
    ModeratorPin,
    ParticipantEmail,
    Role,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SANDBOX_ADMIN",
    "AccessCode",
    "ApiError",
    "ApiRequestError",
    "ApiStatusError",
    "ApiTransportError",
    "AuthToken",
    "AuthenticationFailed",
    "CallbridgeClient",
    "Company",
    "CompanyCreate",
    "Conference",
    "ConferenceCreate",
    "Credentials",
    "Host",
    "HostCreate",
    "InsecureApiUrl",
    "ModeratorPin",
    "NotFound",
    "ParticipantEmail",
    "PermissionDenied",
    "RateLimited",
    "Role",
    "ServerError",
    "check_api_url",
]
