"""The contract harness: the same tests against the in-process and the loopback sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from site_gen.callbridge import CallbridgeClient, Credentials
from site_gen.callbridge.sandbox.app import Controls, create_app
from site_gen.callbridge.sandbox.state import ManualClock, SandboxState
from site_gen.callbridge.sandbox.testing import RunningSandbox, running_sandbox

#: Fixed "now" for the sandbox's clock: tokens and ``active`` never depend on the day.
START = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
ASGI_ORIGIN = "http://127.0.0.1:8001"

RESELLER = Credentials(email="reseller@sandbox.test", password=SecretStr("sandbox-reseller"))
ADMIN = Credentials(email="admin@acme.test", password=SecretStr("sandbox-admin"))
HOST = Credentials(email="marketing@acme.test", password=SecretStr("sandbox-host"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Harness:
    """One sandbox, reached in-process (``asgi``) or over real loopback HTTP (``http``)."""

    kind: str
    state: SandboxState
    controls: Controls
    clock: ManualClock
    origin: str
    api: str
    make_transport: Callable[[], httpx.AsyncBaseTransport]

    def client(
        self,
        credentials: Credentials = ADMIN,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> CallbridgeClient:
        """A client as ``credentials``; no backoff waits unless asked."""
        options.setdefault("backoff", 0.0)
        return CallbridgeClient(
            self.api, credentials, transport=transport or self.make_transport(), **options
        )

    def calls(self) -> dict[str, int]:
        return self.controls.calls()


@pytest.fixture(scope="session")
def session_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def loopback_sandbox(session_clock: ManualClock) -> Iterator[RunningSandbox]:
    """One real uvicorn server for the session; reset before each test that uses it."""
    with running_sandbox(clock=session_clock) as sandbox:
        yield sandbox


@pytest.fixture(params=["asgi", "http"])
def sandbox(request: pytest.FixtureRequest, session_clock: ManualClock) -> Iterator[Harness]:
    session_clock.set(START)
    if request.param == "asgi":
        state = SandboxState.open(None, clock=session_clock)
        controls = Controls()
        app = create_app(state, public_origin=ASGI_ORIGIN, controls=controls)
        yield Harness(
            "asgi", state, controls, session_clock, ASGI_ORIGIN, "http://sandbox.localhost",
            lambda: httpx.ASGITransport(app=app),
        )  # fmt: skip
        state.close()
        return
    yield from _over_http(request.getfixturevalue("loopback_sandbox"), session_clock)


@pytest.fixture
def loopback(loopback_sandbox: RunningSandbox, session_clock: ManualClock) -> Iterator[Harness]:
    """The harness over real HTTP only: for what needs sockets (timeouts)."""
    session_clock.set(START)
    yield from _over_http(loopback_sandbox, session_clock)


def _over_http(served: RunningSandbox, clock: ManualClock) -> Iterator[Harness]:
    served.reset()
    yield Harness(
        "http", served.state, served.controls, clock, served.url, served.url,
        httpx.AsyncHTTPTransport,
    )  # fmt: skip
    served.reset()
