"""A sandbox on a real loopback port for tests of the whole project.

    with running_sandbox() as sandbox:
        client = sandbox.client()           # a CallbridgeClient for the seeded company admin
        sandbox.fail_nth("conference/create", 1)
        ...
        assert sandbox.calls()["authenticate"] == 1

uvicorn runs in a background thread (as httpx's own test suite does); the
object it yields reads and drives the same state in-process. The same
controls exist over HTTP under ``/_sandbox/`` for a sandbox in another process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from site_gen.callbridge.client import SANDBOX_ADMIN, CallbridgeClient
from site_gen.callbridge.models import Credentials
from site_gen.utils.net import http_origin, quiet_server

from .app import Controls, create_app
from .server import bind
from .state import Clock, SandboxState

__all__ = ["RunningSandbox", "running_sandbox"]


class RunningSandbox:
    """A sandbox served on ``url``: its state, its knobs, and clients for it."""

    def __init__(self, url: str, state: SandboxState, controls: Controls) -> None:
        self.url = url
        self.state = state
        self.controls = controls

    def client(self, credentials: Credentials | None = None, **options: Any) -> CallbridgeClient:
        """A client over real HTTP, as the seeded company admin unless told otherwise."""
        return CallbridgeClient(self.url, credentials or SANDBOX_ADMIN, **options)

    def calls(self) -> dict[str, int]:
        """API calls received per method (failed ones included)."""
        return self.controls.calls()

    def expire_tokens(self) -> None:
        """Every auth token stops working now."""
        self.state.expire_tokens()

    def fail_nth(
        self, method: str, n: int = 1, *, status: int = 500, retry_after: float | None = None
    ) -> None:
        """The n-th call of ``method`` from now answers ``status`` before changing anything."""
        self.controls.fail_nth(method, n, status=status, retry_after=retry_after)

    def set_latency(self, ms: float) -> None:
        """Delay each API call by ``ms`` before it takes effect (async: calls overlap)."""
        self.controls.set_latency(ms)

    def set_fail_rate(self, rate: float) -> None:
        """Answer this fraction of API calls with 500."""
        self.controls.set_fail_rate(rate)

    def conferences(self) -> list[dict[str, Any]]:
        """Every conference created so far."""
        return self.state.conferences()

    def reset(self) -> None:
        """Seeds only, counters at zero, no scheduled failures, knobs as started."""
        self.state.reset()
        self.controls.reset()


@contextmanager
def running_sandbox(
    *,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    db: Path | None = None,
    clock: Clock | None = None,
    host: str = "127.0.0.1",
) -> Iterator[RunningSandbox]:
    """Serve a sandbox on a free loopback port for the duration of the block."""
    sock = bind(host, 0)
    url = http_origin(sock, host)
    state = SandboxState.open(db, clock=clock)
    controls = Controls(latency_ms=latency_ms, fail_rate=fail_rate)
    server = quiet_server(create_app(state, public_origin=url, controls=controls))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="callbridge-sandbox", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        yield RunningSandbox(url, state, controls)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        state.close()
