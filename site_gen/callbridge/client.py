"""The Enterprise API client: four methods, one token, a retry policy that never duplicates.

Usage::

    async with CallbridgeClient("https://acme-admin.acme.tld", credentials) as client:
        host = await client.create_host(HostCreate(name="Ann", email="ann@acme.tld"))

Token life-cycle
    The first call authenticates (once, even when many calls start together)
    and every later call reuses the token. A 401 from any other method means
    the token expired (five minutes after its last use): the client
    authenticates again and repeats that request once. Concurrent requests
    that meet the same expired token share one re-authentication: each
    remembers the token *generation* it sent, and only the first to take the
    lock with a stale generation authenticates.

Retry policy (what may be repeated without creating anything twice)
    - authenticate creates nothing: it is retried with exponential backoff
      on 5xx, 429 and any transport error.
    - company/host/conference create are retried only when the request
      certainly never reached the server: connect errors, connect and pool
      timeouts; and on 429 or 503 that carry ``Retry-After`` (the server
      says it did not process the request), after waiting that long, capped
      at ``max_retry_after`` seconds.
    - A read timeout, a broken connection after sending, or a 500 are never
      retried for a create: the server may have applied it, and the guide
      gives no way to look a conference up afterwards. The error says so.
    At most ``max_retries`` retries per request, on top of the first try.

Secrets: the password and the token are sent only in request bodies; log
lines carry method, path, status and time; reprs and error texts are scrubbed
of every secret the client knows.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from site_gen.utils.net import plain_http_off_loopback

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
    AuthToken,
    Company,
    CompanyCreate,
    Conference,
    ConferenceCreate,
    Credentials,
    Host,
    HostCreate,
)

__all__ = ["DEFAULT_TIMEOUT", "SANDBOX_ADMIN", "CallbridgeClient", "check_api_url"]

log = logging.getLogger("site_gen.callbridge")

#: Connect quickly or fail; give the API time to answer a create.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

#: Errors raised before any byte of the request left: repeating them is always safe.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

M = TypeVar("M", bound=BaseModel)


def check_api_url(url: str) -> str:
    """The API base URL without a trailing slash; refuses http:// except to loopback."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureApiUrl(f"the Callbridge API address {url!r} is not an http(s) URL")
    if plain_http_off_loopback(text):
        raise InsecureApiUrl(
            f"refusing to send credentials to {url!r} over plain http: use https "
            "(http is allowed only to loopback addresses)"
        )
    return text


