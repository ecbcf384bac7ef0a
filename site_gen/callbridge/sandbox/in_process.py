"""The sandbox inside the calling process: a client whose requests never touch a socket.

``api = "sandbox"`` builds use it: requests go through
``httpx.ASGITransport`` straight into the sandbox's app, whose state lives
in a SQLite file under the site, so ids in a lock stay valid between builds.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from ..client import SANDBOX_ADMIN, CallbridgeClient
from ..models import Credentials
from .app import create_app
from .state import Clock, SandboxState

__all__ = ["sandbox_client"]


class _InProcessClient(CallbridgeClient):
    """A client that owns its sandbox's state and closes it with its connections."""

    def __init__(self, state: SandboxState, *, public_origin: str, credentials: Credentials):
        self.state = state
        app = create_app(state, public_origin=public_origin)
        super().__init__(
            "http://sandbox.localhost", credentials, transport=httpx.ASGITransport(app=app)
        )

    async def aclose(self) -> None:
        """Close the connections, then the sandbox's database."""
        try:
            await super().aclose()
        finally:
            self.state.close()


def sandbox_client(
    db_path: Path | None,
    *,
    public_origin: str,
    credentials: Credentials | None = None,
    clock: Clock | None = None,
) -> CallbridgeClient:
    """A client wired to an in-process sandbox whose state lives in ``db_path`` (None: memory)."""
    state = SandboxState.open(db_path, clock=clock)
    return _InProcessClient(
        state, public_origin=public_origin, credentials=credentials or SANDBOX_ADMIN
    )
