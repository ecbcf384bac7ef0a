"""What the Callbridge API client raises: one tree, each node a thing a user can act on.

    SiteGenError                      (site_gen.errors; the CLI prints it, exit 3 below)
    └── ApiError                      any failure talking to the API
        ├── InsecureApiUrl            http:// to a non-loopback host, or not a URL at all
        ├── ApiTransportError         no HTTP answer: connect failure, timeout, broken connection
        └── ApiStatusError            an HTTP answer other than 200 (carries .status, .message)
            ├── AuthenticationFailed  401: wrong email/password, or a token refused twice
            ├── PermissionDenied      403: the API user's role may not do this
            ├── NotFound              404: the object named in the request does not exist
            ├── RateLimited           429
            ├── ApiRequestError       any other 4xx (validation, uniqueness conflicts)
            └── ServerError           5xx

Every message says which request failed (method and URL) and carries the
server's ``message``; none ever contains the password, the auth token, a
moderator PIN or a login key: the client scrubs them before raising.
"""

from __future__ import annotations

from site_gen.errors import ExitCode, SiteGenError

__all__ = [
    "ApiError",
    "ApiRequestError",
    "ApiStatusError",
    "ApiTransportError",
    "AuthenticationFailed",
    "InsecureApiUrl",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
]


class ApiError(SiteGenError):
    """Base of every Callbridge failure: the CLI exits 3 on it."""

    exit_code = ExitCode.API


class InsecureApiUrl(ApiError):
    """The API address would send credentials unencrypted (or is no URL)."""


class ApiTransportError(ApiError):
    """No HTTP answer arrived; ``maybe_applied`` says whether the server may have acted."""

    def __init__(self, text: str, *, url: str = "", maybe_applied: bool = True) -> None:
        super().__init__(text)
        self.url = url
        self.maybe_applied = maybe_applied


class ApiStatusError(ApiError):
    """The API answered with a non-200 status; ``message`` is the server's own text."""

    def __init__(self, text: str, *, url: str = "", status: int = 0, message: str = "") -> None:
        super().__init__(text)
        self.url = url
        self.status = status
        self.message = message


class AuthenticationFailed(ApiStatusError):
    """401: the credentials are wrong, or a fresh token was refused as well."""


class PermissionDenied(ApiStatusError):
    """403: the API user's role does not reach that company or host."""


class NotFound(ApiStatusError):
    """404: the company or host the request names does not exist."""


class RateLimited(ApiStatusError):
    """429 still answered after the retries the policy allows."""


class ApiRequestError(ApiStatusError):
    """Another 4xx: a field the API refused, or a subdomain/code/PIN already taken."""


class ServerError(ApiStatusError):
    """5xx: the API failed; creates are not retried (they may have been applied)."""
