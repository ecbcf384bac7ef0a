"""Which client a site's scheduling talks to, and running async API work from sync code.

A sandbox site gets the in-process sandbox (with its own seeded admin: real
credentials in the environment are for the real API and must never be sent
anywhere else); any other site gets the real API with credentials from the
environment, and only from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from site_gen.callbridge import CallbridgeClient, Credentials
from site_gen.errors import ExitCode, SiteGenError
from site_gen.paths import SANDBOX_DB

if TYPE_CHECKING:
    from site_gen.structure.site import Site

__all__ = ["CredentialsMissing", "check_credentials", "make_client", "run_blocking"]

T = TypeVar("T")


class CredentialsMissing(SiteGenError):
    """The plan needs the API and the environment has no credentials."""

    exit_code = ExitCode.API


def run_blocking(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())``, also from a thread whose event loop is running.

    The library's blocking calls may be made from async code (a notebook,
    Playwright's sync API in a test): there the coroutine runs on a loop of
    its own in a worker thread instead of failing.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="site-gen-api") as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def make_client(site: Site, environ: Mapping[str, str]) -> CallbridgeClient:
    """The client for ``site``'s API: the in-process sandbox, or the real one."""
    callbridge = site.config.callbridge
    if callbridge.is_sandbox:
        # The sandbox's own seeded admin: real credentials in the environment
        # are for the real API and must never be sent anywhere else.
        # Imported here: the sandbox's app (Starlette) only for sandbox sites.
        from site_gen.callbridge.sandbox.in_process import sandbox_client

        db = site.root / SANDBOX_DB
        db.parent.mkdir(parents=True, exist_ok=True)
        return sandbox_client(db, public_origin=callbridge.meeting_origin)
    credentials = Credentials.from_env(environ)
    if credentials is None:
        raise CredentialsMissing(
            f"the build must call {callbridge.api} but CALLBRIDGE_EMAIL and "
            "CALLBRIDGE_PASSWORD are not set; nothing was scheduled "
            "(use --offline to build from the lock alone)"
        )
    return CallbridgeClient(api=callbridge.api, credentials=credentials)




def check_credentials(site: Site, environ: Mapping[str, str]) -> None:
    """Authenticate once (``site-gen plan``): bad credentials fail before a deploy does."""
    client = make_client(site, environ)

    async def main() -> None:
        async with client:
            await client.authenticate()

    run_blocking(main)
