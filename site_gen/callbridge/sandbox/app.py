"""The sandbox over HTTP: the Enterprise API, the browser pages and the test controls.

``create_app(state, public_origin=...)`` returns a Starlette app that runs
the same in-process (``httpx.ASGITransport``) and under uvicorn. Each API
call is counted, then delayed (``latency_ms``, an async sleep: concurrent
calls overlap), then possibly failed (a scheduled ``fail_nth`` or
``fail_rate``), all *before* the state changes; only then does
``SandboxState`` apply the guide's rules.

Test controls under ``/_sandbox/`` (loopback clients only) drive a sandbox
running in another process: see docs/callbridge.md.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from site_gen.utils.net import is_loopback_host

from . import pages
from .state import METHODS, SEED_ACCOUNTS, Room, SandboxError, SandboxState

__all__ = ["Controls", "Failure", "create_app"]

log = logging.getLogger("site_gen.sandbox")

_PAGE_HEADERS = {
    # Framable on purpose (no X-Frame-Options): sites embed these pages.
    "Cache-Control": "no-store",
    # /auth carries a login key in its query string: never send it onwards.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
SESSION_COOKIE = "sandbox_session"


@dataclass(frozen=True)
class Failure:
    """A scheduled failure: the status to answer and an optional Retry-After."""

    status: int = 500
    retry_after: float | None = None


class Controls:
    """Fault and load knobs plus call counters; thread-safe (tests set, the server reads)."""

    def __init__(
        self, *, latency_ms: float = 0, fail_rate: float = 0.0, rng: random.Random | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._initial = (float(latency_ms), float(fail_rate))
        self.latency_ms, self.fail_rate = self._initial
        self._rng = rng or random.Random()  # noqa: S311 - fault injection, not security
        self._calls: Counter[str] = Counter()
        self._scheduled: dict[tuple[str, int], Failure] = {}

    def count(self, method: str) -> int:
        """Record a call; returns its number (1 for the first call of ``method``)."""
        with self._lock:
            self._calls[method] += 1
            return self._calls[method]

    def calls(self) -> dict[str, int]:
        """How many calls of each method arrived (failed ones included)."""
        with self._lock:
            return {method: self._calls[method] for method in METHODS}

    def fail_nth(
        self, method: str, n: int = 1, *, status: int = 500, retry_after: float | None = None
    ) -> None:
        """The ``n``-th call of ``method`` from now (1 = the next) answers ``status``."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
        if n < 1:
            raise ValueError("n counts from 1 (the next call)")
        with self._lock:
            self._scheduled[(method, self._calls[method] + n)] = Failure(status, retry_after)

    def failure_for(self, method: str, number: int) -> Failure | None:
        """The failure call ``number`` of ``method`` must answer, if any."""
        with self._lock:
            scheduled = self._scheduled.pop((method, number), None)
            if scheduled is not None:
                return scheduled
            if self.fail_rate > 0 and self._rng.random() < self.fail_rate:
                return Failure()
            return None

    def set_latency(self, ms: float) -> None:
        """Delay every API call by ``ms`` milliseconds before it takes effect."""
        with self._lock:
            self.latency_ms = max(0.0, float(ms))

    def set_fail_rate(self, rate: float) -> None:
        """Answer this fraction of API calls with 500, before any state change."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fail rate is a fraction between 0 and 1")
        with self._lock:
            self.fail_rate = float(rate)

    def reset(self) -> None:
        """Counters and scheduled failures cleared; latency and fail rate as started."""
        with self._lock:
            self._calls.clear()
            self._scheduled.clear()
            self.latency_ms, self.fail_rate = self._initial


def create_app(
    state: SandboxState, *, public_origin: str, controls: Controls | None = None
) -> Starlette:
    """The sandbox's ASGI app; meeting URLs point at ``public_origin``."""
    origin = public_origin.rstrip("/")
    state.public_origin = origin
    knobs = controls or Controls()
    # SSO sessions: cookie value -> (host_id, after_call_url). Memory only.
    sessions: dict[str, tuple[int, str | None]] = {}

    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        if method not in METHODS:
            return JSONResponse({"message": f"no such method: {method}"}, status_code=404)
        started = time.perf_counter()
        number = knobs.count(method)
        # The body is read first: a client that gives up during the delay
        # does not undo a request the server has received (as on the real API).
        try:
            body = await request.json()
        except ValueError:
            body = None
        except ClientDisconnect:
            return Response(status_code=400)
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000)
        failure = knobs.failure_for(method, number)
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(int(failure.retry_after))
            response: Response = JSONResponse(
                {"message": "simulated failure (sandbox fault injection)"},
                status_code=failure.status,
                headers=headers,
            )
        else:
            try:
                if body is None:
                    raise SandboxError(400, "the request body must be JSON")
                response = JSONResponse(state.call(method, body))
            except SandboxError as exc:
                response = JSONResponse({"message": exc.message}, status_code=exc.status)
        elapsed = (time.perf_counter() - started) * 1000
        log.info("POST /enterprise_api/%s %d %.0fms", method, response.status_code, elapsed)
        return response

    def _room_or_404(code: str) -> tuple[Room | None, Response | None]:
        room = state.room(code) if code.isdigit() and len(code) <= 15 else None
        if room is None:
            return None, HTMLResponse(
                pages.error_page("No such meeting", "No meeting room has this access code."),
                status_code=404,
                headers=_PAGE_HEADERS,
            )
        return room, None

    async def room(request: Request) -> Response:
        found, missing = _room_or_404(request.path_params["code"])
        if found is None:
            assert missing is not None
            return missing
        session = sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        host = session is not None and session[0] == found.host_id
        html = pages.room_page(
            found,
            request.query_params,
            signed_in_host=host,
            after_call_url=session[1] if host and session else None,
        )
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    async def livestream(request: Request) -> Response:
        found, missing = _room_or_404(request.path_params["code"])
        if found is None:
            assert missing is not None
            return missing
        return HTMLResponse(pages.livestream_page(found), headers=_PAGE_HEADERS)

    async def auth(request: Request) -> Response:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form_or_json(request))
        host_id = str(params.get("host_id", ""))
        key = str(params.get("login_token_public_key", ""))
        redirect = str(params.get("redirect_url", ""))
        after = params.get("after_call_url")
        if not redirect or not _same_site_target(redirect, origin):
            return _error(400, "Bad redirect_url", "redirect_url must be a path on this domain.")
        if after is not None and not _after_call_target(str(after), origin):
            return _error(400, "Bad after_call_url", "after_call_url must be a full http(s) URL.")
        if not host_id.isdigit() or not state.check_login_key(int(host_id), key):
            return _error(401, "Sign-in failed", "The host id or login token is not valid.")
        session = secrets.token_urlsafe(24)
        sessions[session] = (int(host_id), str(after) if after else None)
        status = 303 if request.method == "POST" else 302
        response = RedirectResponse(redirect, status_code=status, headers=_PAGE_HEADERS)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        return response

    async def index(request: Request) -> Response:
        return HTMLResponse(pages.index_page(_accounts()), headers=_PAGE_HEADERS)

    # -- test controls ------------------------------------------------------

    async def control(request: Request) -> Response:
        client = request.client.host if request.client else None
        if not is_loopback_host(client):
            return JSONResponse({"message": "test controls answer loopback only"}, 403)
        name = request.path_params["name"]
        data: dict[str, Any] = {}
        if request.method == "POST":
            try:
                raw = await request.json() if await request.body() else {}
            except ValueError:
                raw = None
            if not isinstance(raw, dict):
                return JSONResponse({"message": "the body must be a JSON object"}, 400)
            data = raw
        try:
            result = _control(name, request.method, data)
        except (TypeError, ValueError) as exc:
            return JSONResponse({"message": str(exc)}, 400)
        if result is None:
            return JSONResponse({"message": f"no such control: {name}"}, 404)
        return JSONResponse(result)

    def _control(name: str, verb: str, data: dict[str, Any]) -> Any:
        if verb == "GET":
            if name == "calls":
                return knobs.calls()
            if name == "conferences":
                return state.conferences()
            if name == "accounts":
                return _accounts()
            return None
        if name == "expire_tokens":
            state.expire_tokens()
        elif name == "fail_nth":
            retry_after = data.get("retry_after")
            knobs.fail_nth(
                str(data.get("method")),
                int(data.get("n", 1)),
                status=int(data.get("status", 500)),
                retry_after=None if retry_after is None else float(retry_after),
            )
        elif name == "latency":
            knobs.set_latency(float(data.get("ms", 0)))
        elif name == "fail_rate":
            knobs.set_fail_rate(float(data.get("rate", 0)))
        elif name == "reset":
            state.reset()
            knobs.reset()
            sessions.clear()
        else:
            return None
        return {"ok": True}

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/enterprise_api/{method:path}", api, methods=["POST"]),
            Route("/conf/call/{code}", room, methods=["GET"]),
            Route("/livestream/{code}", livestream, methods=["GET"]),
            Route("/auth", auth, methods=["GET", "POST"]),
            Route("/_sandbox/{name}", control, methods=["GET", "POST"]),
        ]
    )
    app.state.sandbox = state
    app.state.controls = knobs
    return app


def _accounts() -> list[dict[str, Any]]:
    return [
        {
            "email": seed.email,
            "password": seed.password,
            "role": seed.role,
            "host_id": seed.host_id,
            "company_id": seed.company_id,
            "access_code": seed.access_code,
        }
        for seed in SEED_ACCOUNTS
    ]


def _error(status: int, title: str, detail: str) -> Response:
    return HTMLResponse(pages.error_page(title, detail), status_code=status, headers=_PAGE_HEADERS)


async def _form_or_json(request: Request) -> dict[str, Any]:
    """The POST /auth body: JSON (the guide's example) or a submitted form."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace")))


def _same_site_target(url: str, origin: str) -> bool:
    """A relative path, or a URL on the sandbox's own origin: no open redirect."""
    if any(ch in url for ch in "\\\r\n\t"):
        return False
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url.startswith("/")
    return f"{parts.scheme}://{parts.netloc}".lower() == origin.lower()


def _after_call_target(url: str, origin: str) -> bool:
    """'If it's not within our domain, you must provide a full URL with scheme.'"""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return True
    return _same_site_target(url, origin)