class CallbridgeClient:
    """An async client for the four Enterprise API methods; see the module docstring."""

    def __init__(
        self,
        api: str,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        self.api = check_api_url(api)
        self.credentials = credentials
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._http = httpx.AsyncClient(
            base_url=self.api,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._token: SecretStr | None = None
        self._generation = 0
        self._auth_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"CallbridgeClient(api={self.api!r}, email={self.credentials.email!r})"

    async def __aenter__(self) -> CallbridgeClient:
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    # -- the four methods -------------------------------------------------

    async def authenticate(self) -> None:
        """Get a fresh auth token (the other methods call this when they need one)."""
        async with self._auth_lock:
            await self._authenticate()

    async def create_company(self, request: CompanyCreate) -> Company:
        """company/create: a new company under the reseller (reseller admins only)."""
        return await self._call("company/create", request.payload(), Company)

    async def create_host(self, request: HostCreate) -> Host:
        """host/create: a host with its own room, access code and moderator PIN."""
        return await self._call("host/create", request.payload(), Host)

    async def create_conference(self, request: ConferenceCreate) -> Conference:
        """conference/create: schedule a meeting of ``request.host_id``."""
        return await self._call("conference/create", request.payload(), Conference)

    # -- token life-cycle -------------------------------------------------

    async def _authenticate(self) -> None:
        """Authenticate under the lock; bumps the generation."""
        body = {
            "email": self.credentials.email,
            "password": self.credentials.password.get_secret_value(),
        }
        response = await self._post("authenticate", body, repeatable=True)
        if response.status_code == 401:
            raise self._status_error(
                AuthenticationFailed,
                "authenticate",
                response,
                f"Callbridge refused the credentials of {self.credentials.email}: "
                "wrong email or password (CALLBRIDGE_EMAIL / CALLBRIDGE_PASSWORD)",
            )
        if response.status_code == 403:
            raise self._status_error(
                PermissionDenied,
                "authenticate",
                response,
                f"{self.credentials.email} may not use the API: it needs the "
                "COMPANY_ADMIN or RESELLER_ADMIN role",
            )
        self._raise_for_status("authenticate", {}, response)
        self._token = self._parse(AuthToken, "authenticate", response).auth_token
        self._generation += 1

    async def _current_token(self) -> tuple[SecretStr, int]:
        if self._token is None:
            async with self._auth_lock:
                if self._token is None:
                    await self._authenticate()
        assert self._token is not None
        return self._token, self._generation

    async def _reauthenticate(self, stale_generation: int) -> None:
        async with self._auth_lock:
            if self._generation == stale_generation:
                log.info("auth token expired; authenticating again")
                self._token = None
                await self._authenticate()

    async def _call(self, method: str, body: dict[str, Any], model: type[M]) -> M:
        token, generation = await self._current_token()
        response = await self._post(
            method, {**body, "auth_token": token.get_secret_value()}, repeatable=False
        )
        if response.status_code == 401:
            await self._reauthenticate(generation)
            token, _ = await self._current_token()
            response = await self._post(
                method, {**body, "auth_token": token.get_secret_value()}, repeatable=False
            )
            if response.status_code == 401:
                raise self._status_error(
                    AuthenticationFailed,
                    method,
                    response,
                    "a fresh auth token was refused as well",
                )
        self._raise_for_status(method, body, response)
        return self._parse(model, method, response)

    # -- sending, with the retry policy -----------------------------------

    async def _post(self, method: str, body: dict[str, Any], *, repeatable: bool) -> httpx.Response:
        """POST ``body``; ``repeatable`` means repeating it can create nothing."""
        path = f"/enterprise_api/{method}"
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.post(path, json=body)
            except _UNSENT as exc:
                log.info("POST %s: %s (not sent)", path, type(exc).__name__)
                if attempt < self.max_retries:
                    attempt += 1
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                raise self._transport_error(method, exc, maybe_applied=False) from None
            except httpx.TransportError as exc:
                log.info("POST %s: %s", path, type(exc).__name__)
                if repeatable and attempt < self.max_retries:
                    attempt += 1
                    await asyncio.sleep(self._backoff(attempt))
                    continue
                raise self._transport_error(method, exc, maybe_applied=not repeatable) from None
            elapsed = (time.perf_counter() - started) * 1000
            log.info("POST %s %d %.0fms", path, response.status_code, elapsed)
            if attempt >= self.max_retries:
                return response
            wait = self._retry_wait(response, repeatable, attempt + 1)
            if wait is None:
                return response
            attempt += 1
            await asyncio.sleep(wait)

    def _retry_wait(self, response: httpx.Response, repeatable: bool, attempt: int) -> float | None:
        """Seconds to wait before repeating, or None when the answer is final."""
        status = response.status_code
        if status in (429, 503):
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        if repeatable and (status >= 500 or status == 429):
            return self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        # Full jitter: retries from concurrent builds do not arrive together.
        return random.uniform(0, self.backoff * 2 ** (attempt - 1))  # noqa: S311

    # -- errors -----------------------------------------------------------

    def _url(self, method: str) -> str:
        return f"{self.api}/enterprise_api/{method}"

    def _scrub(self, text: str) -> str:
        """Remove every secret the client knows from ``text``."""
        for secret in (self.credentials.password, self._token):
            value = secret.get_secret_value() if secret is not None else ""
            if value:
                text = text.replace(value, "**********")
        return text

    def _transport_error(
        self, method: str, exc: httpx.TransportError, *, maybe_applied: bool
    ) -> ApiTransportError:
        detail = self._scrub(str(exc)) or type(exc).__name__
        text = f"POST {self._url(method)} failed: {type(exc).__name__}: {detail}"
        if maybe_applied:
            text += (
                "; the request may have reached Callbridge, so it was not repeated "
                "(check the API's web interface before building again)"
            )
        return ApiTransportError(text, url=self._url(method), maybe_applied=maybe_applied)

    def _status_error(
        self,
        kind: type[ApiStatusError],
        method: str,
        response: httpx.Response,
        summary: str,
    ) -> ApiStatusError:
        message = self._scrub(_server_message(response))
        text = f"{summary} (POST {self._url(method)} answered {response.status_code}"
        text += f": {message})" if message else ")"
        return kind(
            self._scrub(text), url=self._url(method), status=response.status_code, message=message
        )

    def _raise_for_status(
        self, method: str, body: dict[str, Any], response: httpx.Response
    ) -> None:
        status = response.status_code
        if status == 200:
            return
        what = _subject(method, body)
        if status == 401:
            raise self._status_error(AuthenticationFailed, method, response, "not authenticated")
        if status == 403:
            raise self._status_error(
                PermissionDenied,
                method,
                response,
                f"the role of API user {self.credentials.email} may not {what}",
            )
        if status == 404:
            raise self._status_error(
                NotFound, method, response, f"cannot {what}: {_missing(method, body)} not found"
            )
        if status == 429:
            raise self._status_error(RateLimited, method, response, f"rate limited: {what}")
        if status >= 500:
            raise self._status_error(
                ServerError,
                method,
                response,
                f"Callbridge failed to {what}"
                + ("" if method == "authenticate" else "; not repeated, it may have been applied"),
            )
        raise self._status_error(ApiRequestError, method, response, f"Callbridge refused to {what}")

    def _parse(self, model: type[M], method: str, response: httpx.Response) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            # Pydantic's text would quote the input: a token or PIN could leak.
            count = exc.error_count() if isinstance(exc, ValidationError) else 1
            raise ApiError(
                f"POST {self._url(method)} answered 200 with a body that is not the "
                f"documented {model.__name__} ({count} field problem(s))"
            ) from None


def _subject(method: str, body: dict[str, Any]) -> str:
    """What the request tried to do, in words, naming its objects (never a secret)."""
    if method == "company/create":
        return f"create company {body.get('subdomain')!r}"
    if method == "host/create":
        where = f" in company {body['company_id']}" if body.get("company_id") else ""
        return f"create host {body.get('email')!r}{where}"
    if method == "conference/create":
        return f"schedule conference {body.get('subject')!r} for host {body.get('host_id')}"
    return method


def _missing(method: str, body: dict[str, Any]) -> str:
    if method == "host/create":
        return f"company {body.get('company_id')}"
    if method == "conference/create":
        return f"host {body.get('host_id')}"
    return "the object"


def _server_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return response.reason_phrase


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number or an HTTP date (RFC 9110)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


#: The seeded company admin ``sandbox_client`` authenticates as by default.
SANDBOX_ADMIN = Credentials(email="admin@acme.test", password=SecretStr("sandbox-admin"))
